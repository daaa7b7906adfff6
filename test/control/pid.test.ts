import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantise } from '../../lambda/control/grid.js';
import { blindWithoutCampaign, step, type StepDecision, type StepInput } from '../../lambda/control/pid.js';
import type { ControllerState } from '../../lambda/ports.js';
import { campaignWith } from '../support/config.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const MIN = 60_000;

function stateFrom(decision: StepDecision, version = 1): ControllerState {
  return { ...decision.next!, version };
}

/** Runs the law from a bumpless start at knob `knob0` over a sequence of service levels, one per minute. */
function run(campaign = campaignWith(), knob0: number, levels: number[], sample = 100) {
  let knob = knob0;
  let state: ControllerState | undefined;
  const decisions: StepDecision[] = [];
  levels.forEach((value, i) => {
    const d = step({ campaign, campaignOn: true, knobNow: knob, measurement: { value, sample }, previous: state, now: T0 + i * MIN, eventId: `e${i}` });
    decisions.push(d);
    if (d.next) state = stateFrom(d, i + 1);
    if (d.action === 'change') knob = d.value!;
  });
  return { decisions, knob, state: state! };
}

describe('direction: reverse-acting on both objectives', () => {
  it('lowers calls per agent when inbound service level is below target', () => {
    // Prepare: a started loop at 2.0 calls per agent
    // Act: service level falls to 60% against 80%
    const { decisions } = run(campaignWith(), 2, [0.8, 0.6]);
    // Assess
    expect(decisions[1]!.action).toBe('change');
    expect(decisions[1]!.value).toBeLessThan(2);
    expect(decisions[1]!.error).toBeCloseTo(-0.2);
  });

  it('raises calls per agent when service level is comfortably above target', () => {
    const { decisions } = run(campaignWith(), 2, [0.8, 0.95]);
    expect(decisions[1]!.value).toBeGreaterThan(2);
  });

  it('lowers the abandon-rate knob when abandons run above the setpoint', () => {
    const campaign = campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.02 });
    const { decisions } = run(campaign, 2.5, [0.02, 0.04]);
    expect(campaign.knob.name).toBe('abandonRate');
    expect(decisions[1]!.error).toBeCloseTo(-0.02);
    expect(decisions[1]!.value).toBeLessThan(2.5);
  });

  it('raises the abandon-rate knob when abandons run below the setpoint', () => {
    const campaign = campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.02 });
    const { decisions } = run(campaign, 2, [0.02, 0.005]);
    expect(decisions[1]!.value).toBeGreaterThan(2);
  });
});

describe('timing', () => {
  it('integrates in proportion to the measured dt', () => {
    // Prepare: the same error held for one minute or for two minutes
    const campaign = campaignWith({ gains: { kp: 0, ki: 1, kd: 0 }, knob: { name: 'maxCallsPerAgent', maxStep: 5, min: 1, max: 10 } });
    const start = step({ campaign, campaignOn: true, knobNow: 3, measurement: { value: 0.8, sample: 100 }, previous: undefined, now: T0, eventId: 'a' });
    const prev = stateFrom(start);
    const input = (dtMin: number): StepInput => ({ campaign, campaignOn: true, knobNow: 3, measurement: { value: 0.7, sample: 100 }, previous: prev, now: T0 + dtMin * MIN, eventId: 'b' });
    // Act
    const one = step(input(1));
    const two = step(input(2));
    // Assess: ki * e * dt with e = -0.1
    expect(one.terms!.i - prev.integral).toBeCloseTo(-0.1);
    expect(two.terms!.i - prev.integral).toBeCloseTo(-0.2);
  });

  it('restarts without a bump after a long gap', () => {
    const campaign = campaignWith({ maxGapMinutes: 10 });
    const { state } = run(campaign, 2, [0.8, 0.7, 0.6]);
    const d = step({ campaign, campaignOn: true, knobNow: state.lastWritten, measurement: { value: 0.5, sample: 100 }, previous: state, now: state.lastTickTime + 3 * 60 * MIN, eventId: 'late' });
    expect(d.reason).toBe('restart-after-gap');
    expect(d.action).toBe('hold');
    expect(d.value).toBe(state.lastWritten);
    expect(d.terms!.p + d.terms!.i).toBeCloseTo(state.lastWritten);
  });

  it('ignores a tick that is not newer than the stored one', () => {
    const { state } = run(campaignWith(), 2, [0.8, 0.7]);
    const d = step({ campaign: campaignWith(), campaignOn: true, knobNow: state.lastWritten, measurement: { value: 0.5, sample: 100 }, previous: state, now: state.lastTickTime, eventId: 'dup' });
    expect(d.reason).toBe('out-of-order');
    expect(d.next).toBeUndefined();
  });
});

