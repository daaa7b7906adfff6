/**
 * `npm run bench:random -- --centres <n> --seed <s> [--json <file>] [--jobs 2] [--hours 2]`
 *
 * Draws n contact centres from the documented ranges (bench/random-centres.ts), configures ours on
 * each with one rule (bench/random-config.ts), and runs each centre under ours (the real handler)
 * and under every static value of the grid (the hindsight-best static setting, chosen as
 * `npm run bench` chooses it), on the same twin seed. With `--held-out`, runs ours and the bound's
 * value once more on a second day of each centre (another twin seed): a static chosen in advance.
 * Prints progress, a table and the targets met or missed; exits 0 whatever the figures (a
 * measurement), 1 if a run failed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineCommand, integerOption, runCommand, UsageError } from '../lambda/cli/command.js';
import type { KnobName } from '../lambda/config/schema.js';
import { servedQueueIds } from '../sim/run/summary.js';
import { GRID, runAll } from './grid.js';
import type { Job } from './jobs.js';
import { drawCentres, meanDialSeconds, scenarioOf, type Centre } from './random-centres.js';
import { campaignEntryOf, campaignStartOf, controllerConfigOf } from './random-config.js';
import { centreResult, formatReport, heldOutResult, summarise, summariseHeldOut, type CentreResult } from './random-summary.js';

/** Where the runs' own output (the handler's JSON log lines, warnings) goes unless --log says otherwise. */
const DEFAULT_LOG = join('out', 'bench-random', 'runs.log');

export const command = defineCommand({
  name: 'npm run bench:random',
  summary:
    'Draws random contact centres from documented ranges, configures ours on each by the starting rule, and runs each under ours and every static value of the grid on the same seed. Prints progress, a table and the targets met or missed.',
  examples: [
    'npm run bench:random -- --centres 10 --seed 1',
    'npm run bench:random -- --centres 100 --seed 2 --json out/random.json',
    'npm run bench:random -- --centres 200 --seed 1 --held-out',
  ],
})
  .option('--centres <n>', 'how many random centres to draw and run (required)', integerOption(1, 10_000, '--centres 100'))
  .option('--seed <s>', "the seed of the draw and of every centre's twin", integerOption(0, 1_000_000, '--seed 1'), 1)
  .option('--json <file>', 'also write the per-centre figures and the summary as JSON')
  .option('--jobs <n>', 'runs at a time, each in its own process', integerOption(1, 64, '--jobs 2'), 2)
  .option('--hours <h>', "simulated hours of each centre's day, 0.25 to 24 (0.5 for a quick look)", hoursOption, 2)
  .option('--log <file>', "where the runs' log lines go (not the terminal)", DEFAULT_LOG)
  .option('--held-out', "also run ours and the bound's value on a second day of each centre (another twin seed): the targets against a static chosen in advance");

function hoursOption(value: string): number {
  const hours = Number(value);
  if (value.trim() === '' || !Number.isFinite(hours) || hours < 0.25 || hours > 24) throw new UsageError('--hours must be simulated hours from 0.25 to 24, e.g. --hours 2');
  return hours;
}

/** The command line as commander reads it. */
interface CommandLine {
  centres?: number;
  seed: number;
  json?: string;
  jobs: number;
  hours: number;
  log: string;
  heldOut?: boolean;
}

export interface RandomBenchOptions {
  centres: number;
  seed: number;
  json?: string;
  jobs: number;
  /** Simulated minutes of each day. */
  minutes: number;
  /** The runs' log file. */
  log: string;
  /** Also run each centre's second day ({@link HELD_OUT_SEED_OFFSET}). */
  heldOut: boolean;
}

/**
 * A centre's second day runs on its twin seed plus 2^31: the twin's random streams take the seed's
 * low 32 bits, so no second day shares a seed with any first day of the run.
 */
export const HELD_OUT_SEED_OFFSET = 2 ** 31;

/** The options from the command line. @throws UsageError without --centres */
export function optionsOf(line: CommandLine): RandomBenchOptions {
  if (line.centres === undefined) throw new UsageError('--centres is required: how many centres to draw, e.g. --centres 100');
  return { centres: line.centres, seed: line.seed, ...(line.json ? { json: resolve(line.json) } : {}), jobs: line.jobs, minutes: Math.round(line.hours * 60), log: resolve(line.log), heldOut: line.heldOut === true };
}

