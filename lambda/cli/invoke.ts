/**
 * `npm run invoke -- --event <file> [--config <file>] [--table <name>] [--audit-table <name>] [--local-aws]`
 *
 * Runs the real handler once on this machine. AWS endpoints come from the standard
 * AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SECRETS_MANAGER variables (or the AWS account
 * your credentials reach). `--local-aws` instead starts an in-memory DynamoDB and a local secret
 * store filled from GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET, for a dry run against your own
 * org before anything is deployed.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Context } from 'aws-lambda';
import { loadPacingConfigFile } from '../config/config.js';
import { genesysSecretId } from '../credentials.js';
import { createAuditTable, createStateTable, LOCAL_AWS, startLocalDynamoDb } from '../../sim/local-aws/dynamodb.js';
import { startLocalSecretsManager } from '../../sim/local-aws/secrets-manager.js';

const TIMEOUT_MS = 50_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      event: { type: 'string' },
      config: { type: 'string', default: 'pacing.config.json' },
      table: { type: 'string', default: process.env.STATE_TABLE_NAME ?? 'genesys-pacing-state' },
      'audit-table': { type: 'string', default: process.env.AUDIT_TABLE_NAME ?? 'genesys-pacing-audit' },
      'local-aws': { type: 'boolean', default: false },
    },
  });
  if (!values.event) throw new Error('--event <file> is required, e.g. --event events/console-dry-run-all.json');
  const configPath = resolve(values.config);
  const config = loadPacingConfigFile(configPath);
  const event: unknown = JSON.parse(readFileSync(resolve(values.event), 'utf8'));
  process.env.PACING_CONFIG_FILE = configPath;
  process.env.STATE_TABLE_NAME = values.table;
  process.env.AUDIT_TABLE_NAME = values['audit-table'];
  process.env.POWERTOOLS_SERVICE_NAME ??= 'pacing-controller';
  process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'GenesysPacing';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

  const closers: Array<() => Promise<void>> = [];
  if (values['local-aws']) {
    const { GENESYS_CLIENT_ID: clientId, GENESYS_CLIENT_SECRET: clientSecret } = process.env;
    if (!clientId || !clientSecret) throw new Error('--local-aws needs GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET in the environment');
    const db = await startLocalDynamoDb();
    await createStateTable(db.client, values.table);
    await createAuditTable(db.client, values['audit-table']);
    const secrets = await startLocalSecretsManager({ [genesysSecretId(config.secretName)]: JSON.stringify({ clientId, clientSecret }) });
    closers.push(db.close, secrets.close);
    process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secrets.endpoint;
    process.env.AWS_REGION = LOCAL_AWS.region;
    process.env.AWS_ACCESS_KEY_ID = LOCAL_AWS.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = LOCAL_AWS.credentials.secretAccessKey;
  }
  try {
    // Imported only now, so the handler's clients see the endpoints set above.
    const { handler } = await import('../handler.js');
    const deadline = Date.now() + TIMEOUT_MS;
    const context = { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => deadline - Date.now() } as Context;
    const summary = await handler(event, context);
    console.log(JSON.stringify(summary, null, 2));
  } finally {
    for (const close of closers) await close();
  }
}

main().catch((err: unknown) => {
  console.error(`invoke failed: ${(err as Error).message}`);
  process.exitCode = 1;
});
