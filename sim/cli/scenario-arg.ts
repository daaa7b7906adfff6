/**
 * The `--scenario` argument of `npm start` and `npm run twin`: a path, or the name of a file in
 * sim/scenarios.
 */
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioError } from '../model/scenario.js';

/** sim/scenarios, where named scenarios live. */
export const SCENARIO_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url));

/** The names of the shipped scenarios, sorted. */
export function scenarioNames(): string[] {
  return readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
}

/**
 * The file a `--scenario` argument names.
 * @throws ScenarioError when it is neither an existing file nor a shipped scenario's name
 */
export function scenarioPath(arg: string): string {
  if (existsSync(arg)) return resolve(arg);
  const named = resolve(SCENARIO_DIR, `${arg.replace(/\.json$/, '')}.json`);
  if (existsSync(named)) return named;
  throw new ScenarioError(`--scenario ${arg}: no such file, and no scenario of that name (give a path, or one of ${scenarioNames().join(', ')})`);
}
