/**
 * One control tick: read every campaign's state and metrics, run the law, write what changed.
 *
 * Reads are batched across campaigns. Each campaign then stands alone: a failure on one is
 * reported and leaves its pacing and stored state as they were, and never stops the others.
 */
import pLimit from 'p-limit';
import type { CampaignConfig, PacingConfig } from './config/config.js';
import type { KnobName, ObjectiveKind } from './config/schema.js';
import { measureObjective } from './control/measure.js';
import { step, type HoldReason, type Measurement, type StepDecision } from './control/pid.js';
import {
  StateConflictError,
  type CampaignSnapshot,
  type CampaignWindowStats,
  type ControllerState,
  type GenesysPort,
  type QueueLiveState,
  type QueueWindowStats,
  type StateStore,
} from './ports.js';

/** What to run: a scheduled tick, or a console run for some campaigns. */
export interface TickRequest {
  eventId: string;
  /** The tick's time (the scheduled event's `time`), epoch ms. */
  eventTime: number;
  /** Only these campaigns (all configured ones when absent). */
  campaignIds?: readonly string[];
  /** Compute and report, write nothing to Genesys. */
  dryRun: boolean;
  /** Save the advanced controller state (false for console dry runs, which must not disturb the loop). */
  saveState: boolean;
}

export interface TickDeps {
  genesys: GenesysPort;
  store: StateStore;
  now: () => number;
  /** How old an event may be before the tick holds as stale. */
  maxEventAgeMs?: number;
  /** How long a PATCH lease is honoured; longer than one tick's work. */
  leaseMs?: number;
  concurrency?: number;
}

export type CampaignOutcome = 'written' | 'would-write' | 'held' | 'skipped' | 'error';

/** The per-campaign answer of a tick, readable in the Lambda console and in logs. */
export interface CampaignReport {
  campaignId: string;
  name?: string;
  objective: ObjectiveKind;
  knob: KnobName;
  outcome: CampaignOutcome;
  /** Why it was written, held or skipped, in a few words. */
  reason: HoldReason | 'pid' | 'duplicate-event' | 'older-than-stored-tick' | 'concurrent-invocation' | 'campaign-not-found' | 'read-failed' | 'write-failed' | 'state-save-failed';
  measured?: number;
  sample?: number;
  setpoint: number;
  error?: number;
  p?: number;
  i?: number;
  d?: number;
  previousValue?: number;
  newValue?: number;
  campaignStatus?: string;
  /** The objective's queue, when it has one. */
  queueId?: string;
  /** Live queue state of the objective's queue, when it has one. */
  queue?: { waiting: number; idleAgents: number; onQueueAgents: number };
  message?: string;
}

export interface TickSummary {
  eventId: string;
  tickTime: string;
  dryRun: boolean;
  durationMs: number;
  counts: Record<CampaignOutcome, number>;
  campaigns: CampaignReport[];
}

/** The window of metrics behind a tick: [tick time - window, tick time). */
function windowOf(campaign: CampaignConfig, tickTime: number) {
  return { start: new Date(tickTime - campaign.windowMinutes * 60_000), end: new Date(tickTime) };
}

const DEFAULT_MAX_EVENT_AGE_MS = 120_000;
// Shorter than the schedule period, so a crashed tick never blocks the next one.
const DEFAULT_LEASE_MS = 55_000;

/**
 * Runs one tick for the requested campaigns.
 *
 * @throws when the state store cannot be read: nothing has been written then.
 */
export async function runTick(config: PacingConfig, request: TickRequest, deps: TickDeps): Promise<TickSummary> {
  const started = deps.now();
  const campaigns = request.campaignIds
    ? config.campaigns.filter((c) => request.campaignIds!.includes(c.campaignId))
    : config.campaigns;
  const ids = campaigns.map((c) => c.campaignId);
  const states = await deps.store.loadMany(ids);

  const reports: CampaignReport[] = [];
  const active: CampaignConfig[] = [];
  for (const c of campaigns) {
    const state = states.get(c.campaignId);
    if (request.saveState && state?.lastEventId === request.eventId) {
      reports.push(baseReport(c, 'skipped', 'duplicate-event'));
    } else if (request.saveState && state && state.lastTickTime >= request.eventTime) {
      reports.push(baseReport(c, 'skipped', 'older-than-stored-tick'));
    } else {
      active.push(c);
    }
  }

  const reads = await readGenesys(active, request.eventTime, deps.genesys);
  const stale = started - request.eventTime > (deps.maxEventAgeMs ?? DEFAULT_MAX_EVENT_AGE_MS);
  const limit = pLimit(deps.concurrency ?? 8);
  const results = await Promise.all(
    active.map((c) => limit(() => runCampaign(c, states.get(c.campaignId), reads, stale, request, deps))),
  );
  reports.push(...results);

  const order = new Map(ids.map((id, i) => [id, i]));
  reports.sort((a, b) => order.get(a.campaignId)! - order.get(b.campaignId)!);
  const counts: Record<CampaignOutcome, number> = { written: 0, 'would-write': 0, held: 0, skipped: 0, error: 0 };
  for (const r of reports) counts[r.outcome] += 1;
  return {
    eventId: request.eventId,
    tickTime: new Date(request.eventTime).toISOString(),
    dryRun: request.dryRun,
    durationMs: deps.now() - started,
    counts,
    campaigns: reports,
  };
}

