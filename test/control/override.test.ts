/**
 * Overrides and the PID: a ceiling (compliance, guard, blending threshold) caps the knob even
 * when the law would hold, and the integral tracks it (external reset) so nothing winds up and
 * the loop resumes from where the override left the knob.
 */
import { describe, expect, it } from 'vitest';
import { assessCompliance, countingPlan } from '../../lambda/compliance/assess.js';
import type { CampaignConfig } from '../../lambda/config/config.js';
import { decide, type CampaignDecision, type DecideInput } from '../../lambda/control/decide.js';
import { step, type StepDecision, type StepInput } from '../../lambda/control/pid.js';
import type { CampaignSnapshot, ControllerState } from '../../lambda/ports.js';
import { campaignWith } from '../support/config.js';
import { MIN, runDecide, T0 } from '../support/decide-run.js';


const stateOf = (d: StepDecision | CampaignDecision, version: number): ControllerState => ({ ...('next' in d && d.next ? d.next : (undefined as never)), version });

/** Steps the plain law once a minute from a bumpless start at `knob0`, with an optional ceiling per tick. */
function run(campaign: CampaignConfig, knob0: number, ticks: Array<{ sl: number; ceiling?: number }>) {
  let knob = knob0;
  let state: ControllerState | undefined;
  const decisions: StepDecision[] = [];
  ticks.forEach((t, i) => {
    const input: StepInput = { campaign, campaignOn: true, knobNow: knob, measurement: { value: t.sl, sample: 100 }, previous: state, now: T0 + i * MIN, eventId: `e${i}`, ...(t.ceiling === undefined ? {} : { ceiling: t.ceiling }) };
    const d = step(input);
    decisions.push(d);
    if (d.next) state = { ...d.next, version: i + 1 };
    if (d.action === 'change') knob = d.value!;
  });
  return { decisions, knob, state: state! };
}

