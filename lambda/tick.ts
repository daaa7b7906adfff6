/**
 * One control tick: read every campaign's state and metrics, run the law, write what changed.
 *
 * Reads are batched across campaigns. Each campaign then stands alone: a failure on one is
 * reported and leaves its pacing and stored state as they were, and never stops the others.
 */
import pLimit from 'p-limit';
import { assessCompliance, countingPlan, type ComplianceAssessment, type CountingPlan } from './compliance/assess.js';
import type { AbandonCounts } from './compliance/budget.js';
import type { CampaignConfig, PacingConfig } from './config/config.js';
import type { KnobName, ObjectiveKind } from './config/schema.js';
import { feedforward, gainScale, inboundLoad, reserveViolated } from './control/blending.js';
import { decide, type CampaignDecision, type Override } from './control/decide.js';
import { abandonRate, measureObjective } from './control/measure.js';
import type { HoldReason, Measurement } from './control/pid.js';
import {
  StateConflictError,
  type CampaignPerformance,
  type CampaignSnapshot,
  type CampaignWindowStats,
  type ControllerState,
  type GenesysPort,
  type QueueLiveState,
  type QueueWindowStats,
  type StateStore,
  type TimeInterval,
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
  /** `compliance`: only the compliance loop's own knob moved. */
  reason: HoldReason | 'pid' | 'override' | 'compliance' | 'duplicate-event' | 'older-than-stored-tick' | 'concurrent-invocation' | 'campaign-not-found' | 'read-failed' | 'write-failed' | 'state-save-failed';
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
  /** Live queue state of the objective's queue, when it has one, and its inbound load in erlangs when blending. */
  queue?: { waiting: number; idleAgents: number; onQueueAgents: number; interacting: number; inboundLoad?: number };
  /** Overrides that held the knob below the campaign's loop. */
  overrides?: Override[];
  /** The campaign's abandon budget and its compliance loop. */
  compliance?: {
    /** Abandoned / live over the regulatory window; null before the first live answer. */
    windowRate: number | null;
    windowLive: number;
    windowAbandoned: number;
    /** Abandons left before the window passes the limit (negative: over). */
    remainingAbandons: number;
    /** remainingAbandons / (limit x live): 1 untouched, 0 at the cap; null before the first live answer. */
    remainingShare: number | null;
    /** The compliance loop's setpoint this tick. */
    allowedRate: number;
    measuredRate?: number;
    recentRate?: number;
    guardTripped: boolean;
    warning: boolean;
    knob: KnobName;
    reason: string;
    previousValue?: number;
    newValue?: number;
  };
  /** The dialer's own figures from the performance query. */
  dialer?: CampaignPerformance;
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

  const reads = await readGenesys(active, states, request.eventTime, deps.genesys);
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
  /** Objective queues over each campaign's window. */
  queueStats: Settled<Map<string, QueueWindowStats>>;
  /** Blending queues over their arrival window. */
  arrivals: Settled<Map<string, QueueWindowStats>>;
  /** Outbound stats by interval key, then campaign: objective windows, compliance windows, counting intervals. */
  outbound: Settled<Map<string, Map<string, CampaignWindowStats>>>;
  live: Settled<Map<string, QueueLiveState>>;
  performance: Settled<Map<string, CampaignPerformance>>;
  thresholdErrors: Map<string, string>;
  plans: Map<string, CountingPlan>;
}

type Settled<T> = { ok: true; value: T } | { ok: false; message: string };

async function settle<T>(work: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await work };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

const intervalKey = (i: TimeInterval) => `${i.start.toISOString()}/${i.end.toISOString()}`;
const lastMinutes = (tickTime: number, minutes: number): TimeInterval => ({ start: new Date(tickTime - minutes * 60_000), end: new Date(tickTime) });

/** Every outbound-stats interval a campaign needs this tick: its objective's window, the compliance windows and what it must count. */
function outboundIntervals(c: CampaignConfig, plan: CountingPlan, tickTime: number): TimeInterval[] {
  return [
    ...(c.objective.kind === 'abandonRate' ? [windowOf(c, tickTime)] : []),
    lastMinutes(tickTime, c.compliance.windowMinutes),
    lastMinutes(tickTime, c.compliance.guard.minutes),
    ...plan.intervals,
  ];
}

