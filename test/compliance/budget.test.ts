import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addCounts,
  binomialTail,
  budgetView,
  guardTripped,
  intervalsToCount,
  rollingAllowedRate,
  startCounts,
  windowTotals,
  type ComplianceCounts,
} from '../../lambda/compliance/budget.js';
import { assessCompliance } from '../../lambda/compliance/assess.js';
import type { ComplianceConfig, ComplianceWindow } from '../../lambda/config/config.js';
import type { ComplianceInput } from '../../lambda/config/schema.js';
import { campaignWith } from '../support/config.js';

const T0 = Date.parse('2026-05-01T00:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const US: ComplianceWindow = { type: 'periods', days: 30, anchor: T0 };
const UK: ComplianceWindow = { type: 'rolling', hours: 24 };

const config = (overrides: ComplianceInput = {}): ComplianceConfig => campaignWith({ compliance: overrides }).compliance;

/** Counts `facts` in one interval [from, to) through the same path a tick takes. */
function count(window: ComplianceWindow, counts: ComplianceCounts, to: number, abandoned: number, live: number): ComplianceCounts {
  const intervals = intervalsToCount(window, counts, to, 100);
  // Spread the facts over the intervals: all in the last one is enough for these tests.
  return intervals.reduce((c, interval, i) => addCounts(window, c, interval, i === intervals.length - 1 ? { abandoned, live } : { abandoned: 0, live: 0 }), counts);
}

describe('budget arithmetic', () => {
  it('counts remaining abandons and the share of the budget left', () => {
    // Prepare: 1000 live answers, 12 abandons against a 3% cap (30 allowed)
    const view = budgetView(config(), { abandoned: 12, live: 1000 }, 200);
    // Assess
    expect(view.windowRate).toBeCloseTo(0.012);
    expect(view.remainingAbandons).toBeCloseTo(18);
    expect(view.remainingShare).toBeCloseTo(0.6);
  });

  it('lets the loop run closer to the cap, never above limit - closeMargin, while the budget is plentiful', () => {
    const view = budgetView(config({ limit: 0.03, aim: 0.025, closeMargin: 0.002 }), { abandoned: 0, live: 1000 }, 200);
    expect(view.allowedRate).toBeCloseTo(0.028);
  });

  it('is the aim exactly when the window runs at the aim, and below it once over', () => {
    const cfg = config({ limit: 0.03, aim: 0.025, closeMargin: 0.002 });
    expect(budgetView(cfg, { abandoned: 25, live: 1000 }, 200).allowedRate).toBeCloseTo(0.025);
    // 28 abandons: 3 over the aim, paid back over the 200 live answers of the horizon
    expect(budgetView(cfg, { abandoned: 28, live: 1000 }, 200).allowedRate).toBeCloseTo(0.025 - 3 / 200);
    // Far over: nothing allowed until the window recovers
    expect(budgetView(cfg, { abandoned: 80, live: 1000 }, 200).allowedRate).toBe(0);
  });

  it('reports no rate before the first live answer, and spreads the budget over at least minSample live answers', () => {
    const cfg = config({ aim: 0.025, minSample: 20 });
    const view = budgetView(cfg, { abandoned: 0, live: 0 }, 0);
    expect(view.windowRate).toBeUndefined();
    expect(view.remainingShare).toBeUndefined();
    expect(view.allowedRate).toBeCloseTo(0.025);
  });

  it('never allows more when abandons rise (less aggressive as the budget runs low)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 5000 }), fc.nat({ max: 200 }), fc.nat({ max: 50 }), fc.nat({ max: 2000 }), (live, abandoned, more, horizon) => {
        const cfg = config();
        const before = budgetView(cfg, { abandoned, live }, horizon).allowedRate;
        const after = budgetView(cfg, { abandoned: abandoned + more, live }, horizon).allowedRate;
        expect(after).toBeLessThanOrEqual(before + 1e-12);
        expect(after).toBeGreaterThanOrEqual(0);
        expect(after).toBeLessThanOrEqual(cfg.limit - cfg.closeMargin + 1e-12);
      }),
    );
  });
});

