/** The benchmark's baselines are faithful ports: these pin what they do, oddities included. */
import { describe, expect, it } from 'vitest';
import { AdaptLaw, toKnobValue, TutorialPid } from '../../bench/baselines.js';

describe('the tutorial PID', () => {
  it('raises its output when service falls below target (its sign, not ours) and clamps it to [5, 40]', () => {
    // Prepare: two copies lifted off the lower clamp by a cycle at 50% service (error 0.3), then 100
    // at 0% (error 0.8): 0.5 * 0.8 + 0.1 * 80.3 + 0.2 * 0 = 8.43, inside [5, 40], so no clamp acts
    const [below, above] = [new TutorialPid(0.8), new TutorialPid(0.8)];
    const first = below.update(50, 50);
    above.update(50, 50);
    for (let i = 0; i < 100; i += 1) [below, above].forEach((pid) => pid.update(0, 100));

    // Act: the same next cycle but for service: 10% (below the 80% target) or 90% (above it)
    const whenBelow = below.update(10, 90)!;
    const whenAbove = above.update(90, 10)!;

    // Assess: error 0.7 -> 0.35 + 8.10 - 0.02 = 8.43; error -0.1 -> -0.05 + 8.02 - 0.18 = 7.79
    expect(whenBelow).toBeCloseTo(8.43, 9);
    expect(whenAbove).toBeCloseTo(7.79, 9);
    expect(whenBelow).toBeGreaterThan(whenAbove);
    // ...and clamped: the first cycle's 0.24 is lifted to 5, a long deficit is held at 40
    expect(first).toBe(5);
    for (let i = 0; i < 2000; i += 1) below.update(1, 999);
    expect(below.update(1, 999)).toBe(40);
  });

  it('clamps its integral to +-1000: a long surplus does not hold it at 5 for ever', () => {
    const pid = new TutorialPid(0.8);
    // Service above target for a very long time: integral at -1000, output at 5
    for (let i = 0; i < 10_000; i += 1) pid.update(100, 0);
    expect(pid.update(100, 0)).toBe(5);
    // A deficit of 0.8 a tick unwinds the clamped integral (and climbs past the +46 that lifts the output above 5) in about 1300 ticks, not 10 000
    let out = 5;
    let ticks = 0;
    while (out <= 5 && ticks < 5000) {
      out = pid.update(0, 100)!;
      ticks += 1;
    }
    expect(ticks).toBeLessThan(1400);
  });

  it('has nothing to say before the first answered or abandoned call', () => {
    expect(new TutorialPid(0.8).update(0, 0)).toBeUndefined();
  });
});

describe('VICIdial ADAPT', () => {
  it('raises the level with ready agents and lowers it with callers waiting, within [1, maximum]', () => {
    const law = new AdaptLaw(2);
    // 4 of 20 agents ready: +20%
    expect(law.adjust({ ready: 4, waiting: 0, agents: 20 }, { calls: 0, drops: 0 }, { calls: 0, drops: 0 })).toBeCloseTo(2.4, 9);
    // 10 answered calls waiting: -50%
    expect(law.adjust({ ready: 0, waiting: 10, agents: 20 }, { calls: 0, drops: 0 }, { calls: 0, drops: 0 })).toBeCloseTo(1.2, 9);
    for (let i = 0; i < 50; i += 1) law.adjust({ ready: 10, waiting: 0, agents: 20 }, { calls: 0, drops: 0 }, { calls: 0, drops: 0 });
    expect(law.level).toBe(3);
  });

  it('halves on a minute of over 50% drops, and goes to 1.0 once today\'s drops pass the limit (HARD_LIMIT)', () => {
    const law = new AdaptLaw(2);
    expect(law.adjust({ ready: 0, waiting: 0, agents: 20 }, { calls: 30, drops: 20 }, { calls: 30, drops: 20 })).toBe(1);
    const fresh = new AdaptLaw(2.8);
    expect(fresh.adjust({ ready: 0, waiting: 0, agents: 20 }, { calls: 30, drops: 16 }, { calls: 40, drops: 16 })).toBeCloseTo(1.4, 9);
    expect(fresh.adjust({ ready: 0, waiting: 0, agents: 20 }, { calls: 10, drops: 0 }, { calls: 100, drops: 4 })).toBe(1);
  });
});

describe('a baseline\'s output as Genesys takes it', () => {
  it('is clamped to the field\'s range and rounded to its resolution', () => {
    expect(toKnobValue('maxCallsPerAgent', 40)).toBe(15);
    expect(toKnobValue('abandonRate', 40)).toBe(40);
    expect(toKnobValue('outboundLineCount', 5.4)).toBe(5);
    expect(toKnobValue('maxCallsPerAgent', 1.234)).toBe(1.23);
  });
});