async function readGenesys(campaigns: CampaignConfig[], states: Map<string, ControllerState>, tickTime: number, genesys: GenesysPort): Promise<Reads> {
  const queueCampaigns = campaigns.filter((c) => c.objective.kind !== 'abandonRate');
  const thresholdErrors = new Map<string, string>();
  const thresholds = new Map<string, number>();
  const plans = new Map(campaigns.map((c) => [c.campaignId, countingPlan(c.compliance, states.get(c.campaignId)?.compliance, tickTime)]));
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
  const queueWindowStats = async (group: (c: CampaignConfig) => number | undefined) => {
    const byWindow = new Map<number, Set<string>>();
    for (const c of queueCampaigns) {
      const minutes = group(c);
      const queueId = queueIdOf(c)!;
      if (minutes === undefined || !thresholds.has(queueId)) continue;
      byWindow.set(minutes, (byWindow.get(minutes) ?? new Set()).add(queueId));
    }
    const merged = new Map<string, QueueWindowStats>();
    for (const [minutes, ids] of byWindow) {
      const queues = [...ids].map((queueId) => ({ queueId, thresholdMs: thresholds.get(queueId)! }));
      for (const [k, v] of await genesys.getQueueWindowStats(queues, lastMinutes(tickTime, minutes))) merged.set(k, v);
    }
    return merged;
  };
  // One query per distinct interval for all campaigns that need it (usually a handful per tick).
  const outboundStats = async () => {
    const byInterval = new Map<string, { interval: TimeInterval; ids: Set<string> }>();
    for (const c of campaigns) {
      for (const interval of outboundIntervals(c, plans.get(c.campaignId)!, tickTime)) {
        const key = intervalKey(interval);
        const entry = byInterval.get(key) ?? { interval, ids: new Set<string>() };
        entry.ids.add(c.campaignId);
        byInterval.set(key, entry);
      }
    }
    const out = new Map<string, Map<string, CampaignWindowStats>>();
    for (const [key, { interval, ids }] of byInterval) out.set(key, await genesys.getCampaignWindowStats([...ids], interval));
    return out;
  };
  const ids = campaigns.map((c) => c.campaignId);
  const campaignSnapshots = await settle(ids.length ? genesys.getCampaigns(ids) : Promise.resolve(new Map<string, CampaignSnapshot>()));
  // Live state of each objective queue and of each campaign's own queue (its team, for gain scheduling).
  const liveIds = new Set(queueCampaigns.map((c) => queueIdOf(c)!));
  if (campaignSnapshots.ok) for (const s of campaignSnapshots.value.values()) if (s.queueId) liveIds.add(s.queueId);
  const [queueStats, arrivals, outbound, live, performance] = await Promise.all([
    settle(queueWindowStats((c) => c.windowMinutes)),
    settle(queueWindowStats((c) => c.blending?.arrivalMinutes)),
    settle(outboundStats()),
    settle(liveIds.size ? genesys.getQueueLiveStates([...liveIds]) : Promise.resolve(new Map<string, QueueLiveState>())),
    settle(ids.length ? genesys.getCampaignPerformance(ids) : Promise.resolve(new Map<string, CampaignPerformance>())),
  ]);
  return { campaigns: campaignSnapshots, queueStats, arrivals, outbound, live, performance, thresholdErrors, plans };
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

/**
 * The first read failure that blinds this campaign, if any. Without its outbound counts a
 * campaign cannot keep its compliance books, so it holds rather than guess.
 */
function readFailure(c: CampaignConfig, reads: Reads): string | undefined {
  if (!reads.campaigns.ok) return `campaign read failed: ${reads.campaigns.message}`;
  if (!reads.outbound.ok) return `campaign metrics read failed: ${reads.outbound.message}`;
  const queueId = queueIdOf(c);
  if (queueId !== undefined) {
    const thresholdError = reads.thresholdErrors.get(queueId);
    if (thresholdError) return `service-level threshold read failed: ${thresholdError}`;
    if (!reads.queueStats.ok) return `queue metrics read failed: ${reads.queueStats.message}`;
  }
  // Feedforward and the threshold policy act on these reads: without them the knob would move
  // because of the fault, so the campaign holds instead.
  if ((c.blending || c.feedforward?.source === 'queue') && !reads.live.ok) return `live queue read failed: ${reads.live.message}`;
  if (c.feedforward?.source === 'dialer' && !reads.performance.ok) return `campaign performance read failed: ${reads.performance.message}`;
  return undefined;
}

function outboundOf(reads: Reads, campaignId: string, interval: TimeInterval): CampaignWindowStats | undefined {
  return reads.outbound.ok ? reads.outbound.value.get(intervalKey(interval))?.get(campaignId) : undefined;
}

const abandonCounts = (s: CampaignWindowStats | undefined): AbandonCounts | undefined => (s ? { abandoned: s.abandoned, live: s.connected } : undefined);

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
  const tickTime = request.eventTime;
  const queueStats = reads.queueStats.ok ? reads.queueStats.value : new Map<string, QueueWindowStats>();
  const campaignStats = new Map<string, CampaignWindowStats>();
  const objectiveStats = outboundOf(reads, c.campaignId, windowOf(c, tickTime));
  if (objectiveStats) campaignStats.set(c.campaignId, objectiveStats);
  const measurement = measureObjective(c, queueStats, campaignStats);

  const plan = reads.plans.get(c.campaignId)!;
  const measured = outboundOf(reads, c.campaignId, lastMinutes(tickTime, c.compliance.windowMinutes));
  const compliance = assessCompliance(
    c.compliance,
    plan,
    plan.intervals.map((i) => abandonCounts(outboundOf(reads, c.campaignId, i)) ?? { abandoned: 0, live: 0 }),
    abandonCounts(measured),
    abandonCounts(outboundOf(reads, c.campaignId, lastMinutes(tickTime, c.compliance.guard.minutes))),
    tickTime,
  );

  const queueId = queueIdOf(c);
  const liveStates = reads.live.ok ? reads.live.value : new Map<string, QueueLiveState>();
  const live = queueId !== undefined ? liveStates.get(queueId) : undefined;
  const team = liveStates.get(queueId ?? snapshot.queueId ?? '');
  const arrivals = queueId !== undefined && reads.arrivals.ok ? reads.arrivals.value.get(queueId) : undefined;
  const load = live && c.blending ? inboundLoad(live, arrivals, c.blending.arrivalMinutes, queueStats.get(queueId!)) : undefined;
  const performance = reads.performance.ok ? reads.performance.value.get(c.campaignId) : undefined;
  const decision = decide({
    campaign: c,
    snapshot,
    measurement,
    complianceMeasurement: abandonRate(measured),
    compliance,
    // Without the live state the threshold cannot be judged: the other loops still act.
    reserveViolated: live !== undefined && load !== undefined && c.blending !== undefined && reserveViolated(c.blending, live, load),
    gainScale: gainScale(c.gainSchedule, team?.onQueueAgents),
    feedforward: feedforward(c.feedforward, live, performance),
    stale,
    state,
    now: tickTime,
    eventId: request.eventId,
  });
  const report = describe(c, decision, measurement, snapshot, live, load, compliance, performance);
  const dryRun = request.dryRun || c.dryRun;
  try {
    return await apply(c, state, decision, dryRun, report, request, deps);
  } catch (err) {
    if (err instanceof StateConflictError) {
      return { ...report, outcome: 'skipped', reason: 'concurrent-invocation', message: err.message };
    }
    // The state store failed before any write to Genesys: pacing and state are as they were.
    return { ...report, outcome: 'error', reason: 'state-save-failed', newValue: snapshot.knobs[c.knob.name], message: (err as Error).message };
  }
}