describe('the window never passes the cap when each horizon keeps to the allowed rate', () => {
  it('holds over random days of traffic (property)', () => {
    const batch = fc.record({ live: fc.integer({ min: 0, max: 400 }), spend: fc.double({ min: 0, max: 1, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(batch, { minLength: 1, maxLength: 60 }), fc.integer({ min: 10, max: 400 }), (batches, expectedLive) => {
        // Prepare: a dialer that realises any share of the allowed rate (rounded down to whole calls)
        const cfg = config();
        let window = { abandoned: 0, live: 0 };
        for (const b of batches) {
          // Act
          const allowed = budgetView(cfg, window, expectedLive).allowedRate;
          const abandoned = Math.floor(allowed * b.spend * b.live);
          window = { abandoned: window.abandoned + abandoned, live: window.live + b.live };
          // Assess
          if (window.live > 0) expect(window.abandoned / window.live).toBeLessThanOrEqual(cfg.limit);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('UK: holds over every 24 hours of random hourly traffic with silent hours (property)', () => {
    // Hours of 20 to 400 live answers, or none (a closed session, a silent night)
    const hour = fc.record({ live: fc.oneof(fc.constant(0), fc.integer({ min: 20, max: 400 })), spend: fc.double({ min: 0, max: 1, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(hour, { minLength: 1, maxLength: 72 }), (hours) => {
        // Prepare: a one-hour horizon whose expected live answers are the hour's own
        const cfg = config({ window: UK, horizonMinutes: 60 });
        let counts = startCounts(UK, T0);
        const books: Array<{ abandoned: number; live: number }> = [];
        for (const [i, h] of hours.entries()) {
          // Act: the dialer realises any share of the allowed rate over the coming hour
          const allowed = rollingAllowedRate(cfg, counts, T0 + i * HOUR, h.live);
          const abandoned = Math.floor(allowed * h.spend * h.live);
          counts = count(UK, counts, T0 + (i + 1) * HOUR, abandoned, h.live);
          books.push({ abandoned, live: h.live });
          // Assess: every 24 hours ending now keeps to the aim, the one holding only the latest hours included
          for (let from = Math.max(0, books.length - 24); from < books.length; from += 1) {
            const w = books.slice(from).reduce((a, b) => ({ abandoned: a.abandoned + b.abandoned, live: a.live + b.live }), { abandoned: 0, live: 0 });
            if (w.live > 0) expect(w.abandoned / w.live).toBeLessThanOrEqual(cfg.aim + 1e-12);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('window roll-over', () => {
  it('US: a new 30-day period starts from zero; the old one is forgotten', () => {
    // Prepare: a period with 3 abandons in 100 live answers
    let counts = startCounts(US, T0 + HOUR);
    counts = count(US, counts, T0 + 10 * DAY, 3, 100);
    expect(windowTotals(US, counts, T0 + 10 * DAY)).toEqual({ abandoned: 3, live: 100 });
    // Act: counting crosses into the second period
    counts = count(US, counts, T0 + 31 * DAY, 1, 50);
    // Assess: the second period holds only what was counted in it
    expect(windowTotals(US, counts, T0 + 31 * DAY)).toEqual({ abandoned: 1, live: 50 });
    expect(counts.buckets).toHaveLength(1);
  });

  it('US: once a period is over, what was not yet counted of it no longer matters and is skipped', () => {
    const counts = { anchor: T0, countedUntil: T0 + 30 * DAY - 5 * MIN, buckets: [] };
    expect(intervalsToCount(US, counts, T0 + 30 * DAY + HOUR, 10).map((i) => [i.start.getTime(), i.end.getTime()])).toEqual([[T0 + 30 * DAY, T0 + 30 * DAY + HOUR]]);
  });

  it('UK: splits counting at hour boundaries so each fact lands in its own hour', () => {
    const counts = { anchor: T0, countedUntil: T0 + 30 * MIN, buckets: [] };
    expect(intervalsToCount(UK, counts, T0 + 2 * HOUR, 10).map((i) => [i.start.getTime(), i.end.getTime()])).toEqual([
      [T0 + 30 * MIN, T0 + HOUR],
      [T0 + HOUR, T0 + 2 * HOUR],
    ]);
  });

  it('UK: any 24 hours; hours older than the window drop out', () => {
    // Prepare: counting starts a window back, so the first ticks backfill the last 24 hours
    let counts = startCounts(UK, T0 + 24 * HOUR);
    expect(counts.countedUntil).toBe(T0);
    counts = count(UK, counts, T0 + 2 * HOUR, 5, 100);
    counts = count(UK, counts, T0 + 20 * HOUR, 1, 100);
    expect(windowTotals(UK, counts, T0 + 20 * HOUR)).toEqual({ abandoned: 6, live: 200 });
    // Act: 27 hours on, the first hours have left the window
    counts = count(UK, counts, T0 + 27 * HOUR, 0, 10);
    // Assess
    expect(windowTotals(UK, counts, T0 + 27 * HOUR)).toEqual({ abandoned: 1, live: 110 });
    expect(counts.buckets.every((b) => b.start + HOUR > T0 + 3 * HOUR)).toBe(true);
  });

  it('UK: does not spend budget saved in hours that leave the window before the horizon ends', () => {
    // Prepare: a clean first hour (0 abandons in 600), then an hour at 3%, 23 hours on
    const cfg = config({ window: UK, aim: 0.025, closeMargin: 0.002, horizonMinutes: 60 });
    let counts = startCounts(UK, T0 + 24 * HOUR);
    counts = count(UK, counts, T0 + HOUR, 0, 600);
    counts = count(UK, counts, T0 + 24 * HOUR, 6, 200);
    const plan = { counts, intervals: [] };
    const lastHalfHour = { abandoned: 3, live: 100 };

    // Act: at 24 h the window still holds the clean hour; by the horizon's end it has left
    const now = assessCompliance(cfg, plan, [], lastHalfHour, undefined, T0 + 24 * HOUR);

    // Assess: the window reads well (6 in 800), but the allowed rate pays back today's 3%
    expect(now.windowRate).toBeCloseTo(6 / 800);
    expect(now.allowedRate).toBeLessThan(0.025);
    expect(budgetView(cfg, now.window, 200).allowedRate).toBeCloseTo(0.028, 9);
  });

  it('UK: a clean yesterday never pays for a bad morning today: tonight\'s window holds only today', () => {
    // Prepare: yesterday's 4-hour session, 150 live answers an hour and 1 abandon; today's session
    // opened 24 hours later and abandoned 5 of its first 40 calls
    const cfg = config({ window: UK, aim: 0.025, closeMargin: 0.002, horizonMinutes: 60 });
    let counts = startCounts(UK, T0);
    for (let h = 1; h <= 4; h += 1) counts = count(UK, counts, T0 + h * HOUR, 1, 150);
    counts = count(UK, counts, T0 + 24 * HOUR + 30 * MIN, 5, 40);
    const lastHalfHour = { abandoned: 5, live: 40 };

    // Act
    const morning = assessCompliance(cfg, { counts, intervals: [] }, [], lastHalfHour, undefined, T0 + 24 * HOUR + 30 * MIN);

    // Assess: the window that ends with the horizon still holds 3 of yesterday's hours and reads
    // well (8 in 490), but if the session closed then, tonight's window would hold today's calls
    // only: 5 in 40, over the aim even with the next hour's 80 calls abandoning none
    const horizonWindow = windowTotals(UK, counts, T0 + 25 * HOUR + 30 * MIN);
    expect(horizonWindow).toEqual({ abandoned: 8, live: 490 });
    expect(budgetView(cfg, horizonWindow, 80).allowedRate).toBeCloseTo(0.028, 9);
    expect(morning.allowedRate).toBe(0);
  });

  it('UK: never runs above the aim, however clean the window (a later window holds none of it)', () => {
    // Prepare: 23 clean hours
    const cfg = config({ window: UK, aim: 0.025, closeMargin: 0.002, horizonMinutes: 60 });
    const counts = count(UK, startCounts(UK, T0 + 24 * HOUR), T0 + 23 * HOUR, 0, 2000);

    // Act
    const clean = assessCompliance(cfg, { counts, intervals: [] }, [], { abandoned: 0, live: 100 }, undefined, T0 + 24 * HOUR);

    // Assess
    expect(clean.allowedRate).toBe(0.025);
  });

  it('counts each interval once: a second add of the same interval is refused', () => {
    let counts: ComplianceCounts = { anchor: T0, countedUntil: T0, buckets: [] };
    const [first] = intervalsToCount(UK, counts, T0 + MIN, 10);
    counts = addCounts(UK, counts, first!, { abandoned: 1, live: 10 });
    expect(() => addCounts(UK, counts, first!, { abandoned: 1, live: 10 })).toThrow(RangeError);
    expect(intervalsToCount(UK, counts, T0 + MIN, 10)).toEqual([]);
  });

  it('catches up a long gap over several ticks, never more intervals than asked', () => {
    const counts = { anchor: T0, countedUntil: T0, buckets: [] };
    const first = intervalsToCount(UK, counts, T0 + 10 * HOUR, 4);
    expect(first).toHaveLength(4);
    expect(first.at(-1)!.end.getTime()).toBe(T0 + 4 * HOUR);
  });
});

describe('a count that jumps', () => {
  // Counts as Genesys gives them: no AMD false-positive estimate on top (amd.test.ts).
  const cfg = config({ window: UK, amdFalsePositiveRate: 0 });
  /** A UK window whose busiest hour had 170 live answers, counted up to `until`. */
  const history = (until: number) => count(UK, startCounts(UK, until), until, 4, 170);
  const quarter = (from: number) => ({ start: new Date(from), end: new Date(from + 15 * MIN) });

  it('is held back, not counted, and read again next tick; an ordinary count goes in', () => {
    // Prepare: an hour of history, then 15 minutes whose count jumped twentyfold
    const counts = history(T0 + HOUR);
    const interval = quarter(T0 + HOUR);
    const plan = { counts, intervals: [interval] };
    // Act
    const jumped = assessCompliance(cfg, plan, [{ abandoned: 20, live: 800 }], undefined, undefined, T0 + HOUR + 16 * MIN);
    const ordinary = assessCompliance(cfg, plan, [{ abandoned: 1, live: 45 }], undefined, undefined, T0 + HOUR + 16 * MIN);
    // Assess: the jump left the books as they were, and the next tick asks for the interval again
    expect(jumped.heldBack).toEqual({ interval, live: 800 });
    expect(jumped.counts).toEqual(counts);
    expect(jumped.window).toEqual({ abandoned: 4, live: 170 });
    expect(intervalsToCount(UK, jumped.counts, T0 + HOUR + 30 * MIN, 10)[0]!.start.getTime()).toBe(T0 + HOUR);
    expect(ordinary.heldBack).toBeUndefined();
    expect(ordinary.window).toEqual({ abandoned: 5, live: 215 });
  });

  it('is taken as read once it is an hour old: a real surge is counted late, never lost', () => {
    const counts = history(T0 + HOUR);
    const late = assessCompliance(cfg, { counts, intervals: [quarter(T0 + HOUR)] }, [{ abandoned: 20, live: 800 }], undefined, undefined, T0 + 2 * HOUR + 16 * MIN);
    expect(late.heldBack).toBeUndefined();
    expect(late.window).toEqual({ abandoned: 24, live: 970 });
  });

  it('is not judged without history, nor in a periods window (a month dilutes a few minutes)', () => {
    const fresh = startCounts(UK, T0 + HOUR);
    const first = assessCompliance(cfg, { counts: fresh, intervals: [quarter(T0 + HOUR - 15 * MIN)] }, [{ abandoned: 20, live: 800 }], undefined, undefined, T0 + HOUR);
    expect(first.heldBack).toBeUndefined();
    const us = config({ window: { type: 'periods', days: 30 } });
    const usCounts = count(US, startCounts(US, T0 + HOUR), T0 + HOUR, 4, 170);
    const month = assessCompliance(us, { counts: usCounts, intervals: [quarter(T0 + HOUR)] }, [{ abandoned: 20, live: 800 }], undefined, undefined, T0 + HOUR + 16 * MIN);
    expect(month.heldBack).toBeUndefined();
  });
});

describe('short-window guard', () => {
  it('trips on more abandons than a rate at the limit explains, not on the noise of small counts', () => {
    const cfg = config({ limit: 0.03, guard: { minSample: 10, significance: 0.01 } });
    // 3 in 40 happens about one window in eight at 3%: noise
    expect(guardTripped(cfg, { abandoned: 3, live: 40 })).toBe(false);
    // 6 in 40 happens well under once in a hundred at 3%: a spike
    expect(guardTripped(cfg, { abandoned: 6, live: 40 })).toBe(true);
    // Too few live answers to judge, or no data
    expect(guardTripped(cfg, { abandoned: 3, live: 5 })).toBe(false);
    expect(guardTripped(cfg, undefined)).toBe(false);
  });

  it('computes the binomial tail exactly', () => {
    expect(binomialTail(10, 0, 0.3)).toBe(1);
    expect(binomialTail(10, 11, 0.3)).toBe(0);
    expect(binomialTail(3, 2, 0.5)).toBeCloseTo(0.5);
    expect(binomialTail(40, 3, 0.03)).toBeCloseTo(1 - 0.97 ** 40 - 40 * 0.03 * 0.97 ** 39 - 780 * 0.03 ** 2 * 0.97 ** 38, 10);
  });
});
