/**
 * `npm run bench:random -- --centres <n> --seed <s> [--json <file>] [--jobs 2] [--hours 2]`
 *
 * Draws n contact centres from the documented ranges (bench/random-centres.ts), configures ours on
 * each with one rule (bench/random-config.ts), and runs each centre under ours (the real handler)
 * and under every static value of the grid (the hindsight-best static setting, chosen as
 * `npm run bench` chooses it), on the same twin seed. Prints progress, a table and the targets met
 * or missed; exits 0 whatever the figures (a measurement), 1 if a run failed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { KnobName } from '../lambda/config/schema.js';
import { servedQueueIds } from '../sim/run/summary.js';
import { GRID, runAll } from './grid.js';
import type { Job, JobResult, MinuteCounts, RunFigures } from './jobs.js';
import { drawCentres, meanDialSeconds, scenarioOf, type Centre, type Regime } from './random-centres.js';
import { campaignStartOf, controllerConfigOf } from './random-config.js';
import { centreResult, formatReport, summarise, type CentreResult } from './random-summary.js';

/** A bad command line: the message names the option and the fix. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const USAGE = `Usage: npm run bench:random -- --centres <n> --seed <s> [--json <file>] [--jobs 2] [--hours 2]

  --centres <n>  how many random centres to draw and run (1 or more)
  --seed <s>     the seed of the draw and of every centre's twin (whole number, default 1)
  --json <file>  also write the per-centre figures and the summary as JSON
  --jobs <n>     runs at a time, each in its own process (default 2)
  --hours <h>    simulated hours of each centre's day (default 2; 0.5 for a quick look)
  --debug        show the stack of an error
  --help         this text`;

const OPTIONS = {
  centres: { type: 'string' },
  seed: { type: 'string', default: '1' },
  json: { type: 'string' },
  jobs: { type: 'string', default: '2' },
  hours: { type: 'string', default: '2' },
  debug: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

export interface RandomBenchOptions {
  centres: number;
  seed: number;
  json?: string;
  jobs: number;
  /** Simulated minutes of each day. */
  minutes: number;
}

/** Reads the command line. @throws UsageError naming the bad option and the fix */
export function parseOptions(argv: string[]): RandomBenchOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]}; valid options: ${Object.keys(OPTIONS).map((k) => `--${k}`).join(', ')}`);
  }
  if (values.help) return 'help';
  const whole = (name: string, raw: string | undefined, min: number, example: string) => {
    const n = Number(raw);
    if (raw === undefined || !Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number of at least ${min}, e.g. --${name} ${example}`);
    return n;
  };
  const hours = Number(values.hours);
  if (!Number.isFinite(hours) || hours < 0.25 || hours > 24) throw new UsageError('--hours must be simulated hours from 0.25 to 24, e.g. --hours 2');
  return {
    centres: whole('centres', values.centres, 1, '100'),
    seed: whole('seed', values.seed, 0, '1'),
    ...(values.json ? { json: resolve(values.json) } : {}),
    jobs: whole('jobs', values.jobs, 1, '2'),
    minutes: Math.round(hours * 60),
  };
}

/**
 * The grid a centre's bound is chosen from, on ours's compliance knob as in `npm run bench`:
 * Genesys's abandon target for predictive and power (the bench's values); for progressive and
 * agentless, whose knob is lines, ten values spaced evenly in ratio from a quarter of the lines
 * that would keep the agents left by inbound busy at the centre's starting rates (hindsight the
 * controller does not have) up to one line per agent (progressive: no cap) or twice those lines
 * and at least 4 (agentless), within the org's 300 lines.
 */
export function gridOf(c: Centre): { knob: KnobName; values: number[] } {
  if (c.mode === 'predictive' || c.mode === 'power') return { knob: 'abandonRate', values: GRID.abandonRate };
  const free = Math.max(1, c.agents * (1 - (c.inboundLoad ?? 0)));
  const handle = c.talkSeconds + c.acwSeconds;
  const dialWait = meanDialSeconds(c) / c.liveAnswer;
  // Agentless: each line brings a live answer per dialWait seconds, each busying an agent for `handle`.
  // Progressive: a free agent waits dialWait on one line, then talks; lines in use = free agents waiting.
  const nominal = c.mode === 'agentless' ? (free * dialWait) / handle : (free * dialWait) / (dialWait + handle);
  const lo = Math.max(1, nominal / 4);
  // Progressive up to one line per agent (no cap at all); agentless up to twice the nominal lines, at least 4.
  const hi = c.mode === 'progressive' ? Math.max(lo, Math.min(300, c.agents)) : Math.max(4, Math.min(300, 2 * nominal));
  const values = Array.from({ length: 10 }, (_, i) => Math.round(lo * (hi / lo) ** (i / 9)));
  return { knob: 'outboundLineCount', values: [...new Set(values)] };
}

/**
 * PLACEHOLDER, to be replaced by the strict-window worst-rate function the report helper is adding
 * (sim/run/summary.ts): the lead merges the two so the summary, report, bench and this benchmark
 * measure windows with one function.
 *
 * Worst abandon rates over strict windows: every window of the given length ending at any minute,
 * the time before the run counting as silent (so a window ending early holds only the run's first
 * minutes). Under the UK rule AMD false positives are live people hung up on: abandons, and live
 * answers. The US rule's 30-day period is the whole run (shorter than 30 days), false positives not
 * counted (Genesys does not report them).
 */
