/**
 * A dedicated agentless team of 20 agents or more, end to end, as the starting rule configures it:
 * the real handler paces the twin, and while its transfers are answered at 100% on a window that
 * shows it, the lines rise as a thin window's do, up to what Erlang C says the team can take
 * (fast-cut.ts `linesForServiceLevel`). The centre is c083 of the random centres of seed 3: 81
 * agents on 2.4-minute transfers, 9% of dials answered live, all idle at the start.
 */
import { describe, expect, it } from 'vitest';
import { figuresOf } from '../../bench/run-one.js';
import { FULL_SERVICE_LEVEL_AIM_SHARE } from '../../lambda/control/fast-cut.js';
import { runRandomCentreBeforeAll } from '../support/random-centre.js';

const MINUTES = 60;
// Prepare / Act: the centre as `npm run bench:random -- --centres 200 --seed 3` draws it, on its
// twin seed, configured by the starting rule (its team answers no inbound queue)
const result = runRandomCentreBeforeAll('c083', MINUTES, undefined, 3);

describe('a dedicated agentless team of 81, by the starting rule', () => {
  it('rises on its full service level, fills, and keeps the target in every quarter-hour', () => {
    const run = result();
    // Assess: the same hour without the rise (before 2026-12-07 the rule left it out) kept 24.6%
    // occupancy, SL 100%, the integral climbing a third of a line a minute with 50 agents idle
    expect(run.config.campaigns[0]!.objective).toMatchObject({ kind: 'queueServiceLevel', dedicatedAgents: true, fullServiceLevelRise: true });
    const figures = figuresOf(run.scenario, run.timeSeries, run.patches);
    expect(figures.slAttainment).toBe(1);
    expect(figures.occupancy).toBeGreaterThan(0.4);
    // On a full window (a thin one rises too): 3 / (1 - aim) calls, the aim halfway from the target to 100%
    const campaign = run.config.campaigns[0]!;
    const evidence = 3 / (1 - (campaign.setpoint + FULL_SERVICE_LEVEL_AIM_SHARE * (1 - campaign.setpoint))) - 1e-9;
    const fullRises = run.ticks.flatMap((t) => t.campaigns).filter((c) => c.reason === 'idle-rise' && c.measured === 1 && (c.sample ?? 0) >= evidence);
    expect(fullRises.length).toBeGreaterThan(0);
  });
});
