import { describe, expect, it } from 'vitest';
import { abandonFreeShows } from '../../lambda/control/decide.js';
import { campaignWith } from '../support/config.js';
import { runDecide } from '../support/decide-run.js';

describe('no abandon in a window', () => {
  it('shows the rate under the aim on 3 / aim live answers (the rule of three)', () => {
    expect(abandonFreeShows({ value: 0, sample: 120 }, 0.025, 0)).toBe(true);
    expect(abandonFreeShows({ value: 0, sample: 119 }, 0.025, 0)).toBe(false);
    expect(abandonFreeShows({ value: 1 / 200, sample: 200 }, 0.025, 0)).toBe(false);
    expect(abandonFreeShows(undefined, 0.025, 0)).toBe(false);
  });

  it('leaves the estimated AMD false positives out, as pacing does not move them', () => {
    // Prepare: the UK rule adds 0.5% of live answers as false positives, which leaves 2% to show
    const aim = 0.025;
    const falsePositives = 0.005;

    // Act, Assess: 3 / 0.02 = 150 live answers
    expect(abandonFreeShows({ value: 0, sample: 149 }, aim, falsePositives)).toBe(false);
    expect(abandonFreeShows({ value: 0, sample: 150 }, aim, falsePositives)).toBe(true);
    expect(abandonFreeShows({ value: 0, sample: 10_000 }, aim, aim)).toBe(false);
  });
});

describe('an outbound campaign aiming at an abandon rate', () => {
  const power = campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.025, knob: { name: 'maxCallsPerAgent', min: 1, max: 3, maxStep: 0.25 } });
  const minutes = 10;

  it('rises one largest step a tick while its windows hold no abandon on enough live answers', () => {
    // Prepare: 200 live answers in each window, none abandoned
    const ticks = Array.from({ length: minutes }, () => ({ abandons: 0 }));

    // Act
    const run = runDecide(power, { maxCallsPerAgent: 1 }, ticks, {}, 'power');

    // Assess: the first tick starts the loop; then 0.25 a tick, to the knob's maximum
    expect(run.decisions.map((d) => d.main.value)).toEqual([1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3, 3]);
    expect(run.decisions.slice(1, 9).every((d) => d.main.reason === 'abandon-free-rise')).toBe(true);
  });

  it('rises at its integral pace once an abandon shows, or with no agent idle', () => {
    // Prepare: one abandon in 200 live answers (0.5%, under the aim)
    const oneAbandon = Array.from({ length: minutes }, () => ({ abandons: 1 / 200 }));
    const none = Array.from({ length: minutes }, () => ({ abandons: 0 }));

    // Act
    const abandoned = runDecide(power, { maxCallsPerAgent: 1 }, oneAbandon, {}, 'power');
    const busy = runDecide(power, { maxCallsPerAgent: 1 }, none, { dialer: { campaignId: 'c', idleAgents: 0 } }, 'power');

    // Assess: neither rises on the evidence, and ten minutes take neither near the maximum
    for (const run of [abandoned, busy]) {
      expect(run.decisions.some((d) => d.main.reason === 'abandon-free-rise' || d.complianceLoop.reason === 'abandon-free-rise')).toBe(false);
      expect(run.knobs.maxCallsPerAgent).toBeLessThan(2);
    }
  });

  it('leaves a campaign on a service-level objective, whose agents a queue needs, to its loop', () => {
    // Prepare: an inbound service-level campaign, no abandon anywhere
    const blended = campaignWith({ setpoint: 0.8, knob: { name: 'maxCallsPerAgent', min: 1, max: 3, maxStep: 0.25 } });
    const ticks = Array.from({ length: minutes }, () => ({ abandons: 0, sl: 0.85 }));

    // Act
    const run = runDecide(blended, { maxCallsPerAgent: 1 }, ticks, {}, 'power');

    // Assess: neither loop rises so (the compliance loop's window alone would show it)
    expect(run.decisions.some((d) => d.main.reason === 'abandon-free-rise' || d.complianceLoop.reason === 'abandon-free-rise')).toBe(false);
  });
});
