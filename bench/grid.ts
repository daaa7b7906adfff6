/**
 * What every benchmark that compares ours with the hindsight-best static setting shares: the cap
 * and targets, the grid of static values, how runs of one controller make a row, how the bound is
 * chosen, and the pool of child processes that runs the jobs (bench/run-one.ts, one batch each).
 */
import { fork } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KnobName } from '../lambda/config/schema.js';
import { ABANDON_CAP, overCap } from '../sim/run/summary.js';
import type { ControllerName, Job, JobResult, RunFigures } from './jobs.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The legal cap the benchmark judges every controller by (US and UK: 3%). */
export const CAP = ABANDON_CAP;
/** Service-level attainment the bound must reach to make it a target for ours. */
export const ATTAINMENT_TARGET = 0.95;
/** Ours's occupancy must reach this share of the bound's. */
export const OCCUPANCY_SHARE = 0.97;

/** The static values the grid tries, per knob. */
export const GRID: Record<KnobName, number[]> = {
  abandonRate: [0.5, 1, 1.5, 2, 2.25, 2.5, 2.75, 3],
  maxCallsPerAgent: [1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.75, 2, 2.5],
  outboundLineCount: [1, 2, 3, 4, 5, 6, 8, 10],
};

/**
 * Runs batches of jobs in child processes, `parallel` at a time, in order of submission; each batch
 * runs in one process, one job after the other. A run of ours must be alone in its batch: the
 * handler caches its configuration and fakes `Date` for its process.
 * @param options.logFile append the children's output (the handler's log lines) to this file; else
 *   it is dropped, and a failed run's stderr goes into its error
 * @returns each batch's results, in the batches' order
 */
export async function runAll(batches: Job[][], parallel: number, options: { logFile?: string } = {}): Promise<JobResult[][]> {
  const results: JobResult[][] = new Array(batches.length);
  const child = join(HERE, 'run-one.ts');
  const total = batches.reduce((n, b) => n + b.length, 0);
  let next = 0;
  let done = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < batches.length) {
      const i = next++;
      const batch = batches[i]!;
      const label = describeBatch(batch);
      const log = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
      results[i] = await new Promise<JobResult[]>((resolveBatch, reject) => {
        // The child's stderr (SDK notices, warnings) goes to the log, or is shown only when the run fails.
        const proc = fork(child, [JSON.stringify(batch)], { stdio: log === undefined ? ['ignore', 'ignore', 'pipe', 'ipc'] : ['ignore', log, log, 'ipc'] });
        let stderr = log === undefined ? '' : `(its output: ${options.logFile})`;
        proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        let answered = false;
        proc.on('message', (m: { ok: boolean; results?: JobResult[]; message?: string }) => {
          answered = true;
          if (m.ok) resolveBatch(m.results!);
          else reject(new Error(`${label} failed: ${m.message}\n${stderr}`));
        });
        proc.on('exit', (code) => {
          if (!answered) reject(new Error(`${label} exited with code ${code} before answering\n${stderr}`));
        });
      }).finally(() => log !== undefined && closeSync(log));
      done += batch.length;
      process.stderr.write(`  [${done}/${total}] ${label} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  return results;
}

/** One job in words, for progress lines and errors. */
export function describeJob(job: Job): string {
  return `${basename(job.scenarioFile, '.json')} ${job.controller}${job.value === undefined ? '' : ` ${job.knob}=${job.value}`} seed ${job.seed}`;
}

function describeBatch(batch: Job[]): string {
  if (batch.length === 1) return describeJob(batch[0]!);
  const first = batch[0]!;
  const last = batch.at(-1)!;
  // Runs of several scenarios (bench:random's second days): name the span, each has its own value.
  if (last.scenarioFile !== first.scenarioFile) return `${basename(first.scenarioFile, '.json')}..${basename(last.scenarioFile, '.json')} ${first.controller}, ${batch.length} runs`;
  return `${basename(first.scenarioFile, '.json')} ${first.controller} ${first.knob}=${batch.map((j) => j.value).join(',')} seed ${first.seed}`;
}

/** Mean and spread of one figure over seeds. */
export interface Spread {
  mean: number | null;
  min: number | null;
  max: number | null;
}

export type Figure = keyof RunFigures;
export const FIGURES: Figure[] = ['slAttainment', 'serviceLevel', 'worstIntervalSl', 'maxAbandon24h', 'maxAbandon24hLiveCalls', 'maxAbandon60min', 'maxAbandonWindow', 'occupancy', 'connectsPerAgentHour', 'patches'];

/** One controller (or one static value of the grid) over the seeds. */
export interface Row {
  controller: ControllerName | 'bound';
  label: string;
  value?: number;
  figures: Record<Figure, Spread>;
  /** Seeds whose abandon rate passed the cap over some window. */
  breaches: number;
  /** The highest abandon rate of any seed over the windows it is judged on. */
  worstAbandon: number;
  /** The highest 24-hour window rate of any seed, and the live calls it was measured on. */
  worstWindow: { rate: number | null; liveCalls: number | null };
  seeds: number;
}

export function spread(values: Array<number | null>): Spread {
  const xs = values.filter((v): v is number => v !== null);
  if (!xs.length) return { mean: null, min: null, max: null };
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) };
}

/**
 * A run's highest abandon rate over the windows it is judged on: every 24-hour window ending at any
 * minute (AMD false positives counted, the UK rule) and each 30-day period (the US rule).
 */
export const worstAbandon = (f: RunFigures): number => Math.max(f.maxAbandon24h ?? 0, f.maxAbandonWindow ?? 0);

/** How a run's abandon rate is judged: its highest rate over the windows of the rules that apply. */
export type AbandonJudge = (f: RunFigures) => number;

/**
 * The runs of one controller (or grid value) as a row: each figure's spread, and the breaches.
 * @param judge the run's rate the cap is held against; by default both rules' windows
 */
export function rowOf(controller: Row['controller'], label: string, runs: JobResult[], value?: number, judge: AbandonJudge = worstAbandon): Row {
  const figures = Object.fromEntries(FIGURES.map((k) => [k, spread(runs.map((r) => r.figures[k]))])) as Record<Figure, Spread>;
  const worst = runs.reduce<RunFigures | undefined>((w, r) => ((r.figures.maxAbandon24h ?? -1) > (w?.maxAbandon24h ?? -1) ? r.figures : w), undefined);
  const rates = runs.map((r) => judge(r.figures));
  return {
    controller,
    label,
    ...(value === undefined ? {} : { value }),
    figures,
    breaches: rates.filter(overCap).length,
    worstAbandon: Math.max(0, ...rates),
    worstWindow: { rate: worst?.maxAbandon24h ?? null, liveCalls: worst?.maxAbandon24hLiveCalls ?? null },
    seeds: runs.length,
  };
}

/**
 * The hindsight-best static setting: among grid values with no breach on any seed, those whose mean
 * service-level attainment reaches 95% if any do; of them, the highest mean occupancy. With no
 * compliant value, the one with the lowest abandon rate.
 */
export function chooseBound(grid: Row[]): Row {
  const compliant = grid.filter((r) => r.breaches === 0);
  if (!compliant.length) return [...grid].sort((a, b) => a.worstAbandon - b.worstAbandon)[0]!;
  const serving = compliant.filter((r) => (r.figures.slAttainment.mean ?? 1) >= ATTAINMENT_TARGET);
  const pool = serving.length ? serving : compliant;
  return [...pool].sort((a, b) => (b.figures.occupancy.mean ?? 0) - (a.figures.occupancy.mean ?? 0))[0]!;
}