describe('anti-windup', () => {
  it('does not wind up while pinned at the lower bound, so it recovers at once', () => {
    // Prepare: service level far below target for half an hour, then for an hour, pins the knob at min
    const campaign = campaignWith({ knob: { name: 'maxCallsPerAgent', min: 1, max: 3, maxStep: 0.5 } });
    const bad = (n: number) => Array.from({ length: n }, () => 0.4);
    const halfHour = run(campaign, 2, [0.8, ...bad(30)]);
    const hour = run(campaign, 2, [0.8, ...bad(60)]);
    expect(hour.knob).toBe(1);
    // Act: service level recovers well above target
    const d = step({ campaign, campaignOn: true, knobNow: 1, measurement: { value: 0.95, sample: 100 }, previous: hour.state, now: hour.state.lastTickTime + MIN, eventId: 'recover' });
    // Assess: the integral stopped moving once saturated (a plain integral would fall by ki * 0.4 a minute)
    expect(hour.state.integral).toBeCloseTo(halfHour.state.integral, 3);
    expect(d.action).toBe('change');
    expect(d.value).toBeGreaterThan(1);
  });
});

describe('derivative on the filtered measurement', () => {
  it('gives no derivative kick when only the setpoint moves', () => {
    const a = campaignWith({ setpoint: 0.8 });
    const { state } = run(a, 2, [0.8, 0.8]);
    const b = campaignWith({ setpoint: 0.9 });
    const d = step({ campaign: b, campaignOn: true, knobNow: state.lastWritten, measurement: { value: 0.8, sample: 100 }, previous: state, now: state.lastTickTime + MIN, eventId: 'sp' });
    expect(d.terms!.d).toBe(0);
    expect(d.terms!.p).toBeCloseTo(-0.1 * b.gains.kp);
  });

  it('acts against a falling service level, filtered', () => {
    const campaign = campaignWith({ derivativeFilterMinutes: 1 });
    const { state } = run(campaign, 2, [0.85, 0.85]);
    const d = step({ campaign, campaignOn: true, knobNow: state.lastWritten, measurement: { value: 0.75, sample: 100 }, previous: state, now: state.lastTickTime + MIN, eventId: 'fall' });
    // Filter alpha = 1 / (1 + 1) = 0.5: the filtered level falls 0.05 in one minute.
    expect(d.terms!.d).toBeCloseTo(campaign.gains.kd * -0.05);
    expect(d.next!.previousMeasurement).toBeCloseTo(0.8);
  });
});

