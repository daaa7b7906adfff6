/**
 * Every value the law writes is one Genesys takes as it is: a whole number of the knob's
 * resolution, printed as such (1.55, never 1.5499999999999998), and inside the knob's bounds,
 * whatever the configuration, the measurements, the overrides and the values people set by hand.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assessCompliance, countingPlan } from '../../lambda/compliance/assess.js';
import type { CampaignConfig, KnobConfig } from '../../lambda/config/config.js';
import { knobDefaults, type KnobName } from '../../lambda/config/schema.js';
import { decide } from '../../lambda/control/decide.js';
import { step } from '../../lambda/control/pid.js';
import type { ControllerState } from '../../lambda/ports.js';
import { QUEUE_ID, campaignWith, configWith } from '../support/config.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const MIN = 60_000;

/** Resolutions of a few decimals, on and off the powers of ten. */
const resolutionArb = fc.constantFrom(0.001, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1);

/** Decimals written after the point, as a person would write the number ("0.05" has 2). */
function decimals(x: number): number {
  const s = String(x);
  expect(s, `${s} is written in exponent form`).not.toMatch(/e/);
  return s.includes('.') ? s.split('.')[1]!.length : 0;
}

/** The value is a whole number of resolutions, written with no more decimals than the resolution has. */
function expectOnGrid(value: number, knob: KnobConfig): void {
  const places = decimals(knob.resolution);
  const what = `${knob.name} = ${JSON.stringify(value)} on a grid of ${knob.resolution} in [${knob.min}, ${knob.max}]`;
  expect(decimals(value), what).toBeLessThanOrEqual(places);
  expect((Math.round(value / knob.resolution) * knob.resolution).toFixed(places), what).toBe(value.toFixed(places));
  expect(value, what).toBeGreaterThanOrEqual(knob.min);
  expect(value, what).toBeLessThanOrEqual(knob.max);
}

/** A grid value lies inside the knob's bounds (a configuration without one is refused). */
const hasGridValue = (k: Pick<KnobConfig, 'min' | 'max' | 'resolution'>) => Math.ceil(k.min / k.resolution - 1e-9) <= Math.floor(k.max / k.resolution + 1e-9);

/** Bounds of a few decimals (whole lines for outboundLineCount), inside what the configuration accepts. */
function boundsArb(name: KnobName) {
  if (name === 'outboundLineCount') {
    return fc.record({ min: fc.integer({ min: 0, max: 20 }), span: fc.integer({ min: 1, max: 30 }), maxStep: fc.integer({ min: 1, max: 8 }) }).map(({ min, span, maxStep }) => ({ min, max: min + span, maxStep }));
  }
  // abandonRate stays at or below the 3% compliance limit; calls per agent below Genesys's 15.
  const top = name === 'abandonRate' ? 3000 : 6000;
  const { resolution } = knobDefaults(name, undefined);
  return fc
    .record({ min: fc.integer({ min: 0, max: top - 10 }), span: fc.integer({ min: 10, max: top }), maxStep: fc.integer({ min: 1, max: 1000 }) })
    .map(({ min, span, maxStep }) => ({ min: min / 1000, max: Math.min(top, min + span) / 1000, maxStep: maxStep / 1000 }))
    .filter((b) => hasGridValue({ ...b, resolution }));
}

const objectiveOf = (name: KnobName) =>
  name === 'abandonRate'
    ? { objective: { kind: 'abandonRate' as const }, setpoint: 0.02 }
    : name === 'outboundLineCount'
      ? { objective: { kind: 'queueServiceLevel' as const, queueId: QUEUE_ID }, setpoint: 0.8 }
      : { objective: { kind: 'inboundServiceLevel' as const, queueId: QUEUE_ID }, setpoint: 0.8 };

