/**
 * A conservative start: the first tick, and the first minutes after the status becomes `on`,
 * begin at the safe value and rise one largest step a minute.
 */
import { describe, expect, it } from 'vitest';
import { onSince, startCeiling } from '../../lambda/control/start.js';
import { campaignWith } from '../support/config.js';
import { MIN, runDecide, T0 } from '../support/decide-run.js';

const lines = { name: 'outboundLineCount' as const, min: 1, max: 40, maxStep: 5, resolution: 1 };

describe('the start ramp', () => {
  it('is the safe value plus one largest step per minute since the start, until startMinutes have passed', () => {
    expect(startCeiling(10, lines, T0, T0, 8)).toBe(8);
    expect(startCeiling(10, lines, T0, T0 + 3 * MIN, 8)).toBe(23);
    expect(startCeiling(10, lines, T0, T0 + 9 * MIN, 8)).toBe(40);
    expect(startCeiling(10, lines, T0, T0 + 10 * MIN, 8)).toBeUndefined();
    expect(startCeiling(0, lines, T0, T0, 8)).toBeUndefined();
  });

  it('starts at the first tick that finds the campaign on, and is forgotten while it is not', () => {
    expect(onSince(true, undefined, T0)).toBe(T0);
    expect(onSince(true, { onSince: T0 }, T0 + 5 * MIN)).toBe(T0);
    expect(onSince(false, { onSince: T0 }, T0 + 5 * MIN)).toBeUndefined();
    expect(onSince(true, {}, T0 + 6 * MIN)).toBe(T0 + 6 * MIN);
  });
});

describe('decide: a conservative start', () => {
  it('takes 40 lines at once to the 8 the idle agents can answer on the first tick, then rises one step a minute', () => {
    // Prepare: a campaign on lines found at 40, abandons well under target (the law alone would hold or rise)
    const campaign = campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.025, knob: { name: 'outboundLineCount', min: 1, max: 40, maxStep: 5 }, startMinutes: 10 });
    // Act
    const { decisions, state } = runDecide(campaign, { outboundLineCount: 40 }, Array.from({ length: 4 }, () => ({ abandons: 0.005 })), { dialer: { campaignId: 'c', idleAgents: 2, connectRatio: 0.25 } });
    // Assess
    expect(decisions[0]!.writes).toEqual({ outboundLineCount: 8 });
    expect(decisions[0]!.overrides).toEqual(['start']);
    const values = decisions.map((d) => d.main.value!);
    for (let i = 1; i < values.length; i += 1) expect(values[i]!).toBeLessThanOrEqual(8 + 5 * i);
    expect(state.onSince).toBe(T0);
  });

  it('does not rise on a thin window before the ramp ends: a new window is thin because it is new', () => {
    // Prepare: lines for a service level judged on 500 calls; every window holds 100, agents free all along
    const campaign = campaignWith({ minSample: 500, knob: { name: 'outboundLineCount', min: 1, max: 40, maxStep: 10 }, startMinutes: 5 });
    // Act
    const { decisions } = runDecide(campaign, { outboundLineCount: 4 }, Array.from({ length: 8 }, () => ({ sl: 0.95, abandons: 0 })), { teamHasRoom: true, dialer: { campaignId: 'c', idleAgents: 40, connectRatio: 0.5 } });
    // Assess: held through the start, then rising within the compliance loop's ceiling on the shared
    // knob (a line above the knob plus a tick's integration, 1.25 lines, while there are no abandons)
    expect(decisions.slice(0, 5).map((d) => d.main.reason)).not.toContain('idle-rise');
    expect(decisions.slice(0, 5).map((d) => d.main.value)).toEqual([4, 4, 4, 4, 4]);
    expect(decisions.slice(5).map((d) => [d.main.reason, d.main.value])).toEqual([
      ['idle-rise', 6],
      ['idle-rise', 7],
      ['idle-rise', 8],
    ]);
    expect(decisions.slice(5).every((d) => d.main.value! <= d.complianceLoop.next!.lastOutput + 1e-9)).toBe(true);
  });

  it('without startMinutes, the first tick starts bumplessly from the value found', () => {
    const campaign = campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.025, knob: { name: 'outboundLineCount', min: 1, max: 40, maxStep: 5 } });
    const { decisions } = runDecide(campaign, { outboundLineCount: 40 }, [{ abandons: 0.005 }], { dialer: { campaignId: 'c', idleAgents: 2, connectRatio: 0.25 } });
    expect(decisions[0]!.writes).toEqual({});
  });
});
