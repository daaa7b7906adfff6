import { describe, expect, it } from 'vitest';
import { DEFAULT_AMD_FALSE_POSITIVE_RATE, rateWithAmdFalsePositives, withAmdFalsePositives } from '../../lambda/compliance/amd.js';
import { assessCompliance, countingPlan } from '../../lambda/compliance/assess.js';
import type { ComplianceConfig } from '../../lambda/config/config.js';
import type { ComplianceInput } from '../../lambda/config/schema.js';
import { campaignWith } from '../support/config.js';

const T0 = Date.parse('2026-05-01T12:00:00Z');
const config = (overrides: ComplianceInput = {}): ComplianceConfig => campaignWith({ compliance: overrides }).compliance;
const UK = { window: { type: 'rolling' as const, hours: 24 } };

describe('AMD false positives', () => {
  it('are estimated as live x r / (1 - r) and added to abandons and live answers', () => {
    // Prepare: 995 live answers seen by Genesys at r = 0.005: 1000 live people, 5 hung up on
    // Act
    const counted = withAmdFalsePositives(0.005, { abandoned: 20, live: 995 });
    // Assess
    expect(counted.abandoned).toBeCloseTo(25, 9);
    expect(counted.live).toBeCloseTo(1000, 9);
    expect(rateWithAmdFalsePositives(0.005, { value: 20 / 995, sample: 995 })).toEqual({ value: expect.closeTo(0.025, 9), sample: expect.closeTo(1000, 9) });
    expect(withAmdFalsePositives(0, { abandoned: 3, live: 100 })).toEqual({ abandoned: 3, live: 100 });
  });

  it('default to 0.5% under a rolling (UK) window, none under a 30-day (US) one, and can be set either way', () => {
    expect(DEFAULT_AMD_FALSE_POSITIVE_RATE).toBe(0.005);
    expect(config(UK).amdFalsePositiveRate).toBe(0.005);
    expect(config().amdFalsePositiveRate).toBe(0);
    expect(config({ ...UK, amdFalsePositiveRate: 0 }).amdFalsePositiveRate).toBe(0);
    expect(config({ amdFalsePositiveRate: 0.01 }).amdFalsePositiveRate).toBe(0.01);
  });

  it('put a UK-rule window Genesys counts at 2.8% over the 3% cap, as the rule counts it', () => {
    // Prepare: one hour of 1000 live answers and 28 abandons, counted by a UK-rule and a US-rule campaign
    const facts = { abandoned: 28, live: 1000 };
    const assess = (c: ComplianceConfig) => {
      const plan = countingPlan(c, undefined, T0);
      return assessCompliance(c, plan, plan.intervals.map((_, i) => (i === plan.intervals.length - 1 ? facts : { abandoned: 0, live: 0 })), facts, facts, T0);
    };
    // Act
    const uk = assess(config(UK));
    const us = assess(config());
    // Assess: (28 + 5.03) / (1000 + 5.03) = 3.29%
    expect(uk.windowRate).toBeCloseTo(33.025 / 1005.025, 4);
    expect(uk.windowRate).toBeGreaterThan(0.03);
    expect(uk.measuredRate).toBeCloseTo(33.025 / 1005.025, 4);
    expect(us.measuredRate).toBeCloseTo(0.028, 9);
    // The guard judges what Genesys saw: the same in both
    expect(uk.guardTripped).toBe(us.guardTripped);
    // The books saved with the state keep Genesys's whole counts (the state store takes integers)
    expect(uk.counts.buckets.every((b) => Number.isInteger(b.abandoned) && Number.isInteger(b.live))).toBe(true);
  });
});
