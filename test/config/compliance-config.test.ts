/**
 * The compliance, blending, feedforward and gain-schedule settings: defaults, merging of
 * `defaults` with a campaign's own, and errors that name the field and the fix.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parsePacingConfig } from '../../lambda/config/config.js';
import type { PacingConfigInput } from '../../lambda/config/schema.js';
import { CAMPAIGN_ID, campaignWith, QUEUE_ID } from '../support/config.js';

function problems(extra: Partial<PacingConfigInput['campaigns'][number]>, defaults?: PacingConfigInput['defaults']): string[] {
  try {
    parsePacingConfig({
      genesys: { localBaseUrl: 'http://127.0.0.1:1' },
      secretName: 'genesys-pacing/test',
      ...(defaults ? { defaults } : {}),
      campaigns: [{ campaignId: CAMPAIGN_ID, objective: { kind: 'inboundServiceLevel', queueId: QUEUE_ID }, setpoint: 0.8, ...extra }],
    });
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
}

describe('compliance defaults', () => {
  it('is the US rule: 3% over each 30-day period, steering to 2.5%, capping the campaign\'s own knob', () => {
    const c = campaignWith().compliance;
    expect(c).toMatchObject({ limit: 0.03, window: { type: 'periods', days: 30 }, aim: 0.025, closeMargin: 0.002, warningRate: 0.027 });
    expect(c.guard).toEqual({ minutes: 10, minSample: 10, significance: 0.01 });
    const { safeValue: _safeValue, ...knob } = campaignWith().knob;
    expect(c.knob).toEqual(knob);
  });

  it('takes the UK rule as a rolling 24-hour window, and a period anchor as the campaign start', () => {
    expect(campaignWith({ compliance: { window: { type: 'rolling', hours: 24 } } }).compliance.window).toEqual({ type: 'rolling', hours: 24 });
    expect(campaignWith({ compliance: { window: { type: 'periods', days: 30, anchor: '2026-05-01T00:00:00Z' } } }).compliance.window).toEqual({
      type: 'periods',
      days: 30,
      anchor: Date.parse('2026-05-01T00:00:00Z'),
    });
  });

  it('merges defaults.compliance with a campaign\'s own, field by field', () => {
    const config = parsePacingConfig({
      genesys: { localBaseUrl: 'http://127.0.0.1:1' },
      secretName: 'genesys-pacing/test',
      defaults: { compliance: { limit: 0.05, guard: { minutes: 5 } } },
      campaigns: [{ campaignId: CAMPAIGN_ID, objective: { kind: 'inboundServiceLevel', queueId: QUEUE_ID }, setpoint: 0.8, compliance: { aim: 0.04, guard: { minSample: 30 } } }],
    });
    expect(config.campaigns[0]!.compliance).toMatchObject({ limit: 0.05, aim: 0.04, guard: { minutes: 5, minSample: 30, significance: 0.01 } });
  });

  it('gives a separate compliance knob its own default bounds and gains', () => {
    const c = campaignWith({ knob: { name: 'outboundLineCount', min: 1, max: 40 }, compliance: { knob: { name: 'abandonRate', min: 1.5 } } }).compliance;
    expect(c.knob).toMatchObject({ name: 'abandonRate', min: 1.5, max: 3, maxStep: 0.25 });
    expect(c.gains).toEqual({ kp: 40, ki: 10, kd: 0 });
  });
});

describe("default gains in the objective's units", () => {
  it("gives an abandon-rate objective on calls per agent or lines the compliance loop's gains, a service level the knob's own", () => {
    // Prepare: the same knobs held to an abandon rate (error 0.025 at most) and to a service level (error in points)
    const abandon = (name: 'maxCallsPerAgent' | 'outboundLineCount' | 'abandonRate') => campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.025, knob: { name } }).gains;
    const service = (name: 'maxCallsPerAgent' | 'outboundLineCount') => campaignWith({ setpoint: 0.8, knob: { name } }).gains;
    // Act / Assess
    expect(abandon('maxCallsPerAgent')).toEqual({ kp: 10, ki: 2, kd: 0 });
    expect(abandon('outboundLineCount')).toEqual({ kp: 200, ki: 50, kd: 0 });
    expect(abandon('abandonRate')).toEqual({ kp: 40, ki: 10, kd: 5 });
    expect(service('maxCallsPerAgent')).toEqual({ kp: 2, ki: 0.5, kd: 0.5 });
    expect(service('outboundLineCount')).toEqual({ kp: 40, ki: 10, kd: 5 });
    // Gains a campaign sets are its own
    expect(campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.025, knob: { name: 'maxCallsPerAgent' }, gains: { kp: 1, ki: 0.1, kd: 0 } }).gains).toEqual({ kp: 1, ki: 0.1, kd: 0 });
  });
});

describe('compliance errors name the field and the fix', () => {
  it('an aim above limit - closeMargin', () => {
    expect(problems({ compliance: { aim: 0.029 } })).toEqual([expect.stringMatching(/^campaigns\[0\]\.compliance\.aim: must be at or below limit - closeMargin \(0\.028\)/)]);
  });

  it('a warning level above the limit, and a limit written as a percentage', () => {
    expect(problems({ compliance: { warningRate: 0.04 } })).toEqual([expect.stringMatching(/compliance\.warningRate: must be at or below the limit/)]);
    expect(problems({ compliance: { limit: 3 } })).toEqual(expect.arrayContaining([expect.stringMatching(/compliance\.limit: must be below 1.*write 0.03 for 3%/)]));
  });

  it('an abandon-rate setpoint above the limit', () => {
    expect(problems({ objective: { kind: 'abandonRate' }, setpoint: 0.04 })).toEqual([expect.stringMatching(/^campaigns\[0\]\.setpoint: must be at or below the compliance limit/)]);
  });

  it('a Genesys abandon target allowed above the limit, on the campaign\'s knob or the compliance knob', () => {
    // Prepare: targets at the limit are legal, above it are not (4% under the default 3%, 3% under a 2.5% limit).
    const ownAbove = { objective: { kind: 'abandonRate' as const }, setpoint: 0.02, knob: { name: 'abandonRate' as const, max: 4 } };
    const loopAbove = { knob: { name: 'outboundLineCount' as const, min: 1, max: 40 }, compliance: { knob: { name: 'abandonRate' as const, max: 3 } } };

    // Act and Assess
    expect(problems({ ...ownAbove, knob: { name: 'abandonRate', max: 3 } })).toEqual([]);
    expect(problems(ownAbove)).toEqual([expect.stringMatching(/^campaigns\[0\]\.knob\.max: 4 is above the compliance limit \(3%\).*set max to 3 or less/)]);
    expect(problems(loopAbove)).toEqual([]);
    expect(problems(loopAbove, { compliance: { limit: 0.025 } })).toEqual([expect.stringMatching(/^campaigns\[0\]\.compliance\.knob\.max: 3 is above the compliance limit \(2\.5%\).*set max to 2\.5 or less/)]);
  });

  it('a stricter limit lowers the abandon target\'s default max with it, so no bounds need writing', () => {
    // Prepare and Act: a 2% limit, the abandon target as the campaign's knob and as a separate compliance knob
    const own = campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.015, compliance: { limit: 0.02 } });
    const loop = campaignWith({ knob: { name: 'outboundLineCount', min: 1, max: 40 }, compliance: { limit: 0.02, knob: { name: 'abandonRate' } } });

    // Assess
    expect(own.knob).toMatchObject({ name: 'abandonRate', min: 0.5, max: 2 });
    expect(own.compliance.knob.max).toBe(2);
    expect(loop.compliance.knob).toMatchObject({ name: 'abandonRate', max: 2 });
    expect(campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.02 }).knob.max).toBe(3);
  });

  it('bounds given to compliance.knob when it is the campaign\'s own knob', () => {
    expect(problems({ compliance: { knob: { name: 'maxCallsPerAgent', max: 2 } } })).toEqual([expect.stringMatching(/compliance\.knob: is the campaign's own knob/)]);
  });

  it('a bad compliance knob range, and an unknown window type', () => {
    expect(problems({ compliance: { knob: { name: 'maxCallsPerAgent', max: 20 } }, knob: { name: 'outboundLineCount' } })).toEqual(
      expect.arrayContaining([expect.stringMatching(/compliance\.knob\.max: Genesys allows at most 15 calls per agent/)]),
    );
    expect(problems({ compliance: { window: { type: 'monthly' } as never } })).toEqual([expect.stringMatching(/compliance\.window\.type: must be \{"type": "periods"/)]);
  });

  it('an AMD false-positive rate written as a percentage, and a manual-values switch that is not a boolean', () => {
    expect(problems({ compliance: { amdFalsePositiveRate: 0.5 } })).toEqual([]);
    expect(problems({ compliance: { amdFalsePositiveRate: 5 } })).toEqual([expect.stringMatching(/compliance\.amdFalsePositiveRate: must be at most 0\.5: .*write 0\.005/)]);
    expect(problems({ compliance: { respectManualValues: 'yes' as never } })).toEqual([expect.stringMatching(/compliance\.respectManualValues: must be true/)]);
  });

  it('a guard significance out of range', () => {
    expect(problems({ compliance: { guard: { significance: 0 } } })).toEqual([expect.stringMatching(/compliance\.guard\.significance: must be above 0/)]);
  });
});

describe('blending, feedforward and gain schedule', () => {
  it('fill their defaults when present, and are absent otherwise', () => {
    expect(campaignWith({ blending: {} }).blending).toEqual({ reserveAgents: 2, waitingLimit: 2, arrivalMinutes: 5 });
    expect(campaignWith({ feedforward: { idleGain: 0.5, waitingGain: 1 } }).feedforward).toEqual({ source: 'queue', idleGain: 0.5, waitingGain: 1, idleTarget: 0 });
    expect(campaignWith().blending).toBeUndefined();
    expect(campaignWith().feedforward).toBeUndefined();
    expect(campaignWith().gainSchedule).toBeUndefined();
  });

  it('need a queue objective', () => {
    expect(problems({ objective: { kind: 'abandonRate' }, setpoint: 0.02, blending: {} })).toEqual([expect.stringMatching(/^campaigns\[0\]\.blending: needs a queue objective/)]);
    expect(problems({ objective: { kind: 'abandonRate' }, setpoint: 0.02, feedforward: { idleGain: 1, waitingGain: 1 } })).toEqual([
      expect.stringMatching(/^campaigns\[0\]\.feedforward: with source "queue" it needs a queue objective/),
    ]);
    expect(problems({ objective: { kind: 'abandonRate' }, setpoint: 0.02, feedforward: { source: 'dialer', idleGain: 1, waitingGain: 1 } })).toEqual([]);
  });

  it('reject the removed reserve share with its fix, and a gain schedule with minScale 0', () => {
    expect(problems({ blending: { reserveShare: 0.5 } as never })).toEqual([
      expect.stringMatching(/blending\.reserveShare: was removed: the reserve is now the agents the inbound queue needs .*delete "reserveShare"/),
    ]);
    expect(problems({ gainSchedule: { referenceAgents: 20, minScale: 0 } })).toEqual([expect.stringMatching(/gainSchedule\.minScale/)]);
  });
});

describe("an agentless queue's dedicated agents, and the rise on a full service level", () => {
  it('are marked on a queue objective only, as true or false, with a message that names the field', () => {
    // Act
    const onQueue = problems({ objective: { kind: 'queueServiceLevel', queueId: QUEUE_ID, dedicatedAgents: true }, knob: { name: 'outboundLineCount' } });
    const notBoolean = problems({ objective: { kind: 'queueServiceLevel', queueId: QUEUE_ID, dedicatedAgents: 'yes' as unknown as boolean }, knob: { name: 'outboundLineCount' } });
    const onInbound = problems({ objective: { kind: 'inboundServiceLevel', queueId: QUEUE_ID, dedicatedAgents: true } as unknown as PacingConfigInput['campaigns'][number]['objective'] });
    // Assess
    expect(onQueue).toEqual([]);
    expect(notBoolean.join('\n')).toMatch(/dedicatedAgents.*must be true or false/);
    expect(onInbound.join('\n')).toMatch(/dedicatedAgents/);
  });

  it('rises on a full service level only on a dedicated team with blending, and names the fix', () => {
    // Prepare
    const objective = { kind: 'queueServiceLevel' as const, queueId: QUEUE_ID, fullServiceLevelRise: true };
    // Act
    const opted = problems({ objective: { ...objective, dedicatedAgents: true }, knob: { name: 'outboundLineCount' }, blending: {} });
    const notDedicated = problems({ objective, knob: { name: 'outboundLineCount' }, blending: {} });
    const withoutBlending = problems({ objective: { ...objective, dedicatedAgents: true }, knob: { name: 'outboundLineCount' } });
    const notBoolean = problems({ objective: { ...objective, dedicatedAgents: true, fullServiceLevelRise: 1 as unknown as boolean }, knob: { name: 'outboundLineCount' }, blending: {} });
    // Assess
    expect(opted).toEqual([]);
    expect(notDedicated).toEqual([expect.stringMatching(/^campaigns\[0\]\.objective\.fullServiceLevelRise: needs "dedicatedAgents": true/)]);
    expect(withoutBlending).toEqual(['campaigns[0].objective.fullServiceLevelRise: needs blending (the transfers\' load is read through it): add "blending": {}']);
    expect(notBoolean.join('\n')).toMatch(/fullServiceLevelRise.*must be true or false/);
  });
});
