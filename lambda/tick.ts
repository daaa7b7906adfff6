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
import { blindWithoutCampaign, step, type BlindReason, type HoldReason, type Measurement, type StepDecision } from './control/pid.js';
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
  now: () => number;
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
    | 'write-failed'
    | 'state-save-failed';
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
  /** Present while the campaign is blind: consecutive blind ticks, the limit and the value pacing then falls back to. */
  blind?: { ticks: number; limit: number; safeValue: number };
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
  const limit = pLimit(deps.concurrency ?? 8);
  const results = await Promise.all(
    active.map((c) => limit(() => runCampaign(c, states.get(c.campaignId), reads, stale, request, deps))),
  );
  reports.push(...results);
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
  queueStats: Settled<Map<string, QueueWindowStats>>;
  campaignStats: Settled<Map<string, CampaignWindowStats>>;
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
  // One window per query: campaigns sharing the longest configured window would over-read,
  // so group by window length (usually a single group).
  const byWindow = groupBy(campaigns, (c) => c.windowMinutes);
  const queueWindowStats = async () => {
    const merged = new Map<string, QueueWindowStats>();
    for (const [, group] of byWindow) {
      const queues = [...new Set(group.filter((c) => c.objective.kind !== 'abandonRate').map((c) => queueIdOf(c)!))]
        .filter((q) => thresholds.has(q))
        .map((queueId) => ({ queueId, thresholdMs: thresholds.get(queueId)! }));
      if (queues.length === 0) continue;
      for (const [k, v] of await genesys.getQueueWindowStats(queues, windowOf(group[0]!, tickTime))) merged.set(k, v);
    }
    return merged;
  };
  const campaignWindowStats = async () => {
    const merged = new Map<string, CampaignWindowStats>();
    for (const [, group] of byWindow) {
      const ids = group.filter((c) => c.objective.kind === 'abandonRate').map((c) => c.campaignId);
      if (ids.length === 0) continue;
      for (const [k, v] of await genesys.getCampaignWindowStats(ids, windowOf(group[0]!, tickTime))) merged.set(k, v);
    }
    return merged;
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

async function runCampaign(
  c: CampaignConfig,
  state: ControllerState | undefined,
  reads: Reads,
  stale: string | undefined,
  request: TickRequest,
  deps: TickDeps,
): Promise<CampaignReport> {
  let decision: StepDecision;
  let report: CampaignReport;
  let knobNow: number | undefined;
  if (!reads.campaigns.ok) {
    // The knob's value is unknown: nothing can be decided, but the blind tick still counts.
    decision = blindWithoutCampaign(state, request.eventTime, request.eventId);
    report = describe(c, decision, undefined, undefined, undefined, undefined, `campaign read failed: ${reads.campaigns.message}`);
  } else {
    const snapshot = reads.campaigns.value.get(c.campaignId);
    if (!snapshot) {
      return { ...baseReport(c, 'error', 'campaign-not-found'), message: `campaign ${c.campaignId} does not exist in Genesys (deleted, or the id in the config is wrong)` };
    }
    const failure = metricsFailure(c, reads);
    const blind: BlindReason | undefined = failure ? 'read-failed' : stale ? 'stale-data' : undefined;
    const queueStats = reads.queueStats.ok ? reads.queueStats.value : new Map<string, QueueWindowStats>();
    const campaignStats = reads.campaignStats.ok ? reads.campaignStats.value : new Map<string, CampaignWindowStats>();
    const measurement = failure ? undefined : measureObjective(c, queueStats, campaignStats);
    knobNow = snapshot.knobs[c.knob.name];
    decision = step({
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
    report = describe(c, decision, measurement, knobNow, snapshot, live, failure ?? stale);
  }
  const dryRun = request.dryRun || c.dryRun;
  try {
    return await apply(c, state, decision, knobNow, dryRun, report, request, deps);
  } catch (err) {
    const message = joined(report.message, err);
    if (err instanceof StateConflictError) {
      return { ...report, outcome: 'skipped', reason: 'concurrent-invocation', message };
    }
    // The state store failed before any write to Genesys: pacing and state are as they were.
    return { ...report, outcome: 'error', reason: 'state-save-failed', ...(knobNow === undefined ? {} : { newValue: knobNow }), message };
  }
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
  report: CampaignReport,
  request: TickRequest,
  deps: TickDeps,
): Promise<CampaignReport> {
  const expectedVersion = state?.version;
  const now = deps.now();
  if (decision.action === 'change' && !dryRun && decision.value !== undefined && decision.next) {
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
    const next = wouldWrite ? { ...decision.next, lastWritten: knobNow! } : decision.next;
    await deps.store.save(next, expectedVersion, request.invocationId, now);
  }
  return wouldWrite ? { ...report, outcome: 'would-write' } : report;
}

function joined(message: string | undefined, err: unknown): string {
  return [message, (err as Error).message].filter(Boolean).join('; ');
}
