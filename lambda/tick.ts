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
import type { CampaignConfig, PacingConfig } from './config/config.js';
import type { KnobName, ObjectiveKind } from './config/schema.js';
import { measureObjective } from './control/measure.js';
import { blindWithoutCampaign, step, type BlindReason, type HoldReason, type Measurement, type StepDecision } from './control/pid.js';
import {
  AuditWriteError,
  StateConflictError,
  type AuditEntry,
  type AuditLog,
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
  /**
   * The window's compliance abandon rate, for abandon-rate campaigns whose window holds at least
   * `minSample` live connects (fewer make a ratio too noisy to warn on).
   */
  abandonRate?: number;
  /** The objective's queue, when it has one. */
  queueId?: string;
  /** Live queue state of the objective's queue, when it has one. */
  queue?: { waiting: number; idleAgents: number; onQueueAgents: number };
  /** Present while the campaign is blind: consecutive blind ticks, the limit and the value pacing then falls back to. */
  blind?: { ticks: number; limit: number; safeValue: number };
  message?: string;
  /** The change or manual change is missing from the audit trail (the message says why). */
  auditFailed?: boolean;
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

  const reads = await readGenesys(active, request.eventTime, deps.genesys);
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
  for (const c of queueCampaigns) {
    const objective = c.objective as { queueId: string; serviceLevelThresholdSeconds?: number };
    if (objective.serviceLevelThresholdSeconds !== undefined) thresholds.set(objective.queueId, objective.serviceLevelThresholdSeconds * 1000);
  }
  // One read per queue, however many campaigns share it.
  await Promise.all(
    queueIds
      .filter((queueId) => !thresholds.has(queueId))
      .map(async (queueId) => {
        try {
          thresholds.set(queueId, await genesys.getServiceLevelThresholdMs(queueId));
        } catch (err) {
          thresholdErrors.set(queueId, (err as Error).message);
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

/** The first failure to read this campaign's objective, if any (the campaign itself is read separately). */
function metricsFailure(c: CampaignConfig, reads: Reads): string | undefined {
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

/** A campaign whose tick ended before any decision (a missing campaign). */
interface Finished {
  report: CampaignReport;
}

/** A campaign with its decision, ready to apply. */
interface Planned {
  c: CampaignConfig;
  state: ControllerState | undefined;
  decision: StepDecision;
  knobNow: number | undefined;
  dryRun: boolean;
  report: CampaignReport;
}

/**
 * Runs the law for one campaign on the tick's reads; pure, no I/O. A campaign whose metrics or
 * own record could not be read is blind: it still gets a decision, so the blind ticks are counted.
 */
function plan(c: CampaignConfig, state: ControllerState | undefined, reads: Reads, stale: string | undefined, request: TickRequest): Finished | Planned {
  const dryRun = request.dryRun || c.dryRun;
  if (!reads.campaigns.ok) {
    // The knob's value is unknown: nothing can be decided, but the blind tick still counts.
    const decision = blindWithoutCampaign(state, request.eventTime, request.eventId);
    const report = describe(c, decision, undefined, undefined, undefined, undefined, `campaign read failed: ${reads.campaigns.message}`);
    return { c, state, decision, knobNow: undefined, dryRun, report };
  }
  const snapshot = reads.campaigns.value.get(c.campaignId);
  if (!snapshot) {
    return { report: { ...baseReport(c, 'error', 'campaign-not-found'), message: `campaign ${c.campaignId} does not exist in Genesys (deleted, or the id in the config is wrong)` } };
  }
  const failure = metricsFailure(c, reads);
  const blind: BlindReason | undefined = failure ? 'read-failed' : stale ? 'stale-data' : undefined;
  const queueStats = (reads.queueStats.ok && reads.queueStats.value.get(c.windowMinutes)) || new Map<string, QueueWindowStats>();
  const campaignStats = (reads.campaignStats.ok && reads.campaignStats.value.get(c.windowMinutes)) || new Map<string, CampaignWindowStats>();
  const measurement = failure ? undefined : measureObjective(c, queueStats, campaignStats);
  const knobNow = snapshot.knobs[c.knob.name];
  const decision = step({
    campaign: c,
    campaignOn: snapshot.status === 'on',
    knobNow,
    measurement,
    ...(blind ? { blind } : {}),
    previous: state,
    now: request.eventTime,
    eventId: request.eventId,
  });
  const queueId = queueIdOf(c);
  const live = queueId !== undefined && reads.live.ok ? reads.live.value.get(queueId) : undefined;
  const report = describe(c, decision, measurement, knobNow, snapshot, live, failure ?? stale);
  return { c, state, decision, knobNow, dryRun, report };
}

/** A write this plan would send to Genesys. */
function wantsWrite(p: Finished | Planned): p is Planned & { knobNow: number } {
  return 'decision' in p && p.decision.action === 'change' && !p.dryRun && p.knobNow !== undefined;
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
      const move = p.decision.value! - p.knobNow;
      const tieBreak = createHash('sha256').update(`${eventId}\n${p.c.campaignId}`).digest('hex');
      return { id: p.c.campaignId, calming: move < 0 ? 0 : 1, size: Math.abs(move) / p.c.knob.maxStep, tieBreak };
    })
    .sort((a, b) => a.calming - b.calming || b.size - a.size || a.tieBreak.localeCompare(b.tieBreak));
  return new Set(ranked.slice(Math.max(0, Math.floor(budget))).map((r) => r.id));
}

/** A campaign's tick result, with the audit entry its outcome calls for. */
interface CampaignResult {
  report: CampaignReport;
  audit?: AuditEntry;
}

async function runCampaign(p: Planned, deferred: ReadonlySet<string>, request: TickRequest, deps: TickDeps): Promise<CampaignResult> {
  const { c, state, decision, knobNow, report } = p;
  const at = deps.now();
  let result: CampaignReport;
  try {
    result = await apply(c, state, decision, knobNow, p.dryRun, deferred.has(c.campaignId), report, request, deps);
  } catch (err) {
    const message = joined(report.message, err);
    if (err instanceof StateConflictError) {
      return { report: { ...report, outcome: 'skipped', reason: 'concurrent-invocation', message } };
    }
    // The state store failed before any write to Genesys: pacing and state are as they were.
    return { report: { ...report, outcome: 'error', reason: 'state-save-failed', ...(knobNow === undefined ? {} : { newValue: knobNow }), message } };
  }
  const audit = auditEntryOf(c, state, result, request, at);
  return audit ? { report: result, audit } : { report: result };
}

/**
 * The audit entry for a campaign's outcome: every value written to Genesys, and every manual
 * change the tick took over (only when the tick saved state: a console dry run that leaves the
 * state alone would record it again at the next scheduled tick).
 */
function auditEntryOf(c: CampaignConfig, state: ControllerState | undefined, r: CampaignReport, request: TickRequest, at: number): AuditEntry | undefined {
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
  if (r.outcome === 'written' && r.previousValue !== undefined && r.newValue !== undefined) {
    return { ...common, kind: 'change', oldValue: r.previousValue, newValue: r.newValue };
  }
  if (r.reason === 'manual-change' && r.outcome === 'held' && request.saveState && state && r.newValue !== undefined) {
    return { ...common, kind: 'manual-change', oldValue: state.lastWritten, newValue: r.newValue, changedAfter: new Date(state.lastTickTime).toISOString() };
  }
  return undefined;
}

/**
 * Stores the tick's audit entries in one go. A failure never undoes a campaign's tick: it is
 * added to the campaign's report message, where the handler's log and metrics pick it up.
 */
async function recordAudit(results: CampaignResult[], audit: AuditLog): Promise<CampaignReport[]> {
  const entries = results.flatMap((r) => (r.audit ? [r.audit] : []));
  if (entries.length === 0) return results.map((r) => r.report);
  let failed: ReadonlySet<string> = new Set();
  let problem = '';
  try {
    await audit.record(entries);
  } catch (err) {
    failed = new Set(err instanceof AuditWriteError ? err.campaignIds : entries.map((e) => e.campaignId));
    problem = (err as Error).message;
  }
  return results.map(({ report, audit: entry }) =>
    entry && failed.has(entry.campaignId)
      ? { ...report, auditFailed: true, message: [report.message, `audit entry not recorded: ${problem}`].filter(Boolean).join('; ') }
      : report,
  );
}

function describe(
  c: CampaignConfig,
  decision: StepDecision,
  measurement: Measurement | undefined,
  knobNow: number | undefined,
  snapshot: CampaignSnapshot | undefined,
  live: QueueLiveState | undefined,
  problem: string | undefined,
): CampaignReport {
  const blindTicks = decision.next?.blindTicks ?? 0;
  const blind = blindTicks > 0 ? { ticks: blindTicks, limit: c.blindTicksBeforeSafe, safeValue: c.knob.safeValue } : undefined;
  const message = [problem, blind ? blindNote(blind, decision) : undefined].filter(Boolean).join('; ');
  return {
    // A failed read is an error even though it only holds: someone has to look at it.
    ...baseReport(c, decision.reason === 'read-failed' ? 'error' : 'held', decision.reason),
    ...(measurement ? { measured: readable(measurement.value), sample: measurement.sample } : {}),
    ...(measurement && c.objective.kind === 'abandonRate' && measurement.sample >= c.minSample ? { abandonRate: readable(measurement.value) } : {}),
    ...(decision.error === undefined ? {} : { error: readable(decision.error) }),
    ...(decision.terms ? { p: readable(decision.terms.p), i: readable(decision.terms.i), d: readable(decision.terms.d) } : {}),
    ...(knobNow === undefined ? {} : { previousValue: knobNow }),
    ...(decision.value === undefined ? {} : { newValue: decision.value }),
    ...(snapshot ? { campaignStatus: snapshot.status } : {}),
    ...(live ? { queue: { waiting: live.waiting, idleAgents: live.idleAgents, onQueueAgents: live.onQueueAgents } } : {}),
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
  deferred: boolean,
  report: CampaignReport,
  request: TickRequest,
  deps: TickDeps,
): Promise<CampaignReport> {
  const expectedVersion = state?.version;
  const now = deps.now();
  if (decision.action === 'change' && !dryRun && !deferred && decision.value !== undefined && decision.next) {
    await deps.store.acquireLease(c.campaignId, expectedVersion, { owner: request.invocationId, until: now + (deps.leaseMs ?? DEFAULT_LEASE_MS) }, now);
    try {
      await deps.genesys.patchCampaignKnob(c.campaignId, c.knob.name, decision.value);
    } catch (err) {
      await deps.store.releaseLease(c.campaignId, request.invocationId).catch(() => undefined);
      return { ...report, outcome: 'error', reason: 'write-failed', newValue: knobNow, message: joined(report.message, err) };
    }
    try {
      await deps.store.save(decision.next, expectedVersion, request.invocationId, now);
    } catch (err) {
      // Genesys has the new value; the next tick sees it differ from the stored one and
      // restarts bumplessly from it, so nothing is lost but this tick's integration.
      return { ...report, outcome: 'written', reason: 'state-save-failed', message: joined(report.message, err) };
    }
    return { ...report, outcome: 'written' };
  }
  const wouldWrite = decision.action === 'change';
  if (request.saveState && decision.next) {
    // An unwritten change keeps the knob's value as the last written one, so the next tick
    // takes it up again instead of mistaking it for a manual change.
    const next = wouldWrite ? { ...decision.next, lastWritten: knobNow! } : decision.next;
    await deps.store.save(next, expectedVersion, request.invocationId, now);
  }
  if (wouldWrite && deferred && !dryRun) {
    return {
      ...report,
      outcome: 'held',
      reason: 'write-deferred',
      newValue: knobNow,
      message: `the change to ${decision.value} waits for the next tick: more campaigns changed this tick than the Genesys request budget allows`,
    };
  }
  return wouldWrite ? { ...report, outcome: 'would-write' } : report;
}

function joined(message: string | undefined, err: unknown): string {
  return [message, (err as Error).message].filter(Boolean).join('; ');
}
