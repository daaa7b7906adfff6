/**
 * The abandon budget of one campaign over its regulatory window, as pure functions.
 *
 * Counts live in buckets: one bucket per period for the US rule (each successive 30-day period of
 * the campaign), one per hour for rolling windows (the UK's "any 24 hours"). Each tick adds the
 * facts of [countedUntil, end) from the aggregates query, so intervals never overlap and a fact is
 * counted once; the counts are saved with the tick's conditional write, so a duplicate tick that
 * loses the write counts nothing.
 */
import type { ComplianceConfig, ComplianceWindow } from '../config/config.js';
import type { TimeInterval } from '../ports.js';

/** Abandoned and live-answered calls (the regulatory numerator and denominator). */
export interface AbandonCounts {
  abandoned: number;
  live: number;
}

/** Counts of the facts in [start, start + bucket width). */
export interface Bucket extends AbandonCounts {
  start: number;
}

/** What a campaign's state keeps of its window. */
export interface ComplianceCounts {
  /** Start of the first period (periods windows); epoch ms. */
  anchor: number;
  /** Every fact before this instant is in `buckets`; epoch ms. */
  countedUntil: number;
  buckets: Bucket[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** Width of a bucket: the period itself, or one hour for a rolling window. */
export function bucketWidthMs(window: ComplianceWindow): number {
  return window.type === 'periods' ? window.days * DAY_MS : HOUR_MS;
}

/** Start of the bucket that holds instant t. */
export function bucketStart(window: ComplianceWindow, anchor: number, t: number): number {
  const width = bucketWidthMs(window);
  const origin = window.type === 'periods' ? anchor : 0;
  return origin + Math.floor((t - origin) / width) * width;
}

/** Where the window that ends at `now` begins: the current period's start, or now minus the rolling length. */
export function windowStart(window: ComplianceWindow, anchor: number, now: number): number {
  return window.type === 'periods' ? bucketStart(window, anchor, now) : now - window.hours * HOUR_MS;
}

/**
 * The counts of a campaign seen for the first time. A periods window starts at its configured
 * anchor (the campaign start), or at this tick when none is set; a rolling window starts a full
 * window back, so the first ticks count the history still inside it.
 *
 * @param now - the tick time, epoch ms
 */
export function startCounts(window: ComplianceWindow, now: number): ComplianceCounts {
  const anchor = window.type === 'periods' ? (window.anchor ?? floorToMinute(now)) : floorToMinute(now);
  return { anchor, countedUntil: Math.min(now, floorToMinute(windowStart(window, anchor, now))), buckets: [] };
}

/**
 * The intervals to count at this tick: from where counting stopped (or the window start, when
 * that is later: older facts no longer matter) to `end`, split at bucket boundaries so each lands
 * in one bucket. At most `max` intervals: a long catch-up continues at the next tick.
 *
 * @param end - the latest instant whose facts are settled (tick time minus the settle delay)
 */
export function intervalsToCount(window: ComplianceWindow, counts: ComplianceCounts, end: number, max: number): TimeInterval[] {
  const intervals: TimeInterval[] = [];
  let from = Math.max(counts.countedUntil, floorToMinute(windowStart(window, counts.anchor, end)));
  while (from < end && intervals.length < max) {
    const to = Math.min(end, bucketStart(window, counts.anchor, from) + bucketWidthMs(window));
    intervals.push({ start: new Date(from), end: new Date(to) });
    from = to;
  }
  return intervals;
}

/**
 * Adds the facts of one counted interval and forgets buckets that have left the window.
 *
 * @throws RangeError when the interval starts before counting stopped (an overlap would count
 *   facts twice; intervals come from {@link intervalsToCount}, which skips only history older
 *   than the window)
 */
export function addCounts(window: ComplianceWindow, counts: ComplianceCounts, interval: TimeInterval, facts: AbandonCounts): ComplianceCounts {
  const start = interval.start.getTime();
  const end = interval.end.getTime();
  if (start < counts.countedUntil || end <= start) {
    throw new RangeError(`counting interval ${new Date(start).toISOString()}/${new Date(end).toISOString()} overlaps what was counted up to ${new Date(counts.countedUntil).toISOString()}`);
  }
  if (!(facts.abandoned >= 0 && facts.live >= 0)) throw new RangeError('abandoned and live counts must be 0 or more');
  const at = bucketStart(window, counts.anchor, start);
  const buckets = counts.buckets.map((b) => ({ ...b }));
  const bucket = buckets.find((b) => b.start === at);
  if (bucket) {
    bucket.abandoned += facts.abandoned;
    bucket.live += facts.live;
  } else {
    buckets.push({ start: at, abandoned: facts.abandoned, live: facts.live });
    buckets.sort((a, b) => a.start - b.start);
  }
  const keepFrom = windowStart(window, counts.anchor, end);
  const width = bucketWidthMs(window);
  return { anchor: counts.anchor, countedUntil: end, buckets: buckets.filter((b) => b.start + width > keepFrom) };
}

/**
 * Totals of the window that ends at `now`: every bucket overlapping it. A rolling window is
 * therefore read at one-hour resolution (it spans between N and N + 1 hours).
 */
export function windowTotals(window: ComplianceWindow, counts: ComplianceCounts, now: number): AbandonCounts {
  return bucketsOverlapping(window, counts, windowStart(window, counts.anchor, now), now).reduce(addUp, { abandoned: 0, live: 0 });
}

/** The buckets that overlap [from, until], oldest first. */
function bucketsOverlapping(window: ComplianceWindow, counts: ComplianceCounts, from: number, until: number): Bucket[] {
  const width = bucketWidthMs(window);
  return counts.buckets.filter((b) => b.start + width > from && b.start <= until);
}

function addUp(sum: AbandonCounts, more: AbandonCounts): AbandonCounts {
  return { abandoned: sum.abandoned + more.abandoned, live: sum.live + more.live };
}

/** An interval holding more live answers than this many times the window's busiest hour, pro rata, looks like a count that jumped. */
export const JUMP_FACTOR = 4;
/** An interval that looks like a jump is read again at each tick until this long after its end, then taken as read. */
export const JUMP_RECHECK_MINUTES = 60;

/**
 * True when an interval's count is too large to enter a rolling window's books yet: more than
 * JUMP_FACTOR times what the window's busiest hour would give in as long (and more than
 * JUMP_FACTOR x minSample, so a short interval is not judged on a handful of calls), while the
 * window has that history and the interval ended less than JUMP_RECHECK_MINUTES ago.
 *
 * A count that jumps inflates the denominator of the whole window for as long as it stays in it
 * (a day, for the UK rule): the budget then looks plentiful and a bad morning is never paid back.
 * Held back, the interval is read again at the next tick, so a passing fault is replaced by the
 * true count; a real surge (a team that grew) is counted late, never lost. Periods windows are
 * not checked: a month of calls dilutes a few minutes' jump.
 */
export function looksLikeJump(config: ComplianceConfig, counts: ComplianceCounts, interval: TimeInterval, facts: AbandonCounts, now: number): boolean {
  if (config.window.type !== 'rolling' || now - interval.end.getTime() > JUMP_RECHECK_MINUTES * MINUTE_MS) return false;
  const busiestHour = Math.max(0, ...counts.buckets.map((b) => b.live));
  if (busiestHour < config.minSample) return false;
  const minutes = (interval.end.getTime() - interval.start.getTime()) / MINUTE_MS;
  return facts.live > JUMP_FACTOR * Math.max((busiestHour * minutes) / 60, config.minSample);
}

/** Where the window stands against the limit, and what the loop may do next. */
export interface BudgetView {
  window: AbandonCounts;
  /** abandoned / live over the window; undefined before the first live answer. */
  windowRate: number | undefined;
  /** Abandons the window can still take before its rate passes the limit (negative when over). */
  remainingAbandons: number;
  /** remainingAbandons / (limit x live): 1 untouched, 0 at the cap; undefined before the first live answer. */
  remainingShare: number | undefined;
  /** The highest abandon rate the coming horizon may run at. */
  allowedRate: number;
}

/**
 * The budget and the abandon rate allowed over the coming horizon.
 *
 * The allowed rate is what would bring the window to `aim` at the horizon's end:
 * (aim x (live + H) - abandoned) / H, with H the live answers expected over the horizon. So it is
 * above `aim` while the window runs below it (spending saved budget, up to limit - closeMargin),
 * falls to `aim` as the budget runs down to it, and below `aim` once the window is over it
 * (paying back), never below 0. Every figure is in the rule's units (fractions of live answers).
 *
 * @param expectedLive - live answers expected over the horizon (from the recent live-answer rate)
 */
export function budgetView(config: ComplianceConfig, window: AbandonCounts, expectedLive: number): BudgetView {
  const { limit, aim, closeMargin, minSample } = config;
  const horizon = Math.max(expectedLive, minSample);
  const allowed = (aim * (window.live + horizon) - window.abandoned) / horizon;
  const remaining = limit * window.live - window.abandoned;
  return {
    window,
    windowRate: window.live > 0 ? window.abandoned / window.live : undefined,
    remainingAbandons: remaining,
    remainingShare: window.live > 0 ? remaining / (limit * window.live) : undefined,
    allowedRate: Math.min(limit - closeMargin, Math.max(0, allowed)),
  };
}

/**
 * The abandon rate a rolling window's coming horizon may run at: the lowest that any later window
 * allows. A window that ends after the horizon holds the horizon's calls and a suffix of the
 * counts (the oldest hours leave first); if dialing stops at the horizon's end (the day's session
 * closes, a silent night follows), one of those windows holds only the latest hours. So the
 * latest hours must keep to `aim` on their own, whatever budget earlier hours saved: a good
 * yesterday never pays for a bad morning today. Never above `aim`, for the same reason.
 *
 * @param expectedLive - live answers expected over the horizon
 */
export function rollingAllowedRate(config: ComplianceConfig, counts: ComplianceCounts, now: number, expectedLive: number): number {
  const horizonEnd = now + config.horizonMinutes * MINUTE_MS;
  let suffix: AbandonCounts = { abandoned: 0, live: 0 };
  let allowed = config.aim;
  for (const b of bucketsOverlapping(config.window, counts, windowStart(config.window, counts.anchor, horizonEnd), now).reverse()) {
    suffix = addUp(suffix, b);
    allowed = Math.min(allowed, budgetView(config, suffix, expectedLive).allowedRate);
  }
  return allowed;
}

/**
 * P(X >= k) for X ~ Binomial(n, p): how likely `k` or more abandons in `n` live answers would be
 * if the true rate were p.
 */
export function binomialTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  // 1 - P(X < k), summing the k terms below k (k is small in practice) with a running product.
  let term = (1 - p) ** n;
  let below = 0;
  for (let i = 0; i < k; i += 1) {
    below += term;
    term *= ((n - i) / (i + 1)) * (p / (1 - p));
  }
  return Math.max(0, 1 - below);
}

/**
 * True when the short window shows a spike: on at least `minSample` live answers, so many
 * abandons that a rate at the limit would produce them with probability below `significance`.
 * A plain rate threshold would trip on the noise of small counts (3 abandons in 40 calls happen
 * one time in eight at 3%); the test trips on what the limit cannot explain.
 */
export function guardTripped(config: ComplianceConfig, recent: AbandonCounts | undefined): boolean {
  if (!recent || recent.live < config.guard.minSample) return false;
  return binomialTail(recent.live, recent.abandoned, config.limit) < config.guard.significance;
}

/** The latest instant whose facts are settled at a tick: tick time minus the settle delay, to the minute. */
export function countingEnd(config: ComplianceConfig, tickTime: number): number {
  return floorToMinute(tickTime - config.settleSeconds * 1000);
}

function floorToMinute(t: number): number {
  return Math.floor(t / MINUTE_MS) * MINUTE_MS;
}
