/**
 * The tick's batched reads of Genesys. A read that fails for some campaigns or queues (a failed
 * chunk, a record that does not parse) blinds only those: every read keeps what it got and names
 * what it could not get, and each campaign later asks only about the ids it depends on.
 */
import { countingPlan, type CountingPlan } from '../compliance/assess.js';
import type { CampaignConfig } from '../config/config.js';
import {
  BatchReadError,
  type CampaignMinuteStats,
  type CampaignPerformance,
  type CampaignSnapshot,
  type CampaignWindowStats,
  type ControllerState,
  type GenesysPort,
  type OutboundSettings,
  type QueueLiveState,
  type QueueWindowStats,
  type TimeInterval,
} from '../ports.js';
import { queueIdOf } from './report.js';

/** What one batched read returned, and why each id it could not read is missing. */
export interface Batch<V> {
  values: Map<string, V>;
  failures: Map<string, string>;
}

/** The tick's reads. */
export interface Reads {
  campaigns: Batch<CampaignSnapshot>;
  /** Service-level threshold of each objective queue that could be read, ms. */
  thresholds: Map<string, number>;
  /** Queues whose service-level threshold could not be read. */
  thresholdFailures: Map<string, string>;
  /** Objective queues, keyed by window length in minutes. */
  queueStats: Map<number, Batch<QueueWindowStats>>;
  /** Blending queues over their arrival window, keyed the same way. */
  arrivals: Map<number, Batch<QueueWindowStats>>;
  /** Outbound stats by interval key: objective windows, compliance windows, counting intervals. */
  outbound: Map<string, Batch<CampaignWindowStats>>;
  live: Batch<QueueLiveState>;
  performance: Batch<CampaignPerformance>;
  /** The org's outbound settings, or why they could not be read. */
  settings: { ok: true; value: OutboundSettings } | { ok: false; message: string };
  /** What each campaign counts toward its abandon budget this tick. */
  plans: Map<string, CountingPlan>;
}

/** The last `minutes` before the tick: [tick time - minutes, tick time). */
export function lastMinutes(tickTime: number, minutes: number): TimeInterval {
  return { start: new Date(tickTime - minutes * 60_000), end: new Date(tickTime) };
}

export const intervalKey = (i: TimeInterval) => `${i.start.toISOString()}/${i.end.toISOString()}`;

const MINUTE_MS = 60_000;

/**
 * How far back one per-minute query serves the tick's outbound windows by default: the objective
 * and compliance windows and the minutes that settled are all within the last half hour or so in
 * steady state, so one query per 100 campaigns serves them all. Longer intervals (a first tick's
 * backfill, catching up after a gap) get one query each, as their buckets would be too many.
 */
export const DEFAULT_MINUTE_READ_SPAN_MINUTES = 120;

/** A campaign's counts over an interval, from its minute-by-minute counts. */
export function sumMinutes(series: CampaignMinuteStats, interval: TimeInterval): CampaignWindowStats {
  const total = { campaignId: series.campaignId, attempted: 0, connected: 0, abandoned: 0 };
  const from = interval.start.getTime();
  const to = interval.end.getTime();
  for (const [start, m] of series.minutes) {
    if (start < from || start >= to) continue;
    total.attempted += m.attempted;
    total.connected += m.connected;
    total.abandoned += m.abandoned;
  }
  return total;
}

/**
 * Runs one batched read. A BatchReadError keeps what was read and the failed ids; any other error
 * (the token refused, the deadline passed) fails every id asked for, with its message.
 */
async function readBatch<V>(ids: readonly string[], read: (ids: readonly string[]) => Promise<Map<string, V>>): Promise<Batch<V>> {
  if (ids.length === 0) return { values: new Map(), failures: new Map() };
  try {
    return { values: await read(ids), failures: new Map() };
  } catch (err) {
    if (err instanceof BatchReadError) {
      return { values: err.partial as Map<string, V>, failures: new Map([...err.failedIds].map((id) => [id, err.reasons.get(id) ?? err.message])) };
    }
    const message = (err as Error).message;
    return { values: new Map(), failures: new Map(ids.map((id) => [id, message])) };
  }
}

/**
 * Every outbound-stats interval a campaign needs this tick: its objective's window, the compliance
 * windows, what it must count, and for a line knob the last minute (what an agentless line brings:
 * fast-cut.ts).
 */