export function windowRates(m: MinuteCounts, regime: Regime): { worstRolling24h: number | null; worst60min: number | null; worst30d: number | null } {
  const uk = regime === 'UK';
  const abandons = m.complianceAbandons.map((a, i) => a + (uk ? m.amdFalsePositives[i]! : 0));
  const live = m.liveAnswers.map((l, i) => l + (uk ? m.amdFalsePositives[i]! : 0));
  const worst = (width: number) => {
    let a = 0;
    let l = 0;
    let w: number | null = null;
    for (let end = 0; end < live.length; end += 1) {
      a += abandons[end]!;
      l += live[end]!;
      if (end >= width) {
        a -= abandons[end - width]!;
        l -= live[end - width]!;
      }
      if (l > 0 && (w === null || a / l > w)) w = a / l;
    }
    return w;
  };
  const totalLive = m.liveAnswers.reduce((x, y) => x + y, 0);
  return { worstRolling24h: worst(24 * 60), worst60min: worst(60), worst30d: totalLive > 0 ? m.complianceAbandons.reduce((x, y) => x + y, 0) / totalLive : null };
}

/** A run's figures judged by the centre's rule (`maxAbandonWindow`: the rate over the rule's windows, which the grid's breach count reads), and its strict-window rates. */
function judged(r: JobResult, regime: Regime): { run: JobResult; windows: ReturnType<typeof windowRates> } {
  const windows = windowRates(r.minuteCounts!, regime);
  const figures: RunFigures = { ...r.figures, maxAbandon24h: null, maxAbandonWindow: regime === 'UK' ? windows.worstRolling24h : windows.worst30d };
  return { run: { ...r, figures }, windows };
}

interface CentrePlan {
  centre: Centre;
  gridKnob: KnobName;
  ours: Job;
  grid: Job[];
}

/** Writes the centre's scenario and controller files under `dir` and lists its runs. */
function planCentre(c: Centre, index: number, o: RandomBenchOptions, dir: string): CentrePlan {
  const scenario = scenarioOf(c, o.minutes, campaignStartOf(c));
  const config = controllerConfigOf(c);
  const scenarioFile = join(dir, `${c.id}.json`);
  const controllerFile = join(dir, `${c.id}.controller.json`);
  writeFileSync(scenarioFile, JSON.stringify(scenario));
  writeFileSync(controllerFile, JSON.stringify(config));
  const grid = gridOf(c);
  // The twin's seed per centre: the same for ours and every grid value.
  const base = { scenarioFile, controllerFile, seed: o.seed * 10_000 + index, queueId: servedQueueIds(scenario)[0] ?? scenario.campaigns[0]!.queueId, series: false, minuteCounts: true };
  const mainKnob = (config.campaigns[0]!.knob as { name: KnobName }).name;
  return {
    centre: c,
    gridKnob: grid.knob,
    ours: { ...base, controller: 'ours', knob: mainKnob },
    grid: grid.values.map((value) => ({ ...base, controller: 'grid', knob: grid.knob, value })),
  };
}

/** Runs the benchmark and returns each centre's result. */
export async function runRandomBench(o: RandomBenchOptions): Promise<{ results: CentreResult[]; wallSeconds: number }> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'bench-random-'));
  try {
    const plans = drawCentres(o.centres, o.seed).map((c, i) => planCentre(c, i, o, dir));
    // Ours alone in its process (the handler caches its configuration); a centre's grid in one process.
    const batches = plans.flatMap((p) => [[p.ours], p.grid]);
    process.stderr.write(`Random centres: ${plans.length} centres, ${(o.minutes / 60).toFixed(2)} h each, seed ${o.seed}, ${batches.length} batches, ${o.jobs} at a time\n`);
    const done = await runAll(batches, o.jobs);
    const results = plans.map((p, i) => {
      const ours = judged(done[2 * i]![0]!, p.centre.regime);
      return centreResult({
        centre: p.centre,
        gridKnob: p.gridKnob,
        ours: ours.run,
        grid: done[2 * i + 1]!.map((r) => judged(r, p.centre.regime).run),
        windows: { worstRolling24h: ours.windows.worstRolling24h, worst60min: ours.windows.worst60min },
      });
    });
    return { results, wallSeconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<void> {
  const o = parseOptions(argv);
  if (o === 'help') {
    console.log(USAGE);
    return;
  }
  // The JSON's folder first: a bad path fails now, not after the runs.
  if (o.json) mkdirSync(dirname(o.json), { recursive: true });
  const { results, wallSeconds } = await runRandomBench(o);
  const summary = summarise(results);
  console.log(`\n${formatReport(results, summary)}`);
  console.log(`\n${results.length} centres of ${(o.minutes / 60).toFixed(2)} h in ${wallSeconds.toFixed(0)} s wall (seed ${o.seed}, ${o.jobs} jobs).`);
  if (o.json) {
    const centres = results.map(({ id, agents, mode, breach, boundBreach, worstRolling24h, worst60min, slAttainment, boundSlAttainment, occupancy, boundOccupancy, ...more }) => ({
      id,
      agents,
      mode,
      breach,
      boundBreach,
      worstRolling24h,
      worst60min,
      slAttainment,
      boundSlAttainment,
      occupancy,
      boundOccupancy,
      ...more,
    }));
    const json = { command: `npm run bench:random -- ${argv.join(' ')}`.trim(), seed: o.seed, hours: o.minutes / 60, wallSeconds: Math.round(wallSeconds), centres, summary };
    writeFileSync(o.json, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`JSON: ${o.json}`);
  }
}

// Run as a command only, never on import (the tests import its parts).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  main(argv).catch((err: unknown) => {
    const e = err as Error;
    console.error(`npm run bench:random failed: ${argv.includes('--debug') ? e.stack : e.message.split('\n')[0]}`);
    process.exitCode = 1;
  });
}
