/**
 * `npm run invoke -- --event <file> [--config <file>] [--local-aws [--store <dir>]] [--table <name>] [--audit-table <name>]`
 *
 * Runs the real handler once on this machine. AWS endpoints come from the standard
 * AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SECRETS_MANAGER variables (or the AWS account
 * your credentials reach). `--local-aws` instead uses the persistent local store under `.local/`
 * (state and audit trail kept between calls, shared with `npm run try` and `npm run audit --
 * --local`) and a local secret store filled from GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET.
 * Exits 1 when every campaign of the tick failed.
 */
import { defineCommand, runCommand, UsageError } from './command.js';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { loadPacingConfigFile } from '../config/config.js';
import type { TickSummary } from '../tick.js';
import { startLocalLambda } from '../../sim/local-aws/local-lambda.js';

const TIMEOUT_MS = 50_000;

interface InvokeOptions {
  event?: string;
  config: string;
  table: string;
  auditTable: string;
  localAws?: boolean;
  store: string;
}

const command = defineCommand({
  name: 'npm run invoke',
  summary: 'Runs the real Lambda handler once on this machine with an event file and prints its summary. Exits 1 when every campaign failed.',
  examples: [
    'GENESYS_CLIENT_ID=twin-client GENESYS_CLIENT_SECRET=twin-secret npm run invoke -- --event events/console-dry-run-one.json --config my.pacing.json --local-aws',
    'npm run invoke -- --event events/console-dry-run-all.json --table <StateTableName output> --audit-table <AuditTableName output>',
  ],
})
  .option('--event <file>', 'the invocation event, e.g. events/console-dry-run-all.json (required)')
  .option('--config <file>', 'the pacing configuration', 'pacing.config.json')
  .option('--local-aws', 'use the persistent local store and a local secret store (GENESYS_CLIENT_ID, GENESYS_CLIENT_SECRET) instead of AWS')
  .option('--store <dir>', 'directory of the local store with --local-aws', '.local')
  .option('--table <name>', 'state table without --local-aws (default STATE_TABLE_NAME)', process.env.STATE_TABLE_NAME ?? 'genesys-pacing-state')
  .option('--audit-table <name>', 'audit table without --local-aws (default AUDIT_TABLE_NAME)', process.env.AUDIT_TABLE_NAME ?? 'genesys-pacing-audit');

function readEvent(path: string): unknown {
  try {
    return JSON.parse(readFileSync(resolve(path), 'utf8'));
  } catch (err) {
    throw new UsageError(`--event ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(err as Error).message})`}; see events/ for examples`);
  }
}

/** Runs the handler in this process against AWS as the environment configures it. */
async function invokeOnAws(event: unknown, options: InvokeOptions): Promise<TickSummary> {
  process.env.STATE_TABLE_NAME = options.table;
  process.env.AUDIT_TABLE_NAME = options.auditTable;
  process.env.POWERTOOLS_SERVICE_NAME ??= 'pacing-controller';
  process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'GenesysPacing';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const { handler } = await import('../handler.js');
  const deadline = Date.now() + TIMEOUT_MS;
  return handler(event, { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => deadline - Date.now() } as Context);
}

async function main(options: InvokeOptions): Promise<void> {
  if (!options.event) throw new UsageError('--event <file> is required, e.g. --event events/console-dry-run-all.json');
  const configFile = resolve(options.config);
  const config = loadPacingConfigFile(configFile);
  const event = readEvent(options.event);
  process.env.PACING_CONFIG_FILE = configFile;
  let summary: TickSummary;
  if (options.localAws) {
    const { GENESYS_CLIENT_ID: clientId, GENESYS_CLIENT_SECRET: clientSecret } = process.env;
    if (!clientId || !clientSecret) throw new UsageError('--local-aws needs GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET in the environment (the twin\'s are twin-client and twin-secret)');
    const lambda = await startLocalLambda({ configFile, secretName: config.secretName, credentials: { clientId, clientSecret }, storeDir: resolve(options.store) });
    try {
      summary = await lambda.invoke(event, TIMEOUT_MS);
    } finally {
      await lambda.close();
    }
  } else {
    summary = await invokeOnAws(event, options);
  }
  console.log(JSON.stringify(summary, null, 2));
  const failed = summary.campaigns.filter((c) => c.outcome === 'error');
  if (summary.campaigns.length > 0 && failed.length === summary.campaigns.length) {
    throw new Error(`every campaign failed (${failed.length}); the first: ${failed[0]!.campaignId} ${failed[0]!.reason}: ${failed[0]!.message ?? ''}`.trim());
  }
}

await runCommand(command, main);