/** The tick's batched reads; each part may have failed on its own. */
interface Reads {
  campaigns: Settled<Map<string, CampaignSnapshot>>;
  /** Keyed by window length in minutes, then by queue or campaign id. */
  queueStats: Settled<Map<number, Map<string, QueueWindowStats>>>;
  campaignStats: Settled<Map<number, Map<string, CampaignWindowStats>>>;
  live: Settled<Map<string, QueueLiveState>>;
  thresholdErrors: Map<string, string>;
}

type Settled<T> = { ok: true; value: T } | { ok: false; message: string };

async function settle<T>(work: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await work };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

async function readGenesys(campaigns: CampaignConfig[], tickTime: number, genesys: GenesysPort): Promise<Reads> {
  const queueCampaigns = campaigns.filter((c) => c.objective.kind !== 'abandonRate');
  const queueIds = [...new Set(queueCampaigns.map((c) => queueIdOf(c)!))];
  const thresholdErrors = new Map<string, string>();
  const thresholds = new Map<string, number>();
  await Promise.all(
    queueCampaigns.map(async (c) => {
      const objective = c.objective as { queueId: string; serviceLevelThresholdSeconds?: number };
      if (objective.serviceLevelThresholdSeconds !== undefined) {
        thresholds.set(objective.queueId, objective.serviceLevelThresholdSeconds * 1000);
        return;
      }
      if (thresholds.has(objective.queueId)) return;
      try {
        thresholds.set(objective.queueId, await genesys.getServiceLevelThresholdMs(objective.queueId));
      } catch (err) {
        thresholdErrors.set(objective.queueId, (err as Error).message);
      }
    }),
  );
  // One query per window length (usually a single one): a campaign gets its own window.
  const byWindow = groupBy(campaigns, (c) => c.windowMinutes);
  const queueWindowStats = async () => {
    const byLength = new Map<number, Map<string, QueueWindowStats>>();
    for (const [minutes, group] of byWindow) {
      const queues = [...new Set(group.filter((c) => c.objective.kind !== 'abandonRate').map((c) => queueIdOf(c)!))]
        .filter((q) => thresholds.has(q))
        .map((queueId) => ({ queueId, thresholdMs: thresholds.get(queueId)! }));
      if (queues.length > 0) byLength.set(minutes, await genesys.getQueueWindowStats(queues, windowOf(group[0]!, tickTime)));
    }
    return byLength;
  };
  const campaignWindowStats = async () => {
    const byLength = new Map<number, Map<string, CampaignWindowStats>>();
    for (const [minutes, group] of byWindow) {
      const ids = group.filter((c) => c.objective.kind === 'abandonRate').map((c) => c.campaignId);
      if (ids.length > 0) byLength.set(minutes, await genesys.getCampaignWindowStats(ids, windowOf(group[0]!, tickTime)));
    }
    return byLength;
  };
  const [campaignSnapshots, queueStats, campaignStats, live] = await Promise.all([
    settle(campaigns.length ? genesys.getCampaigns(campaigns.map((c) => c.campaignId)) : Promise.resolve(new Map())),
    settle(queueWindowStats()),
    settle(campaignWindowStats()),
    settle(queueIds.length ? genesys.getQueueLiveStates(queueIds) : Promise.resolve(new Map())),
  ]);
  return { campaigns: campaignSnapshots, queueStats, campaignStats, live, thresholdErrors };
}

