/**
 * A dedicated agentless team, end to end: the real handler paces the twin, and while its transfers
 * are answered at 100% on a window that shows it, the lines rise as a thin window's do, up to what
 * Erlang C says the team can take (fast-cut.ts `linesForServiceLevel`). The centre is c165 of the
 * random centres: 162 agents on 6.6-minute calls, whose loop alone climbs from the start's one
 * line at its integral's pace.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { figuresOf } from '../../bench/run-one.js';
import type { RunResult } from '../../sim/run/run-scenario.js';
import { runRandomCentre } from '../support/random-centre.js';

const MINUTES = 60;
let run: RunResult;

beforeAll(async () => {
  // Prepare / Act: the centre as `npm run bench:random -- --centres 200 --seed 1` draws it, on its
  // twin seed, configured by the starting rule (dedicated: the team answers nothing else)
  run = await runRandomCentre('c165', MINUTES);
}, 60_000);

describe('a dedicated agentless team of 162', () => {
  it('rises on its full service level, fills, and keeps the target in every quarter-hour', () => {
    // Assess: the same hour without `dedicatedAgents` (the loop alone) kept 55.9% occupancy, SL 100%
    expect(run.config.campaigns[0]!.objective).toMatchObject({ kind: 'queueServiceLevel', dedicatedAgents: true });
    const figures = figuresOf(run.scenario, run.timeSeries, run.patches);
    expect(figures.slAttainment).toBe(1);
    expect(figures.occupancy).toBeGreaterThan(0.65);
    const fullRises = run.ticks.flatMap((t) => t.campaigns).filter((c) => c.reason === 'idle-rise' && c.measured === 1);
    expect(fullRises.length).toBeGreaterThan(0);
  });
});
