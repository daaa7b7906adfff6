/**
 * The law outranks the pace: once the budget is spent, a value set by hand above the bounds is cut
 * (a compliance override), unless `respectManualValues` is true.
 */
import { describe, expect, it } from 'vitest';
import { assessCompliance, countingPlan } from '../../lambda/compliance/assess.js';
import type { CampaignConfig } from '../../lambda/config/config.js';
import type { PacingConfigInput } from '../../lambda/config/schema.js';
import { decide } from '../../lambda/control/decide.js';
import type { CampaignSnapshot, ControllerState } from '../../lambda/ports.js';
import { campaignWith } from '../support/config.js';

const T0 = Date.parse('2026-05-01T12:00:00Z');
const UK = { type: 'rolling' as const, hours: 24 };

/** One tick of a campaign whose 24-hour window holds `abandoned` of `live` in its last hour; `knobs` as found in Genesys. */
function tick(campaign: CampaignConfig, knobs: CampaignSnapshot['knobs'], window: { abandoned: number; live: number }, state?: ControllerState) {
  const plan = countingPlan(campaign.compliance, undefined, T0);
  const counted = plan.intervals.map((_, i) => (i === plan.intervals.length - 1 ? window : { abandoned: 0, live: 0 }));
  const compliance = assessCompliance(campaign.compliance, plan, counted, { abandoned: 0, live: 200 }, undefined, T0);
  return decide({
    campaign,
    snapshot: { campaignId: campaign.campaignId, status: 'on', dialingMode: 'progressive', knobs },
    measurement: { value: 0, sample: 200 },
    complianceMeasurement: { value: 0, sample: 200 },
    compliance,
    reserveViolated: false,
    gainScale: 1,
    feedforward: 0,
    dialer: { campaignId: campaign.campaignId, idleAgents: 2, connectRatio: 0.25 },
    state,
    now: T0,
    eventId: 'e1',
  });
}

const lines = (compliance: PacingConfigInput['campaigns'][number]['compliance'] = {}) =>
  campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.025, knob: { name: 'outboundLineCount', min: 1, max: 40, maxStep: 5 }, compliance: { window: UK, amdFalsePositiveRate: 0, ...compliance } });

describe('a value set by hand above the bounds', () => {
  it('is cut to the safe value once the budget is spent, as a compliance override', () => {
    // Prepare: a supervisor set 60 lines (max 40); the 24-hour window holds 4% abandons on 1000 live answers
    const campaign = lines();
    // Act
    const d = tick(campaign, { outboundLineCount: 60 }, { abandoned: 40, live: 1000 });
    // Assess: 2 idle agents at a 25% live-answer rate take 8 lines
    expect(d.main).toMatchObject({ action: 'change', reason: 'compliance-override', value: 8 });
    expect(d.writes).toEqual({ outboundLineCount: 8 });
    expect(d.overrides).toEqual(['compliance']);
    // The next tick continues from the value written, not as a manual change
    expect(d.next).toMatchObject({ lastWritten: 8, lastOutput: 8 });
  });

  it('is left alone while budget remains, with respectManualValues, and when set below the bounds', () => {
    expect(tick(lines(), { outboundLineCount: 60 }, { abandoned: 20, live: 1000 }).main.reason).toBe('knob-outside-bounds');
    expect(tick(lines({ respectManualValues: true }), { outboundLineCount: 60 }, { abandoned: 40, live: 1000 }).writes).toEqual({});
    const low = campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.025, knob: { name: 'outboundLineCount', min: 5, max: 40, maxStep: 5 }, compliance: { window: UK } });
    expect(tick(low, { outboundLineCount: 2 }, { abandoned: 40, live: 1000 }).writes).toEqual({});
  });

  it("on the compliance loop's own knob too: Genesys's abandon target set by hand above its max", () => {
    const campaign = campaignWith({
      knob: { name: 'maxCallsPerAgent', min: 1, max: 3, maxStep: 0.25 },
      compliance: { window: UK, knob: { name: 'abandonRate', min: 0.5, max: 2.5, maxStep: 0.25 } },
    });
    const d = tick(campaign, { maxCallsPerAgent: 2, abandonRate: 3 }, { abandoned: 40, live: 1000 });
    expect(d.complianceLoop).toMatchObject({ reason: 'compliance-override', value: 0.5 });
    expect(d.writes.abandonRate).toBe(0.5);
  });
});