function outboundIntervals(c: CampaignConfig, plan: CountingPlan, tickTime: number): TimeInterval[] {
  return [
    ...(c.objective.kind === 'abandonRate' ? [lastMinutes(tickTime, c.windowMinutes)] : []),
    ...(usesLines(c) ? [lastMinutes(tickTime, 1)] : []),
    lastMinutes(tickTime, c.compliance.windowMinutes),
    lastMinutes(tickTime, c.compliance.guard.minutes),
    ...plan.intervals,
  ];
}

/** Whether either loop of a campaign moves `outboundLineCount`, whose safe value rests on what the agents free now can answer. */
function usesLines(c: CampaignConfig): boolean {
  return c.knob.name === 'outboundLineCount' || c.compliance.knob.name === 'outboundLineCount';
}

/**
 * Whether a campaign's decision uses the dialer's own figures (the performance query): a line knob's
 * safe value rests on its idle agents and connect ratio, and a feedforward may read them. Other
 * knobs' safe values are fixed, so their campaigns are left out of the query (one request per 50).
 */
export function usesDialerFigures(c: CampaignConfig): boolean {
  return usesLines(c) || c.feedforward?.source === 'dialer';
}

/**
 * Reads everything the campaigns' decisions need, in as few requests as the API allows.
 *
 * @param minuteReadSpanMinutes - how far back one per-minute query serves the outbound windows (0: one query per window)
 */
export async function readGenesys(
  campaigns: readonly CampaignConfig[],
  states: ReadonlyMap<string, ControllerState>,
  tickTime: number,
  genesys: GenesysPort,
  minuteReadSpanMinutes = DEFAULT_MINUTE_READ_SPAN_MINUTES,
): Promise<Reads> {
  const queueCampaigns = campaigns.filter((c) => c.objective.kind !== 'abandonRate');
  const plans = new Map(campaigns.map((c) => [c.campaignId, countingPlan(c.compliance, states.get(c.campaignId)?.compliance, tickTime)]));
  const thresholds = new Map<string, number>();
  for (const c of queueCampaigns) {
    const objective = c.objective as { queueId: string; serviceLevelThresholdSeconds?: number };
    if (objective.serviceLevelThresholdSeconds !== undefined) thresholds.set(objective.queueId, objective.serviceLevelThresholdSeconds * 1000);
  }
  // One read per queue, however many campaigns share it, within the client's concurrency.
  const unknownQueues = [...new Set(queueCampaigns.map((c) => queueIdOf(c)!))].filter((queueId) => !thresholds.has(queueId));
  const read = await readBatch(unknownQueues, (ids) => genesys.getServiceLevelThresholdsMs(ids));
  for (const [queueId, ms] of read.values) thresholds.set(queueId, ms);

  // One query per window length (usually a single one): a campaign gets its own window.
  const queueWindowStats = async (minutesOf: (c: CampaignConfig) => number | undefined) => {
    const queuesByLength = new Map<number, Set<string>>();
    for (const c of queueCampaigns) {
      const minutes = minutesOf(c);
      const queueId = queueIdOf(c)!;
      if (minutes === undefined || !thresholds.has(queueId)) continue;
      queuesByLength.set(minutes, (queuesByLength.get(minutes) ?? new Set()).add(queueId));
    }
    const byLength = new Map<number, Batch<QueueWindowStats>>();
    for (const [minutes, ids] of queuesByLength) {
      const interval = lastMinutes(tickTime, minutes);
      byLength.set(minutes, await readBatch([...ids], (queueIds) => genesys.getQueueWindowStats(queueIds.map((queueId) => ({ queueId, thresholdMs: thresholds.get(queueId)! })), interval)));
    }
    return byLength;
  };
  // The recent intervals on whole minutes come from one per-minute query per 100 campaigns; any
  // other interval gets one query for every campaign that needs it (campaigns ticking together
  // share their windows and counting intervals).
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
    const byMinute = (i: TimeInterval) =>
      i.start.getTime() % MINUTE_MS === 0 && i.end.getTime() % MINUTE_MS === 0 && tickTime - i.start.getTime() <= minuteReadSpanMinutes * MINUTE_MS && i.end.getTime() <= tickTime;
    const recent = [...byInterval.entries()].filter(([, e]) => byMinute(e.interval));
    const out = new Map<string, Batch<CampaignWindowStats>>();
    if (recent.length > 0) {
      const span = { start: new Date(Math.min(...recent.map(([, e]) => e.interval.start.getTime()))), end: new Date(Math.max(...recent.map(([, e]) => e.interval.end.getTime()))) };
      const ids = [...new Set(recent.flatMap(([, e]) => [...e.ids]))];
      const minutes = await readBatch(ids, (campaignIds) => genesys.getCampaignMinuteStats(campaignIds, span));
      for (const [key, { interval, ids: needing }] of recent) {
        const values = new Map<string, CampaignWindowStats>();
        const failures = new Map<string, string>();
        for (const id of needing) {
          const failure = minutes.failures.get(id);
          // A campaign the answer leaves out had no calls, as with a window's own query.
          if (failure === undefined) values.set(id, sumMinutes(minutes.values.get(id) ?? { campaignId: id, minutes: new Map() }, interval));
          else failures.set(id, failure);
        }
        out.set(key, { values, failures });
      }
    }
    for (const [key, { interval, ids }] of byInterval) {
      if (!out.has(key)) out.set(key, await readBatch([...ids], (campaignIds) => genesys.getCampaignWindowStats(campaignIds, interval)));
    }
    return out;
  };
  const ids = campaigns.map((c) => c.campaignId);
  const snapshots = await readBatch(ids, (campaignIds) => genesys.getCampaigns(campaignIds));
  // Live state of each objective queue, and of the own queue (its team) of each campaign whose gains
  // are scheduled by team size.
  const liveIds = new Set(queueCampaigns.map((c) => queueIdOf(c)!));
  for (const c of campaigns) {
    const own = c.gainSchedule ? snapshots.values.get(c.campaignId)?.queueId : undefined;
    if (own) liveIds.add(own);
  }
  const [queueStats, arrivals, outbound, live, performance, settings] = await Promise.all([
    queueWindowStats((c) => c.windowMinutes),
    queueWindowStats((c) => c.blending?.arrivalMinutes),
    outboundStats(),
    readBatch([...liveIds], (queueIds) => genesys.getQueueLiveStates(queueIds)),
    readBatch(campaigns.filter(usesDialerFigures).map((c) => c.campaignId), (campaignIds) => genesys.getCampaignPerformance(campaignIds)),
    campaigns.length === 0
      ? { ok: false as const, message: 'not read: no campaign to pace' }
      : genesys.getOutboundSettings().then(
          (value) => ({ ok: true as const, value }),
          (err: unknown) => ({ ok: false as const, message: (err as Error).message }),
        ),
  ]);
  return { campaigns: snapshots, thresholds, thresholdFailures: read.failures, queueStats, arrivals, outbound, live, performance, settings, plans };
}