describe('limits and dead-band', () => {
  it('moves at most the largest step per tick and stays in bounds', () => {
    const campaign = campaignWith({ knob: { name: 'maxCallsPerAgent', min: 1, max: 3, maxStep: 0.25 } });
    const { decisions } = run(campaign, 2, [0.8, 0.1]);
    expect(decisions[1]!.value).toBe(1.75);
  });

  it('holds inside the dead-band without integrating', () => {
    const campaign = campaignWith({ deadBand: 0.02 });
    const { state } = run(campaign, 2, [0.8, 0.8]);
    const d = step({ campaign, campaignOn: true, knobNow: 2, measurement: { value: 0.79, sample: 100 }, previous: state, now: state.lastTickTime + MIN, eventId: 'db' });
    expect(d.reason).toBe('dead-band');
    expect(d.next!.integral).toBe(state.integral);
    expect(d.next!.lastTickTime).toBe(state.lastTickTime + MIN);
  });

  it('leaves a hand-set value outside the bounds alone', () => {
    const campaign = campaignWith();
    const { state } = run(campaign, 2, [0.8]);
    const d = step({ campaign, campaignOn: true, knobNow: 6, measurement: { value: 0.5, sample: 100 }, previous: state, now: state.lastTickTime + MIN, eventId: 'oob' });
    expect(d.reason).toBe('knob-outside-bounds');
    expect(d.action).toBe('hold');
  });

  it('rounds to the knob resolution without leaving the range', () => {
    expect(quantise(2.337, 0.05, 1, 3)).toBe(2.35);
    expect(quantise(17.6, 1, 1, 17.5)).toBe(17);
    expect(quantise(0.96, 0.05, 0.97, 1.02)).toBe(1);
  });

  it('writes grid values as Genesys takes them, with the resolution\'s decimals', () => {
    // The PATCH once sent as {"maxCallsPerAgent":1.5499999999999998}: rounding crossed an unrounded ceiling
    expect(JSON.stringify({ maxCallsPerAgent: quantise(1.56, 0.05, 1, 1.5499999999999998) })).toBe('{"maxCallsPerAgent":1.5}');
    expect(JSON.stringify({ maxCallsPerAgent: quantise(1.56, 0.05, 1, 3) })).toBe('{"maxCallsPerAgent":1.55}');
    expect(String(quantise(0.7, 0.1, 0, 1))).toBe('0.7');
    expect(String(quantise(1.15, 0.05, 1.15, 1.15))).toBe('1.15');
    // A lower bound of knob - maxStep carries dust (1.3 - 0.1 = 1.2000000000000002): the cut still reaches 1.2
    expect(quantise(1, 0.05, 1.3 - 0.1, 3)).toBe(1.2);
  });

  it('rounds down at an upper bound off the grid, up at a lower one, and below the upper one when no grid value lies between', () => {
    expect(quantise(0.8, 0.25, 0.501, 0.8)).toBe(0.75);
    expect(quantise(0.4, 0.25, 0.501, 0.8)).toBe(0.75);
    expect(quantise(1.6, 0.05, 1.53, 1.53)).toBe(1.5);
  });
});

describe('hold rules', () => {
  const campaign = campaignWith({ minSample: 20 });
  const started = run(campaign, 2, [0.8]).state;
  const at = (overrides: Partial<StepInput>) =>
    step({ campaign, campaignOn: true, knobNow: 2, measurement: { value: 0.3, sample: 100 }, previous: started, now: started.lastTickTime + MIN, eventId: 'h', ...overrides });

  it.each([
    ['sample-too-small', { measurement: { value: 0.3, sample: 5 } }],
    ['no-data', { measurement: undefined }],
    ['stale-data', { blind: 'stale-data' }],
    ['read-failed', { blind: 'read-failed' }],
    ['campaign-not-on', { campaignOn: false }],
  ] as const)('holds with %s, without integrating', (reason, overrides) => {
    const d = at(overrides);
    expect(d.action).toBe('hold');
    expect(d.reason).toBe(reason);
    expect(d.next!.integral).toBe(started.integral);
    expect(d.next!.lastTickTime).toBe(started.lastTickTime + MIN);
  });

  it('treats an empty window as no data, not perfect service', () => {
    expect(at({ measurement: { value: Number.NaN, sample: 0 } }).reason).toBe('no-data');
  });

  it('continues from a value changed by hand without a bump', () => {
    const d = at({ knobNow: 2.5 });
    expect(d.reason).toBe('manual-change');
    expect(d.value).toBe(2.5);
    expect(d.next!.lastWritten).toBe(2.5);
    expect(d.terms!.p + d.terms!.i).toBeCloseTo(2.5);
  });

  it('starts bumplessly on the very first tick', () => {
    const d = step({ campaign, campaignOn: true, knobNow: 1.5, measurement: { value: 0.3, sample: 100 }, previous: undefined, now: T0, eventId: 'first' });
    expect(d.reason).toBe('initialised');
    expect(d.action).toBe('hold');
    expect(d.next!.integral + campaign.gains.kp * d.error!).toBeCloseTo(1.5);
  });
});

