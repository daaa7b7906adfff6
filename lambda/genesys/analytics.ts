/**
 * Bodies of the analytics queries and the mapping of their answers to the port's types.
 * Pure functions: the client sends, these build and read.
 */
import type { CampaignMinuteStats, CampaignWindowStats, QueueLiveState, QueueWindowStats, TimeInterval } from '../ports.js';
import {
  conversationAggregateResponseSchema,
  parseBody,
  queueObservationResponseSchema,
  ResponseShapeError,
} from './responses.js';

/**
 * No call lasts a day: an oLongestInteracting value above it is not a call's time with its agent in
 * ms (an epoch, say), and is left out rather than freeze an agentless campaign's rises.
 */
const LONGEST_CALL_MS = 24 * 3_600_000;

/** Metrics of the queue observations query. */
export const OBSERVATION_METRICS = ['oWaiting', 'oOnQueueUsers', 'oInteracting', 'oLongestInteracting'] as const;
export const QUEUE_AGGREGATE_METRICS = ['nOffered', 'tAnswered', 'tAbandon', 'tHandle'] as const;
export const CAMPAIGN_AGGREGATE_METRICS = ['nOutboundAttempted', 'nOutboundConnected', 'nOutboundAbandoned'] as const;

type Predicate = { type: 'dimension'; dimension: string; operator: 'matches'; value: string };

function matches(dimension: string, value: string): Predicate {
  return { type: 'dimension', dimension, operator: 'matches', value };
}

/**
 * The body of POST /api/v2/analytics/queues/observations/query for a set of queues.
 *
 * @param queueIds - at most 100 distinct queue ids
 */
export function queueObservationQuery(queueIds: readonly string[]) {
  return {
    filter: { type: 'or' as const, predicates: queueIds.map((id) => matches('queueId', id)) },
    metrics: [...OBSERVATION_METRICS],
  };
}

function countAt(stats: { count?: number | null | undefined } | null | undefined, path: string): number {
  const count = stats?.count;
  if (count === undefined || count === null) throw new ResponseShapeError(`${path}.stats.count`, 'is absent (expected a count)');
  return count;
}

function sumAt(stats: { sum?: number | null | undefined } | null | undefined, path: string): number {
  const sum = stats?.sum;
  if (sum === undefined || sum === null) throw new ResponseShapeError(`${path}.stats.sum`, 'is absent (expected a total in ms)');
  return sum;
}

/**
 * Reads a queue observations answer.
 *
 * - waiting and interacting: oWaiting and oInteracting of the voice group (user counts are grouped
 *   by queue only; conversation counts by queue and media type);
 * - longestInteractingMs: oLongestInteracting's `calculatedMetricValue` (ms the longest of those
 *   calls has been connected), absent when Genesys gives none (no call connected) or a value that
 *   cannot be one (not positive, or over a day);
 * - idleAgents: oOnQueueUsers with qualifier IDLE; onQueueAgents: oOnQueueUsers summed over qualifiers,
 *   both from the queue-level group (no mediaType), so no user is counted twice;
 * - a metric a queue did not report counts 0 (Genesys leaves out zero qualifiers);
 * - a queue absent from the answer is absent from the map: no invented zeros for a queue Genesys did not report.
 *
 * @param body - the parsed JSON answer
 * @param queueIds - the queues asked for; others in the answer are ignored
 * @throws ResponseShapeError naming the field at fault
 */
export function mapQueueObservations(body: unknown, queueIds: readonly string[]): Map<string, QueueLiveState> {
  const parsed = parseBody(queueObservationResponseSchema, body);
  const wanted = new Set(queueIds);
  const out = new Map<string, QueueLiveState>();
  (parsed.results ?? []).forEach((result, i) => {
    const queueId = result.group?.queueId;
    if (!queueId || !wanted.has(queueId)) return;
    const state = out.get(queueId) ?? { queueId, waiting: 0, idleAgents: 0, onQueueAgents: 0, interacting: 0 };
    out.set(queueId, state);
    const mediaType = result.group?.mediaType ?? undefined;
    (result.data ?? []).forEach((datum, j) => {
      const path = `results[${i}].data[${j}]`;
      if (datum.metric === 'oWaiting' && mediaType === 'voice') {
        state.waiting += countAt(datum.stats, path);
      } else if (datum.metric === 'oInteracting' && mediaType === 'voice') {
        state.interacting += countAt(datum.stats, path);
      } else if (datum.metric === 'oLongestInteracting' && mediaType === 'voice') {
        const ms = datum.stats?.calculatedMetricValue;
        if (typeof ms === 'number' && ms > 0 && ms <= LONGEST_CALL_MS) state.longestInteractingMs = Math.max(state.longestInteractingMs ?? 0, ms);
      } else if (datum.metric === 'oOnQueueUsers' && mediaType === undefined) {
        const count = countAt(datum.stats, path);
        state.onQueueAgents += count;
        if (datum.qualifier === 'IDLE') state.idleAgents += count;
      }
    });
  });
  return out;
}

