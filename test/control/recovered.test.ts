/**
 * A blended campaign whose inbound queue is served in full now, while its service-level window
 * still holds a surge that has passed, rises as a thin window does instead of holding at its floor
 * until the window forgets (decide.ts, reason `recovered-rise`).
 */
import { describe, expect, it } from 'vitest';
import type { DecideInput } from '../../lambda/control/decide.js';
import { campaignWith } from '../support/config.js';
import { runDecide, type DecideTick } from '../support/decide-run.js';

const blended = campaignWith({
  setpoint: 0.8,
  knob: { name: 'outboundLineCount', min: 1, max: 200, maxStep: 50 },
  compliance: { knob: { name: 'maxCallsPerAgent', min: 1, max: 3 } },
  blending: {},
});
/** The 15-minute window still at 50% after a surge; 30 calls in the last five minutes, all within the threshold. */
const afterSurge: DecideTick[] = Array.from({ length: 8 }, () => ({ sl: 0.5, slSample: 400, abandons: 0 }));
const servedNow: Partial<DecideInput> = { recentServiceLevel: { value: 1, sample: 30 }, teamHasRoom: true, dialer: { campaignId: 'c', idleAgents: 60, connectRatio: 0.5 } };

describe('a blended campaign after a surge', () => {
  it('rises from its floor, doubling a tick, while the queue is served in full now', () => {
    // Act
    const run = runDecide(blended, { outboundLineCount: 1 }, afterSurge, servedNow, 'power');

    // Assess: the first tick starts the loop; then doubling, under one largest step
    expect(run.decisions.map((d) => d.main.value)).toEqual([1, 2, 4, 8, 16, 32, 64, 114]);
    expect(run.decisions.slice(1).every((d) => d.main.reason === 'recovered-rise')).toBe(true);
  });

  it('holds at its floor while the recent window is too thin or short of 100% to show it, the team has no room, or the reserve is short', () => {
    // Prepare: 3 / (1 - 0.8) = 15 calls at 100% show the service level above 80%
    const variants: Array<Partial<DecideInput>> = [
      { ...servedNow, recentServiceLevel: { value: 1, sample: 14 } },
      { ...servedNow, recentServiceLevel: { value: 0.95, sample: 200 } },
      { ...servedNow, teamHasRoom: false },
      { ...servedNow, inboundShortfall: { agents: 2, outboundAgents: 10 } },
      { ...servedNow, recentServiceLevel: undefined },
    ];

    for (const extra of variants) {
      // Act
      const run = runDecide(blended, { outboundLineCount: 1 }, afterSurge, extra, 'power');

      // Assess
      expect(run.decisions.some((d) => d.main.reason === 'recovered-rise')).toBe(false);
      expect(run.knobs.outboundLineCount).toBe(1);
    }
    // And with the threshold policy broken (calls waiting past its limit)
    const broken = runDecide(blended, { outboundLineCount: 1 }, afterSurge.map((t) => ({ ...t, reserveViolated: true })), servedNow, 'power');
    expect(broken.knobs.outboundLineCount).toBe(1);
  });

  it('leaves a window at or above the setpoint to its loop', () => {
    // Prepare: the window is at 90%, the queue served in full now
    const ticks = afterSurge.map((t) => ({ ...t, sl: 0.9 }));

    // Act
    const run = runDecide(blended, { outboundLineCount: 10 }, ticks, servedNow, 'power');

    // Assess
    expect(run.decisions.some((d) => d.main.reason === 'recovered-rise')).toBe(false);
  });
});
