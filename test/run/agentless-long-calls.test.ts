/**
 * An agentless team on long calls, end to end: the real handler paces the twin, and until a
 * transfer of the window ends, the longest connected call's time bounds the lines' rises
 * (fast-cut.ts `transfersOf`). The centre is c009 of the random centres: 10 agents, 18-minute calls.
 */
import { describe, expect, it } from 'vitest';
import { runRandomCentreBeforeAll } from '../support/random-centre.js';

const MINUTES = 25;
// Prepare / Act: the centre as `npm run bench:random -- --centres 200 --seed 1` draws it, on its twin seed
const result = runRandomCentreBeforeAll('c009', MINUTES);

describe('an agentless team on 18-minute calls', () => {
  it('rises no further than the team can take while no transfer has ended', () => {
    const run = result();
    // Assess: 16 lines by minute 14 without the bound; the team's 10 agents then stayed full for a quarter-hour
    const campaignId = run.ticks[0]!.campaigns[0]!.campaignId;
    const lines = run.timeSeries.map((m) => m.campaigns[campaignId]!.outboundLineCount);
    expect(run.ticks).toHaveLength(MINUTES);
    expect(Math.max(...lines.slice(1))).toBeLessThanOrEqual(12);
    const bounded = run.ticks.flatMap((t) => t.campaigns).filter((c) => c.overrides?.includes('blending'));
    expect(bounded.length).toBeGreaterThan(0);
  });
});