/**
 * The grid a centre's bound is chosen from, on the knob that sets the mode's pace, as in
 * `npm run bench`: Genesys's abandon target for predictive (which under the UK rule the compliance
 * loop caps with calls per agent), calls per agent for power (the bench's values); for progressive and
 * agentless, whose knob is lines, ten values spaced evenly in ratio from a quarter of the lines
 * that would keep the agents left by inbound busy at the centre's starting rates (hindsight the
 * controller does not have) up to one line per agent (progressive: no cap) or twice those lines
 * and at least 4 (agentless), within the org's 300 lines.
 */
export function gridOf(c: Centre): { knob: KnobName; values: number[] } {
  // Predictive paces by its abandon target, whichever knob the compliance loop caps it with.
  if (c.mode === 'predictive') return { knob: 'abandonRate', values: GRID.abandonRate };
  const entry = campaignEntryOf(c);
  // The rule always names the objective's knob; the compliance loop moves its own or that one.
  const compliance = (entry.compliance?.knob ?? entry.knob!).name as KnobName;
  if (compliance !== 'outboundLineCount') return { knob: compliance, values: GRID[compliance] };
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
  const base = { scenarioFile, controllerFile, seed: o.seed * 10_000 + index, queueId: servedQueueIds(scenario)[0] ?? scenario.campaigns[0]!.queueId, series: false };
  const mainKnob = config.campaigns[0]!.knob!.name as KnobName;
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
    process.stderr.write(`Random centres: ${plans.length} centres, ${(o.minutes / 60).toFixed(2)} h each, seed ${o.seed}, ${batches.length} batches, ${o.jobs} at a time; logs in ${o.log}\n`);
    const done = await runAll(batches, o.jobs, { logFile: o.log });
    const results = plans.map((p, i) => centreResult({ centre: p.centre, gridKnob: p.gridKnob, ours: done[2 * i]![0]!, grid: done[2 * i + 1]! }));
    if (o.heldOut) await runSecondDays(plans, results, o);
    return { results, wallSeconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Each centre's second day: ours, and the bound's value chosen on the first day, both on the twin
 * seed plus {@link HELD_OUT_SEED_OFFSET}; adds `heldOut` to each result.
 */
async function runSecondDays(plans: CentrePlan[], results: CentreResult[], o: RandomBenchOptions): Promise<void> {
  const secondDay = (job: Job): Job => ({ ...job, seed: job.seed + HELD_OUT_SEED_OFFSET });
  const statics = plans.map((p, i) => secondDay({ ...p.grid[0]!, value: results[i]!.boundValue! }));
  // Ours alone in its process, as on the first day; the static runs, short, ten to a process.
  const staticBatches = Array.from({ length: Math.ceil(statics.length / STATICS_PER_PROCESS) }, (_, k) => statics.slice(k * STATICS_PER_PROCESS, (k + 1) * STATICS_PER_PROCESS));
  process.stderr.write(`Second days: ${plans.length} centres, ours and the bound's value on each\n`);
  const done = await runAll([...plans.map((p) => [secondDay(p.ours)]), ...staticBatches], o.jobs, { logFile: o.log });
  const staticRuns = done.slice(plans.length).flat();
  plans.forEach((p, i) => {
    results[i]!.heldOut = heldOutResult(p.centre.regime, { ours: done[i]![0]!, bound: staticRuns[i]! });
  });
}

/** Second-day static runs per process: each takes about a second, a process start-up one to three. */
const STATICS_PER_PROCESS = 10;

async function main(line: CommandLine): Promise<void> {
  const o = optionsOf(line);
  // The output folders first: a bad path fails now, not after the runs.
  if (o.json) mkdirSync(dirname(o.json), { recursive: true });
  mkdirSync(dirname(o.log), { recursive: true });
  writeFileSync(o.log, '');
  const { results, wallSeconds } = await runRandomBench(o);
  const summary = summarise(results);
  const heldOut = summariseHeldOut(results);
  console.log(`\n${formatReport(results, summary, heldOut)}`);
  console.log(`\n${results.length} centres of ${(o.minutes / 60).toFixed(2)} h in ${wallSeconds.toFixed(0)} s wall (seed ${o.seed}, ${o.jobs} jobs).`);
  if (o.json) {
    const commandLine = `npm run bench:random -- --centres ${o.centres} --seed ${o.seed} --hours ${o.minutes / 60} --jobs ${o.jobs}${o.heldOut ? ' --held-out' : ''}`;
    const json = { command: commandLine, seed: o.seed, hours: o.minutes / 60, wallSeconds: Math.round(wallSeconds), centres: results, summary, ...(heldOut ? { heldOut } : {}) };
    writeFileSync(o.json, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`JSON: ${o.json}`);
  }
}

// Run as a command only, never on import (the tests import its parts).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runCommand(command, main);