/** A campaign's outbound stats over an interval; undefined when the campaign had no calls in it or was not read. */
export function outboundOf(reads: Reads, campaignId: string, interval: TimeInterval): CampaignWindowStats | undefined {
  return reads.outbound.get(intervalKey(interval))?.values.get(campaignId);
}

/**
 * The first failure to read this campaign's metrics, if any (the campaign itself is read
 * separately). Without its outbound counts a campaign cannot keep its compliance books, and
 * feedforward and the threshold policy would move the knob because of the fault: all blind it.
 */
export function readFailure(c: CampaignConfig, reads: Reads, tickTime: number): string | undefined {
  const id = c.campaignId;
  for (const interval of outboundIntervals(c, reads.plans.get(id)!, tickTime)) {
    const failure = reads.outbound.get(intervalKey(interval))?.failures.get(id);
    if (failure) return `campaign metrics read failed: ${failure}`;
  }
  const queueId = queueIdOf(c);
  if (queueId !== undefined) {
    const threshold = reads.thresholdFailures.get(queueId);
    if (threshold) return `service-level threshold read failed: ${threshold}`;
    const stats = reads.queueStats.get(c.windowMinutes)?.failures.get(queueId);
    if (stats) return `queue metrics read failed: ${stats}`;
  }
  // Gain scheduling falls back to the unscaled gains without its team's size: it does not blind.
  const live = queueId === undefined ? undefined : reads.live.failures.get(queueId);
  if ((c.blending || c.feedforward?.source === 'queue') && live) return `live queue read failed: ${live}`;
  const arrivals = c.blending && queueId !== undefined ? reads.arrivals.get(c.blending.arrivalMinutes)?.failures.get(queueId) : undefined;
  if (arrivals) return `queue arrivals read failed: ${arrivals}`;
  const performance = reads.performance.failures.get(id);
  if (c.feedforward?.source === 'dialer' && performance) return `campaign performance read failed: ${performance}`;
  return undefined;
}
