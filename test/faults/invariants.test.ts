/**
 * The invariant checker catches each breach it exists for (so a clean fault run means something).
 */
import { describe, expect, it } from 'vitest';
import type { ControllerState } from '../../lambda/ports.js';
import type { CampaignReport, TickSummary } from '../../lambda/tick.js';
import { InvariantChecker, type Invocation, type TickRecord } from '../../sim/faults/invariants.js';
import { CAMPAIGN_ID, configWith } from '../support/config.js';

const config = configWith([{ knob: { name: 'maxCallsPerAgent', min: 1, max: 3, maxStep: 0.25 }, blindTicksBeforeSafe: 3 }]);
const T = Date.parse('2026-06-01T10:00:00Z');

const state = (version: number, over: Partial<ControllerState> = {}): ControllerState => ({
  campaignId: CAMPAIGN_ID,
  integral: 2,
  previousError: 0,
  lastOutput: 2,
  lastWritten: 2,
  lastTickTime: T - 60_000,
  lastEventId: 'e0',
  blindTicks: 0,
  version,
  ...over,
});

const report = (over: Partial<CampaignReport>): CampaignReport => ({
  campaignId: CAMPAIGN_ID,
  objective: 'inboundServiceLevel',
  knob: 'maxCallsPerAgent',
  outcome: 'written',
  reason: 'pid',
  setpoint: 0.8,
  previousValue: 2,
  newValue: 1.75,
  campaignStatus: 'on',
  ...over,
});

const summary = (reports: CampaignReport[]): TickSummary => ({
  eventId: 'e1',
  tickTime: new Date(T).toISOString(),
  dryRun: false,
  durationMs: 1,
  counts: { written: 0, 'would-write': 0, held: 0, skipped: 0, error: 0 },
  campaigns: reports,
});

const logLine = (level: string, campaignId?: string) => ({ text: `{"level":"${level}","eventId":"e1"}`, json: { level, eventId: 'e1', ...(campaignId ? { campaignId } : {}) } });

/** A clean tick: one PATCH 2 -> 1.75 decided and applied, state advanced once. */
function cleanTick(over: Partial<TickRecord> = {}, invocation: Partial<Invocation> = {}): TickRecord {
  return {
    label: 'test',
    invocations: [{ eventId: 'e1', eventTime: T, consoleDryRun: false, result: summary([report({})]), ...invocation }],
    knobsBefore: new Map([[CAMPAIGN_ID, { maxCallsPerAgent: 2, abandonRate: 2.5 }]]),
    patches: [{ campaignId: CAMPAIGN_ID, body: { maxCallsPerAgent: 1.75 }, status: 204 }],
    stateBefore: new Map([[CAMPAIGN_ID, state(1)]]),
    stateAfter: new Map([[CAMPAIGN_ID, state(2, { lastEventId: 'e1', lastTickTime: T, lastWritten: 1.75 })]]),
    logs: [logLine('INFO', CAMPAIGN_ID)],
    ...over,
  };
}

function violations(record: TickRecord): string[] {
  return new InvariantChecker(config).check(record);
}

