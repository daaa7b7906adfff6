/**
 * One control tick: read every campaign's state and metrics, run the law, write what changed,
 * record the changes in the audit trail.
 *
 * Reads are batched across campaigns. Each campaign then stands alone: a failure on one is
 * reported and leaves its pacing and stored state as they were, and never stops the others.
 * Writes share the tick's Genesys request budget: when more campaigns want a change than the
 * budget allows, the most urgent go first and the rest wait for the next tick.
 */
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { assessCompliance, countingPlan, type ComplianceAssessment, type CountingPlan } from './compliance/assess.js';
import { JUMP_FACTOR, JUMP_RECHECK_MINUTES, type AbandonCounts } from './compliance/budget.js';
import type { CampaignConfig, PacingConfig } from './config/config.js';
import type { KnobName, ObjectiveKind } from './config/schema.js';
import { feedforward, gainScale, inboundDemand, inboundLoad, reserveViolated } from './control/blending.js';
import { decide, type CampaignDecision, type Override } from './control/decide.js';
import { abandonRate, measureObjective } from './control/measure.js';
import { blindWithoutCampaign, type BlindReason, type HoldReason, type Measurement, type StepDecision } from './control/pid.js';
import {
  AuditWriteError,
  BatchReadError,
  StateConflictError,
  type AuditEntry,
  type AuditLog,
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
  /** This invocation (the Lambda request id): owns the PATCH leases it takes. */
  invocationId: string;
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
  audit: AuditLog;
  now: () => number;
  /**
   * How many PATCHes this tick may still send, asked once after the reads (the Genesys rate limit
   * less what the reads used). Unlimited when absent.
   */
  writeBudget?: () => number;
  /** How old an event may be before the tick holds as stale. */
  maxEventAgeMs?: number;
  /** How far ahead of the clock an event's time may be before the tick refuses to run it. */
  maxEventLeadMs?: number;
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
  reason:
    | HoldReason
    | 'pid'
    | 'blind-safe-value'
    | 'override'
    | 'compliance-override'
    // Only the compliance loop's own knob moved.
    | 'compliance'
    | 'duplicate-event'
    | 'older-than-stored-tick'
    | 'event-in-future'
    | 'concurrent-invocation'
    | 'campaign-not-found'
    | 'read-failed'
    | 'write-failed'
    | 'state-save-failed'
    | 'write-deferred';
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
  compliance?: ComplianceReport;
  /** The dialer's own figures from the performance query. */
  dialer?: CampaignPerformance;
  /** Present while the campaign is blind: consecutive blind ticks, the limit and the value pacing then falls back to. */
  blind?: { ticks: number; limit: number; safeValue: number };
  message?: string;
  /** The change or manual change is missing from the audit trail (the message says why). */
  auditFailed?: boolean;
}

/** A campaign's abandon budget over its regulatory window, and what its compliance loop did. */
export interface ComplianceReport {
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
  /** The window rate is at or above the campaign's warning level. */
  warning: boolean;
  /** Why counting stopped short this tick: an interval whose count looked like a jump, read again next tick. */
  heldBack?: string;
  knob: KnobName;
  reason: string;
  previousValue?: number;
  newValue?: number;
}

export interface TickSummary {
  eventId: string;
  tickTime: string;
  dryRun: boolean;
  durationMs: number;
  counts: Record<CampaignOutcome, number>;
  campaigns: CampaignReport[];
}

/** The last `minutes` before the tick: [tick time - minutes, tick time). */
function lastMinutes(tickTime: number, minutes: number): TimeInterval {
  return { start: new Date(tickTime - minutes * 60_000), end: new Date(tickTime) };
}

const intervalKey = (i: TimeInterval) => `${i.start.toISOString()}/${i.end.toISOString()}`;