function groupBy<T, K>(items: T[], key: (t: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

function queueIdOf(c: CampaignConfig): string | undefined {
  return c.objective.kind === 'abandonRate' ? undefined : c.objective.queueId;
}

function baseReport(c: CampaignConfig, outcome: CampaignOutcome, reason: CampaignReport['reason']): CampaignReport {
  const queueId = queueIdOf(c);
  return {
    campaignId: c.campaignId,
    ...(c.name === undefined ? {} : { name: c.name }),
    objective: c.objective.kind,
    ...(queueId === undefined ? {} : { queueId }),
    knob: c.knob.name,
    outcome,
    reason,
    setpoint: c.setpoint,
  };
}

/** The first read failure that blinds this campaign, if any. */
function readFailure(c: CampaignConfig, reads: Reads): string | undefined {
  if (!reads.campaigns.ok) return `campaign read failed: ${reads.campaigns.message}`;
  const queueId = queueIdOf(c);
  if (queueId !== undefined) {
    const thresholdError = reads.thresholdErrors.get(queueId);
    if (thresholdError) return `service-level threshold read failed: ${thresholdError}`;
    if (!reads.queueStats.ok) return `queue metrics read failed: ${reads.queueStats.message}`;
  } else if (!reads.campaignStats.ok) {
    return `campaign metrics read failed: ${reads.campaignStats.message}`;
  }
  return undefined;
}

async function runCampaign(
  c: CampaignConfig,
  state: ControllerState | undefined,
  reads: Reads,
  stale: boolean,
  request: TickRequest,
  deps: TickDeps,
): Promise<CampaignReport> {
  const failure = readFailure(c, reads);
  if (failure) return { ...baseReport(c, 'error', 'read-failed'), message: failure };
  const snapshot = (reads.campaigns as { value: Map<string, CampaignSnapshot> }).value.get(c.campaignId);
  if (!snapshot) {
    return { ...baseReport(c, 'error', 'campaign-not-found'), message: `campaign ${c.campaignId} does not exist in Genesys (deleted, or the id in the config is wrong)` };
  }
  const queueStats = (reads.queueStats.ok && reads.queueStats.value.get(c.windowMinutes)) || new Map<string, QueueWindowStats>();
  const campaignStats = (reads.campaignStats.ok && reads.campaignStats.value.get(c.windowMinutes)) || new Map<string, CampaignWindowStats>();
  const measurement = measureObjective(c, queueStats, campaignStats);
  const knobNow = snapshot.knobs[c.knob.name];
  const decision = step({
    campaign: c,
    campaignOn: snapshot.status === 'on',
    knobNow,
    measurement,
    stale,
    previous: state,
    now: request.eventTime,
    eventId: request.eventId,
  });
  const queueId = queueIdOf(c);
  const live = queueId !== undefined && reads.live.ok ? reads.live.value.get(queueId) : undefined;
  const report = describe(c, decision, measurement, knobNow, snapshot, live);
  const dryRun = request.dryRun || c.dryRun;
  try {
    return await apply(c, state, decision, knobNow, dryRun, report, request, deps);
  } catch (err) {
    if (err instanceof StateConflictError) {
      return { ...report, outcome: 'skipped', reason: 'concurrent-invocation', message: err.message };
    }
    // The state store failed before any write to Genesys: pacing and state are as they were.
    return { ...report, outcome: 'error', reason: 'state-save-failed', newValue: knobNow, message: (err as Error).message };
  }
}

function describe(
  c: CampaignConfig,
  decision: StepDecision,
  measurement: Measurement | undefined,
  knobNow: number | undefined,
  snapshot: CampaignSnapshot,
  live: QueueLiveState | undefined,
): CampaignReport {
  return {
    ...baseReport(c, 'held', decision.reason),
    ...(measurement ? { measured: readable(measurement.value), sample: measurement.sample } : {}),
    ...(decision.error === undefined ? {} : { error: readable(decision.error) }),
    ...(decision.terms ? { p: readable(decision.terms.p), i: readable(decision.terms.i), d: readable(decision.terms.d) } : {}),
    ...(knobNow === undefined ? {} : { previousValue: knobNow }),
    ...(decision.value === undefined ? {} : { newValue: decision.value }),
    campaignStatus: snapshot.status,
    ...(live ? { queue: { waiting: live.waiting, idleAgents: live.idleAgents, onQueueAgents: live.onQueueAgents } } : {}),
  };
}

/** Rounds a reported figure to 4 decimals: the summary is for people; the state keeps full precision. */
function readable(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** Writes the decision: PATCH under a lease when the knob moves, then the state, or just the state. */
async function apply(
  c: CampaignConfig,
  state: ControllerState | undefined,
  decision: StepDecision,
  knobNow: number | undefined,
  dryRun: boolean,
  report: CampaignReport,
  request: TickRequest,
  deps: TickDeps,
): Promise<CampaignReport> {
  const expectedVersion = state?.version;
  const now = deps.now();
  if (decision.action === 'change' && !dryRun && decision.value !== undefined && decision.next) {
    await deps.store.acquireLease(c.campaignId, expectedVersion, { eventId: request.eventId, until: now + (deps.leaseMs ?? DEFAULT_LEASE_MS) }, now);
    try {
      await deps.genesys.patchCampaignKnob(c.campaignId, c.knob.name, decision.value);
    } catch (err) {
      await deps.store.releaseLease(c.campaignId, request.eventId).catch(() => undefined);
      return { ...report, outcome: 'error', reason: 'write-failed', newValue: knobNow, message: (err as Error).message };
    }
    try {
      await deps.store.save(decision.next, expectedVersion, request.eventId, now);
    } catch (err) {
      // Genesys has the new value; the next tick sees it differ from the stored one and
      // restarts bumplessly from it, so nothing is lost but this tick's integration.
      return { ...report, outcome: 'written', reason: 'state-save-failed', message: (err as Error).message };
    }
    return { ...report, outcome: 'written', reason: 'pid' };
  }
  const wouldWrite = decision.action === 'change';
  if (request.saveState && decision.next) {
    const next = wouldWrite ? { ...decision.next, lastWritten: knobNow! } : decision.next;
    await deps.store.save(next, expectedVersion, request.eventId, now);
  }
  return wouldWrite ? { ...report, outcome: 'would-write', reason: 'pid' } : report;
}
