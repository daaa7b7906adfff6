/**
 * `npm run bench -- [--seeds 5] [--scenarios a,b] [--jobs 2] [--out out/benchmark]`
 *
 * Every twin scenario, the same seeds, side by side: no controller (the campaign's static
 * settings), the tutorial PID, a VICIdial ADAPT-style law, ours, and the hindsight-best static
 * setting of ours's compliance knob (a grid search on the same seeds) as the reference bound.
 * One run per child process (the handler caches its configuration), `--jobs` at a time. Prints a
 * table per scenario, writes results.json, table.md and report.html (charts of the first seed).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCommand, integerOption, runCommand, UsageError } from '../lambda/cli/command.js';
import { parsePacingConfig } from '../lambda/config/config.js';
import type { KnobName } from '../lambda/config/schema.js';
import { asPercent, escapeHtml, renderChartPage, type Chart } from '../sim/run/report.js';
import { loadScenarioFile } from '../sim/model/scenario.js';
import { loadControllerFile } from '../sim/run/run-scenario.js';
import { servedQueueIds } from '../sim/run/summary.js';
import { htmlTable, markdownTable, num, onLive, pct, terminalTables } from './tables.js';
import { ATTAINMENT_TARGET, CAP, chooseBound, GRID, OCCUPANCY_SHARE, rowOf, runAll, type Figure, type Row, type Spread } from './grid.js';
import type { ControllerName, Job, JobResult } from './jobs.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SIM = resolve(HERE, '..', 'sim');
const BASELINES: ControllerName[] = ['static', 'tutorial-pid', 'adapt'];
const LABEL: Record<ControllerName, string> = { static: 'no controller', 'tutorial-pid': 'tutorial PID', adapt: 'VICIdial ADAPT', ours: 'ours', grid: 'grid' };

interface ScenarioPlan {
  name: string;
  scenarioFile: string;
  controllerFile: string;
  mainKnob: KnobName;
  gridKnob: KnobName;
  /** The queue whose service level is judged first: ours's objective queue, or the scenario's first served queue. */
  queueId: string;
}

function plan(name: string): ScenarioPlan {
  const scenarioFile = join(SIM, 'scenarios', `${name}.json`);
  const controllerFile = join(SIM, 'controllers', `${name}.json`);
  const raw = loadControllerFile(controllerFile);
  const campaign = parsePacingConfig({ genesys: { localBaseUrl: 'http://127.0.0.1' }, secretName: 'bench', ...raw }, controllerFile).campaigns[0]!;
  return {
    name,
    scenarioFile,
    controllerFile,
    mainKnob: campaign.knob.name,
    gridKnob: campaign.compliance.knob.name,
    queueId: campaign.objective.kind === 'abandonRate' ? servedQueueIds(loadScenarioFile(scenarioFile))[0]! : campaign.objective.queueId,
  };
}

function jobsOf(p: ScenarioPlan, seeds: number[]): Job[] {
  const base = { scenarioFile: p.scenarioFile, controllerFile: p.controllerFile, queueId: p.queueId };
  const jobs: Job[] = [];
  for (const seed of seeds) {
    const series = seed === seeds[0];
    for (const controller of [...BASELINES, 'ours'] as const) jobs.push({ ...base, controller, seed, knob: p.mainKnob, series });
    for (const value of GRID[p.gridKnob]) jobs.push({ ...base, controller: 'grid', seed, knob: p.gridKnob, value, series });
  }
  return jobs;
}

/** How a figure compares: +1 higher is better, -1 lower is better; and its scale for a shortfall. */
const JUDGED: Array<{ key: Figure | 'abandon'; better: 1 | -1; name: string }> = [
  { key: 'slAttainment', better: 1, name: 'SL attainment' },
  { key: 'worstIntervalSl', better: 1, name: 'worst 15-min SL' },
  { key: 'abandon', better: -1, name: 'highest abandon rate' },
  { key: 'occupancy', better: 1, name: 'occupancy' },
  { key: 'connectsPerAgentHour', better: 1, name: 'connects per agent-hour' },
];

function judged(row: Row, key: Figure | 'abandon'): number | null {
  if (key === 'abandon') return Math.max(row.figures.maxAbandon24h.mean ?? 0, row.figures.maxAbandonWindow.mean ?? 0);
  return row.figures[key].mean;
}

/** The baseline's worst figure: the largest shortfall against the bound, relative to the bound (the cap for abandons). */
function worstFigure(baseline: Row, bound: Row): (typeof JUDGED)[number] {
  const shortfall = (j: (typeof JUDGED)[number]) => {
    const b = judged(baseline, j.key);
    const ref = judged(bound, j.key);
    if (b === null || ref === null) return -Infinity;
    const scale = j.key === 'abandon' ? CAP : j.key === 'slAttainment' || j.key === 'worstIntervalSl' ? 1 : Math.max(1e-9, Math.abs(ref));
    return (j.better * (ref - b)) / scale;
  };
  return [...JUDGED].sort((x, y) => shortfall(y) - shortfall(x))[0]!;
}

