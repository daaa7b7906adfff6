/**
 * The strict windows: every 24-hour (or 60-minute) window ending at any minute of the run, the
 * time with no record before it silent; the 30-day rule on each period; AMD false positives under the UK rule.
 */
import { describe, expect, it } from 'vitest';
import { DAY_MINUTES, PERIOD_MINUTES, ukRuleCounts, worstPeriodRate, worstWindowRate, type MinuteCounts } from '../../sim/run/windows.js';

const DAY1 = 29_000_000; // an epoch minute (a May 2025 morning): only differences matter

describe('worstWindowRate', () => {
  it('judges a window that ends after a silent night on the morning alone, not on the whole run', () => {
    // Prepare: a morning with its abandons late (24 of 600 live calls: 4%), then a clean afternoon.
    const counts: MinuteCounts[] = [];
    for (let m = 0; m < 120; m += 1) counts.push({ minute: DAY1 + m, live: 10, abandons: m === 59 ? 24 : 0 });

    // Act
    const worst = worstWindowRate(counts, DAY_MINUTES);

    // Assess: the whole run is 2%, the window ending at the morning's last minute 4%.
    expect(24 / 1200).toBe(0.02);
    expect(worst).toEqual({ rate: 0.04, abandons: 24, liveCalls: 600, endMinute: DAY1 + 59 });
  });

  it('keeps a high rate on few live calls: strict, with the live calls beside it', () => {
    // Prepare: the first minute abandons 1 of 3 live calls; the day then settles at 1%.
    const counts: MinuteCounts[] = [{ minute: DAY1, live: 3, abandons: 1 }, ...Array.from({ length: 100 }, (_, i) => ({ minute: DAY1 + 1 + i, live: 10, abandons: i % 10 === 0 ? 1 : 0 }))];

    // Act
    const worst = worstWindowRate(counts, DAY_MINUTES);

    // Assess
    expect(worst).toEqual({ rate: 1 / 3, abandons: 1, liveCalls: 3, endMinute: DAY1 });
  });

  it('spans the night: a window ending mid-morning holds the evening before, each day alone under the cap', () => {
    // Prepare: two dialing days 08:00-12:00 with the night silent; each day is 2% (4 of 200),
    // with its abandons in the last minute of day 1 and the first minute of day 2.
    const day2 = DAY1 + DAY_MINUTES;
    const counts: MinuteCounts[] = [
      { minute: DAY1, live: 100, abandons: 0 },
      { minute: DAY1 + 239, live: 100, abandons: 4 },
      { minute: day2, live: 100, abandons: 4 },
      { minute: day2 + 239, live: 100, abandons: 0 },
    ];

    // Act
    const worst = worstWindowRate(counts, DAY_MINUTES);

    // Assess: the window (day 1 08:00, day 2 08:00] holds 8 of 200.
    expect(worst).toEqual({ rate: 0.04, abandons: 8, liveCalls: 200, endMinute: day2 });
  });

  it('judges no window ending after the run: the run ends, the campaign does not', () => {
    // Prepare: a clean morning, a bad last hour; the run ends at the last hour's minute.
    const counts: MinuteCounts[] = [
      { minute: DAY1, live: 1000, abandons: 0 },
      { minute: DAY1 + 600, live: 100, abandons: 5 },
    ];

    // Act
    const worst = worstWindowRate(counts, DAY_MINUTES);
    const runGoesOn = worstWindowRate(counts, DAY_MINUTES, DAY1 + 2 * DAY_MINUTES);

    // Assess: within the run every window holds the morning (5 of 1,100); counted as silence, the
    // time after the run would leave the last hour alone in a window ending a day after the morning.
    expect(worst).toEqual({ rate: 5 / 1100, abandons: 5, liveCalls: 1100, endMinute: DAY1 + 600 });
    expect(runGoesOn).toEqual({ rate: 0.05, abandons: 5, liveCalls: 100, endMinute: DAY1 + DAY_MINUTES });
  });

  it('gives the worst 60 minutes on the same rule, and null with no live call', () => {
    // Prepare
    const counts: MinuteCounts[] = [
      { minute: DAY1, live: 100, abandons: 1 },
      { minute: DAY1 + 30, live: 100, abandons: 9 },
      { minute: DAY1 + 90, live: 100, abandons: 0 },
    ];

    // Act / Assess
    expect(worstWindowRate(counts, 60)).toEqual({ rate: 0.09, abandons: 9, liveCalls: 100, endMinute: DAY1 + 60 });
    expect(worstWindowRate([{ minute: DAY1, live: 0, abandons: 0 }], 60)).toBeNull();
  });
});

describe('worstPeriodRate', () => {
  it('judges each 30-day period from the anchor on its own', () => {
    // Prepare: the first period 1%, the second 3.5%.
    const counts: MinuteCounts[] = [
      { minute: DAY1, live: 1000, abandons: 10 },
      { minute: DAY1 + PERIOD_MINUTES + 5, live: 200, abandons: 7 },
    ];

    // Act
    const worst = worstPeriodRate(counts, PERIOD_MINUTES, DAY1);

    // Assess
    expect(worst).toEqual({ rate: 0.035, abandons: 7, liveCalls: 200, endMinute: DAY1 + 2 * PERIOD_MINUTES - 1 });
  });
});

describe('ukRuleCounts', () => {
  it('counts a live person hung up on by AMD as an abandoned live call', () => {
    // Act / Assess
    expect(ukRuleCounts({ liveAnswers: 97, complianceAbandons: 2, amdFalsePositives: 3 })).toEqual({ live: 100, abandons: 5 });
  });
});