/** A view name Genesys accepts (distinct from metric names, no dots) for a threshold in ms. */
export function answeredWithinViewName(thresholdMs: number): string {
  return `tAnsweredWithin${String(thresholdMs).replace(/[^0-9]/g, '_')}ms`;
}

/** The interval string Genesys expects: ISO-8601 start/end. */
export function intervalString(interval: TimeInterval): string {
  return `${interval.start.toISOString()}/${interval.end.toISOString()}`;
}

/**
 * The body of POST /api/v2/analytics/conversations/aggregates/query for the queues' window stats.
 * No granularity: Genesys then returns one bucket for the whole interval. One rangeBound view on
 * tAnswered per distinct threshold counts the calls answered within it.
 *
 * @param queues - at most 100 distinct queues with their service-level thresholds in ms
 */
export function queueAggregatesQuery(queues: ReadonlyArray<{ queueId: string; thresholdMs: number }>, interval: TimeInterval) {
  const thresholds = [...new Set(queues.map((q) => q.thresholdMs))].sort((a, b) => a - b);
  return {
    interval: intervalString(interval),
    groupBy: ['queueId'],
    filter: {
      type: 'and' as const,
      predicates: [matches('mediaType', 'voice')],
      clauses: [{ type: 'or' as const, predicates: queues.map((q) => matches('queueId', q.queueId)) }],
    },
    metrics: [...QUEUE_AGGREGATE_METRICS],
    views: thresholds.map((ms) => ({
      target: 'tAnswered',
      name: answeredWithinViewName(ms),
      function: 'rangeBound',
      range: { lt: ms },
    })),
  };
}

/**
 * Reads a conversation aggregates answer for queues. Buckets are summed; a metric or view absent
 * from a bucket counts 0, and a queue with no group at all gets all zeros (nothing was offered).
 *
 * @throws ResponseShapeError naming the field at fault
 */
export function mapQueueAggregates(
  body: unknown,
  queues: ReadonlyArray<{ queueId: string; thresholdMs: number }>,
): Map<string, QueueWindowStats> {
  const parsed = parseBody(conversationAggregateResponseSchema, body);
  const out = new Map<string, QueueWindowStats>();
  const viewOf = new Map<string, string>();
  for (const q of queues) {
    if (out.has(q.queueId)) continue;
    out.set(q.queueId, { queueId: q.queueId, offered: 0, answered: 0, answeredWithinThreshold: 0, abandoned: 0, handled: 0, handleMs: 0 });
    viewOf.set(q.queueId, answeredWithinViewName(q.thresholdMs));
  }
  (parsed.results ?? []).forEach((result, i) => {
    const queueId = result.group?.queueId;
    const stats = queueId ? out.get(queueId) : undefined;
    // The filter asks for voice only; a group of another media type is not ours to count.
    if (!stats || (result.group?.mediaType && result.group.mediaType !== 'voice')) return;
    (result.data ?? []).forEach((bucket, j) => {
      (bucket.metrics ?? []).forEach((m, k) => {
        const path = `results[${i}].data[${j}].metrics[${k}]`;
        if (m.metric === 'nOffered') stats.offered += countAt(m.stats, path);
        else if (m.metric === 'tAnswered') stats.answered += countAt(m.stats, path);
        else if (m.metric === 'tAbandon') stats.abandoned += countAt(m.stats, path);
        else if (m.metric === 'tHandle') {
          stats.handled += countAt(m.stats, path);
          stats.handleMs += sumAt(m.stats, path);
        }
      });
      (bucket.views ?? []).forEach((v, k) => {
        if (v.name === viewOf.get(stats.queueId)) stats.answeredWithinThreshold += countAt(v.stats, `results[${i}].data[${j}].views[${k}]`);
      });
    });
  });
  return out;
}

