/** The random centres of `npm run bench:random`: their draw, the rule that configures them, and how they are judged. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../lambda/cli/command.js';
import { parsePacingConfig } from '../../lambda/config/config.js';
import { startingCampaignConfig } from '../../lambda/config/starting-config.js';
import { GRID } from '../../bench/grid.js';
import type { Job, JobResult } from '../../bench/jobs.js';
import { figuresOf } from '../../bench/run-one.js';
import { CAMPAIGN_ID, CHANCES, DIALING_MODES, drawCentres, QUEUE_IDS, RANGES, scenarioOf, type Centre } from '../../bench/random-centres.js';
import { campaignEntryOf, campaignStartOf, controllerConfigOf, linesMax, ruleInputOf } from '../../bench/random-config.js';
import { centreResult, formatReport, heldOutResult, occupancyGapOf, summarise, summariseHeldOut, type CentreResult } from '../../bench/random-summary.js';
import { gridOf, HELD_OUT_SEED_OFFSET, optionsOf } from '../../bench/random.js';
import { ContactCentreSimulation } from '../../sim/model/simulation.js';
import { DAY_MINUTES, epochMinute, genesysCounts, HOUR_MINUTES, PERIOD_MINUTES, ukRuleCounts, worstPeriodRate, worstWindowRate } from '../../sim/run/windows.js';

const within = (v: number, r: { min: number; max: number }) => v >= r.min && v <= r.max;

describe('the centre generator', () => {
  it('draws the same centres for the same seed, other centres for another, and the i-th centre whatever the count', () => {
    // Prepare / Act
    const a = drawCentres(40, 7);
    const b = drawCentres(40, 7);
    const other = drawCentres(40, 8);
    const fewer = drawCentres(10, 7);
    // Assess
    expect(b).toEqual(a);
    expect(other).not.toEqual(a);
    expect(fewer).toEqual(a.slice(0, 10));
  });

  it('keeps every figure and event inside its documented range', () => {
    // Prepare / Act
    const centres = [1, 2, 3].flatMap((seed) => drawCentres(150, seed));
    // Assess
    for (const c of centres) {
      expect(Number.isInteger(c.agents) && within(c.agents, RANGES.agents), `${c.id} agents ${c.agents}`).toBe(true);
      if (c.inboundLoad !== undefined) expect(within(c.inboundLoad, RANGES.inboundLoad)).toBe(true);
      for (const k of ['liveAnswer', 'busySit', 'talkSeconds', 'talkCv', 'acwSeconds', 'patienceSeconds', 'amdFalsePositive'] as const) {
        expect(within(c[k], RANGES[k]), `${c.id} ${k} ${c[k]}`).toBe(true);
      }
      expect(c.machine).toBeLessThanOrEqual(RANGES.machine.max);
      expect(c.machine).toBeGreaterThan(0);
      for (const s of [c.surge, c.dip]) if (s) expect(within(s.at, RANGES.eventAt) && within(s.length, RANGES.eventLength)).toBe(true);
      if (c.surge) expect(within(c.surge.factor, RANGES.surgeFactor)).toBe(true);
      if (c.dip) expect(within(c.dip.factor, RANGES.dipFactor)).toBe(true);
      if (c.staffLeaving) expect(c.staffLeaving.agents >= 1 && c.staffLeaving.agents < c.agents).toBe(true);
      if (c.handleTimeDrift) expect(within(c.handleTimeDrift.factor, RANGES.driftFactor)).toBe(true);
      if (c.connectRateJump) expect(within(c.connectRateJump.factor, RANGES.connectJumpFactor)).toBe(true);
      // Surges and dips change inbound traffic: only blended centres have them.
      if (c.inboundLoad === undefined) expect(c.surge ?? c.dip).toBeUndefined();
    }
    // Both ends of the size range are reached, and every yes/no draw goes both ways.
    expect(Math.min(...centres.map((c) => c.agents))).toBeLessThan(6);
    expect(Math.max(...centres.map((c) => c.agents))).toBeGreaterThan(200);
    const share = (f: (c: Centre) => boolean) => centres.filter(f).length / centres.length;
    expect(share((c) => c.inboundLoad !== undefined)).toBeCloseTo(CHANCES.blended.p, 1);
    expect(share((c) => c.regime === 'UK')).toBeCloseTo(CHANCES.uk.p, 1);
    for (const f of [(c: Centre) => !!c.surge, (c: Centre) => !!c.dip, (c: Centre) => !!c.staffLeaving, (c: Centre) => !!c.handleTimeDrift, (c: Centre) => !!c.connectRateJump]) {
      expect(share(f)).toBeGreaterThan(0.1);
    }
  });

  it('is the table docs/benchmark.md shows', () => {
    const docs = readFileSync('docs/benchmark.md', 'utf8');
    for (const [name, r] of Object.entries(RANGES)) expect(docs).toContain(`| \`${name}\` | ${r.min} | ${r.max} | ${r.scale} | ${r.meaning} |`);
  });

  it('covers every dialing mode in any four centres in a row', () => {
    const centres = drawCentres(12, 5);
    for (let i = 0; i + 4 <= centres.length; i += 1) expect(new Set(centres.slice(i, i + 4).map((c) => c.mode))).toEqual(new Set(DIALING_MODES));
  });

  it('writes every centre as a valid scenario and a valid controller configuration, its campaign inside the rule bounds', () => {
    for (const c of drawCentres(120, 11)) {
      // Act: both validate (scenarioOf parses what it builds)
      const start = campaignStartOf(c);
      const scenario = scenarioOf(c, 180, start);
      const config = parsePacingConfig({ genesys: { localBaseUrl: 'http://127.0.0.1' }, secretName: 'bench', ...controllerConfigOf(c) }, c.id);
      // Assess
      const campaign = config.campaigns[0]!;
      const knobValue = start[campaign.knob.name];
      expect(knobValue, `${c.id} starts inside its knob's bounds`).toBeGreaterThanOrEqual(campaign.knob.min);
      expect(knobValue).toBeLessThanOrEqual(campaign.knob.max);
      expect(scenario.duration).toBe('03:00');
      expect(scenario.agentGroups.reduce((n, g) => n + g.count, 0)).toBe(c.agents);
      expect(campaign.compliance.window.type).toBe(c.regime === 'UK' ? 'rolling' : 'periods');
      const grid = gridOf(c);
      expect(grid.values.length).toBeGreaterThan(0);
      if (grid.knob === 'outboundLineCount') expect(grid.values.every((v) => Number.isInteger(v) && v >= 1 && v <= 300)).toBe(true);
      expect(linesMax(c)).toBeLessThanOrEqual(300);
    }
  });
});

describe('the rule that configures every centre', () => {
  it('is the starting configuration rule of npm run discover, switched on, for every mode, size and rule', () => {
    for (const c of drawCentres(40, 5)) {
      // Act
      const entry = controllerConfigOf(c).campaigns[0]!;
      // Assess: the very entry the rule gives a user for what the user knows of the centre
      const input = ruleInputOf(c);
      expect(input).toMatchObject({ dialingMode: c.mode, agents: c.agents, complianceRule: c.regime === 'UK' ? 'uk' : 'us', serviceLevelTarget: c.serviceLevel.target, queueId: QUEUE_IDS.campaign });
      expect(input.inboundQueueId).toBe(c.inboundLoad === undefined ? undefined : QUEUE_IDS.inbound);
      // A UK user has estimated the detector's false positives (Ofcom asks for it): measured, rounded up to 0.1%
      if (c.regime === 'UK') {
        expect(input.amdFalsePositiveRate).toBeGreaterThanOrEqual(c.amdFalsePositive);
        expect(input.amdFalsePositiveRate).toBeLessThan(c.amdFalsePositive + 0.001);
        expect(Number.isInteger(Math.round(input.amdFalsePositiveRate! * 1e6) / 1000)).toBe(true);
      } else expect(input.amdFalsePositiveRate).toBeUndefined();
      const byRule = startingCampaignConfig(input);
      expect(entry).toEqual({ ...byRule, dryRun: false });
    }
  });

  it("sweeps the grid on the knob that sets the mode's pace", () => {
    const centres = drawCentres(200, 3);
    const [predictive, power] = ['predictive', 'power'].map((mode) => drawCentres(8, 2).find((c) => c.mode === mode)!);
    // A UK predictive team's compliance loop caps calls per agent; the pace is still Genesys's abandon target.
    const ukPredictive = centres.find((c) => c.mode === 'predictive' && c.regime === 'UK' && c.inboundLoad === undefined)!;
    expect(campaignEntryOf(ukPredictive).compliance?.knob?.name).toBe('maxCallsPerAgent');
    expect(gridOf(predictive!)).toEqual({ knob: 'abandonRate', values: GRID.abandonRate });
    expect(gridOf(ukPredictive)).toEqual({ knob: 'abandonRate', values: GRID.abandonRate });
    expect(gridOf(power!)).toEqual({ knob: 'maxCallsPerAgent', values: GRID.maxCallsPerAgent });
  });
});

describe("a centre's figures are the strict windows of sim/run/windows.ts", () => {
  /** A centre's day without a controller (its static start), as a run's result. */
  const runOf = (c: Centre, controller: Job['controller'], value?: number): JobResult => {
    const scenario = scenarioOf(c, 90, campaignStartOf(c));
    const sim = new ContactCentreSimulation(scenario, 7);
    sim.advanceTo(90 * 60_000);
    const figures = figuresOf(scenario, sim.timeSeries, 0);
    const job = { scenarioFile: `${c.id}.json`, scenario: c.id, controllerFile: '', controller, knob: 'abandonRate' as const, seed: 7, queueId: QUEUE_IDS.campaign, series: false, ...(value === undefined ? {} : { value }) };
    return { job, figures, wallMs: 0 };
  };
  const countsOf = (c: Centre, of: typeof ukRuleCounts | typeof genesysCounts) => {
    const scenario = scenarioOf(c, 90, campaignStartOf(c));
    const sim = new ContactCentreSimulation(scenario, 7);
    sim.advanceTo(90 * 60_000);
    return sim.timeSeries.map((s) => ({ minute: epochMinute(s.start), ...of(s.campaigns[CAMPAIGN_ID]!) }));
  };

  it('reports the worst 24 hours and 60 minutes ending at any minute, AMD false positives counted, and judges the breach by the rule', () => {
    // Prepare: an outbound predictive centre that abandons calls, once under each rule
    const base = drawCentres(12, 4).find((c) => c.mode === 'predictive' && c.inboundLoad === undefined)!;
    for (const regime of ['UK', 'US'] as const) {
      const c: Centre = { ...base, regime, amdFalsePositive: 0.02 };
      // Act
      const r = centreResult({ centre: c, gridKnob: 'abandonRate', ours: runOf(c, 'ours'), grid: [runOf(c, 'grid', 2)] });
      // Assess
      const uk = countsOf(c, ukRuleCounts);
      const w24 = worstWindowRate(uk, DAY_MINUTES)!;
      const us = worstPeriodRate(countsOf(c, genesysCounts), PERIOD_MINUTES, uk[0]!.minute)!;
      expect(w24.liveCalls).toBeGreaterThan(0);
      expect(r.worstRolling24h).toBe(w24.rate);
      expect(r.worst60min).toBe(worstWindowRate(uk, HOUR_MINUTES)!.rate);
      // Strict: the worst window (the first hour) is above the day's own rate, false positives counted.
      const day = uk.reduce((t, m) => ({ a: t.a + m.abandons, l: t.l + m.live }), { a: 0, l: 0 });
      expect(w24.rate).toBeGreaterThan(day.a / day.l);
      expect(r.worstWindowRate).toBe(regime === 'UK' ? w24.rate : us.rate);
      expect(r.breach).toBe((regime === 'UK' ? w24.rate : us.rate) > 0.03);
    }
  });
});