const DEFAULT_MAX_EVENT_AGE_MS = 120_000;
// A scheduled event carries its scheduled minute and arrives just after it; one from further
// ahead would store a tick time in the future and make every on-time tick look old.
const DEFAULT_MAX_EVENT_LEAD_MS = 60_000;
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
  const lead = request.eventTime - started;
  if (lead > (deps.maxEventLeadMs ?? DEFAULT_MAX_EVENT_LEAD_MS)) {
    const message = `the event's time ${new Date(request.eventTime).toISOString()} is ${Math.round(lead / 1000)} s ahead of the clock: not run, so no campaign's stored tick time jumps ahead (check the event's time and the clock)`;
    return summarise(request, started, deps, ids, campaigns.map((c) => ({ ...baseReport(c, 'error', 'event-in-future'), message })));
  }
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
  const maxAge = deps.maxEventAgeMs ?? DEFAULT_MAX_EVENT_AGE_MS;
  const age = started - request.eventTime;
  const stale = age > maxAge ? `the event is ${Math.round(age / 1000)} s old (limit ${Math.round(maxAge / 1000)} s): its window's data is stale` : undefined;
  const plans = active.map((c) => plan(c, states.get(c.campaignId), reads, stale, request));
  const deferred = deferredWrites(plans, deps.writeBudget?.() ?? Number.POSITIVE_INFINITY, request.eventId);
  const limit = pLimit(deps.concurrency ?? 8);
  const results = await Promise.all(plans.map((p) => ('decision' in p ? limit(() => runCampaign(p, deferred, request, deps)) : p)));
  const audited = await recordAudit(results, deps.audit);
  reports.push(...audited);
  return summarise(request, started, deps, ids, reports);
}