describe('a thin sample with room in the team', () => {
  // Lines for an inbound service level: a window of 100 calls is needed to judge it.
  const campaign = campaignWith({ minSample: 100, knob: { name: 'outboundLineCount', min: 1, max: 50, maxStep: 10 } });
  const started = (knob: number) => run(campaign, knob, [0.8]).state;
  const thin = (knobNow: number, overrides: Partial<StepInput> = {}) =>
    step({ campaign, campaignOn: true, knobNow, measurement: { value: 0.9, sample: 12 }, previous: started(knobNow), now: T0 + MIN, eventId: 't', teamHasRoom: true, ...overrides });

  it('rises instead of holding: at most doubling the knob, at most one largest step', () => {
    // Act: a loop cut to 1 line, 4 lines and 20 lines, each on a window of 12 calls with agents free
    const [one, four, twenty] = [thin(1), thin(4), thin(20)];
    // Assess
    expect([one, four, twenty].map((d) => [d.action, d.reason])).toEqual([
      ['change', 'idle-rise'],
      ['change', 'idle-rise'],
      ['change', 'idle-rise'],
    ]);
    expect([one.value, four.value, twenty.value]).toEqual([2, 8, 30]);
  });

  it('rises on an empty window too, and stays under a ceiling and the bounds', () => {
    expect(thin(4, { measurement: undefined }).value).toBe(8);
    expect(thin(4, { ceiling: 6 }).value).toBe(6);
    expect(thin(50).reason).toBe('sample-too-small');
  });

  it('rises on a full service level only under the ceiling the caller gives it, with room in the team', () => {
    // Prepare: a window of 120 calls (enough to judge) all answered within the threshold
    const full = { measurement: { value: 1, sample: 120 } };
    // Act
    const ceilinged = thin(4, { ...full, fullServiceLevelCeiling: 6 });
    const doubling = thin(4, { ...full, fullServiceLevelCeiling: 40 });
    const withoutCeiling = thin(4, full);
    const noRoom = thin(4, { ...full, fullServiceLevelCeiling: 40, teamHasRoom: false });
    const notFull = thin(4, { measurement: { value: 0.99, sample: 120 }, fullServiceLevelCeiling: 40 });
    const atCeiling = thin(6, { ...full, fullServiceLevelCeiling: 6 });
    // Assess: the thin sample's rise, under the ceiling; else the loop's own step on its error
    expect([ceilinged.reason, ceilinged.value]).toEqual(['idle-rise', 6]);
    expect([doubling.reason, doubling.value]).toEqual(['idle-rise', 8]);
    for (const d of [withoutCeiling, noRoom, notFull, atCeiling]) expect(d.reason).not.toBe('idle-rise');
    expect(withoutCeiling.value).toBe(noRoom.value);
  });

  it('hands a full service level\'s rise over to the loop without a bump above its ceiling', () => {
    // Prepare: a rise from 4 to 8 lines on a full window, under a ceiling of 8
    const full = { measurement: { value: 1, sample: 120 }, fullServiceLevelCeiling: 8 };
    const rise = thin(4, full);
    // Act: the next minute, still full, the ceiling refuses a rise
    const next = step({ campaign, campaignOn: true, knobNow: 8, ...full, previous: { ...rise.next!, version: 2 }, now: T0 + 2 * MIN, eventId: 'n', teamHasRoom: true });
    // Assess: the integral took 8 less the proportional term, so the loop moves by its integral's
    // minute (ki x error) only, not by kp x error on top of 8
    const e = 1 - campaign.setpoint;
    expect(rise.error).toBeCloseTo(e);
    expect(next.reason).not.toBe('idle-rise');
    expect(Math.abs(next.value! - 8)).toBeLessThanOrEqual(Math.ceil(campaign.gains.ki * e));
    expect(campaign.gains.kp * e).toBeGreaterThan(Math.ceil(campaign.gains.ki * e) + 1);
  });

  it('holds when the thin sample shows the objective short of its setpoint, or the team has no room', () => {
    expect(thin(4, { measurement: { value: 0.5, sample: 12 } })).toMatchObject({ action: 'hold', reason: 'sample-too-small' });
    expect(thin(4, { teamHasRoom: false })).toMatchObject({ action: 'hold', reason: 'sample-too-small' });
  });

  it('hands over to the loop without a bump once the window is full again', () => {
    // Prepare: a rise from 4 to 8 lines
    const rise = thin(4);
    // Act: the next tick judges a full window a little above the setpoint
    const next = step({ campaign, campaignOn: true, knobNow: 8, measurement: { value: 0.85, sample: 100 }, previous: stateFrom(rise, 2), now: T0 + 2 * MIN, eventId: 'u' });
    // Assess: the law's output is the risen value plus this tick's P and I, not the value before the rise
    const { kp, ki } = campaign.gains;
    expect(rise.next!.integral).toBe(8);
    expect(next.terms!.p + next.terms!.i).toBeCloseTo(8 + (kp + ki) * 0.05, 9);
  });
});

