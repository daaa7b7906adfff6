/**
 * A dedicated agentless team that opted in to the rise on a full service level, end to end: the
 * real handler paces the twin, and while its transfers are answered at 100% on a window that shows
 * it, the lines rise as a thin window's do, up to what Erlang C says the team can take (fast-cut.ts
 * `linesForServiceLevel`). The centre is c165 of the random centres: 162 agents on 6.6-minute calls.
 */
import { describe, expect, it } from 'vitest';
import { figuresOf } from '../../bench/run-one.js';
import type { CampaignEntry } from '../../lambda/config/starting-config.js';
import { FULL_SERVICE_LEVEL_AIM_SHARE } from '../../lambda/control/fast-cut.js';
import { runRandomCentreBeforeAll } from '../support/random-centre.js';

const MINUTES = 60;
// Prepare / Act: the centre as `npm run bench:random -- --centres 200 --seed 1` draws it, on its
// twin seed, configured by the starting rule (which marks it dedicated), opted in to the rise
const result = runRandomCentreBeforeAll('c165', MINUTES, (entry) => ({ ...entry, objective: { ...entry.objective, fullServiceLevelRise: true } as CampaignEntry['objective'] }));

describe('a dedicated agentless team of 162, opted in to the rise on a full service level', () => {
  it('rises on its full service level, fills, and keeps the target in every quarter-hour', () => {
    const run = result();
    // Assess: the same hour by the rule alone (dedicated, no rise) kept 72.1% occupancy, SL 100%
    expect(run.config.campaigns[0]!.objective).toMatchObject({ kind: 'queueServiceLevel', dedicatedAgents: true, fullServiceLevelRise: true });
    const figures = figuresOf(run.scenario, run.timeSeries, run.patches);
    expect(figures.slAttainment).toBe(1);
    expect(figures.occupancy).toBeGreaterThan(0.725);
    // On a full window (a thin one rises too): 3 / (1 - aim) calls, the aim halfway from the target to 100%
    const campaign = run.config.campaigns[0]!;
    const evidence = 3 / (1 - (campaign.setpoint + FULL_SERVICE_LEVEL_AIM_SHARE * (1 - campaign.setpoint))) - 1e-9;
    const fullRises = run.ticks.flatMap((t) => t.campaigns).filter((c) => c.reason === 'idle-rise' && c.measured === 1 && (c.sample ?? 0) >= evidence);
    expect(fullRises.length).toBeGreaterThan(0);
  });
});
