/**
 * What a tick reads: the dialer's figures (the performance query, one request per 50 campaigns)
 * only for the campaigns whose decision uses them.
 */
import { describe, expect, it } from 'vitest';
import { usesDialerFigures } from '../../lambda/tick/read.js';
import { campaignWith } from '../support/config.js';

describe('the dialer figures a tick reads', () => {
  it('reads them for a line knob, a compliance loop on lines and a dialer feedforward, and for no other campaign', () => {
    // Prepare
    const lines = campaignWith({ knob: { name: 'outboundLineCount', min: 1, max: 40 } });
    const loopOnLines = campaignWith({ compliance: { knob: { name: 'outboundLineCount', min: 1, max: 40 } } });
    const dialerFeedforward = campaignWith({ knob: { name: 'maxCallsPerAgent', min: 1, max: 3 }, feedforward: { source: 'dialer', idleGain: 0.1, waitingGain: 0.1 } });
    const callsPerAgent = campaignWith({ knob: { name: 'maxCallsPerAgent', min: 1, max: 3 } });
    const abandonTarget = campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.025 });

    // Act
    const uses = [lines, loopOnLines, dialerFeedforward, callsPerAgent, abandonTarget].map(usesDialerFigures);

    // Assess
    expect(uses).toEqual([true, true, true, false, false]);
  });
});
