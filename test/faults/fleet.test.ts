/**
 * The soak's fleet configuration: valid, and under `ukGuidance` its UK-rule campaigns bounded as
 * docs/compliance-and-control.md advises for small teams under a 24-hour rule.
 */
import { describe, expect, it } from 'vitest';
import { parsePacingConfig } from '../../lambda/config/config.js';
import { fleetCampaigns, fleetKind, fleetRule } from '../../sim/faults/fleet.js';

const parse = (campaigns: ReturnType<typeof fleetCampaigns>) =>
  parsePacingConfig({ genesys: { localBaseUrl: 'http://127.0.0.1:1' }, secretName: 'genesys-pacing/test', campaigns }).campaigns;

describe('fleetCampaigns', () => {
  it('bounds the UK-rule campaigns at a pace that stays under the cap when held, and leaves the US-rule ones wide', () => {
    // Prepare and Act
    const guided = parse(fleetCampaigns(50, { ukGuidance: true }));
    const wide = parse(fleetCampaigns(50));

    // Assess: the held-safe maxima of bench/static-days.ts (1.25 calls per agent, a 1.5% dialer
    // target), safe values within them; the US-rule campaigns and the unguided fleet unchanged.
    const ukMax = { maxCallsPerAgent: 1.25, abandonRate: 1.5, outboundLineCount: 6 };
    guided.forEach((c, i) => {
      const max = fleetRule(i) === 'UK' ? ukMax[c.knob.name] : c.knob.name === 'outboundLineCount' ? 6 : 3;
      expect(c.knob.max, `campaign ${i} (${fleetKind(i)}, ${fleetRule(i)} rule)`).toBe(max);
      expect(c.knob.safeValue).toBeLessThanOrEqual(c.knob.max);
      if (fleetRule(i) === 'US') expect(c).toEqual(wide[i]);
    });
    expect(wide.filter((c) => c.knob.name !== 'outboundLineCount').every((c) => c.knob.max === 3)).toBe(true);
  });
});
