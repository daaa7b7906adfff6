/**
 * A blended power campaign after an inbound surge, end to end, as the starting rule configures it:
 * the real handler paces the twin, and once the inbound queue's last minutes answer every call
 * within the threshold on enough calls to show it (decide.ts, reason `recovered-rise`), the lines
 * rise while the 15-minute window still remembers the surge. The centre is c077 of the random
 * centres of seed 3: 133 agents, inbound load 0.44 of the team, UK, in a 75-minute day whose surge
 * (2.8 times the inbound calls) ends at minute 36.
 */
import { describe, expect, it } from 'vitest';
import { figuresOf } from '../../bench/run-one.js';
import { runRandomCentreBeforeAll } from '../support/random-centre.js';

const MINUTES = 75;
// Prepare / Act: the centre as `npm run bench:random -- --centres 200 --seed 3` draws it, on its
// twin seed, configured by the starting rule
const result = runRandomCentreBeforeAll('c077', MINUTES, (entry) => entry, 3);

describe('a blended team of 133 after a surge', () => {
  it('rises on the queue served in full now while its window is still short, and attains as many quarter-hours as the hold did', () => {
    const run = result();
    // Assess: without the rise the lines held 1 until minute 45, 44 to 58 agents idle from minute
    // 39 with nothing waiting, the window at 54% to 74% against the 80% target (occupancy 90.9%)
    const campaign = run.config.campaigns[0]!;
    expect(campaign.objective).toMatchObject({ kind: 'inboundServiceLevel' });
    const reports = run.ticks.flatMap((t) => t.campaigns);
    const rises = reports.filter((c) => c.reason === 'recovered-rise');
    expect(rises.length).toBeGreaterThanOrEqual(3);
    for (const rise of rises) {
      expect(rise.measured!).toBeLessThan(campaign.setpoint);
      expect(rise.queue!.waiting).toBe(0);
    }
    const lines = run.timeSeries.map((s) => Object.values(s.campaigns)[0]!.outboundLineCount);
    expect(lines[44]).toBeGreaterThanOrEqual(16);
    const figures = figuresOf(run.scenario, run.timeSeries, run.patches);
    expect(figures.slAttainment).toBeGreaterThanOrEqual(0.8);
    expect(figures.occupancy).toBeGreaterThan(0.915);
  });
});
