/** One centre of the random benchmark, paced end to end by the real handler on the twin. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll } from 'vitest';
import { drawCentres, scenarioOf } from '../../bench/random-centres.js';
import { campaignStartOf, controllerConfigOf } from '../../bench/random-config.js';
import type { CampaignEntry } from '../../lambda/config/starting-config.js';
import { runScenario, type RunResult } from '../../sim/run/run-scenario.js';

/**
 * Runs centre `id` as `npm run bench:random -- --centres 200 --seed <seed>` draws it, for
 * `minutes`, on its twin seed, configured by the starting rule (then by `edit`, when given).
 */
export async function runRandomCentre(id: string, minutes: number, edit: (entry: CampaignEntry) => CampaignEntry = (entry) => entry, seed = 1): Promise<RunResult> {
  const centres = drawCentres(200, seed);
  const index = centres.findIndex((c) => c.id === id);
  const centre = centres[index]!;
  const dir = mkdtempSync(join(tmpdir(), `pacing-${id}-`));
  const scenarioFile = join(dir, `${id}.json`);
  const controllerFile = join(dir, `${id}.controller.json`);
  writeFileSync(scenarioFile, JSON.stringify(scenarioOf(centre, minutes, campaignStartOf(centre))));
  const config = controllerConfigOf(centre);
  writeFileSync(controllerFile, JSON.stringify({ ...config, campaigns: config.campaigns.map(edit) }));
  return runScenario({ scenarioFile, controllerFile, mode: 'on', seed: seed * 10_000 + index });
}

/**
 * Runs the centre once before the test file's tests ({@link runRandomCentre}'s arguments) and
 * returns its result for them to read. One centre a file: the handler caches its configuration for
 * the process, so a second run in the same file would pace with the first one's.
 */
export function runRandomCentreBeforeAll(...args: Parameters<typeof runRandomCentre>): () => RunResult {
  let run: RunResult | undefined;
  beforeAll(async () => {
    run = await runRandomCentre(...args);
  }, 60_000);
  return () => {
    if (!run) throw new Error(`centre ${args[0]} did not run: see the beforeAll error`);
    return run;
  };
}