interface TargetCheck {
  target: string;
  met: boolean;
  detail: string;
}


function checkTargets(ours: Row, bound: Row, baselines: Row[]): TargetCheck[] {
  const checks: TargetCheck[] = [
    { target: 'no compliance breach', met: ours.breaches === 0, detail: `${ours.breaches} of ${ours.seeds} seeds over 3% (strict windows); highest ${pct(ours.worstAbandon, 2)}; worst 24-hour window ${onLive(ours)}` },
  ];
  const boundAtt = bound.figures.slAttainment.mean;
  if (boundAtt !== null && boundAtt >= ATTAINMENT_TARGET) {
    checks.push({ target: 'SL attainment >= 95% (the bound attains it)', met: (ours.figures.slAttainment.mean ?? 0) >= ATTAINMENT_TARGET, detail: `ours ${pct(ours.figures.slAttainment.mean)}, bound ${pct(boundAtt)}` });
  } else {
    checks.push({ target: 'SL attainment >= 95% (not applicable: the bound does not attain it)', met: true, detail: `ours ${pct(ours.figures.slAttainment.mean)}, bound ${pct(boundAtt)}` });
  }
  const occ = ours.figures.occupancy.mean ?? 0;
  const boundOcc = bound.figures.occupancy.mean ?? 0;
  checks.push({ target: 'occupancy >= 97% of the bound', met: occ >= OCCUPANCY_SHARE * boundOcc - 1e-12, detail: `ours ${pct(occ)} = ${pct(boundOcc ? occ / boundOcc : null)} of ${pct(boundOcc)}` });
  for (const b of baselines) {
    const worst = worstFigure(b, bound);
    const o = judged(ours, worst.key);
    const v = judged(b, worst.key);
    const met = o !== null && v !== null && worst.better * (o - v) > 0;
    const show = (x: number | null) => (worst.key === 'connectsPerAgentHour' ? num(x) : pct(x, worst.key === 'abandon' ? 2 : 1));
    checks.push({ target: `better than ${b.label} on its worst figure (${worst.name})`, met, detail: `ours ${show(o)} vs ${show(v)}` });
  }
  return checks;
}

interface ScenarioOutcome {
  plan: ScenarioPlan;
  rows: Row[];
  bound: Row;
  targets: TargetCheck[];
}

function chartsOf(o: ScenarioOutcome, results: JobResult[], seed: number): { times: number[]; charts: Chart[] } {
  const pick = (c: ControllerName, value?: number) => results.find((r) => r.job.scenario === o.plan.name && r.job.controller === c && r.job.seed === seed && r.job.value === value)?.series;
  const entries: Array<[string, NonNullable<JobResult['series']>]> = [];
  for (const c of [...BASELINES, 'ours'] as const) {
    const s = pick(c);
    if (s) entries.push([LABEL[c], s]);
  }
  const boundSeries = pick('grid', o.bound.value);
  if (boundSeries) entries.push([o.bound.label, boundSeries]);
  const id = (k: string) => `${o.plan.name}-${k}`;
  const knobs = [...new Set([o.plan.mainKnob, o.plan.gridKnob])];
  return {
    times: entries[0]?.[1].times ?? [],
    charts: [
      { id: id('sl'), title: `${o.plan.name}: 15-minute service level (seed ${seed})`, yLabel: 'service level (%)', unit: '%', series: entries.map(([label, s]) => ({ label, values: asPercent(s.serviceLevel15) })) },
      {
        id: id('abandon'),
        title: `${o.plan.name}: abandon rate to date, AMD false positives counted (seed ${seed})`,
        yLabel: 'abandon rate (%)',
        unit: '%',
        series: [...entries.map(([label, s]) => ({ label, values: asPercent(s.abandonToDate) })), { label: 'cap', values: (entries[0]?.[1].times ?? []).map(() => 100 * CAP), dash: true }],
      },
      ...knobs.map((k) => ({ id: id(k), title: `${o.plan.name}: ${k} (seed ${seed})`, yLabel: k, series: entries.map(([label, s]) => ({ label, values: s[k] })) })),
    ],
  };
}

function renderBenchmarkReport(outcomes: ScenarioOutcome[], results: JobResult[], seeds: number[], command: string): string {
  const sections: string[] = [];
  const charts: Chart[] = [];
  let times: number[] = [];
  for (const o of outcomes) {
    sections.push(`<h2>${escapeHtml(o.plan.name)}</h2>${htmlTable(o.rows)}<ul>${o.targets.map((t) => `<li>${t.met ? 'met' : '<b>MISSED</b>'}: ${escapeHtml(t.target)} (${escapeHtml(t.detail)})</li>`).join('')}</ul>`);
    const c = chartsOf(o, results, seeds[0]!);
    if (c.times.length) times = c.times;
    charts.push(...c.charts);
  }
  // Every scenario shares the same day, so one time axis serves all charts.
  return renderChartPage({
    title: 'Pacing benchmark',
    headerHtml: `<p>Seeds ${seeds.join(', ')}. Reproduce with <code>${escapeHtml(command)}</code>. Charts show seed ${seeds[0]}.</p>${sections.join('\n')}`,
    times,
    charts,
  });
}

