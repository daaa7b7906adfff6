/**
 * After a UK-rule predictive campaign's opening (test/run/uk-predictive-opening.test.ts): once the
 * 24-hour window can take an abandon, the compliance loop lets the calls per agent rise as the
 * budget allows. The centre is c096 of the random centres of seed 3: 16 agents, outbound only.
 */
import { describe, expect, it } from 'vitest';
import { runRandomCentreBeforeAll } from '../support/random-centre.js';

const MINUTES = 60;
// Prepare / Act: the centre as `npm run bench:random -- --centres 200 --seed 3` draws it, on its
// twin seed, configured by the starting rule
const result = runRandomCentreBeforeAll('c096', MINUTES, (entry) => entry, 3);

describe('a UK predictive team of 16 after its opening', () => {
  it('holds one call per agent until the window can take an abandon, then rises', () => {
    const run = result();
    // Assess: the 42 live calls one abandon needs (3% less the estimated false positives) take
    // most of half an hour
    const remaining = run.ticks.map((t) => t.campaigns[0]!.compliance?.remainingAbandons ?? 0);
    const free = remaining.findIndex((r) => r >= 1);
    expect(free).toBeGreaterThan(10);
    const callsPerAgent = run.timeSeries.map((s) => Object.values(s.campaigns)[0]!.maxCallsPerAgent);
    expect(new Set(callsPerAgent.slice(0, free))).toEqual(new Set([1]));
    expect(callsPerAgent.at(-1)!).toBeGreaterThan(1.25);
  });
});