describe('InvariantChecker', () => {
  it('passes a clean tick', () => {
    expect(violations(cleanTick())).toEqual([]);
  });

  it.each([
    ['a PATCH outside the bounds', { patches: [{ campaignId: CAMPAIGN_ID, body: { maxCallsPerAgent: 3.5 }, status: 204 }] }, /outside \[1, 3\]/],
    ['a rise larger than the largest step', { patches: [{ campaignId: CAMPAIGN_ID, body: { maxCallsPerAgent: 2.5 }, status: 204 }] }, /rises more than the largest step/],
    [
      'two invocations writing one campaign in one tick',
      {
        invocations: ['e1', 'e1'].map((eventId) => ({ eventId, eventTime: T, consoleDryRun: false, result: summary([report({})]) })),
        patches: [1, 2].map(() => ({ campaignId: CAMPAIGN_ID, body: { maxCallsPerAgent: 1.75 }, status: 204 })),
      },
      /2 writes made \(1 values, 2 PATCHes applied\)/,
    ],
    ['two values sent in one tick', { patches: [1.75, 2.25].map((v) => ({ campaignId: CAMPAIGN_ID, body: { maxCallsPerAgent: v }, status: 500 })) }, /1 writes made \(2 values/],
    ['a PATCH with another field', { patches: [{ campaignId: CAMPAIGN_ID, body: { maxCallsPerAgent: 1.75, version: 3 }, status: 204 }] }, /is not finite values of maxCallsPerAgent only/],
    ['a PATCH of a knob neither loop moves', { patches: [{ campaignId: CAMPAIGN_ID, body: { maxCallsPerAgent: 1.75, outboundLineCount: 3 }, status: 204 }] }, /is not finite values of maxCallsPerAgent only/],
    ['lost state', { stateAfter: new Map() }, /was lost/],
    ['state advanced twice', { stateAfter: new Map([[CAMPAIGN_ID, state(3, { lastEventId: 'e1', lastTickTime: T })]]) }, /advanced twice/],
    ['state rolled back', { stateAfter: new Map([[CAMPAIGN_ID, state(0)]]) }, /rolled back/],
    ['state advanced by another event', { stateAfter: new Map([[CAMPAIGN_ID, state(2, { lastEventId: 'other', lastTickTime: T })]]) }, /not one of this tick's saving invocations/],
    ['state changed without a version', { stateAfter: new Map([[CAMPAIGN_ID, state(1, { integral: 9 })]]) }, /changed without a new version/],
  ] as const)('catches %s', (_what, over, message) => {
    expect(violations(cleanTick(over as Partial<TickRecord>)).join('\n')).toMatch(message);
  });

  it('checks both knobs of a PATCH from a campaign whose compliance loop moves its own knob', () => {
    // Prepare: the compliance loop moves abandonRate (0.5..3, step 0.25) beside calls per agent
    const twoKnobs = configWith([{ compliance: { knob: { name: 'abandonRate' } } }]);
    const both = (abandonRate: number, status = 204) => ({ campaignId: CAMPAIGN_ID, body: { maxCallsPerAgent: 1.75, abandonRate }, status });
    const decided = summary([report({ compliance: { windowRate: 0.03, windowLive: 100, windowAbandoned: 3, remainingAbandons: 0, remainingShare: 0, allowedRate: 0.02, guardTripped: false, warning: true, knob: 'abandonRate', reason: 'pid', previousValue: 2.5, newValue: 2.25 } })]);

    // Act
    const clean = new InvariantChecker(twoKnobs).check(cleanTick({ patches: [both(2.25)] }, { result: decided }));
    const oversized = new InvariantChecker(twoKnobs).check(cleanTick({ patches: [both(3)] }, { result: decided }));
    const undecided = new InvariantChecker(twoKnobs).check(cleanTick({ patches: [both(2)] }, { result: decided }));

    // Assess
    expect(clean).toEqual([]);
    expect(oversized.join('\n')).toMatch(/abandonRate 2.5 -> 3 rises more than the largest step 0.25/);
    expect(undecided.join('\n')).toMatch(/abandonRate=2 matches no write a report of the tick decided/);
  });

  it('counts the same PATCH re-sent by one invocation after a lost answer apart, not as a second write', () => {
    const checker = new InvariantChecker(config);
    const retried = cleanTick({ patches: [1, 2].map(() => ({ campaignId: CAMPAIGN_ID, body: { maxCallsPerAgent: 1.75 }, status: 204 })) });
    expect(checker.check(retried)).toEqual([]);
    expect(checker.tally).toMatchObject({ patchesApplied: 1, patchesReapplied: 1 });
  });

  it('catches a PATCH in dry run, from a console dry run or a dry-run campaign', () => {
    const consoleRun = cleanTick({ stateAfter: new Map([[CAMPAIGN_ID, state(1)]]) }, { consoleDryRun: true });
    expect(violations(consoleRun).join('\n')).toMatch(/in dry run/);
    const dryConfig = configWith([{ dryRun: true }]);
    expect(new InvariantChecker(dryConfig).check(cleanTick()).join('\n')).toMatch(/in dry run/);
  });

  it('catches a write while blind below the limit, and a missed fallback at the limit', () => {
    const early = cleanTick({}, { result: summary([report({ reason: 'blind-safe-value', blind: { ticks: 2, limit: 3, safeValue: 1 } })]) });
    expect(violations(early).join('\n')).toMatch(/blind for 2 of 3 ticks but decided a write/);
    const missed = cleanTick(
      { patches: [], stateAfter: new Map([[CAMPAIGN_ID, state(2, { lastEventId: 'e1', lastTickTime: T, blindTicks: 3 })]]), logs: [logLine('ERROR', CAMPAIGN_ID)] },
      { result: summary([report({ outcome: 'error', reason: 'read-failed', newValue: 2, message: 'metrics read failed', blind: { ticks: 3, limit: 3, safeValue: 1 } })]) },
    );
    expect(violations(missed).join('\n')).toMatch(/did not step toward it/);
  });

  it('catches a blind fallback that goes up, and a stored count that differs from the report', () => {
    const up = cleanTick(
      { patches: [{ campaignId: CAMPAIGN_ID, body: { maxCallsPerAgent: 2.25 }, status: 204 }], stateAfter: new Map([[CAMPAIGN_ID, state(2, { lastEventId: 'e1', lastTickTime: T, blindTicks: 4 })]]), logs: [logLine('WARN', CAMPAIGN_ID)] },
      { result: summary([report({ reason: 'blind-safe-value', newValue: 2.25, message: 'blind', blind: { ticks: 3, limit: 3, safeValue: 1 } })]) },
    );
    const found = violations(up).join('\n');
    expect(found).toMatch(/is not a step down toward the safe value/);
    expect(found).toMatch(/reported 3 blind ticks but stored 4/);
  });

  it('attributes the stored blind count to the delivery that saved it when one event came twice', () => {
    // One delivery could not read and saved its blind tick; the other read, PATCHed, failed and saved nothing.
    const blind = summary([report({ outcome: 'error', reason: 'read-failed', newValue: 2, message: 'metrics read failed', blind: { ticks: 2, limit: 3, safeValue: 1 } })]);
    const failedWrite = summary([report({ outcome: 'error', reason: 'write-failed', newValue: 2, message: 'HTTP 500' })]);
    const record = cleanTick({
      invocations: [
        { eventId: 'e1', eventTime: T, consoleDryRun: false, result: blind },
        { eventId: 'e1', eventTime: T, consoleDryRun: false, result: failedWrite },
      ],
      patches: [{ campaignId: CAMPAIGN_ID, body: { maxCallsPerAgent: 1.75 }, status: 500 }],
      stateAfter: new Map([[CAMPAIGN_ID, state(2, { lastEventId: 'e1', lastTickTime: T, blindTicks: 2 })]]),
      logs: [logLine('ERROR', CAMPAIGN_ID)],
    });
    expect(violations(record)).toEqual([]);
  });

  it('catches failures that are not clear: no message, no log line, a crash, a PATCH failing silently', () => {
    const silent = cleanTick({ patches: [], logs: [] }, { result: summary([report({ outcome: 'error', reason: 'read-failed', newValue: 2 })]) });
    const found = violations(silent).join('\n');
    expect(found).toMatch(/carries no message/);
    expect(found).toMatch(/has no ERROR log line/);
    const crash = cleanTick({ patches: [], stateAfter: new Map([[CAMPAIGN_ID, state(1)]]) }, { result: undefined, error: new TypeError("Cannot read properties of undefined (reading 'x')") });
    expect(violations(crash).join('\n')).toMatch(/crashed/);
    const failedPatch = cleanTick({ patches: [{ campaignId: CAMPAIGN_ID, body: { maxCallsPerAgent: 1.75 }, status: 503 }] });
    expect(violations(failedPatch).join('\n')).toMatch(/no report says write-failed/);
  });
});