/** A campaign on `name`, with the compliance loop on its own abandonRate knob when `ownLoopKnob` is set. */
const campaignArb = fc
  .constantFrom<KnobName>('maxCallsPerAgent', 'abandonRate', 'outboundLineCount')
  .chain((name) =>
    fc.record({
      name: fc.constant(name),
      bounds: boundsArb(name),
      safeShare: fc.double({ min: 0, max: 1, noNaN: true }),
      resolution: resolutionArb,
      ownLoopKnob: name === 'maxCallsPerAgent' ? fc.option(fc.record({ bounds: boundsArb('abandonRate'), resolution: resolutionArb })) : fc.constant(null),
    }),
  )
  .map(({ name, bounds, safeShare, resolution, ownLoopKnob }): CampaignConfig => {
    const raw = bounds.min + safeShare * (bounds.max - bounds.min);
    const safeValue = name === 'outboundLineCount' ? Math.round(raw) : Math.min(bounds.max, Number(raw.toFixed(3)));
    const campaign = campaignWith({
      ...objectiveOf(name),
      knob: { name, ...bounds, safeValue },
      ...(ownLoopKnob ? { compliance: { knob: { name: 'abandonRate', ...ownLoopKnob.bounds } } } : {}),
    });
    // The resolution is Genesys's, not configurable: set here to try grids other than the real ones.
    campaign.knob.resolution = resolution;
    campaign.compliance.knob.resolution = ownLoopKnob ? ownLoopKnob.resolution : resolution;
    return campaign;
  });

const tickArb = fc.record({
  dtMin: fc.double({ min: 0.5, max: 12, noNaN: true }),
  on: fc.integer({ min: 0, max: 7 }).map((n) => n > 0),
  blind: fc.constantFrom(undefined, undefined, undefined, undefined, 'read-failed' as const, 'stale-data' as const),
  objective: fc.double({ min: 0, max: 1, noNaN: true }),
  sample: fc.integer({ min: 0, max: 300 }),
  abandonRate: fc.double({ min: 0, max: 0.12, noNaN: true }),
  live: fc.integer({ min: 0, max: 400 }),
  recentAbandoned: fc.integer({ min: 0, max: 20 }),
  recentLive: fc.integer({ min: 0, max: 60 }),
  reserveViolated: fc.boolean(),
  gainScale: fc.double({ min: 0.2, max: 3, noNaN: true }),
  feedforward: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
  // A person sets a knob by hand, to any value at all (off the grid, outside the bounds).
  handSet: fc.option(fc.record({ which: fc.constantFrom<'main' | 'loop'>('main', 'loop'), share: fc.double({ min: -0.2, max: 1.2, noNaN: true }) }), { freq: 10 }),
});

