/**
 * Which changes wait when the tick's request budget is spent: cuts first, then the changes that
 * already waited a tick, then the largest moves.
 */
import { describe, expect, it } from 'vitest';
import { deferredWrites } from '../../lambda/tick/defer.js';
import type { Planned } from '../../lambda/tick/plan.js';

/** A plan that moves the campaign's maxCallsPerAgent from 2 to `to`, its state saying whether its last change waited. */
function plan(campaignId: string, to: number, writeDeferred = false): Planned {
  const knob = { name: 'maxCallsPerAgent', maxStep: 0.5 };
  return {
    c: { campaignId, knob, compliance: { knob } },
    decision: { writes: { maxCallsPerAgent: to } },
    knobsNow: { maxCallsPerAgent: 2 },
    dryRun: false,
    state: writeDeferred ? { writeDeferred } : undefined,
  } as unknown as Planned;
}

describe('deferred writes', () => {
  it('writes cuts first, then the rises that waited a tick, then the largest other rises', () => {
    // Prepare: a budget of three writes for five rises and one cut
    const plans = [plan('big-rise', 3), plan('waited-small', 2.1, true), plan('cut', 1.5), plan('mid-rise', 2.5), plan('waited-mid', 2.4, true), plan('small-rise', 2.2)];

    // Act
    const deferred = deferredWrites(plans, 3, 'evt-1');

    // Assess
    expect([...deferred].sort()).toEqual(['big-rise', 'mid-rise', 'small-rise']);
  });

  it('defers nothing within the budget', () => {
    // Act
    const deferred = deferredWrites([plan('a', 3), plan('b', 1)], 2, 'evt-1');

    // Assess
    expect(deferred.size).toBe(0);
  });
});
