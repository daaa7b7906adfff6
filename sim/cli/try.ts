/**
 * `npm run try -- --config <file> [--base-url <twin URL>] [--ticks <n>] [--interval-seconds <s>] [--store <dir>] [--keep-dry-run]`
 *
 * Tries your pacing configuration on the twin: the real Lambda handler runs once a minute (as the
 * deployed schedule does) with state and audit trail kept under `.local/`, and prints each tick's
 * decisions. Without --base-url it starts its own live twin; `npm run audit -- --local` reads
 * what it did.
 */
import { defineCommand, integerOption, positiveOption, runCommand, UsageError } from '../../lambda/cli/command.js';
import { resolve } from 'node:path';
import { runTry, WALL_CLOCK } from './try-loop.js';
import { scenarioPath } from './scenario-arg.js';

interface TryCliOptions {
  config?: string;
  baseUrl?: string;
  clientId?: string;
  clientSecret?: string;
  scenario: string;
  seed: number;
  warmUpMinutes: number;
  ticks?: number;
  intervalSeconds: number;
  store: string;
  keepDryRun?: boolean;
}

const command = defineCommand({
  name: 'npm run try',
  summary:
    'Runs the real Lambda handler with your configuration against the twin once a minute, state kept in a local store, and prints each tick\'s decisions. ' +
    'Starts its own live twin unless --base-url names a running one (npm run twin). Every campaign writes to the twin unless --keep-dry-run. Ctrl-C stops.',
  examples: ['npm run try -- --config my.pacing.json', 'npm run try -- --config my.pacing.json --base-url http://127.0.0.1:8787 --ticks 10'],
})
  .option('--config <file>', 'your pacing configuration (required), e.g. from npm run discover')
  .option('--base-url <url>', 'a running twin, http://127.0.0.1:<port> (default: start one)')
  .option('--client-id <id>', 'OAuth client of the running twin (default GENESYS_CLIENT_ID, else twin-client)')
  .option('--client-secret <secret>', 'its secret (default GENESYS_CLIENT_SECRET, else twin-secret)')
  .option('--scenario <name|file>', 'scenario of its own twin', 'blended-surge')
  .option('--seed <n>', 'seed of its own twin', integerOption(0, 2_147_483_647, '--seed 7'), 1)
  .option('--warm-up-minutes <n>', "its own twin's day began this long ago, so the first tick reads full windows", integerOption(0, 24 * 60, '--warm-up-minutes 30'), 30)
  .option('--ticks <n>', 'stop after this many ticks (default: run until Ctrl-C)', integerOption(1, 1_000_000, '--ticks 10'))
  .option('--interval-seconds <s>', 'time between ticks', positiveOption('--interval-seconds 60'), 60)
  .option('--store <dir>', 'the persistent local store (state, audit trail)', '.local')
  .option('--keep-dry-run', "keep the configuration's dryRun (by default every campaign writes, to the twin only)");

async function main(options: TryCliOptions): Promise<void> {
  if (!options.config) throw new UsageError('--config <file> is required, e.g. --config my.pacing.json (npm run discover -- --write my.pacing.json makes one)');
  if (options.baseUrl && !/^http:\/\/(127\.0\.0\.1|localhost)(:\d{1,5})?$/.test(options.baseUrl)) {
    throw new UsageError(`--base-url ${options.baseUrl}: must be a local twin, http://127.0.0.1:<port> or http://localhost:<port> (npm run twin prints it)`);
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  await runTry({
    configFile: resolve(options.config),
    ...(options.baseUrl
      ? {
          baseUrl: options.baseUrl,
          credentials: { clientId: options.clientId ?? process.env.GENESYS_CLIENT_ID ?? 'twin-client', clientSecret: options.clientSecret ?? process.env.GENESYS_CLIENT_SECRET ?? 'twin-secret' },
        }
      : { twin: { scenarioFile: scenarioPath(options.scenario), seed: options.seed, warmUpMinutes: options.warmUpMinutes } }),
    storeDir: resolve(options.store),
    keepDryRun: options.keepDryRun ?? false,
    ...(options.ticks === undefined ? {} : { ticks: options.ticks }),
    intervalMs: options.intervalSeconds * 1000,
    clock: WALL_CLOCK,
    print: (text) => console.log(text),
    signal: controller.signal,
  });
  console.log(`Stopped. Read what it did: npm run audit -- --local${options.store === '.local' ? '' : ` ${options.store}`}`);
}

await runCommand(command, main);
