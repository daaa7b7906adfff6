/**
 * `npm start -- [--scenario <name|file>] [--controller on|off|dry-run] [--seed <n>] [--out <file.html>]`
 *
 * The main job on its embedded default: the real Lambda handler paces a simulated contact
 * centre (the twin) for a whole shift, once per simulated minute, then prints a summary and
 * writes an HTML report with charts.
 */
import { defineCommand, integerOption, runCommand } from '../../lambda/cli/command.js';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option } from 'commander';
import { ConfigError } from '../../lambda/config/config.js';
import { loadScenarioFile } from '../model/scenario.js';
import { renderReport } from '../run/report.js';
import { loadControllerFile, runScenario, type ControllerMode } from '../run/run-scenario.js';
import { formatSummary, pacedRules, summarise } from '../run/summary.js';
import { scenarioPath } from './scenario-arg.js';

const SIM_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MODES: readonly ControllerMode[] = ['on', 'off', 'dry-run'];

interface StartOptions {
  scenario: string;
  controller: ControllerMode;
  controllerConfig?: string;
  seed: number;
  out?: string;
}

const command = defineCommand({
  name: 'npm start',
  summary: 'Paces a simulated contact centre (the twin) for a whole shift with the real Lambda handler, once per simulated minute, then prints a summary and writes an HTML report.',
  examples: ['npm start', 'npm start -- --controller off', 'npm start -- --scenario agentless --controller dry-run --seed 7 --out out/agentless.html', 'npm start -- --scenario my-centre.json --controller-config my-controller.json'],
})
  .option('--scenario <name|file>', 'a scenario in sim/scenarios by name, or a path', 'blended-surge')
  .addOption(new Option('--controller <mode>', 'on, off (the static settings) or dry-run').choices(MODES).default('on'))
  .option('--controller-config <file>', "the controller's campaigns, a pacing config without genesys and secretName (default: sim/controllers/<scenario>.json)")
  .option('--seed <n>', 'all randomness; the same seed gives the same day', integerOption(0, 2_147_483_647, '--seed 7'), 1)
  .option('--out <file.html>', 'report path (default: out/<scenario>-<mode>-seed<seed>.html)');

async function main(options: StartOptions): Promise<void> {
  const { controller: mode, seed } = options;
  // The scenario first: a bad one fails before anything else is looked for.
  const scenarioFile = scenarioPath(options.scenario);
  loadScenarioFile(scenarioFile);
  const name = basename(scenarioFile, '.json');
  const controllerFile = resolve(options.controllerConfig ?? join(SIM_DIR, 'controllers', `${name}.json`));
  if (!existsSync(controllerFile)) {
    const problem = options.controllerConfig ? 'no such file: check the --controller-config path' : `no controller config for scenario ${name}: pass --controller-config <file> (see sim/controllers/)`;
    throw new ConfigError(controllerFile, [problem]);
  }
  loadControllerFile(controllerFile);
  const out = resolve(options.out ?? join('out', `${name}-${mode}-seed${seed}.html`));

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
  const summary = summarise(result.scenario, result.timeSeries, pacedRules(result));
  const text = formatSummary(summary, result.patches, { controller: result.mode });
  const errors = result.ticks.flatMap((t) => t.campaigns.filter((c) => c.outcome === 'error'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, renderReport(result, summary, text));
  console.log(`\n${text}\n`);
  if (errors.length) console.log(`Campaign errors during the run: ${errors.length} (first: ${errors[0]!.message})`);
  console.log(`${result.ticks.length} ticks, ${result.requests} Genesys requests, ${(result.wallMs / 1000).toFixed(1)} s wall time`);
  console.log(`Report: ${out}`);
}

await runCommand(command, main);