function summarise(request: TickRequest, started: number, deps: TickDeps, ids: string[], reports: CampaignReport[]): TickSummary {
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
  /** Objective queues, keyed by window length in minutes, then by queue id. */
  queueStats: Settled<Map<number, Map<string, QueueWindowStats>>>;
  /** Blending queues over their arrival window, keyed the same way. */
  arrivals: Settled<Map<number, Map<string, QueueWindowStats>>>;
  /** Outbound stats by interval key, then campaign: objective windows, compliance windows, counting intervals. */
  outbound: Settled<Map<string, Map<string, CampaignWindowStats>>>;
  live: Settled<Map<string, QueueLiveState>>;
  performance: Settled<Map<string, CampaignPerformance>>;
  thresholdErrors: Map<string, string>;
  /** Service-level threshold of each objective queue that could be read, ms. */
  thresholds: Map<string, number>;
  /** What each campaign counts toward its abandon budget this tick. */
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

/** Every outbound-stats interval a campaign needs this tick: its objective's window, the compliance windows and what it must count. */
function outboundIntervals(c: CampaignConfig, plan: CountingPlan, tickTime: number): TimeInterval[] {
  return [
    ...(c.objective.kind === 'abandonRate' ? [lastMinutes(tickTime, c.windowMinutes)] : []),
    lastMinutes(tickTime, c.compliance.windowMinutes),
    lastMinutes(tickTime, c.compliance.guard.minutes),
    ...plan.intervals,
  ];
}

async function readGenesys(campaigns: CampaignConfig[], states: Map<string, ControllerState>, tickTime: number, genesys: GenesysPort): Promise<Reads> {
  const queueCampaigns = campaigns.filter((c) => c.objective.kind !== 'abandonRate');
  const queueIds = [...new Set(queueCampaigns.map((c) => queueIdOf(c)!))];
  const thresholdErrors = new Map<string, string>();
  const thresholds = new Map<string, number>();
  const plans = new Map(campaigns.map((c) => [c.campaignId, countingPlan(c.compliance, states.get(c.campaignId)?.compliance, tickTime)]));
  for (const c of queueCampaigns) {
    const objective = c.objective as { queueId: string; serviceLevelThresholdSeconds?: number };
    if (objective.serviceLevelThresholdSeconds !== undefined) thresholds.set(objective.queueId, objective.serviceLevelThresholdSeconds * 1000);
  }
  // One read per queue, however many campaigns share it, within the client's concurrency; a queue
  // that cannot be read blinds only the campaigns on it.
  const unknownQueues = queueIds.filter((queueId) => !thresholds.has(queueId));
  if (unknownQueues.length > 0) {
    try {
      for (const [queueId, ms] of await genesys.getServiceLevelThresholdsMs(unknownQueues)) thresholds.set(queueId, ms);
    } catch (err) {
      if (!(err instanceof BatchReadError)) throw err;
      for (const [queueId, ms] of err.partial as Map<string, number>) thresholds.set(queueId, ms);
      for (const queueId of err.failedIds) thresholdErrors.set(queueId, err.reasons?.get(queueId) ?? err.message);
    }
  }
  // One query per window length (usually a single one): a campaign gets its own window.
  const queueWindowStats = async (minutesOf: (c: CampaignConfig) => number | undefined) => {
    const queuesByLength = new Map<number, Set<string>>();
    for (const c of queueCampaigns) {
      const minutes = minutesOf(c);
      const queueId = queueIdOf(c)!;
      if (minutes === undefined || !thresholds.has(queueId)) continue;
      queuesByLength.set(minutes, (queuesByLength.get(minutes) ?? new Set()).add(queueId));
    }
    const byLength = new Map<number, Map<string, QueueWindowStats>>();
    for (const [minutes, ids] of queuesByLength) {
      const queues = [...ids].map((queueId) => ({ queueId, thresholdMs: thresholds.get(queueId)! }));
      byLength.set(minutes, await genesys.getQueueWindowStats(queues, lastMinutes(tickTime, minutes)));
    }
    return byLength;
  };
  // One query per distinct interval for every campaign that needs it: campaigns ticking together
  // share their windows and counting intervals, so this is a handful of queries per tick.
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
  // Live state of each objective queue, and of the own queue (its team) of each campaign whose gains
  // are scheduled by team size.
  const liveIds = new Set(queueIds);
  if (campaignSnapshots.ok) {
    for (const c of campaigns) {
      const own = c.gainSchedule ? campaignSnapshots.value.get(c.campaignId)?.queueId : undefined;
      if (own) liveIds.add(own);
    }
  }
  const [queueStats, arrivals, outbound, live, performance] = await Promise.all([
    settle(queueWindowStats((c) => c.windowMinutes)),
    settle(queueWindowStats((c) => c.blending?.arrivalMinutes)),
    settle(outboundStats()),
    settle(liveIds.size ? genesys.getQueueLiveStates([...liveIds]) : Promise.resolve(new Map<string, QueueLiveState>())),
    settle(ids.length ? genesys.getCampaignPerformance(ids) : Promise.resolve(new Map<string, CampaignPerformance>())),
  ]);
  return { campaigns: campaignSnapshots, queueStats, arrivals, outbound, live, performance, thresholdErrors, thresholds, plans };
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
 * The first failure to read this campaign's metrics, if any (the campaign itself is read
 * separately). Without its outbound counts a campaign cannot keep its compliance books, and
 * feedforward and the threshold policy would move the knob because of the fault: all blind it.
 */
function metricsFailure(c: CampaignConfig, reads: Reads): string | undefined {
  if (!reads.outbound.ok) return `campaign metrics read failed: ${reads.outbound.message}`;
  const queueId = queueIdOf(c);
  if (queueId !== undefined) {
    const thresholdError = reads.thresholdErrors.get(queueId);
    if (thresholdError) return `service-level threshold read failed: ${thresholdError}`;
    if (!reads.queueStats.ok) return `queue metrics read failed: ${reads.queueStats.message}`;
  }
  if ((c.blending || c.feedforward?.source === 'queue') && !reads.live.ok) return `live queue read failed: ${reads.live.message}`;
  if (c.blending && !reads.arrivals.ok) return `queue arrivals read failed: ${reads.arrivals.message}`;
  if (c.feedforward?.source === 'dialer' && !reads.performance.ok) return `campaign performance read failed: ${reads.performance.message}`;
  return undefined;
}

function outboundOf(reads: Reads, campaignId: string, interval: TimeInterval): CampaignWindowStats | undefined {
  return reads.outbound.ok ? reads.outbound.value.get(intervalKey(interval))?.get(campaignId) : undefined;
}

const abandonCounts = (s: CampaignWindowStats | undefined): AbandonCounts | undefined => (s ? { abandoned: s.abandoned, live: s.connected } : undefined);

/**
 * This tick's compliance: the budget with what settled since the last tick counted in. A blind
 * campaign counts nothing (its counts stay where they were, so the next tick counts the interval).
 */
function complianceOf(c: CampaignConfig, reads: Reads, blindRead: boolean, tickTime: number): ComplianceAssessment {
  const plan = reads.plans.get(c.campaignId)!;
  if (blindRead) return assessCompliance(c.compliance, { counts: plan.counts, intervals: [] }, [], undefined, undefined, tickTime);
  return assessCompliance(
    c.compliance,
    plan,
    // No row for an interval: the campaign had no calls in it.
    plan.intervals.map((i) => abandonCounts(outboundOf(reads, c.campaignId, i)) ?? { abandoned: 0, live: 0 }),
    abandonCounts(outboundOf(reads, c.campaignId, lastMinutes(tickTime, c.compliance.windowMinutes))),
    abandonCounts(outboundOf(reads, c.campaignId, lastMinutes(tickTime, c.compliance.guard.minutes))),
    tickTime,
  );
}

/** A campaign whose tick ended before any decision (a missing campaign). */
interface Finished {
  report: CampaignReport;
}

/** A campaign with its decision, ready to apply. */
interface Planned {
  c: CampaignConfig;
  state: ControllerState | undefined;
  decision: CampaignDecision;
  /** Genesys's values of the knobs now; empty when the campaign could not be read. */
  knobsNow: Partial<Record<KnobName, number>>;
  dryRun: boolean;
  report: CampaignReport;
}

/**
 * Runs the law for one campaign on the tick's reads; pure, no I/O. A campaign whose metrics or
 * own record could not be read is blind: it still gets a decision, so the blind ticks are counted.
 */
function plan(c: CampaignConfig, state: ControllerState | undefined, reads: Reads, stale: string | undefined, request: TickRequest): Finished | Planned {
  const dryRun = request.dryRun || c.dryRun;
  const tickTime = request.eventTime;
  if (!reads.campaigns.ok) {
    // The knob's value is unknown: nothing can be decided, but the blind tick still counts.
    const main = blindWithoutCampaign(state, tickTime, request.eventId);
    const decision: CampaignDecision = { main, complianceLoop: main, sharedKnob: true, writes: {}, overrides: [], next: main.next, nextUnwritten: main.next };
    const report = describe(c, decision, { knobsNow: {}, problem: `campaign read failed: ${reads.campaigns.message}` });
    return { c, state, decision, knobsNow: {}, dryRun, report };
  }
  const snapshot = reads.campaigns.value.get(c.campaignId);
  if (!snapshot) {
    return { report: { ...baseReport(c, 'error', 'campaign-not-found'), message: `campaign ${c.campaignId} does not exist in Genesys (deleted, or the id in the config is wrong)` } };
  }
  const failure = metricsFailure(c, reads);
  const blind: BlindReason | undefined = failure ? 'read-failed' : stale ? 'stale-data' : undefined;
  const queueId = queueIdOf(c);
  const queueStats = (reads.queueStats.ok && reads.queueStats.value.get(c.windowMinutes)) || new Map<string, QueueWindowStats>();
  const objectiveStats = outboundOf(reads, c.campaignId, lastMinutes(tickTime, c.windowMinutes));
  const measurement = failure ? undefined : measureObjective(c, queueStats, new Map(objectiveStats ? [[c.campaignId, objectiveStats]] : []));
  const compliance = complianceOf(c, reads, failure !== undefined, tickTime);

  const liveStates = reads.live.ok ? reads.live.value : new Map<string, QueueLiveState>();
  const live = queueId !== undefined ? liveStates.get(queueId) : undefined;
  const team = liveStates.get(queueId ?? snapshot.queueId ?? '');
  const arrivals = queueId !== undefined && c.blending && reads.arrivals.ok ? reads.arrivals.value.get(c.blending.arrivalMinutes)?.get(queueId) : undefined;
  const load = live && c.blending ? inboundLoad(live, arrivals, c.blending.arrivalMinutes, queueStats.get(queueId!)) : undefined;
  const performance = reads.performance.ok ? reads.performance.value.get(c.campaignId) : undefined;
  const decision = decide({
    campaign: c,
    snapshot,
    measurement,
    complianceMeasurement: failure ? undefined : abandonRate(outboundOf(reads, c.campaignId, lastMinutes(tickTime, c.compliance.windowMinutes))),
    compliance,
    // Without the live state the threshold cannot be judged: the other loops still act.
    reserveViolated:
      live !== undefined &&
      load !== undefined &&
      c.blending !== undefined &&
      reserveViolated(c.blending, live, inboundDemand(c, load, queueStats.get(queueId!), reads.thresholds.get(queueId!))),
    gainScale: gainScale(c.gainSchedule, team?.onQueueAgents),
    feedforward: feedforward(c.feedforward, live, performance),
    dialer: performance,
    team,
    ...(blind ? { blind } : {}),
    state,
    now: tickTime,
    eventId: request.eventId,
  });
  const report = describe(c, decision, { knobsNow: snapshot.knobs, snapshot, measurement, live, load, compliance, performance, problem: failure ?? stale });
  return { c, state, decision, knobsNow: snapshot.knobs, dryRun, report };
}

/** A write this plan would send to Genesys. */
function wantsWrite(p: Finished | Planned): p is Planned {
  return 'decision' in p && Object.keys(p.decision.writes).length > 0 && !p.dryRun;
}

/**
 * The campaigns whose change waits for the next tick because the budget is spent. Changes that
 * make dialing less aggressive go first (they protect callers and service level), then the
 * largest moves relative to the knob's step. Ties are broken by a hash of the tick and campaign
 * ids: a different order each tick, so no campaign waits tick after tick behind the same others.
 */
function deferredWrites(plans: ReadonlyArray<Finished | Planned>, budget: number, eventId: string): Set<string> {
  const writes = plans.filter(wantsWrite);
  if (writes.length <= budget) return new Set();
  const ranked = writes
    .map((p) => {
      const moves = Object.entries(p.decision.writes).map(([knob, value]) => {
        const step = knob === p.c.knob.name ? p.c.knob.maxStep : p.c.compliance.knob.maxStep;
        return (value - (p.knobsNow[knob as KnobName] ?? value)) / step;
      });
      const tieBreak = createHash('sha256').update(`${eventId}\n${p.c.campaignId}`).digest('hex');
      return { id: p.c.campaignId, calming: moves.every((m) => m < 0) ? 0 : 1, size: Math.max(...moves.map(Math.abs)), tieBreak };
    })
    .sort((a, b) => a.calming - b.calming || b.size - a.size || a.tieBreak.localeCompare(b.tieBreak));
  return new Set(ranked.slice(Math.max(0, Math.floor(budget))).map((r) => r.id));
}

async function runCampaign(p: Planned, deferred: ReadonlySet<string>, request: TickRequest, deps: TickDeps): Promise<CampaignResult> {
  const { c, state, decision, report } = p;
  const at = deps.now();
  let result: CampaignReport;
  try {
    result = await apply(c, state, decision, p.dryRun, deferred.has(c.campaignId), report, request, deps);
  } catch (err) {
    const message = joined(report.message, err);
    if (err instanceof StateConflictError) {
      return { report: { ...report, outcome: 'skipped', reason: 'concurrent-invocation', message } };
    }
    // The state store failed before any write to Genesys: pacing and state are as they were.
    return { report: { ...unmoved(report), outcome: 'error', reason: 'state-save-failed', message } };
  }
  return { report: result, audit: auditEntriesOf(c, state, result, request, at) };
}

/**
 * The audit entries for a campaign's outcome: every value written to Genesys (the campaign's knob,
 * and the compliance loop's own knob when it has one), and every manual change the tick took over
 * (only when the tick saved state: a console dry run that leaves the state alone would record it
 * again at the next scheduled tick).
 */
function auditEntriesOf(c: CampaignConfig, state: ControllerState | undefined, r: CampaignReport, request: TickRequest, at: number): AuditEntry[] {
  const common = {
    campaignId: c.campaignId,
    at: new Date(at).toISOString(),
    eventId: request.eventId,
    knob: c.knob.name,
    ...(r.measured === undefined ? {} : { measured: r.measured }),
    setpoint: c.setpoint,
    objective: c.objective.kind,
    reason: r.reason,
  };
  const entries: AuditEntry[] = [];
  if (r.outcome === 'written' && r.previousValue !== undefined && r.newValue !== undefined && r.newValue !== r.previousValue) {
    entries.push({ ...common, kind: 'change', oldValue: r.previousValue, newValue: r.newValue });
  }
  const loop = r.compliance;
  if (r.outcome === 'written' && loop && loop.knob !== c.knob.name && loop.previousValue !== undefined && loop.newValue !== undefined) {
    const { measured: _objective, ...rest } = common;
    entries.push({
      ...rest,
      kind: 'change',
      knob: loop.knob,
      ...(loop.measuredRate === undefined ? {} : { measured: loop.measuredRate }),
      setpoint: loop.allowedRate,
      objective: 'abandonRate',
      reason: loop.reason === 'compliance-override' ? loop.reason : 'compliance',
      oldValue: loop.previousValue,
      newValue: loop.newValue,
    });
  }
  if (r.reason === 'manual-change' && r.outcome === 'held' && request.saveState && state && r.newValue !== undefined) {
    entries.push({ ...common, kind: 'manual-change', oldValue: state.lastWritten, newValue: r.newValue, changedAfter: new Date(state.lastTickTime).toISOString() });
  }
  return entries;
}

/** A campaign's tick result, with the audit entries its outcome calls for. */
interface CampaignResult {
  report: CampaignReport;
  audit?: AuditEntry[];
}

/**
 * Stores the tick's audit entries in one go. A failure never undoes a campaign's tick: it is
 * added to the campaign's report message, where the handler's log and metrics pick it up.
 */
async function recordAudit(results: CampaignResult[], audit: AuditLog): Promise<CampaignReport[]> {
  const entries = results.flatMap((r) => r.audit ?? []);
  if (entries.length === 0) return results.map((r) => r.report);
  let failed: ReadonlySet<string> = new Set();
  let problem = '';
  try {
    await audit.record(entries);
  } catch (err) {
    failed = new Set(err instanceof AuditWriteError ? err.campaignIds : entries.map((e) => e.campaignId));
    problem = (err as Error).message;
  }
  return results.map(({ report, audit: own }) =>
    own?.length && failed.has(report.campaignId)
      ? { ...report, auditFailed: true, message: [report.message, `audit entry not recorded: ${problem}`].filter(Boolean).join('; ') }
      : report,
  );
}

/** What a campaign's report is made of, beyond its decision. */
interface Observed {
  knobsNow: Partial<Record<KnobName, number>>;
  snapshot?: CampaignSnapshot;
  measurement?: Measurement | undefined;
  live?: QueueLiveState | undefined;
  load?: number | undefined;
  compliance?: ComplianceAssessment;
  performance?: CampaignPerformance | undefined;
  problem?: string | undefined;
}

function describe(c: CampaignConfig, decision: CampaignDecision, o: Observed): CampaignReport {
  const { main, complianceLoop } = decision;
  const knobNow = o.knobsNow[c.knob.name];
  const loopKnob = c.compliance.knob.name;
  const blindTicks = main.next?.blindTicks ?? 0;
  const blind = blindTicks > 0 ? { ticks: blindTicks, limit: c.blindTicksBeforeSafe, safeValue: c.knob.safeValue } : undefined;
  const message = [o.problem, blind ? blindNote(blind, main) : undefined].filter(Boolean).join('; ');
  const onlyComplianceMoves = main.action !== 'change' && decision.writes[loopKnob] !== undefined && !decision.sharedKnob;
  const reason = onlyComplianceMoves ? 'compliance' : main.reason;
  const { measurement, live, compliance } = o;
  return {
    // A failed read is an error even though it only holds: someone has to look at it.
    ...baseReport(c, main.reason === 'read-failed' ? 'error' : 'held', reason),
    ...(measurement ? { measured: readable(measurement.value), sample: measurement.sample } : {}),
    ...(main.error === undefined ? {} : { error: readable(main.error) }),
    ...(main.terms ? { p: readable(main.terms.p), i: readable(main.terms.i), d: readable(main.terms.d) } : {}),
    ...(knobNow === undefined ? {} : { previousValue: knobNow }),
    ...(main.value === undefined ? {} : { newValue: main.value }),
    ...(o.snapshot ? { campaignStatus: o.snapshot.status } : {}),
    ...(live
      ? {
          queue: {
            waiting: live.waiting,
            idleAgents: live.idleAgents,
            onQueueAgents: live.onQueueAgents,
            interacting: live.interacting,
            ...(o.load === undefined ? {} : { inboundLoad: readable(o.load) }),
          },
        }
      : {}),
    ...(decision.overrides.length ? { overrides: decision.overrides } : {}),
    ...(compliance
      ? {
          compliance: {
            windowRate: compliance.windowRate === undefined ? null : readable(compliance.windowRate),
            windowLive: compliance.window.live,
            windowAbandoned: compliance.window.abandoned,
            remainingAbandons: readable(compliance.remainingAbandons),
            remainingShare: compliance.remainingShare === undefined ? null : readable(compliance.remainingShare),
            allowedRate: readable(compliance.allowedRate),
            ...(compliance.measuredRate === undefined ? {} : { measuredRate: readable(compliance.measuredRate) }),
            ...(compliance.recentRate === undefined ? {} : { recentRate: readable(compliance.recentRate) }),
            guardTripped: compliance.guardTripped,
            warning: compliance.warning,
            ...(compliance.heldBack ? { heldBack: heldBackNote(compliance.heldBack) } : {}),
            knob: loopKnob,
            reason: complianceLoop.reason,
            ...(o.knobsNow[loopKnob] === undefined ? {} : { previousValue: o.knobsNow[loopKnob] }),
            ...(decision.writes[loopKnob] === undefined ? {} : { newValue: decision.writes[loopKnob] }),
          },
        }
      : {}),
    ...(o.performance ? { dialer: o.performance } : {}),
    ...(blind ? { blind } : {}),
    ...(message ? { message } : {}),
  };
}

function blindNote(blind: { ticks: number; limit: number; safeValue: number }, decision: StepDecision): string {
  const count = `blind for ${blind.ticks} tick${blind.ticks === 1 ? '' : 's'} in a row`;
  if (decision.reason === 'blind-safe-value') return `${count} (limit ${blind.limit}): stepping pacing toward the safe value ${blind.safeValue}`;
  if (blind.ticks >= blind.limit) return `${count} (limit ${blind.limit}): pacing is at or below the safe value ${blind.safeValue}, or cannot be moved without reading the campaign`;
  return `${count}: pacing held; at ${blind.limit} it steps toward the safe value ${blind.safeValue}`;
}

function heldBackNote({ interval, live }: NonNullable<ComplianceAssessment['heldBack']>): string {
  return (
    `${live} live answers in ${interval.start.toISOString()}/${interval.end.toISOString()} are over ${JUMP_FACTOR} times the window's busiest hour: ` +
    `not counted yet, read again next tick (taken as read ${JUMP_RECHECK_MINUTES} minutes after the interval)`
  );
}

/** Rounds a reported figure to 4 decimals: the summary is for people; the state keeps full precision. */
function readable(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** The report of a campaign whose knobs stay where they are this tick. */
function unmoved(report: CampaignReport): CampaignReport {
  const { compliance } = report;
  return {
    ...report,
    ...(report.previousValue === undefined ? {} : { newValue: report.previousValue }),
    ...(compliance && compliance.newValue !== undefined ? { compliance: withoutNewValue(compliance) } : {}),
  };
}

function withoutNewValue(compliance: ComplianceReport): ComplianceReport {
  const { newValue: _newValue, ...rest } = compliance;
  return rest;
}

/** Writes the decision: one PATCH under a lease when a knob moves, then the state, or just the state. */
async function apply(
  c: CampaignConfig,
  state: ControllerState | undefined,
  decision: CampaignDecision,
  dryRun: boolean,
  deferred: boolean,
  report: CampaignReport,
  request: TickRequest,
  deps: TickDeps,
): Promise<CampaignReport> {
  const expectedVersion = state?.version;
  const now = deps.now();
  const wouldWrite = Object.keys(decision.writes).length > 0;
  if (wouldWrite && !dryRun && !deferred && decision.next) {
    await deps.store.acquireLease(c.campaignId, expectedVersion, { owner: request.invocationId, until: now + (deps.leaseMs ?? DEFAULT_LEASE_MS) }, now);
    try {
      await deps.genesys.patchCampaignKnobs(c.campaignId, decision.writes);
    } catch (err) {
      // The lease stays until it runs out (before the next tick): Genesys may have applied a PATCH
      // whose answer was lost, so no other invocation of this tick may write the campaign again.
      return { ...unmoved(report), outcome: 'error', reason: 'write-failed', message: joined(report.message, err) };
    }
    try {
      await deps.store.save(decision.next, expectedVersion, request.invocationId, now);
    } catch (err) {
      // Genesys has the new values; the next tick sees them differ from the stored ones and
      // restarts bumplessly from them, so nothing is lost but this tick's integration. The
      // abandon counts of this tick are counted again then, once.
      return { ...report, outcome: 'written', reason: 'state-save-failed', message: joined(report.message, err) };
    }
    return { ...report, outcome: 'written' };
  }
  if (request.saveState && decision.next) {
    // An unwritten change keeps the knobs' values as the last written ones, so the next tick
    // takes them up again instead of mistaking them for a manual change.
    await deps.store.save(wouldWrite ? decision.nextUnwritten! : decision.next, expectedVersion, request.invocationId, now);
  }
  if (wouldWrite && deferred && !dryRun) {
    return {
      ...unmoved(report),
      outcome: 'held',
      reason: 'write-deferred',
      message: `the change to ${JSON.stringify(decision.writes)} waits for the next tick: more campaigns changed this tick than the Genesys request budget allows`,
    };
  }
  return wouldWrite ? { ...report, outcome: 'would-write' } : report;
}

function joined(message: string | undefined, err: unknown): string {
  return [message, (err as Error).message].filter(Boolean).join('; ');
}