describe('every value the law writes is on the knob\'s grid and inside its bounds', () => {
  it('decide: the campaign\'s loop, the compliance loop and their overrides, over whole runs', () => {
    fc.assert(
      fc.property(campaignArb, fc.array(tickArb, { minLength: 5, maxLength: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), (campaign, ticks, start) => {
        // The grids tried here stand in for Genesys's: bounds must hold a value of them too.
        fc.pre(hasGridValue(campaign.knob) && hasGridValue(campaign.compliance.knob));
        // Prepare: the knobs start wherever Genesys had them, on the grid or not
        const at = (k: KnobConfig, share: number) => k.min + share * (k.max - k.min);
        const knobs: Partial<Record<KnobName, number>> = { [campaign.compliance.knob.name]: at(campaign.compliance.knob, start), [campaign.knob.name]: at(campaign.knob, start) };
        let state: ControllerState | undefined;
        let now = T0;
        for (const [i, t] of ticks.entries()) {
          now += Math.round(t.dtMin * MIN);
          if (t.handSet) {
            const k = t.handSet.which === 'main' ? campaign.knob : campaign.compliance.knob;
            knobs[k.name] = at(k, t.handSet.share);
          }
          const plan = countingPlan(campaign.compliance, state?.compliance, now);
          const measured = { abandoned: Math.round(t.abandonRate * t.live), live: t.live };
          const compliance = assessCompliance(campaign.compliance, plan, plan.intervals.map(() => ({ abandoned: 0, live: 0 })), measured, { abandoned: t.recentAbandoned, live: t.recentLive }, now);

          // Act
          const d = decide({
            campaign,
            snapshot: { campaignId: campaign.campaignId, status: t.on ? 'on' : 'off', dialingMode: 'predictive', knobs: { ...knobs } },
            measurement: { value: campaign.objective.kind === 'abandonRate' ? t.abandonRate : t.objective, sample: t.sample },
            complianceMeasurement: { value: t.live ? measured.abandoned / t.live : 0, sample: t.live },
            compliance,
            reserveViolated: t.reserveViolated,
            gainScale: t.gainScale,
            feedforward: t.feedforward,
            ...(t.blind ? { blind: t.blind } : {}),
            state,
            now,
            eventId: `e${i}`,
          });

          // Assess
          for (const [name, value] of Object.entries(d.writes) as Array<[KnobName, number]>) {
            expectOnGrid(value, name === campaign.knob.name ? campaign.knob : campaign.compliance.knob);
            knobs[name] = value;
          }
          if (d.next) state = { ...d.next, version: (state?.version ?? 0) + 1 };
        }
      }),
      { seed: 20261124, numRuns: 400 },
    );
  });

  it('step: under any ceiling and feedforward, from any knob value', () => {
    fc.assert(
      fc.property(
        campaignArb,
        fc.array(
          fc.record({
            knobShare: fc.double({ min: -0.1, max: 1.1, noNaN: true }),
            ceilingShare: fc.option(fc.double({ min: 0, max: 1.2, noNaN: true })),
            measured: fc.double({ min: 0, max: 1, noNaN: true }),
            blind: fc.constantFrom(undefined, undefined, undefined, 'read-failed' as const),
            feedforward: fc.double({ min: -1, max: 1, noNaN: true }),
            dtMin: fc.double({ min: 0.5, max: 10, noNaN: true }),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        (campaign, ticks) => {
          fc.pre(hasGridValue(campaign.knob));
          const { knob } = campaign;
          let state: ControllerState | undefined;
          let now = T0;
          for (const t of ticks) {
            now += Math.round(t.dtMin * MIN);
            // Prepare: a knob a person may have left between grid values; a ceiling anywhere above the min
            const knobNow = knob.min + t.knobShare * (knob.max - knob.min);
            const ceiling = t.ceilingShare === null ? undefined : knob.min + t.ceilingShare * (knob.max - knob.min);
            // Act
            const d = step({ campaign, campaignOn: true, knobNow, measurement: { value: t.measured, sample: 500 }, ...(t.blind ? { blind: t.blind } : {}), previous: state, now, eventId: String(now), feedforward: t.feedforward, ...(ceiling === undefined ? {} : { ceiling }) });
            // Assess
            if (d.action === 'change') expectOnGrid(d.value!, knob);
            if (d.next) state = { ...d.next, version: (state?.version ?? 0) + 1 };
          }
        },
      ),
      { seed: 20261124, numRuns: 400 },
    );
  });
});

describe('a knob\'s bounds must hold a value Genesys takes', () => {
  it('refuses bounds between two grid values, naming the field and a value to include', () => {
    // Prepare: calls per agent move in steps of 0.05
    const narrow = { knob: { name: 'maxCallsPerAgent' as const, min: 1.01, max: 1.04 } };
    // Act / Assess
    expect(() => configWith([narrow])).toThrow(/campaigns\[0\]\.knob: min \(1\.01\) and max \(1\.04\) hold no value Genesys takes: maxCallsPerAgent moves in steps of 0\.05; widen them to include one, such as 1\.05/s);
    expect(configWith([{ knob: { name: 'maxCallsPerAgent', min: 1.01, max: 1.05 } }]).campaigns[0]!.knob.max).toBe(1.05);
  });
});