describe('a ceiling on the PID', () => {
  const campaign = campaignWith({ knob: { name: 'maxCallsPerAgent', min: 1, max: 3, maxStep: 0.25 } });

  it('caps the knob while the law wants more, and the integral does not wind up behind it', () => {
    // Prepare: service far above target asks for more dialing for 20 minutes, capped at 2.0
    const capped = Array.from({ length: 20 }, () => ({ sl: 0.98, ceiling: 2 }));
    // Act
    const { decisions, state } = run(campaign, 2, [{ sl: 0.98 }, ...capped]);
    // Assess: never above the ceiling, and the integral is exactly what the ceiling allows (P + I = 2)
    expect(decisions.every((d) => (d.value ?? 0) <= 2 + 1e-9)).toBe(true);
    const last = decisions.at(-1)!;
    expect(last.terms!.p + state.integral + last.terms!.d).toBeCloseTo(2, 6);
  });

  it('resumes from the capped value when the ceiling goes, one step at a time (no wound-up jump)', () => {
    const capped = Array.from({ length: 20 }, () => ({ sl: 0.98, ceiling: 2 }));
    const { decisions } = run(campaign, 2, [{ sl: 0.98 }, ...capped, { sl: 0.98 }]);
    const released = decisions.at(-1)!;
    expect(released.value).toBeGreaterThan(2);
    expect(released.value).toBeLessThanOrEqual(2 + campaign.knob.maxStep + 1e-9);
  });

  it('cuts the knob even when the law would hold for lack of data, and restarts bumplessly from the cut', () => {
    // Prepare: a started loop at 2.5
    const { state } = run(campaign, 2.5, [{ sl: 0.8 }]);
    // Act: no data this tick, but an override says 2.3
    const cut = step({ campaign, campaignOn: true, knobNow: 2.5, measurement: undefined, previous: state, now: T0 + MIN, eventId: 'e1', ceiling: 2.3 });
    // Assess
    expect(cut).toMatchObject({ action: 'change', reason: 'override', value: 2.3 });
    expect(cut.next!.lastWritten).toBe(2.3);
    const next = step({ campaign, campaignOn: true, knobNow: 2.3, measurement: { value: 0.8, sample: 100 }, previous: { ...cut.next!, version: 3 }, now: T0 + 2 * MIN, eventId: 'e2' });
    expect(next.reason).not.toBe('manual-change');
    expect(next.value).toBeCloseTo(2.3, 6);
  });

  it('cuts toward a deep ceiling one largest step per tick (no PATCH is larger), never below the knob\'s min', () => {
    // Prepare
    const { state } = run(campaign, 3, [{ sl: 0.8 }]);
    const nearMin = run(campaign, 1.1, [{ sl: 0.8 }]).state;
    // Act
    const deep = step({ campaign, campaignOn: true, knobNow: 3, measurement: { value: 0.8, sample: 100 }, previous: state, now: T0 + MIN, eventId: 'e1', ceiling: 0 });
    const floor = step({ campaign, campaignOn: true, knobNow: 1.1, measurement: { value: 0.8, sample: 100 }, previous: nearMin, now: T0 + MIN, eventId: 'e1', ceiling: 0 });
    // Assess
    expect(deep).toMatchObject({ action: 'change', reason: 'override', value: 3 - campaign.knob.maxStep });
    expect(floor).toMatchObject({ action: 'change', reason: 'override', value: 1 });
  });

  it('leaves alone a campaign that is not on, and a value a person set outside the bounds', () => {
    const { state } = run(campaign, 2, [{ sl: 0.8 }]);
    const off = step({ campaign, campaignOn: false, knobNow: 2, measurement: undefined, previous: state, now: T0 + MIN, eventId: 'e1', ceiling: 1 });
    const manual = step({ campaign, campaignOn: true, knobNow: 5, measurement: undefined, previous: state, now: T0 + MIN, eventId: 'e1', ceiling: 1 });
    expect(off.action).toBe('hold');
    expect(manual).toMatchObject({ action: 'hold', reason: 'knob-outside-bounds' });
  });

  it('takes over a manual change for one tick before the ceiling cuts, so the change is recorded as a person\'s', () => {
    // Prepare: the loop wrote 2; a person sets 2.5
    const { state } = run(campaign, 2, [{ sl: 0.8 }]);
    // Act
    const found = step({ campaign, campaignOn: true, knobNow: 2.5, measurement: { value: 0.8, sample: 100 }, previous: state, now: T0 + MIN, eventId: 'e1', ceiling: 2 });
    const next = step({ campaign, campaignOn: true, knobNow: 2.5, measurement: { value: 0.8, sample: 100 }, previous: { ...found.next!, version: 2 }, now: T0 + 2 * MIN, eventId: 'e2', ceiling: 2 });
    // Assess
    expect(found).toMatchObject({ action: 'hold', reason: 'manual-change', value: 2.5 });
    expect(next).toMatchObject({ action: 'change', reason: 'override', value: 2.25 });
  });

  it('holds a blind tick where it is whatever the ceiling says: the blind rule decides, on its own count', () => {
    // Prepare
    const { state } = run(campaign, 2, [{ sl: 0.8 }]);

    // Act
    const blind = step({ campaign, campaignOn: true, knobNow: 2, measurement: undefined, blind: 'read-failed', previous: state, now: T0 + MIN, eventId: 'e1', ceiling: 1 });

    // Assess
    expect(blind).toMatchObject({ action: 'hold', reason: 'read-failed', value: 2 });
    expect(blind.next!.blindTicks).toBe(1);
  });

  it('holds a blind tick that restarts (after a long gap) whatever the ceiling says', () => {
    // Prepare
    const { state } = run(campaign, 2, [{ sl: 0.8 }]);

    // Act: the first tick after a gap longer than maxGapMinutes, and blind
    const restart = step({ campaign, campaignOn: true, knobNow: 2, measurement: undefined, blind: 'stale-data', previous: state, now: T0 + 60 * MIN, eventId: 'e1', ceiling: 1 });

    // Assess
    expect(restart).toMatchObject({ action: 'hold', reason: 'restart-after-gap', value: 2 });
  });

  it('applies feedforward on top of the PID and stays bumpless across restarts', () => {
    // Without a dead-band: inside one the loop holds, feedforward included.
    const campaign = campaignWith({ knob: { name: 'maxCallsPerAgent', min: 1, max: 3, maxStep: 0.25 }, deadBand: 0 });
    const first = step({ campaign, campaignOn: true, knobNow: 2, measurement: { value: 0.8, sample: 100 }, previous: undefined, now: T0, eventId: 'e0', feedforward: 0.3 });
    expect(first.terms!.p + first.next!.integral + (first.terms!.ff ?? 0)).toBeCloseTo(2, 9);
    // Same feedforward next tick, at the dead-band's edge: the PID alone moves the knob (a little)
    const second = step({ campaign, campaignOn: true, knobNow: 2, measurement: { value: 0.81, sample: 100 }, previous: { ...first.next!, version: 1 }, now: T0 + MIN, eventId: 'e1', feedforward: 0.3 });
    // More idle agents: the feedforward rises by 0.2 and the knob follows within the tick
    const third = step({ campaign, campaignOn: true, knobNow: second.value!, measurement: { value: 0.81, sample: 100 }, previous: { ...second.next!, version: 2 }, now: T0 + 2 * MIN, eventId: 'e2', feedforward: 0.5 });
    const pidOnly = step({ campaign, campaignOn: true, knobNow: second.value!, measurement: { value: 0.81, sample: 100 }, previous: { ...second.next!, version: 2 }, now: T0 + 2 * MIN, eventId: 'e2', feedforward: 0.3 });
    expect(third.value! - pidOnly.value!).toBeCloseTo(0.2, 6);
  });

  it('scales the gains by the gain schedule', () => {
    const { state } = run(campaign, 2, [{ sl: 0.8 }]);
    const full = step({ campaign, campaignOn: true, knobNow: 2, measurement: { value: 0.7, sample: 100 }, previous: state, now: T0 + MIN, eventId: 'e1' });
    const quarter = step({ campaign, campaignOn: true, knobNow: 2, measurement: { value: 0.7, sample: 100 }, previous: state, now: T0 + MIN, eventId: 'e1', gainScale: 0.25 });
    expect(quarter.terms!.p).toBeCloseTo(full.terms!.p / 4, 9);
  });
});