interface BenchOptions {
  seeds: number;
  scenarios?: string;
  jobs: number;
  out: string;
}

const cli = defineCommand({
  name: 'npm run bench',
  summary: 'Every twin scenario, the same seeds, side by side: no controller, the tutorial PID, a VICIdial ADAPT-style law, ours and the hindsight-best static setting. Prints a table per scenario, writes results.json, table.md and report.html.',
  examples: ['npm run bench', 'npm run bench -- --scenarios small-team --seeds 10 --jobs 2'],
})
  .option('--seeds <n>', 'seeds 1..n per scenario', integerOption(1, 1000, '--seeds 5'), 5)
  .option('--scenarios <list>', 'comma-separated scenario names (default: all in sim/scenarios)')
  .option('--jobs <n>', 'runs at a time', integerOption(1, 64, '--jobs 2'), 2)
  .option('--out <dir>', 'output directory', join('out', 'benchmark'));

async function main(values: BenchOptions): Promise<void> {
  const seedCount = values.seeds;
  const seeds = Array.from({ length: seedCount }, (_, i) => i + 1);
  const all = readdirSync(join(SIM, 'scenarios')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
  const names = values.scenarios ? values.scenarios.split(',').map((s) => s.trim()) : all;
  for (const n of names) if (!all.includes(n)) throw new UsageError(`--scenarios: no sim/scenarios/${n}.json (have ${all.join(', ')})`);
  const plans = names.map(plan);
  const jobs = plans.flatMap((p) => jobsOf(p, seeds));
  const command = `npm run bench -- --seeds ${seedCount}${values.scenarios ? ` --scenarios ${names.join(',')}` : ''}`;
  process.stderr.write(`Benchmark: ${plans.length} scenarios x ${seedCount} seeds, ${jobs.length} runs, ${values.jobs} at a time\n`);
  const started = performance.now();
  const results = (await runAll(jobs.map((j) => [j]), values.jobs)).flat();

  const outcomes: ScenarioOutcome[] = plans.map((p) => {
    const of = (c: ControllerName, value?: number) => results.filter((r) => r.job.scenario === p.name && r.job.controller === c && r.job.value === value);
    const baselines = BASELINES.map((c) => rowOf(c, LABEL[c], of(c)));
    const ours = rowOf('ours', LABEL.ours, of('ours'));
    const grid = GRID[p.gridKnob].map((v) => rowOf('grid', `static ${p.gridKnob}=${v}`, of('grid', v), v));
    const best = chooseBound(grid);
    const bound: Row = { ...best, controller: 'bound', label: `hindsight-best static (${p.gridKnob}=${best.value})` };
    return { plan: p, rows: [...baselines, ours, bound], bound, targets: checkTargets(ours, bound, baselines), grid } as ScenarioOutcome & { grid: Row[] };
  });

  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  const markdown: string[] = [];
  for (const o of outcomes) {
    const knobs = `knob ${o.plan.mainKnob}${o.plan.gridKnob === o.plan.mainKnob ? '' : `, compliance knob ${o.plan.gridKnob}`}`;
    console.log(`\n${o.plan.name} (${knobs}; best static: ${o.plan.gridKnob}=${o.bound.value})\n${terminalTables(o.rows)}`);
    for (const t of o.targets) console.log(`  ${t.met ? 'met   ' : 'MISSED'}  ${t.target}: ${t.detail}`);
    markdown.push(`### ${o.plan.name}\n\n${markdownTable(o.rows)}\n\n${o.targets.map((t) => `- ${t.met ? 'met' : '**missed**'}: ${t.target} (${t.detail})`).join('\n')}\n`);
  }
  const json = {
    command,
    seeds,
    cap: CAP,
    scenarios: outcomes.map((o) => ({
      scenario: o.plan.name,
      knob: o.plan.mainKnob,
      gridKnob: o.plan.gridKnob,
      rows: o.rows.map(({ controller, label, value, figures, breaches, seeds: n }) => ({ controller, label, ...(value === undefined ? {} : { value }), figures, breaches, seeds: n })),
      grid: (o as ScenarioOutcome & { grid: Row[] }).grid.map(({ value, figures, breaches }) => ({ value, figures, breaches })),
      targets: o.targets,
    })),
  };
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(out, 'table.md'), `${markdown.join('\n')}`);
  writeFileSync(join(out, 'report.html'), renderBenchmarkReport(outcomes, results, seeds, command));
  const missed = outcomes.flatMap((o) => o.targets.filter((t) => !t.met).map((t) => `${o.plan.name}: ${t.target}`));
  console.log(`\n${results.length} runs in ${((performance.now() - started) / 1000).toFixed(0)} s wall. ${missed.length ? `Targets missed: ${missed.length}` : 'Every target met.'}`);
  console.log(`Results: ${join(out, 'results.json')}, ${join(out, 'table.md')}, ${join(out, 'report.html')}`);
}

await runCommand(cli, main);
