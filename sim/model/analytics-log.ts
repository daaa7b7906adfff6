/**
 * The facts Genesys analytics would count, logged at the virtual instant each happens, in time order.
 * The emulator's aggregates query reads this log; nothing here knows about HTTP.
 */

/** Metrics the log records; each fact carries one. `t*` facts carry a duration in ms, `n*` facts count 1. */
export const LOGGED_METRICS = [
  'nOffered',
  'tAnswered',
  'tAbandon',
  'tShortAbandon',
  'nOverSla',
  'tWait',
  'tTalk',
  'tAcw',
  'tHandle',
  'nOutboundAttempted',
  'nOutboundConnected',
  'nOutboundAbandoned',
] as const;
export type LoggedMetric = (typeof LOGGED_METRICS)[number];

export type Direction = 'inbound' | 'outbound';

/** One countable event. */
export interface AnalyticsFact {
  /** Virtual ms when it happened. */
  readonly t: number;
  readonly metric: LoggedMetric;
  /** ms for timer metrics, 1 for counts. */
  readonly value: number;
  readonly queueId: string;
  readonly outboundCampaignId: string | undefined;
  readonly direction: Direction;
  /** Every call in the twin is voice. */
  readonly mediaType: 'voice';
}

/** Append-only, time-ordered fact log. */
export class AnalyticsLog {
  readonly facts: AnalyticsFact[] = [];

  /** Appends a fact; callers record in virtual-time order, which keeps the log sorted. */
  record(t: number, metric: LoggedMetric, value: number, queueId: string, outboundCampaignId: string | undefined, direction: Direction): void {
    this.facts.push({ t, metric, value, queueId, outboundCampaignId, direction, mediaType: 'voice' });
  }

  /** Index of the first fact at or after virtual time t (binary search: facts are time-ordered). */
  firstIndexAtOrAfter(t: number): number {
    let lo = 0;
    let hi = this.facts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.facts[mid]!.t < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
