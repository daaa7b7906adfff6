/**
 * `npm start -- [--scenario <name|file>] [--controller on|off|dry-run] [--seed <n>] [--out <file.html>]`
 *
 * The main job on its embedded default: the real Lambda handler paces a simulated contact
 * centre (the twin) for a whole shift, once per simulated minute, then prints a summary and
 * writes an HTML report with charts.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderReport } from '../run/report.js';
import { runScenario, type ControllerMode } from '../run/run-scenario.js';
import { formatSummary, summarise } from '../run/summary.js';

const SIM_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MODES: readonly ControllerMode[] = ['on', 'off', 'dry-run'];

/** A scenario name (a file in sim/scenarios) or a path. */
function scenarioPath(arg: string): string {
  if (existsSync(arg)) return resolve(arg);
  const named = join(SIM_DIR, 'scenarios', `${arg.replace(/\.json$/, '')}.json`);
  if (existsSync(named)) return named;
  throw new Error(`--scenario ${arg}: no such file, and no sim/scenarios/${arg}.json`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'blended-surge' },
      controller: { type: 'string', default: 'on' },
      'controller-config': { type: 'string' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
    },
  });
  const mode = values.controller as ControllerMode;
  if (!MODES.includes(mode)) throw new Error(`--controller must be one of ${MODES.join(', ')}`);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error('--seed must be a whole number, e.g. --seed 7');
  const scenarioFile = scenarioPath(values.scenario);
  const name = basename(scenarioFile, '.json');
  const controllerFile = resolve(values['controller-config'] ?? join(SIM_DIR, 'controllers', `${name}.json`));
  if (!existsSync(controllerFile)) throw new Error(`no controller config for ${name}: pass --controller-config <file> (see sim/controllers/)`);
  const out = resolve(values.out ?? join('out', `${name}-${mode}-seed${seed}.html`));

  process.stderr.write(`Running ${name} with the controller ${mode} (seed ${seed})\n`);
  const result = await runScenario({
    scenarioFile,
    controllerFile,
    mode,
    seed,
    onMinute: (minute, total) => {
      if (minute % 30 === 0 || minute === total) {
        const hours = (minute / 60).toFixed(1);
        process.stderr.write(`  ${hours} h of ${(total / 60).toFixed(1)} h simulated\n`);
      }
    },
  });
  const summary = summarise(result.scenario, result.timeSeries);
  const text = formatSummary(summary, result.patches, { controller: result.mode });
  const errors = result.ticks.flatMap((t) => t.campaigns.filter((c) => c.outcome === 'error'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, renderReport(result, summary, text));
  console.log(`\n${text}\n`);
  if (errors.length) console.log(`Campaign errors during the run: ${errors.length} (first: ${errors[0]!.message})`);
  console.log(`${result.ticks.length} ticks, ${result.requests} Genesys requests, ${(result.wallMs / 1000).toFixed(1)} s wall time`);
  console.log(`Report: ${out}`);
}

main().catch((err: unknown) => {
  console.error(`npm start failed: ${(err as Error).message}`);
  process.exitCode = 1;
});