describe('the summary of the targets', () => {
  const result = (over: Partial<CentreResult>): CentreResult => ({
    id: 'c001',
    agents: 10,
    mode: 'predictive',
    blended: true,
    regime: 'US',
    breach: false,
    boundBreach: false,
    worstWindowRate: 0.02,
    bestStaticWindowRate: 0.02,
    worstRolling24h: 0.02,
    worst60min: 0.03,
    slAttainment: 1,
    boundSlAttainment: 1,
    occupancy: 0.8,
    boundOccupancy: 0.8,
    compliantStatics: 8,
    staticsAttainingSl: 8,
    serviceLevel: 0.9,
    boundServiceLevel: 0.9,
    gridKnob: 'abandonRate',
    boundValue: 2,
    oursKnobMax: 2.5,
    runSeconds: { ours: 1, grid: 1 },
    ...over,
    occupancyGap: null,
  });

  it('meets every target when ours matches the bound everywhere', () => {
    const s = summarise([result({}), result({ id: 'c002' })]);
    expect(s.targets.every((t) => t.met)).toBe(true);
  });

  it('misses each target on the centre that breaks it, and ignores breaches where no static complies', () => {
    // Prepare
    const results = [
      result({ id: 'c001', breach: true }),
      result({ id: 'c002', breach: true, boundBreach: true, worstWindowRate: 0.05, bestStaticWindowRate: 0.04 }),
      result({ id: 'c003', slAttainment: 0.9 }),
      result({ id: 'c004', slAttainment: 0.5, boundSlAttainment: 0.6 }),
      result({ id: 'c005', occupancy: 0.7 }),
    ];
    // Act
    const s = summarise(results);
    // Assess
    const met = Object.fromEntries(s.targets.map((t) => [t.target, t]));
    expect(s.breachesWhereBoundComplies).toBe(1);
    expect(met['0 breaches where some static setting complies']!.detail).toContain('c001');
    expect(s.aboveBestStaticWhereNoneComplies).toBe(1);
    expect(s.slApplicable).toBe(4);
    expect(s.slMissed).toBe(1);
    expect(s.occupancyShareAt97).toBeCloseTo(0.8, 10);
    expect(s.occupancyMeanRatio).toBeCloseTo((4 + 0.7 / 0.8) / 5, 10);
    expect(s.targets.map((t) => t.met)).toEqual([false, false, false, false, false]);
  });

  it('says why each centre under 97% of the occupancy bound is there, and lists none above it', () => {
    // Prepare: four centres under 97% of the bound's occupancy for each reason, one at 97%
    const under = { occupancy: 0.7, boundOccupancy: 0.8 };
    const centres = [
      result({ id: 'c001', ...under, boundBreach: true, boundSlAttainment: 0.5, boundValue: 3 }),
      result({ id: 'c002', ...under, boundSlAttainment: 0.5, slAttainment: 0.75, boundValue: 3 }),
      result({ id: 'c003', ...under, boundValue: 3 }),
      result({ id: 'c004', ...under }),
      result({ id: 'c005', occupancy: 0.97 * 0.8, boundOccupancy: 0.8, boundBreach: true }),
    ];
    // Act
    const gaps = centres.map((r) => occupancyGapOf(r));
    const s = summarise(centres.map((r, i) => ({ ...r, occupancyGap: gaps[i]! })));
    // Assess: the first reason that holds, in the order of OCCUPANCY_GAPS
    expect(gaps).toEqual(['every-static-breaches', 'no-static-attains-sl', 'bound-above-knob-max', 'other', null]);
    expect(s.occupancyGaps).toEqual({ 'every-static-breaches': ['c001'], 'no-static-attains-sl': ['c002'], 'bound-above-knob-max': ['c003'], other: ['c004'] });
    const report = formatReport(centres, s);
    expect(report).toContain("Under 97% of the bound's occupancy, 4 centres, by why:");
    // The fair comparisons: c004 (under, on its own) and c005 (at 97%).
    expect(report).toContain("on the other 2 centres, 50.0% are at 97% of the bound's or more");
  });

  it("counts a day's higher service level as serving the queue better where no static attains the target and the quarter-hours tie", () => {
    // Prepare: no static attains the SL target and ours attains none either (a small agentless team
    // that cannot answer what it dials); ours under 97% of the busiest static's occupancy.
    const under = { occupancy: 0.86, boundOccupancy: 0.99, slAttainment: 0, boundSlAttainment: 0, staticsAttainingSl: 0 };
    const better = result({ id: 'c001', ...under, serviceLevel: 0.45, boundServiceLevel: 0.05 });
    const worse = result({ id: 'c002', ...under, serviceLevel: 0.04, boundServiceLevel: 0.05 });
    const fewerQuarters = result({ id: 'c003', ...under, slAttainment: 0.25, boundSlAttainment: 0.5, serviceLevel: 0.8, boundServiceLevel: 0.7 });
    // Act
    const gaps = [better, worse, fewerQuarters].map((r) => occupancyGapOf(r));
    // Assess: only the tie on quarter-hours with a higher day's service level is the queue's trade
    expect(gaps).toEqual(['no-static-attains-sl', 'other', 'other']);
  });

  it('counts the statics that comply and those of them that attain the SL target, and lists each SL miss with them', () => {
    // Prepare: a grid of four statics: 1 complies and attains, 2 complies and misses, 3 breaches
    // and attains, 4 complies and misses; ours misses the target the bound (1) attains.
    const c: Centre = { ...drawCentres(12, 4).find((x) => x.mode === 'predictive' && x.inboundLoad === undefined)!, regime: 'US' };
    const run = (value: number | undefined, rate: number, sl: number): JobResult => ({
      job: { scenarioFile: 'c.json', scenario: 'c', controllerFile: '', controller: value === undefined ? 'ours' : 'grid', knob: 'abandonRate', seed: 1, queueId: QUEUE_IDS.campaign, series: false, ...(value === undefined ? {} : { value }) },
      figures: { slAttainment: sl, serviceLevel: sl, worstIntervalSl: null, maxAbandon24h: rate, maxAbandon24hLiveCalls: 100, maxAbandon60min: rate, maxAbandonWindow: rate, occupancy: 0.8, connectsPerAgentHour: 1, patches: 0 },
      wallMs: 0,
    });
    // Act
    const r = centreResult({ centre: c, gridKnob: 'abandonRate', ours: run(undefined, 0.01, 0.875), grid: [run(1, 0.01, 1), run(2, 0.02, 0.75), run(3, 0.04, 1), run(4, 0.025, 0.5)] });
    const met = result({ id: 'c099' });
    const report = formatReport([r, met], summarise([r, met])).split('\n');
    // Assess
    expect([r.compliantStatics, r.staticsAttainingSl, r.boundValue]).toEqual([3, 1, 1]);
    expect([r.serviceLevel, r.boundServiceLevel]).toEqual([0.875, 1]);
    const at = report.indexOf('SL misses, and how many of the statics that comply attain the target:');
    expect(report.slice(at + 1)).toEqual([`  ${c.id} 1 of 3`]);
    expect(formatReport([result({})], summarise([result({})]))).not.toContain('SL misses');
  });

  it("takes ours's knob max from the starting rule, on the knob the grid sweeps", () => {
    // Prepare: a UK power centre of 40 agents (the rule: 1 to 1.5 calls per agent)
    const c: Centre = { ...drawCentres(12, 4).find((x) => x.mode === 'predictive' && x.inboundLoad === undefined)!, mode: 'power', regime: 'UK', agents: 40 };
    const run = (value?: number): JobResult => ({
      job: { scenarioFile: 'c.json', scenario: 'c', controllerFile: '', controller: value === undefined ? 'ours' : 'grid', knob: 'maxCallsPerAgent', seed: 1, queueId: QUEUE_IDS.campaign, series: false, ...(value === undefined ? {} : { value }) },
      figures: { slAttainment: null, serviceLevel: null, worstIntervalSl: null, maxAbandon24h: 0.01, maxAbandon24hLiveCalls: 100, maxAbandon60min: 0.01, maxAbandonWindow: 0.01, occupancy: value === undefined ? 0.7 : 0.9, connectsPerAgentHour: 1, patches: 0 },
      wallMs: 0,
    });
    // Act
    const r = centreResult({ centre: c, gridKnob: 'maxCallsPerAgent', ours: run(), grid: [run(2.5)] });
    // Assess
    expect(r.oursKnobMax).toBe(1.5);
    expect(r.occupancyGap).toBe('bound-above-knob-max');
  });
});