function describe(
  c: CampaignConfig,
  decision: CampaignDecision,
  measurement: Measurement | undefined,
  snapshot: CampaignSnapshot,
  live: QueueLiveState | undefined,
  load: number | undefined,
  compliance: ComplianceAssessment,
  performance: CampaignPerformance | undefined,
): CampaignReport {
  const { main, complianceLoop } = decision;
  const knobNow = snapshot.knobs[c.knob.name];
  const loopKnob = c.compliance.knob.name;
  return {
    ...baseReport(c, 'held', main.action !== 'change' && decision.writes[loopKnob] !== undefined && !decision.sharedKnob ? 'compliance' : main.reason),
    ...(measurement ? { measured: measurement.value, sample: measurement.sample } : {}),
    ...(main.error === undefined ? {} : { error: main.error }),
    ...(main.terms ? { p: main.terms.p, i: main.terms.i, d: main.terms.d } : {}),
    ...(knobNow === undefined ? {} : { previousValue: knobNow }),
    ...(main.value === undefined ? {} : { newValue: main.value }),
    campaignStatus: snapshot.status,
    ...(live ? { queue: { waiting: live.waiting, idleAgents: live.idleAgents, onQueueAgents: live.onQueueAgents, interacting: live.interacting, ...(load === undefined ? {} : { inboundLoad: load }) } } : {}),
    ...(decision.overrides.length ? { overrides: decision.overrides } : {}),
    compliance: {
      windowRate: compliance.windowRate ?? null,
      windowLive: compliance.window.live,
      windowAbandoned: compliance.window.abandoned,
      remainingAbandons: compliance.remainingAbandons,
      remainingShare: compliance.remainingShare ?? null,
      allowedRate: compliance.allowedRate,
      ...(compliance.measuredRate === undefined ? {} : { measuredRate: compliance.measuredRate }),
      ...(compliance.recentRate === undefined ? {} : { recentRate: compliance.recentRate }),
      guardTripped: compliance.guardTripped,
      warning: compliance.warning,
      knob: loopKnob,
      reason: complianceLoop.reason,
      ...(snapshot.knobs[loopKnob] === undefined ? {} : { previousValue: snapshot.knobs[loopKnob] }),
      ...(decision.writes[loopKnob] === undefined ? {} : { newValue: decision.writes[loopKnob] }),
    },
    ...(performance ? { dialer: performance } : {}),
  };
}

