/** The starting configuration rule: one function of mode, team size and rule, validated by the schema. */
import { describe, expect, it } from 'vitest';
import { parsePacingConfig } from '../../lambda/config/config.js';
import { startingCampaignConfig, StartingConfigError, STARTING_RAMP_MINUTES, type PacedDialingMode } from '../../lambda/config/starting-config.js';

const base = { campaignId: '5d1e4f3c-0000-4000-8000-00000000c001', queueId: '5d1e4f3c-0000-4000-8000-00000000a001' };

describe('startingCampaignConfig', () => {
  it('gives a valid dry-run entry for every mode, size and rule', () => {
    for (const dialingMode of ['predictive', 'power', 'progressive', 'agentless'] satisfies PacedDialingMode[]) {
      for (const agents of [1, 3, 12, 19, 20, 150, 300]) {
        for (const complianceRule of ['us', 'uk'] as const) {
          // Act
          const entry = startingCampaignConfig({ ...base, dialingMode, agents, complianceRule });

          // Assess
          const config = parsePacingConfig({ genesys: { region: 'mypurecloud.ie' }, secretName: 's', campaigns: [entry] });
          expect(config.campaigns[0]!.dryRun).toBe(true);
          expect(config.campaigns[0]!.compliance.window.type).toBe(complianceRule === 'uk' ? 'rolling' : 'periods');
        }
      }
    }
  });

  it('follows the README guidance: knob by mode, UK small teams bounded low', () => {
    // Act
    const pick = (dialingMode: PacedDialingMode, agents: number, complianceRule: 'us' | 'uk') => startingCampaignConfig({ ...base, dialingMode, agents, complianceRule });

    // Assess
    expect(pick('predictive', 50, 'us')).toMatchObject({ objective: { kind: 'abandonRate' }, setpoint: 0.025, knob: { name: 'abandonRate', min: 0.5, max: 2.5 } });
    expect(pick('predictive', 50, 'uk').knob).toMatchObject({ name: 'abandonRate', max: 2 });
    expect(pick('predictive', 10, 'uk').knob).toMatchObject({ name: 'abandonRate', max: 1.5 });
    // Under the UK rule the compliance loop caps a predictive dialer's calls per agent (one at an opening).
    expect(pick('predictive', 50, 'uk').compliance).toMatchObject({ knob: { name: 'maxCallsPerAgent', min: 1, max: 3 } });
    expect(pick('predictive', 50, 'us')).not.toHaveProperty('compliance');
    expect(pick('power', 50, 'us').knob).toMatchObject({ name: 'maxCallsPerAgent', min: 1, max: 3 });
    expect(pick('power', 12, 'uk').knob).toMatchObject({ name: 'maxCallsPerAgent', max: 1.25 });
    expect(pick('progressive', 8, 'us').knob).toMatchObject({ name: 'outboundLineCount', min: 1, max: 8, maxStep: 2 });
    // An agentless team that answers no inbound queue takes no calls but the campaign's transfers.
    expect(pick('agentless', 10, 'us')).toMatchObject({ objective: { kind: 'queueServiceLevel', queueId: base.queueId, dedicatedAgents: true }, setpoint: 0.8, knob: { name: 'outboundLineCount', min: 1, max: 20, maxStep: 4 } });
    // A small team's quarter-hours hold too few transfers for a 100% window to show room; from 20 agents it rises on one.
    expect(pick('agentless', 10, 'us').objective).not.toHaveProperty('fullServiceLevelRise');
    expect(pick('agentless', 19, 'us').objective).not.toHaveProperty('fullServiceLevelRise');
    expect(pick('agentless', 20, 'uk').objective).toMatchObject({ dedicatedAgents: true, fullServiceLevelRise: true });
    expect(pick('power', 10, 'us')).toMatchObject({ windowMinutes: 30, gainSchedule: { referenceAgents: 20, minScale: 0.25 } });
    expect(pick('power', 40, 'us')).not.toHaveProperty('windowMinutes');
  });

  it('paces a blended team for its inbound queue, keeps the abandon budget on the mode\'s knob, and holds the queue\'s own SL target', () => {
    // Prepare
    const inboundQueueId = '5d1e4f3c-0000-4000-8000-00000000a002';
    const blended = (dialingMode: PacedDialingMode, agents: number) => startingCampaignConfig({ ...base, dialingMode, agents, complianceRule: 'us', inboundQueueId, serviceLevelTarget: 0.9 });

    // Act
    const predictive = blended('predictive', 40);
    const power = blended('power', 40);
    const progressive = blended('progressive', 40);
    const agentless = startingCampaignConfig({ ...base, dialingMode: 'agentless', agents: 40, complianceRule: 'uk', inboundQueueId, serviceLevelTarget: 0.7 });

    // Assess
    expect(predictive).toMatchObject({
      objective: { kind: 'inboundServiceLevel', queueId: inboundQueueId },
      setpoint: 0.9,
      knob: { name: 'outboundLineCount', min: 1, max: 60, maxStep: 15 },
      blending: {},
      compliance: { knob: { name: 'abandonRate', min: 0.5, max: 2.5 }, aim: 0.025 },
    });
    expect(power.compliance).toMatchObject({ knob: { name: 'maxCallsPerAgent', max: 3 } });
    expect(progressive).toMatchObject({ objective: { kind: 'inboundServiceLevel' }, knob: { name: 'outboundLineCount', max: 40 } });
    expect(progressive.compliance?.knob).toBeUndefined();
    // Agentless feeds its own transfer queue whatever else the agents answer.
    expect(agentless).toMatchObject({ objective: { kind: 'queueServiceLevel', queueId: base.queueId }, setpoint: 0.7, knob: { max: 80 }, compliance: { window: { type: 'rolling', hours: 24 } } });
    // Its agents also answer the inbound queue: not dedicated.
    expect(agentless.objective).not.toHaveProperty('dedicatedAgents');
    expect(agentless.objective).not.toHaveProperty('fullServiceLevelRise');
    // Without a target given, 80%; a US campaign without a line knob has no compliance block (the schema's 30-day periods).
    expect(startingCampaignConfig({ ...base, dialingMode: 'agentless', agents: 5, complianceRule: 'us' }).setpoint).toBe(0.8);
    expect(startingCampaignConfig({ ...base, dialingMode: 'predictive', agents: 50, complianceRule: 'us' })).not.toHaveProperty('compliance');
  });

  it('scales minSample, the line gains and the dead-band by team size and objective, and ramps every start', () => {
    // Act
    const pick = (dialingMode: PacedDialingMode, agents: number) => startingCampaignConfig({ ...base, dialingMode, agents, complianceRule: 'us' });
    const resolved = (dialingMode: PacedDialingMode, agents: number) => parsePacingConfig({ genesys: { region: 'mypurecloud.ie' }, secretName: 's', campaigns: [pick(dialingMode, agents)] }).campaigns[0]!;

    // Assess: one call per agent, within [10, 100]
    expect([3, 12, 150].map((agents) => pick('power', agents).minSample)).toEqual([10, 12, 100]);
    expect(pick('agentless', 40).startMinutes).toBe(STARTING_RAMP_MINUTES);
    // 1 to 150 lines held to an abandon rate: the compliance loop's line gains (made for 1 to 50 lines) times 149 / 49
    expect(resolved('progressive', 150).gains.kp).toBeCloseTo((200 * 149) / 49, 5);
    expect(resolved('progressive', 150).compliance.gains.kp).toBeCloseTo((200 * 149) / 49, 5);
    expect(resolved('progressive', 20).gains.kp).toBe(200);
    // Held to a service level (blended), the knob's own line gains, scaled the same way
    const blendedLines = startingCampaignConfig({ ...base, dialingMode: 'power', agents: 100, complianceRule: 'us', inboundQueueId: '5d1e4f3c-0000-4000-8000-00000000a002' });
    expect(parsePacingConfig({ genesys: { region: 'mypurecloud.ie' }, secretName: 's', campaigns: [blendedLines] }).campaigns[0]!.gains.kp).toBeCloseTo((40 * 149) / 49, 5);
    // A 2.5% abandon target idles within 0.25 points of it, a service level within one point
    expect(resolved('power', 50).deadBand).toBe(0.0025);
    const blended = startingCampaignConfig({ ...base, dialingMode: 'progressive', agents: 50, complianceRule: 'us', inboundQueueId: '5d1e4f3c-0000-4000-8000-00000000a002' });
    expect(parsePacingConfig({ genesys: { region: 'mypurecloud.ie' }, secretName: 's', campaigns: [blended] }).campaigns[0]!.deadBand).toBe(0.01);
  });

  it("counts the detector's measured false positives under the UK rule, and refuses them under the US rule", () => {
    // Act
    const uk = startingCampaignConfig({ ...base, dialingMode: 'power', agents: 40, complianceRule: 'uk', amdFalsePositiveRate: 0.016 });
    const ukDefault = startingCampaignConfig({ ...base, dialingMode: 'power', agents: 40, complianceRule: 'uk' });

    // Assess
    const resolved = (entry: typeof uk) => parsePacingConfig({ genesys: { region: 'mypurecloud.ie' }, secretName: 's', campaigns: [entry] }).campaigns[0]!.compliance;
    expect(resolved(uk)).toMatchObject({ window: { type: 'rolling' }, amdFalsePositiveRate: 0.016 });
    expect(resolved(ukDefault).amdFalsePositiveRate).toBe(0.005);
    expect(() => startingCampaignConfig({ ...base, dialingMode: 'power', agents: 40, complianceRule: 'us', amdFalsePositiveRate: 0.01 })).toThrow(
      /amdFalsePositiveRate for campaign .* counts only under the UK rule/,
    );
  });

  it('refuses a team size that is not a whole number of agents', () => {
    // Act / Assess
    expect(() => startingCampaignConfig({ ...base, dialingMode: 'power', agents: 0, complianceRule: 'us' })).toThrow(StartingConfigError);
    expect(() => startingCampaignConfig({ ...base, dialingMode: 'power', agents: 2.5, complianceRule: 'us' })).toThrow(/agents for campaign .* must be a whole number of at least 1/);
  });
});