describe("a centre's second day, against the bound's value chosen on the first", () => {
  /** A run of the second day with these figures (US rule: the 30-day period's rate judges). */
  const run = (controller: Job['controller'], rate: number, occupancy: number, slAttainment: number | null = 1): JobResult => ({
    job: { scenarioFile: 'c.json', scenario: 'c', controllerFile: '', controller, knob: 'maxCallsPerAgent', seed: 10_000 + HELD_OUT_SEED_OFFSET, queueId: QUEUE_IDS.campaign, series: false },
    figures: { slAttainment, serviceLevel: slAttainment, worstIntervalSl: null, maxAbandon24h: rate, maxAbandon24hLiveCalls: 100, maxAbandon60min: rate, maxAbandonWindow: rate, occupancy, connectsPerAgentHour: 1, patches: 0 },
    wallMs: 0,
  });
  const firstDay = (id: string): CentreResult => ({
    id,
    agents: 4,
    mode: 'power',
    blended: false,
    regime: 'US',
    breach: false,
    boundBreach: false,
    worstWindowRate: 0.01,
    bestStaticWindowRate: 0,
    worstRolling24h: 0.01,
    worst60min: 0.01,
    slAttainment: 1,
    boundSlAttainment: 1,
    occupancy: 0.8,
    boundOccupancy: 0.8,
    compliantStatics: 1,
    staticsAttainingSl: 1,
    serviceLevel: 0.9,
    boundServiceLevel: 0.9,
    gridKnob: 'maxCallsPerAgent',
    boundValue: 1.5,
    oursKnobMax: 3,
    occupancyGap: null,
    runSeconds: { ours: 1, grid: 1 },
  });

  it("judges ours against the bound's value on the second day, not against the first day's grid", () => {
    // Prepare: c001's bound complied on its first day and breaches on its second, where ours is
    // lower; on c002 the value complies again and ours breaches; c003 has no second day.
    const results = [
      { ...firstDay('c001'), heldOut: heldOutResult('US', { ours: run('ours', 0.04, 0.8), bound: run('grid', 0.05, 0.8) }) },
      { ...firstDay('c002'), heldOut: heldOutResult('US', { ours: run('ours', 0.04, 0.7), bound: run('grid', 0.02, 0.8) }) },
      firstDay('c003'),
    ];
    // Act
    const s = summariseHeldOut(results)!;
    // Assess
    expect(results[0]!.heldOut).toMatchObject({ seed: 10_000 + HELD_OUT_SEED_OFFSET, breach: true, boundBreach: true, worstWindowRate: 0.04, boundWorstWindowRate: 0.05 });
    expect(s.centres).toBe(2);
    expect([s.compliantBound, s.breachesWhereBoundComplies, s.boundBreaches, s.aboveBestStaticWhereNoneComplies]).toEqual([1, 1, 1, 0]);
    expect(s.occupancyMeanRatio).toBeCloseTo((1 + 0.7 / 0.8) / 2, 10);
    expect(s.targets.map((t) => `${t.met} ${t.target}`)).toEqual([
      'false 0 breaches where the static chosen in advance complies',
      'true where it breaches, ours at or below its rate',
      'true SL attainment >= 95% where it attains it',
      'false occupancy >= 97% of it on 95% of centres',
      'false occupancy >= 100% of it on the mean',
    ]);
    // The first day's targets stay as they were: neither breached there.
    expect(summarise(results).breachesWhereBoundComplies).toBe(0);
    const report = formatReport(results, summarise(results));
    expect(report).toContain('On a second day of 2 centres (another twin seed)');
    expect(report).toMatch(/^MISSED {2}0 breaches where the static chosen in advance complies \(1 of 1 centres: c002\)$/m);
  });

  it('reports nothing of a second day on a run without one', () => {
    const results = [firstDay('c001')];
    expect(summariseHeldOut(results)).toBeUndefined();
    expect(formatReport(results, summarise(results))).not.toContain('second day');
  });

  it("runs on seeds no first day of the run shares, in the twin's 32 bits", () => {
    // The twin's streams take a seed's low 32 bits; first days run on seed x 10,000 + index.
    for (const { seed, centres } of [{ seed: 1, centres: 200 }, { seed: 1_000_000, centres: 10_000 }]) {
      const firstDays = Array.from({ length: centres }, (_, i) => seed * 10_000 + i);
      const taken = new Set(firstDays.map((x) => x | 0));
      expect(firstDays.filter((x) => taken.has((x + HELD_OUT_SEED_OFFSET) | 0))).toEqual([]);
    }
  });
});

describe('the command line', () => {
  it('reads the options, the day in hours', () => {
    expect(optionsOf({ centres: 3, seed: 2, jobs: 2, hours: 0.5, log: 'runs.log' })).toMatchObject({ centres: 3, seed: 2, jobs: 2, minutes: 30, heldOut: false });
    expect(optionsOf({ centres: 3, seed: 2, jobs: 2, hours: 0.5, log: 'runs.log', heldOut: true }).heldOut).toBe(true);
  });

  it('names --centres and the fix when it is missing', () => {
    expect(() => optionsOf({ seed: 1, jobs: 2, hours: 2, log: 'runs.log' })).toThrow(UsageError);
    expect(() => optionsOf({ seed: 1, jobs: 2, hours: 2, log: 'runs.log' })).toThrow(/--centres is required: .* e\.g\. --centres 100/);
  });
});
