/**
 * The benchmark's figures of a run come from the run summary: strict windows, the worst 60
 * minutes beside the worst 24 hours, AMD false positives counted under the UK rule.
 */
import { describe, expect, it } from 'vitest';
import { figuresOf, seriesOf } from '../../bench/run-one.js';
import { loadScenarioFile } from '../../sim/model/scenario.js';
import { ContactCentreSimulation } from '../../sim/model/simulation.js';
import { summarise } from '../../sim/run/summary.js';

describe('figuresOf', () => {
  it('reports the strict worst 24 hours with its live calls and the worst 60 minutes, as the summary does', () => {
    // Prepare: two hours of the small team's day, no controller.
    const scenario = loadScenarioFile('sim/scenarios/small-team.json');
    const sim = new ContactCentreSimulation(scenario, 4);
    sim.advanceTo(2 * 3_600_000);
    const c = summarise(scenario, sim.timeSeries).campaigns[0]!;

    // Act
    const figures = figuresOf(scenario, sim.timeSeries, 0);

    // Assess
    expect(figures.maxAbandon24h).toBe(c.worstAbandonRate24h);
    expect(figures.maxAbandon24hLiveCalls).toBe(c.worst24hLiveCalls);
    expect(figures.maxAbandon60min).toBe(c.worstAbandonRate60min);
    expect(figures.maxAbandon60min!).toBeGreaterThanOrEqual(figures.maxAbandon24h!);
  });

  it('charts the abandon rate to date with AMD false positives counted', () => {
    // Prepare
    const scenario = loadScenarioFile('sim/scenarios/small-team.json');
    const sim = new ContactCentreSimulation(scenario, 4);
    sim.advanceTo(2 * 3_600_000);
    const id = scenario.campaigns[0]!.id;
    const totals = sim.timeSeries.reduce((t, s) => ({ a: t.a + s.campaigns[id]!.complianceAbandons, f: t.f + s.campaigns[id]!.amdFalsePositives, l: t.l + s.campaigns[id]!.liveAnswers }), { a: 0, f: 0, l: 0 });

    // Act
    const series = seriesOf(scenario, sim.timeSeries, scenario.queues[0]!.id);

    // Assess
    expect(totals.f).toBeGreaterThan(0);
    expect(series.abandonToDate.at(-1)).toBeCloseTo((totals.a + totals.f) / (totals.l + totals.f), 12);
  });
});
