/**
 * Abandon rates over the windows the rules judge, from per-minute counts.
 *
 * Strict reading: the UK's 24-hour rule holds for every 24-hour window, whatever minute of the run
 * it ends at; minutes with no record (nights, the time before the run) are silent, so a window
 * ending at noon after a silent night holds only the morning. A window ending after the run is not
 * judged: the run's end is where the simulation stops, not the campaign, whose next day's calls
 * would join that window (counted as silence, the run's last few calls would make a window of
 * their own that no campaign that dials again ever has). The US 30-day rule is judged on each
 * 30-day period.
 */
import type { CampaignMinute } from '../model/time-series.js';

/** Abandons and live calls of one minute, keyed by the minute's start in epoch minutes. */
export interface MinuteCounts {
  minute: number;
  abandons: number;
  live: number;
}

/** The rate of one window and what it was measured on. */
export interface WindowRate {
  rate: number;
  abandons: number;
  liveCalls: number;
  /** The window's last minute (epoch minutes): the window holds minutes (end - width, end]. */
  endMinute: number;
}

export const MINUTE_MS = 60_000;
export const DAY_MINUTES = 24 * 60;
export const HOUR_MINUTES = 60;
export const PERIOD_MINUTES = 30 * DAY_MINUTES;

/** The epoch minute of an ISO instant (a MinuteSample's `start`). */
export const epochMinute = (iso: string): number => Math.floor(Date.parse(iso) / MINUTE_MS);

/**
 * A minute's counts under the UK rule: a live person hung up on by the answering-machine detector
 * (an AMD false positive) is an abandoned live call. Genesys counts neither.
 */
export function ukRuleCounts(m: Pick<CampaignMinute, 'complianceAbandons' | 'liveAnswers' | 'amdFalsePositives'>): { abandons: number; live: number } {
  return { abandons: m.complianceAbandons + m.amdFalsePositives, live: m.liveAnswers + m.amdFalsePositives };
}

/** A minute's counts as Genesys reports them (nOutboundAbandoned over nOutboundConnected). */
export function genesysCounts(m: Pick<CampaignMinute, 'complianceAbandons' | 'liveAnswers'>): { abandons: number; live: number } {
  return { abandons: m.complianceAbandons, live: m.liveAnswers };
}

/**
 * The highest abandon rate over every window of `widthMinutes` ending at any minute up to
 * `lastMinute` (the run's last minute), counts outside the record being zero. Null when no window
 * has a live call. Ties go to the earliest.
 *
 * The rate only changes where a minute with calls enters the window (its own minute) or leaves it
 * (width minutes later), so those are the only ends evaluated.
 *
 * @param lastMinute - the run's last minute (epoch minutes); by default the record's last
 */
export function worstWindowRate(counts: readonly MinuteCounts[], widthMinutes: number, lastMinute = counts.reduce((last, c) => Math.max(last, c.minute), Number.NEGATIVE_INFINITY)): WindowRate | null {
  const calls = counts.filter((c) => c.live > 0 || c.abandons > 0).sort((a, b) => a.minute - b.minute);
  const ends = [...new Set(calls.flatMap((c) => [c.minute, c.minute + widthMinutes]))].filter((end) => end <= lastMinute).sort((a, b) => a - b);
  let worst: WindowRate | null = null;
  let first = 0;
  let next = 0;
  let abandons = 0;
  let live = 0;
  for (const end of ends) {
    for (; next < calls.length && calls[next]!.minute <= end; next += 1) {
      abandons += calls[next]!.abandons;
      live += calls[next]!.live;
    }
    for (; first < next && calls[first]!.minute <= end - widthMinutes; first += 1) {
      abandons -= calls[first]!.abandons;
      live -= calls[first]!.live;
    }
    if (live > 0 && (worst === null || abandons / live > worst.rate)) worst = { rate: abandons / live, abandons, liveCalls: live, endMinute: end };
  }
  return worst;
}

/**
 * The highest abandon rate over successive periods of `periodMinutes` counted from `anchorMinute`
 * (the US rule's 30-day periods). Null when no period has a live call.
 */
export function worstPeriodRate(counts: readonly MinuteCounts[], periodMinutes: number, anchorMinute: number): WindowRate | null {
  const periods = new Map<number, { abandons: number; live: number }>();
  for (const c of counts) {
    const p = Math.floor((c.minute - anchorMinute) / periodMinutes);
    const sum = periods.get(p) ?? { abandons: 0, live: 0 };
    periods.set(p, { abandons: sum.abandons + c.abandons, live: sum.live + c.live });
  }
  let worst: WindowRate | null = null;
  for (const [p, { abandons, live }] of [...periods].sort((a, b) => a[0] - b[0])) {
    if (live > 0 && (worst === null || abandons / live > worst.rate)) {
      worst = { rate: abandons / live, abandons, liveCalls: live, endMinute: anchorMinute + (p + 1) * periodMinutes - 1 };
    }
  }
  return worst;
}
