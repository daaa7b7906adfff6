/**
 * Benchmark runs in their own process (the handler caches its configuration per process): each
 * a scenario, a seed and a controller. Started by bench/grid.ts's pool with a batch of jobs as JSON
 * in argv[2] (a run of ours alone in its batch); answers with the runs' figures over IPC.
 *
 * Baselines drive the twin through the same Genesys API as ours, with the project's Genesys
 * adapter (the GenesysPort) against the twin's HTTP server, once per simulated minute (ADAPT
 * every 15 s, as VICIdial does). Ours is the real Lambda handler (sim/run/run-scenario.ts).
 */
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KnobName } from '../lambda/config/schema.js';
import { GenesysClient, TokenProvider } from '../lambda/genesys/index.js';
import { cumulative, rolling } from '../sim/run/report.js';
import { summarise } from '../sim/run/summary.js';
import { ukRuleCounts } from '../sim/run/windows.js';
import { startTwin, type Twin } from '../sim/emulator/server.js';
import type { MinuteSample } from '../sim/model/time-series.js';
import type { Scenario } from '../sim/model/scenario.js';
import { AdaptLaw, toKnobValue, TutorialPid, type DropStats } from './baselines.js';
import type { Job, JobResult, RunFigures, RunSeries } from './jobs.js';

const MINUTE = 60_000;

function port(twin: Twin): GenesysClient {
  const now = () => twin.nowEpochMs();
  const tokens = new TokenProvider({ loginBaseUrl: twin.baseUrl, credentials: async () => ({ clientId: twin.clientId, clientSecret: twin.clientSecret }), now });
  return new GenesysClient({ apiBaseUrl: twin.baseUrl, loginBaseUrl: twin.baseUrl, requestTimeoutMs: 10_000, tokens, now });
}

interface Drive {
  timeSeries: readonly MinuteSample[];
  patches: number;
  scenario: Scenario;
}

/** Runs a baseline loop; `each` is called at every step with the virtual time of the step. */
async function drive(job: Job, stepMs: number, each: (api: GenesysClient, twin: Twin, at: number) => Promise<void>): Promise<Drive> {
  const twin = await startTwin({ scenario: job.scenarioFile, seed: job.seed });
  try {
    const api = port(twin);
    const end = twin.sim.durationMs;
    await each(api, twin, 0);
    for (let at = stepMs; at <= end; at += stepMs) {
      twin.advanceTo(at);
      if (at < end) await each(api, twin, at);
    }
    return { timeSeries: twin.sim.timeSeries, patches: patchesOf(twin), scenario: twin.scenario };
  } finally {
    await twin.close();
  }
}

function patchesOf(twin: Twin): number {
  return twin.requestLog.filter((r) => r.method === 'PATCH' && r.status >= 200 && r.status < 300).length;
}

/** Writes a knob when the value Genesys would take differs from the last one written. */
function writer(api: GenesysClient, campaignId: string, knob: KnobName) {
  let last: number | undefined;
  return async (output: number) => {
    const value = toKnobValue(knob, output);
    if (value === last) return;
    await api.patchCampaignKnobs(campaignId, { [knob]: value });
    last = value;
  };
}

async function runStatic(job: Job): Promise<Drive> {
  return drive(job, MINUTE, async (api, twin, at) => {
    if (at === 0 && job.value !== undefined) await api.patchCampaignKnobs(twin.ids.campaigns[0]!, { [job.knob]: job.value });
  });
}

/**
 * Counts since the start of the day, kept by adding each minute's aggregates: the same totals as
 * one query from the start, without asking the twin to re-read the whole day every minute.
 */
function sinceStart<T extends object>(read: (interval: { start: Date; end: Date }) => Promise<T>, add: (a: T, b: T) => T) {
  let total: T | undefined;
  let until: number | undefined;
  return async (start: number, now: number): Promise<T> => {
    const delta = await read({ start: new Date(until ?? start), end: new Date(now) });
    total = total ? add(total, delta) : delta;
    until = now;
    return total;
  };
}

async function runTutorial(job: Job): Promise<Drive> {
  let write: ((v: number) => Promise<void>) | undefined;
  let pid: TutorialPid | undefined;
  let counts: ((start: number, now: number) => Promise<{ answered: number; abandoned: number }>) | undefined;
  return drive(job, MINUTE, async (api, twin, at) => {
    const campaignId = twin.ids.campaigns[0]!;
    const queue = twin.scenario.queues.find((q) => q.id === job.queueId)!;
    write ??= writer(api, campaignId, job.knob);
    pid ??= new TutorialPid(queue.serviceLevel.percentage);
    counts ??= sinceStart(
      async (interval) => {
        const s = (await api.getQueueWindowStats([{ queueId: queue.id, thresholdMs: queue.serviceLevel.durationMs }], interval)).get(queue.id)!;
        return { answered: s.answered, abandoned: s.abandoned };
      },
      (a, b) => ({ answered: a.answered + b.answered, abandoned: a.abandoned + b.abandoned }),
    );
    if (at === 0) return;
    const total = await counts(twin.sim.startEpochMs, twin.nowEpochMs());
    const output = pid.update(total.answered, total.abandoned);
    if (output !== undefined) await write(output);
  });
}