describe('blind ticks', () => {
  // Knob 1..3, step 0.25, safe value 1.5, five blind ticks allowed.
  const campaign = campaignWith({ knob: { name: 'maxCallsPerAgent', safeValue: 1.5 }, blindTicksBeforeSafe: 5 });
  const started = run(campaign, 2.6, [0.8]).state;

  /** Runs blind ticks one minute apart from `started`, applying every change to the knob. */
  function blindRun(ticks: number, knob0 = 2.6, overrides: Partial<StepInput> = {}) {
    let state = started;
    let knob = knob0;
    const decisions: StepDecision[] = [];
    for (let i = 1; i <= ticks; i++) {
      const d = step({ campaign, campaignOn: true, knobNow: knob, measurement: { value: 0.9, sample: 100 }, blind: 'read-failed', previous: state, now: started.lastTickTime + i * MIN, eventId: `b${i}`, ...overrides });
      decisions.push(d);
      state = { ...d.next!, version: state.version + 1 };
      if (d.action === 'change') knob = d.value!;
    }
    return { decisions, state, knob };
  }

  it('holds and counts for blindTicksBeforeSafe - 1 ticks, ignoring the measurement', () => {
    // Act
    const { decisions, state } = blindRun(4);

    // Assess
    expect(decisions.map((d) => d.action)).toEqual(['hold', 'hold', 'hold', 'hold']);
    expect(decisions.map((d) => d.reason)).toEqual(['read-failed', 'read-failed', 'read-failed', 'read-failed']);
    expect(state.blindTicks).toBe(4);
    expect(state.integral).toBe(started.integral);
  });

  it('then steps down toward the safe value by at most the largest step per tick, and stops there', () => {
    // Act
    const { decisions, knob } = blindRun(12);

    // Assess: 2.6 -> 2.35 -> 2.1 -> 1.85 -> 1.6 -> 1.5, then held at the safe value
    const moves = decisions.filter((d) => d.action === 'change');
    expect(moves.map((d) => d.value)).toEqual([2.35, 2.1, 1.85, 1.6, 1.5]);
    expect(moves.every((d) => d.reason === 'blind-safe-value')).toBe(true);
    expect(decisions.slice(0, 4).every((d) => d.action === 'hold')).toBe(true);
    expect(knob).toBe(1.5);
    expect(decisions.at(-1)).toMatchObject({ action: 'hold', reason: 'read-failed' });
  });

  it('never raises pacing that is already below the safe value', () => {
    const { decisions } = blindRun(8, 1.2);
    expect(decisions.every((d) => d.action === 'hold')).toBe(true);
  });

  it('counts a campaign that is not on without moving it', () => {
    const { decisions, state } = blindRun(8, 2.6, { campaignOn: false });
    expect(decisions.every((d) => d.action === 'hold')).toBe(true);
    expect(state.blindTicks).toBe(8);
  });

  it('counts stale ticks like failed reads, and a tick that sees again resets the count', () => {
    const { state } = blindRun(3, 2.6, { blind: 'stale-data' });
    const seeing = step({ campaign, campaignOn: true, knobNow: 2.6, measurement: { value: 0.8, sample: 100 }, previous: state, now: state.lastTickTime + MIN, eventId: 'sees' });
    expect(state.blindTicks).toBe(3);
    expect(seeing.next!.blindTicks).toBe(0);
    expect(seeing.reason).toBe('dead-band');
  });

  it('restarts bumplessly from wherever the fallback left the knob when sight returns', () => {
    // Prepare
    const { state, knob } = blindRun(7);

    // Act
    const d = step({ campaign, campaignOn: true, knobNow: knob, measurement: { value: 0.5, sample: 100 }, previous: state, now: state.lastTickTime + MIN, eventId: 'back' });

    // Assess
    expect(d).toMatchObject({ action: 'hold', reason: 'restart-after-blind', value: knob });
    expect(d.next!.integral + campaign.gains.kp * d.error!).toBeCloseTo(knob);
    expect(d.next!.blindTicks).toBe(0);
  });

  it('counts a tick whose campaign could not be read on the stored state, deciding nothing', () => {
    const d = blindWithoutCampaign(started, started.lastTickTime + MIN, 'unread');
    expect(d).toMatchObject({ action: 'hold', reason: 'read-failed', value: undefined });
    expect(d.next).toMatchObject({ blindTicks: 1, integral: started.integral, lastEventId: 'unread' });
    expect(blindWithoutCampaign(undefined, T0, 'x').next).toBeUndefined();
  });
});