describe('decide: the campaign loop with the compliance loop beside it', () => {
  const snapshot = (knobs: CampaignSnapshot['knobs']): CampaignSnapshot => ({ campaignId: 'c', status: 'on', dialingMode: 'predictive', knobs });

  it('shared knob: the compliance loop caps the campaign loop when abandons run over the allowed rate', () => {
    // Prepare: service far above target wants more calls per agent; abandons at 6% for 10 minutes
    const campaign = campaignWith({ knob: { name: 'maxCallsPerAgent', min: 1, max: 3, maxStep: 0.25 } });
    const ticks = [{ sl: 0.98, abandons: 0.02 }, ...Array.from({ length: 10 }, () => ({ sl: 0.98, abandons: 0.06 }))];
    // Act
    const { decisions, knobs } = runDecide(campaign, { maxCallsPerAgent: 2 }, ticks);
    // Assess: the knob went down, the compliance loop named as the override, one field written
    expect(knobs.maxCallsPerAgent).toBeLessThan(2);
    expect(decisions.some((d) => d.overrides.includes('compliance'))).toBe(true);
    expect(decisions.every((d) => Object.keys(d.writes).every((k) => k === 'maxCallsPerAgent'))).toBe(true);
  });

  it('shared knob: neither loop winds up while the other rules; the campaign loop resumes without a jump', () => {
    const campaign = campaignWith({ knob: { name: 'maxCallsPerAgent', min: 1, max: 3, maxStep: 0.25 } });
    const held = Array.from({ length: 15 }, () => ({ sl: 0.98, abandons: 0.06 }));
    const { decisions, knobs, state } = runDecide(campaign, { maxCallsPerAgent: 2 }, [{ sl: 0.98, abandons: 0.02 }, ...held, { sl: 0.98, abandons: 0 }]);
    const during = decisions.at(-2)!;
    // While capped, the campaign loop's output (P + I) equals the value written
    expect(during.main.terms!.p + during.next!.integral).toBeCloseTo(during.main.value!, 6);
    // Released: at most one step up from where compliance left it
    const released = decisions.at(-1)!;
    expect(released.main.value!).toBeLessThanOrEqual(during.main.value! + campaign.knob.maxStep + 1e-9);
    // The compliance loop tracked the written value too (its state agrees with the knob)
    expect(state.compliance!.loop!.lastWritten).toBe(knobs.maxCallsPerAgent);
  });

  it('shared knob: a quieter half hour still above the allowed rate never lets the knob rise', () => {
    // Prepare: abandons at 6% cut the knob while service is far above target (the campaign loop wants more)
    const campaign = campaignWith({ knob: { name: 'maxCallsPerAgent', min: 1, max: 3, maxStep: 0.25 } });
    const cut = [{ sl: 0.98, abandons: 0.02 }, ...Array.from({ length: 3 }, () => ({ sl: 0.98, abandons: 0.06 }))];
    // Act: the 30-minute rate dips to 3%, still above the allowed 2.5%, then to 1%, below it
    const { decisions } = runDecide(campaign, { maxCallsPerAgent: 2 }, [...cut, { sl: 0.98, abandons: 0.03 }, { sl: 0.98, abandons: 0.01 }]);
    // Assess: the dip moved nothing up (the proportional swing alone would have raised it a step); below the allowed rate it may rise again
    const [afterCut, dip, below] = decisions.slice(-3);
    expect(dip!.main.value!).toBeLessThanOrEqual(afterCut!.main.value! + 1e-9);
    expect(dip!.writes).toEqual({});
    expect(below!.main.value!).toBeGreaterThan(dip!.main.value!);
  });

  it('shared knob: a compliance loop with headroom lets a thin window rise while the team has room, by whole lines', () => {
    // Prepare: a small blended team on lines, its inbound window thin all day, no abandons; the
    // compliance loop's gains scaled to a quarter integrate less than a line a minute
    const campaign = campaignWith({ knob: { name: 'outboundLineCount', min: 1, max: 12, maxStep: 3 }, minSample: 12, compliance: { gains: { kp: 200, ki: 50, kd: 0 } } });
    const thin = Array.from({ length: 10 }, () => ({ sl: 1, slSample: 4, abandons: 0 }));

    // Act
    const { decisions, knobs } = runDecide(campaign, { outboundLineCount: 1 }, [{ sl: 1, slSample: 4, abandons: 0 }, ...thin], { teamHasRoom: true, gainScale: 0.25 });

    // Assess: the compliance loop's ceiling keeps a line above the knob while there are no abandons,
    // where tracking the knob's own value held it 0.31 lines above (a tick's integration), at 1 all day
    expect(decisions.slice(1).some((d) => d.main.reason === 'idle-rise')).toBe(true);
    expect(knobs.outboundLineCount).toBeGreaterThanOrEqual(4);
  });

  it('separate knob: the compliance loop moves its own field and both go out in one PATCH', () => {
    const campaign = campaignWith({
      knob: { name: 'outboundLineCount', min: 1, max: 40, maxStep: 10 },
      compliance: { knob: { name: 'abandonRate', min: 0.5, max: 3, maxStep: 0.25 } },
    });
    const { decisions } = runDecide(campaign, { outboundLineCount: 20, abandonRate: 3 }, [
      { sl: 0.95, abandons: 0.02 },
      { sl: 0.6, abandons: 0.08 },
    ]);
    const second = decisions[1]!;
    expect(second.sharedKnob).toBe(false);
    expect(second.writes.outboundLineCount).toBeLessThan(20);
    expect(second.writes.abandonRate).toBeLessThan(3);
  });

  it('the blending threshold holds the campaign knob at its minimum while inbound needs the agents', () => {
    const campaign = campaignWith({ knob: { name: 'outboundLineCount', min: 1, max: 40, maxStep: 10 }, compliance: { knob: { name: 'abandonRate' } }, blending: {} });
    const { decisions } = runDecide(campaign, { outboundLineCount: 40, abandonRate: 3 }, [
      { sl: 0.95, abandons: 0.02 },
      { sl: 0.95, abandons: 0.02, reserveViolated: true },
    ]);
    // Cut fast: at once to the minimum, not one largest step (10 lines) a tick.
    expect(decisions[1]!.writes.outboundLineCount).toBe(1);
    expect(decisions[1]!.overrides).toEqual(['blending']);
  });

  it('the short-window guard cuts the compliance knob at once to its safe value (cut fast)', () => {
    const campaign = campaignWith({ knob: { name: 'maxCallsPerAgent', min: 1, max: 3, maxStep: 0.25 } });
    const first = runDecide(campaign, { maxCallsPerAgent: 2 }, [{ sl: 0.8, abandons: 0.02 }]);
    const now = T0 + MIN;
    const plan = countingPlan(campaign.compliance, first.state.compliance, now);
    const compliance = assessCompliance(campaign.compliance, plan, plan.intervals.map(() => ({ abandoned: 0, live: 0 })), { abandoned: 4, live: 200 }, { abandoned: 8, live: 40 }, now);
    expect(compliance.guardTripped).toBe(true);
    const d = decide({
      campaign,
      snapshot: snapshot({ maxCallsPerAgent: 2 }),
      measurement: { value: 0.8, sample: 100 },
      complianceMeasurement: { value: 0.02, sample: 200 },
      compliance,
      reserveViolated: false,
      gainScale: 1,
      feedforward: 0,
      state: first.state,
      now,
      eventId: 'e1',
    });
    // One largest step would have been 1.75; the safe value of calls per agent is its min
    expect(d.writes.maxCallsPerAgent).toBe(1);
    expect(d.overrides).toContain('guard');
  });

  /** One decide() three hours after `state` (a gap: both loops restart), abandons at `rate` on 200 live answers. */
  function afterGap(campaign: CampaignConfig, knobs: CampaignSnapshot['knobs'], state: ControllerState, rate: number, blind?: 'read-failed') {
    const now = T0 + 180 * MIN;
    const plan = countingPlan(campaign.compliance, state.compliance, now);
    const measured = { abandoned: Math.round(rate * 200), live: 200 };
    const compliance = assessCompliance(campaign.compliance, plan, plan.intervals.map(() => ({ abandoned: 0, live: 0 })), measured, undefined, now);
    return decide({
      campaign,
      snapshot: snapshot(knobs),
      measurement: { value: 0.95, sample: 100 },
      complianceMeasurement: { value: rate, sample: 200 },
      compliance,
      reserveViolated: false,
      gainScale: 1,
      feedforward: 0,
      ...(blind ? { blind } : {}),
      state,
      now,
      eventId: 'e-gap',
    });
  }

  it('shared knob: a restart that finds abandons above the allowed rate cuts one step at once, not a tick later', () => {
    // Prepare: a campaign paced at 2 calls per agent, then a three-hour gap
    const campaign = campaignWith({ knob: { name: 'maxCallsPerAgent', min: 1, max: 3, maxStep: 0.25 } });
    const { state } = runDecide(campaign, { maxCallsPerAgent: 2 }, [{ sl: 0.8, abandons: 0.02 }]);
    // Act: the first tick after the gap sees 2.7% abandons (over the allowed 2.5%, not in danger), or 1%
    const over = afterGap(campaign, { maxCallsPerAgent: 2 }, state, 0.027);
    const under = afterGap(campaign, { maxCallsPerAgent: 2 }, state, 0.01);
    // Assess: the loops restart; over the allowed rate the knob is cut one largest step, by compliance
    expect(over.complianceLoop.reason).toBe('restart-after-gap');
    expect(over.writes).toEqual({ maxCallsPerAgent: 1.75 });
    expect(over.overrides).toEqual(['compliance']);
    // and the compliance loop continues from the cut value (its state agrees with the knob)
    expect(over.next!.compliance!.loop!.lastWritten).toBe(1.75);
    expect(over.next!.compliance!.loop!.lastOutput).toBeCloseTo(1.75, 6);
    expect(under.writes).toEqual({});
    expect(under.main.reason).toBe('restart-after-gap');
  });

  it('separate knob: the restart cut moves the compliance knob one step, and never acts on a blind tick', () => {
    const campaign = campaignWith({
      knob: { name: 'outboundLineCount', min: 1, max: 40, maxStep: 10 },
      compliance: { knob: { name: 'abandonRate', min: 0.5, max: 3, maxStep: 0.25 } },
    });
    const knobs = { outboundLineCount: 20, abandonRate: 3 };
    const { state } = runDecide(campaign, knobs, [{ sl: 0.95, abandons: 0.02 }]);
    const over = afterGap(campaign, knobs, state, 0.027);
    const blind = afterGap(campaign, knobs, state, 0.027, 'read-failed');
    expect(over.writes).toEqual({ abandonRate: 2.75 });
    expect(over.overrides).toEqual(['compliance']);
    expect(blind.writes).toEqual({});
  });

  it('saves the counts with the state, and keeps every knob as it was in the unwritten state', () => {
    const campaign = campaignWith({ knob: { name: 'maxCallsPerAgent', min: 1, max: 3, maxStep: 0.25 } });
    const { decisions } = runDecide(campaign, { maxCallsPerAgent: 2 }, [{ sl: 0.8, abandons: 0.02 }, { sl: 0.5, abandons: 0.02 }]);
    const d = decisions[1]!;
    expect(d.writes.maxCallsPerAgent).toBeLessThan(2);
    expect(d.next!.compliance).toMatchObject({ countedUntil: expect.any(Number), buckets: expect.any(Array) });
    expect(d.nextUnwritten!.lastWritten).toBe(2);
    expect(d.nextUnwritten!.compliance!.loop!.lastWritten).toBe(2);
  });
});