/**
 * The body of the aggregates query for campaigns' outbound stats, grouped by outboundCampaignId.
 *
 * @param campaignIds - at most 100 distinct campaign ids
 */
export function campaignAggregatesQuery(campaignIds: readonly string[], interval: TimeInterval, granularity?: 'PT1M') {
  return {
    interval: intervalString(interval),
    ...(granularity ? { granularity } : {}),
    groupBy: ['outboundCampaignId'],
    filter: { type: 'or' as const, predicates: campaignIds.map((id) => matches('outboundCampaignId', id)) },
    metrics: [...CAMPAIGN_AGGREGATE_METRICS],
  };
}

/**
 * Reads a conversation aggregates answer for campaigns. Buckets and groups of one campaign are
 * summed; absent metrics, and campaigns with no group, count 0.
 *
 * @throws ResponseShapeError naming the field at fault
 */
export function mapCampaignAggregates(body: unknown, campaignIds: readonly string[]): Map<string, CampaignWindowStats> {
  const out = new Map<string, CampaignWindowStats>();
  for (const id of campaignIds) out.set(id, { campaignId: id, attempted: 0, connected: 0, abandoned: 0 });
  forEachCampaignBucket(body, out, (stats, counts) => addOutbound(stats, counts));
  return out;
}

/**
 * Reads a conversation aggregates answer of granularity PT1M for campaigns: each campaign's counts
 * minute by minute (only minutes with calls; groups of one campaign summed).
 *
 * @throws ResponseShapeError naming the field at fault
 */
export function mapCampaignMinuteAggregates(body: unknown, campaignIds: readonly string[]): Map<string, CampaignMinuteStats> {
  const out = new Map<string, CampaignMinuteStats>();
  for (const id of campaignIds) out.set(id, { campaignId: id, minutes: new Map() });
  forEachCampaignBucket(body, out, (series, counts, interval, path) => {
    const start = bucketStart(interval, `${path}.interval`);
    const minute = series.minutes.get(start) ?? { attempted: 0, connected: 0, abandoned: 0 };
    series.minutes.set(start, addOutbound(minute, counts));
  });
  return out;
}

type OutboundCounts = Omit<CampaignWindowStats, 'campaignId'>;

function addOutbound<T extends OutboundCounts>(to: T, counts: OutboundCounts): T {
  to.attempted += counts.attempted;
  to.connected += counts.connected;
  to.abandoned += counts.abandoned;
  return to;
}

/** Calls `take` with each bucket's counts, its interval and its path, for each requested campaign's group. */
function forEachCampaignBucket<T>(body: unknown, byId: ReadonlyMap<string, T>, take: (entry: T, counts: OutboundCounts, interval: string | null | undefined, path: string) => void): void {
  const parsed = parseBody(conversationAggregateResponseSchema, body);
  (parsed.results ?? []).forEach((result, i) => {
    const id = result.group?.outboundCampaignId;
    const entry = id ? byId.get(id) : undefined;
    if (entry === undefined) return;
    (result.data ?? []).forEach((bucket, j) => {
      const counts = { attempted: 0, connected: 0, abandoned: 0 };
      (bucket.metrics ?? []).forEach((m, k) => {
        const path = `results[${i}].data[${j}].metrics[${k}]`;
        if (m.metric === 'nOutboundAttempted') counts.attempted += countAt(m.stats, path);
        else if (m.metric === 'nOutboundConnected') counts.connected += countAt(m.stats, path);
        else if (m.metric === 'nOutboundAbandoned') counts.abandoned += countAt(m.stats, path);
      });
      take(entry, counts, bucket.interval, `results[${i}].data[${j}]`);
    });
  });
}

/** The start of a bucket's `"start/end"` interval, epoch ms. */
function bucketStart(interval: string | null | undefined, path: string): number {
  const start = interval ? Date.parse(interval.split('/')[0]!) : Number.NaN;
  if (!Number.isFinite(start)) throw new ResponseShapeError(path, `is ${JSON.stringify(interval)} (expected "start/end" ISO-8601 instants)`);
  return start;
}