/** Writes the decision: one PATCH under a lease when a knob moves, then the state, or just the state. */
async function apply(
  c: CampaignConfig,
  state: ControllerState | undefined,
  decision: CampaignDecision,
  dryRun: boolean,
  report: CampaignReport,
  request: TickRequest,
  deps: TickDeps,
): Promise<CampaignReport> {
  const expectedVersion = state?.version;
  const now = deps.now();
  const writes = Object.keys(decision.writes).length > 0;
  if (writes && !dryRun && decision.next) {
    await deps.store.acquireLease(c.campaignId, expectedVersion, { eventId: request.eventId, until: now + (deps.leaseMs ?? DEFAULT_LEASE_MS) }, now);
    try {
      await deps.genesys.patchCampaignKnobs(c.campaignId, decision.writes);
    } catch (err) {
      await deps.store.releaseLease(c.campaignId, request.eventId).catch(() => undefined);
      return { ...report, outcome: 'error', reason: 'write-failed', newValue: report.previousValue, message: (err as Error).message };
    }
    try {
      await deps.store.save(decision.next, expectedVersion, request.eventId, now);
    } catch (err) {
      // Genesys has the new values; the next tick sees them differ from the stored ones and
      // restarts bumplessly from them. The counts of this tick are counted again then, once.
      return { ...report, outcome: 'written', reason: 'state-save-failed', message: (err as Error).message };
    }
    return { ...report, outcome: 'written' };
  }
  if (request.saveState && decision.next) {
    await deps.store.save(writes ? decision.nextUnwritten! : decision.next, expectedVersion, request.eventId, now);
  }
  return writes ? { ...report, outcome: 'would-write' } : report;
}