describe('properties', () => {
  const knobArb = fc.constantFrom('maxCallsPerAgent', 'abandonRate', 'outboundLineCount');
  it('never leaves the bounds and never moves more than the largest step, blind or not', () => {
    fc.assert(
      fc.property(
        knobArb,
        fc.array(
          fc.record({
            value: fc.double({ min: 0, max: 1, noNaN: true }),
            sample: fc.integer({ min: 0, max: 500 }),
            dtMin: fc.double({ min: 0.1, max: 30, noNaN: true }),
            on: fc.boolean(),
            bump: fc.boolean(),
            blind: fc.constantFrom(undefined, undefined, 'read-failed' as const, 'stale-data' as const),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (knobName, ticks, startFraction) => {
          const objective = knobName === 'outboundLineCount' ? { kind: 'queueServiceLevel' as const, queueId: '5d1e4f3c-0000-4000-8000-00000000a001' } : knobName === 'abandonRate' ? { kind: 'abandonRate' as const } : { kind: 'inboundServiceLevel' as const, queueId: '5d1e4f3c-0000-4000-8000-00000000a001' };
          const campaign = campaignWith({ objective, setpoint: knobName === 'abandonRate' ? 0.02 : 0.8, knob: { name: knobName } });
          const { min, max, maxStep, resolution } = campaign.knob;
          let knob = quantise(min + startFraction * (max - min), resolution, min, max);
          let state: ControllerState | undefined;
          let now = T0;
          for (const t of ticks) {
            now += t.dtMin * MIN;
            if (t.bump) knob = quantise(min + (max - min) * t.value, resolution, min, max);
            const d = step({ campaign, campaignOn: t.on, knobNow: knob, measurement: { value: t.value, sample: t.sample }, ...(t.blind ? { blind: t.blind } : {}), previous: state, now, eventId: String(now) });
            if (t.blind && d.action === 'change') {
              // Blind: only ever toward the safe value, never past it, never up.
              expect(d.reason).toBe('blind-safe-value');
              expect(d.value!).toBeLessThan(knob);
              expect(d.value!).toBeGreaterThanOrEqual(campaign.knob.safeValue - 1e-9);
              expect(state!.blindTicks + 1).toBeGreaterThanOrEqual(campaign.blindTicksBeforeSafe);
            }
            if (d.action === 'change') {
              expect(d.value!).toBeGreaterThanOrEqual(min);
              expect(d.value!).toBeLessThanOrEqual(max);
              expect(Math.abs(d.value! - knob)).toBeLessThanOrEqual(maxStep + 1e-9);
              expect(Number.isFinite(d.value!)).toBe(true);
              knob = d.value!;
            }
            if (d.next) {
              for (const v of [d.next.integral, d.next.lastOutput, d.next.previousError]) expect(Number.isFinite(v)).toBe(true);
              state = { ...d.next, version: (state?.version ?? 0) + 1 };
            }
          }
        },
      ),
      { seed: 20261124, numRuns: 300 },
    );
  });
});

describe('the integral of a dedicated team with a feedforward', () => {
  // An agentless campaign on lines: 0.3 lines per idle agent above 40, its queue's agents dedicated or not.
  const campaignOf = (dedicatedAgents: boolean) =>
    campaignWith({
      objective: { kind: 'queueServiceLevel', queueId: '5d1e4f3c-0000-4000-8000-00000000a001', dedicatedAgents },
      setpoint: 0.9,
      knob: { name: 'outboundLineCount', min: 1, max: 300, maxStep: 60 },
      feedforward: { idleGain: 0.3, waitingGain: 0.5, idleTarget: 40 },
      deadBand: 0.05,
    });
  // The opening: 160 agents idle above the target, a feedforward of 48 lines, the knob cut to 1.
  const opening = (dedicated: boolean) =>
    step({ campaign: campaignOf(dedicated), campaignOn: true, knobNow: 1, measurement: undefined, previous: undefined, now: T0, eventId: 'e0', feedforward: 48 });

  it('starts at the minimum or above, where a shared team takes the feedforward offset in bumplessly', () => {
    // Act
    const dedicated = opening(true);
    const shared = opening(false);
    // Assess: 1 - 48 = -47 for a team that also answers a queue the loop does not watch
    expect(dedicated.reason).toBe('initialised');
    expect(dedicated.next!.integral).toBe(1);
    expect(dedicated.terms!.i).toBe(1);
    expect(shared.next!.integral).toBe(-47);
  });

  // A started loop at `knob` lines whose integral stands at `integral`, as the last tick left it.
  const started = (knob: number, integral: number): ControllerState => ({
    campaignId: 'c', integral, previousError: 0, previousMeasurement: 0.9, lastOutput: knob, lastWritten: knob, lastTickTime: T0, lastEventId: 'e0', blindTicks: 0, version: 1,
  });
  const tick = (dedicated: boolean, knobNow: number, previous: ControllerState, more: Partial<StepInput>) =>
    step({ campaign: campaignOf(dedicated), campaignOn: true, knobNow, measurement: { value: 0.9, sample: 200 }, previous, now: T0 + MIN, eventId: 'e1', feedforward: 48, ...more });

  it("keeps an override's cut from taking the base below the minimum", () => {
    // Act: a thin window holds at 20 lines, and a ceiling of 5 (a start's ramp) cuts it
    const thin = { measurement: { value: 0.95, sample: 10 }, ceiling: 5, cutFloor: 5 };
    const dedicated = tick(true, 20, started(20, 3), thin);
    const shared = tick(false, 20, started(20, 3), thin);
    // Assess: 5 - 48 = -43 taken in by a shared team; the dedicated one's base stays at 1
    expect([dedicated.reason, dedicated.value]).toEqual(['override', 5]);
    expect(dedicated.next!.integral).toBe(1);
    expect(shared.next!.integral).toBe(-43);
  });

  it('keeps the back-calculation under a ceiling from taking the base below the minimum', () => {
    // Act: a full window at 100% asks for more than a ceiling of 5 (a start's ramp) allows
    const full = { measurement: { value: 1, sample: 200 }, ceiling: 5 };
    const dedicated = tick(true, 5, started(5, 3), full);
    const shared = tick(false, 5, started(5, 3), full);
    // Assess: tracking the ceiling in full takes 5 - p - 48 into a shared team's base
    expect(dedicated.value).toBe(5);
    expect(dedicated.next!.integral).toBe(1);
    expect(shared.next!.integral).toBeLessThan(-43);
  });

  it("keeps an idle rise from taking the base below the minimum", () => {
    // Act: a thin window, agents free: 4 lines rise to 8
    const thin = { measurement: { value: 0.95, sample: 10 }, teamHasRoom: true };
    const dedicated = tick(true, 4, started(4, 2), thin);
    const shared = tick(false, 4, started(4, 2), thin);
    // Assess
    expect([dedicated.reason, dedicated.value]).toEqual(['idle-rise', 8]);
    expect(dedicated.next!.integral).toBe(1);
    expect(shared.next!.integral).toBe(-40);
  });

  it("restarts from a person's cut as it stands, and never lifts a base below the minimum", () => {
    // Prepare: 40 lines written, a person cut them to 5 with 160 agents idle (a feedforward of 48)
    const before = started(40, 10);
    // Act: the restart, then a minute at 100% with as many agents idle
    const restart = tick(true, 5, before, {});
    const after = step({ campaign: campaignOf(true), campaignOn: true, knobNow: 5, measurement: { value: 1, sample: 200 }, previous: stateFrom(restart), now: T0 + 2 * MIN, eventId: 'e2', feedforward: 48 });
    // Assess: the base takes the feedforward in (5 - 48 = -43), and the loop rises from the cut at
    // its own pace (the proportional term and a minute's integration), not by the feedforward's 48
    expect(restart.reason).toBe('manual-change');
    expect(restart.next!.integral).toBe(-43);
    expect(after.reason).toBe('pid');
    expect(after.value).toBeLessThan(5 + 48 / 4);
    expect(after.next!.integral).toBeLessThan(-40);
  });

  it('so the feedforward fills the team as the loop resumes, where a shared team holds', () => {
    // Prepare: the opening, then a minute on target (inside the dead-band: the loop would hold) with
    // the agents still idle, then one at 100% with 60 of the 160 busy
    const next = (dedicated: boolean, first: StepDecision, value: number, ff: number, i: number) =>
      step({ campaign: campaignOf(dedicated), campaignOn: true, knobNow: first.value!, measurement: { value, sample: 200 }, previous: stateFrom(first), now: T0 + i * MIN, eventId: `e${i}`, feedforward: ff });
    // Act
    const dedicated = next(true, next(true, opening(true), 0.9, 48, 1), 1, 30, 2);
    const shared = next(false, next(false, opening(false), 0.9, 48, 1), 1, 30, 2);
    // Assess: a base of 1, the proportional term and the 30 lines the feedforward still asks for;
    // the shared team's base of -47 leaves it at 1 line with 100 agents idle above the target
    expect(dedicated.value).toBeGreaterThan(30);
    expect(dedicated.next!.integral).toBeGreaterThanOrEqual(1);
    expect(shared.value).toBe(1);
  });
});