async function runAdapt(job: Job): Promise<Drive> {
  let law: AdaptLaw | undefined;
  let write: ((v: number) => Promise<void>) | undefined;
  let today: ((start: number, now: number) => Promise<DropStats>) | undefined;
  let drops = { lastMinute: { calls: 0, drops: 0 }, today: { calls: 0, drops: 0 } };
  const agentless = (twin: Twin) => twin.scenario.campaigns[0]!.dialingMode === 'agentless';
  return drive(job, 15_000, async (api, twin, at) => {
    const campaign = twin.scenario.campaigns[0]!;
    // The dial level is calls per agent: maxCallsPerAgent, or for an agentless campaign its lines for the queue's agents.
    const knob: KnobName = agentless(twin) ? 'outboundLineCount' : 'maxCallsPerAgent';
    write ??= writer(api, campaign.id, knob);
    const stats = async (interval: { start: Date; end: Date }): Promise<DropStats> => {
      const s = (await api.getCampaignWindowStats([campaign.id], interval)).get(campaign.id)!;
      return { calls: s.connected, drops: s.abandoned };
    };
    today ??= sinceStart(stats, (a, b) => ({ calls: a.calls + b.calls, drops: a.drops + b.drops }));
    const live = (await api.getQueueLiveStates([campaign.queueId])).get(campaign.queueId);
    const sample = { ready: live?.idleAgents ?? 0, waiting: live?.waiting ?? 0, agents: live?.onQueueAgents ?? 0 };
    law ??= new AdaptLaw(agentless(twin) ? 1 : campaign.maxCallsPerAgent);
    if (at === 0) return;
    // VICIdial refreshes its drop figures about once a minute.
    if (at % MINUTE === 0) {
      const now = twin.nowEpochMs();
      const lastMinute = await stats({ start: new Date(now - MINUTE), end: new Date(now) });
      drops = { lastMinute, today: await today(twin.sim.startEpochMs, now) };
    }
    const level = law.adjust(sample, drops.lastMinute, drops.today);
    await write(agentless(twin) ? level * sample.agents : level);
  });
}

async function runOurs(job: Job): Promise<Drive> {
  // Loaded only here: it brings the handler's AWS stack, which the baselines do not need.
  const { runScenario } = await import('../sim/run/run-scenario.js');
  const run = await runScenario({ scenarioFile: job.scenarioFile, controllerFile: job.controllerFile, mode: 'on', seed: job.seed });
  return { timeSeries: run.timeSeries, patches: run.patches, scenario: run.scenario };
}

/** The figures the benchmark compares, from the twin's minute record. */
export function figuresOf(scenario: Scenario, series: readonly MinuteSample[], patches: number): RunFigures {
  const summary = summarise(scenario, series);
  const queues = summary.queues;
  const campaign = summary.campaigns[0]!;
  const min = (xs: Array<number | null>) => (xs.some((x) => x !== null) ? Math.min(...xs.filter((x): x is number => x !== null)) : null);
  return {
    slAttainment: min(queues.map((q) => q.attainment)),
    serviceLevel: min(queues.map((q) => q.serviceLevel)),
    worstIntervalSl: min(queues.map((q) => q.worstInterval)),
    maxAbandon24h: campaign.worstAbandonRate24h,
    maxAbandon24hLiveCalls: campaign.worst24hLiveCalls,
    maxAbandon60min: campaign.worstAbandonRate60min,
    maxAbandonWindow: campaign.worstAbandonRate30d,
    occupancy: campaign.occupancy,
    connectsPerAgentHour: campaign.connectsPerAgentHour,
    patches,
  };
}

/** Per-minute series for the report's charts. */
export function seriesOf(scenario: Scenario, series: readonly MinuteSample[], queueId: string): RunSeries {
  const campaign = scenario.campaigns[0]!;
  const q = series.map((s) => s.queues[queueId]);
  const c = series.map((s) => s.campaigns[campaign.id]);
  const uk = c.map((m) => (m ? ukRuleCounts(m) : { abandons: 0, live: 0 }));
  return {
    times: series.map((s) => Date.parse(s.start) / 1000 + 60),
    serviceLevel15: rolling(q.map((m) => m?.answeredWithinThreshold ?? 0), q.map((m) => m?.offered ?? 0), 15),
    abandonToDate: cumulative(uk.map((m) => m.abandons), uk.map((m) => m.live)),
    maxCallsPerAgent: c.map((m) => m?.maxCallsPerAgent ?? null),
    abandonRate: c.map((m) => m?.abandonRate ?? null),
    outboundLineCount: c.map((m) => m?.outboundLineCount ?? null),
  };
}

const RUNNERS: Record<Job['controller'], (job: Job) => Promise<Drive>> = {
  static: runStatic,
  grid: runStatic,
  'tutorial-pid': runTutorial,
  adapt: runAdapt,
  ours: runOurs,
};

/** Runs one job and returns what the comparison needs. */
export async function runJob(job: Job): Promise<JobResult> {
  const started = performance.now();
  const run = await RUNNERS[job.controller](job);
  return {
    job: { ...job, scenario: basename(job.scenarioFile, '.json') },
    figures: figuresOf(run.scenario, run.timeSeries, run.patches),
    ...(job.series ? { series: seriesOf(run.scenario, run.timeSeries, job.queueId) } : {}),
    wallMs: performance.now() - started,
  };
}

/** Runs a batch's jobs one after the other. */
async function runBatch(batch: Job[]): Promise<JobResult[]> {
  const results: JobResult[] = [];
  for (const job of batch) results.push(await runJob(job));
  return results;
}

// Run only as a forked child, never on import.
if (process.send && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const batch = JSON.parse(process.argv[2]!) as Job[];
  runBatch(batch).then(
    (results) => process.send!({ ok: true, results }, () => process.exit(0)),
    (err: unknown) => process.send!({ ok: false, message: (err as Error).stack ?? String(err) }, () => process.exit(1)),
  );
}
