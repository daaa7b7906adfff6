/** The random centres of `npm run bench:random`: their draw, the rule that configures them, and how they are judged. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePacingConfig } from '../../lambda/config/config.js';
import type { MinuteCounts } from '../../bench/jobs.js';
import { CHANCES, DIALING_MODES, drawCentres, RANGES, scenarioOf, type Centre } from '../../bench/random-centres.js';
import { campaignStartOf, controllerConfigOf, linesMax } from '../../bench/random-config.js';
import { summarise, type CentreResult } from '../../bench/random-summary.js';
import { gridOf, parseOptions, UsageError, windowRates } from '../../bench/random.js';

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

describe('strict windows (placeholder until the shared function lands)', () => {
  const counts = (live: number[], abandons: number[], fps: number[] = live.map(() => 0)): MinuteCounts => ({ liveAnswers: live, complianceAbandons: abandons, amdFalsePositives: fps });

  it('judges every window ending at any minute, the time before the run silent: a bad first ten minutes count on their own', () => {
    // Prepare: 10 minutes of 10 live answers with one abandon each, then 290 clean minutes
    const live = Array.from({ length: 300 }, () => 10);
    const abandons = live.map((_, i) => (i < 10 ? 1 : 0));
    // Act
    const w = windowRates(counts(live, abandons), 'US');
    // Assess: the day is at 10 / 3000 = 0.33%, its first minutes at 10%
    expect(w.worst30d).toBeCloseTo(10 / 3000, 10);
    expect(w.worstRolling24h).toBeCloseTo(0.1, 10);
    expect(w.worst60min).toBeCloseTo(0.1, 10);
  });

  it('counts AMD false positives as abandons and live calls under the UK rule only', () => {
    const m = counts([100, 100], [1, 1], [2, 2]);
    expect(windowRates(m, 'UK').worstRolling24h).toBeCloseTo(6 / 204, 10);
    expect(windowRates(m, 'US').worstRolling24h).toBeCloseTo(2 / 200, 10);
    expect(windowRates(m, 'UK').worst30d).toBeCloseTo(2 / 200, 10);
  });

  it('slides the 60-minute window: an hour later the early abandons are out of it', () => {
    const live = Array.from({ length: 200 }, () => 10);
    const abandons = live.map((_, i) => (i === 0 || i === 150 ? 3 : 0));
    expect(windowRates(counts(live, abandons), 'US').worst60min).toBeCloseTo(3 / 10, 10);
    const late = live.map((_, i) => (i === 150 ? 3 : 0));
    expect(windowRates(counts(live, late), 'US').worst60min).toBeCloseTo(3 / 600, 10);
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
    gridKnob: 'abandonRate',
    boundValue: 2,
    runSeconds: { ours: 1, grid: 1 },
    ...over,
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
});

describe('the command line', () => {
  it('reads the options, the day in hours', () => {
    expect(parseOptions(['--centres', '3', '--seed', '2', '--hours', '0.5'])).toMatchObject({ centres: 3, seed: 2, jobs: 2, minutes: 30 });
    expect(parseOptions(['--centres', '1'])).toMatchObject({ centres: 1, seed: 1, jobs: 2, minutes: 120 });
    expect(parseOptions(['--help'])).toBe('help');
  });

  it('names the bad option and the fix', () => {
    expect(() => parseOptions(['--seed', '1'])).toThrow(/--centres must be a whole number of at least 1, e\.g\. --centres 100/);
    expect(() => parseOptions(['--centres', '2', '--centers', '3'])).toThrow(UsageError);
    expect(() => parseOptions(['--centres', '2', '--centers', '3'])).toThrow(/valid options: --centres, --seed, --json, --jobs, --hours/);
    expect(() => parseOptions(['--centres', '2', '--hours', '0'])).toThrow(/--hours must be simulated hours/);
  });
});
