/**
 * `npm run audit -- [--campaign <id>] [--since <ISO time>] [--until <ISO time>] [--local [dir] | --table <name>] [--json]`
 *
 * Prints the audit trail: every knob value the controller wrote and every manual change it
 * detected, oldest first, for one campaign or (without --campaign) every campaign in the table.
 * `--local` reads the persistent local store that `npm run try` and `invoke --local-aws` write
 * (`.local/`). Otherwise DynamoDB is reached with the standard AWS credentials, region and
 * endpoint settings; the table defaults to AUDIT_TABLE_NAME, after a deploy the stack output
 * AuditTableName.
 */
import { defineCommand, runCommand, UsageError } from './command.js';
import { resolve } from 'node:path';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { AUDIT_PARTITION_KEY, DynamoDbAuditLog } from '../audit/dynamodb-audit-log.js';
import type { AuditEntry, AuditRange } from '../ports.js';
import { LOCAL_TABLES, openLocalStore } from '../../sim/local-aws/dynamodb.js';
import { formatTable } from './text-table.js';

interface AuditOptions {
  campaign?: string;
  since?: string;
  until?: string;
  table?: string;
  local?: string | true;
  json?: boolean;
}

function timeOption(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  // Date.parse also takes loose forms ("Tuesday"); only ISO-8601 is unambiguous across time zones.
  const time = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw new UsageError(`--${name} must be an ISO-8601 time such as 2026-11-24T10:00:00Z or a date such as 2026-11-24, got "${value}"`);
  return new Date(time);
}

const percent = (v: number | undefined) => (v === undefined ? '' : `${(v * 100).toFixed(2)}%`);

/** The entries as a table a person reads in a terminal. */
function formatEntries(entries: readonly AuditEntry[], withCampaign: boolean): string {
  const rows = entries.map((e) => [
    ...(withCampaign ? [e.campaignId] : []),
    e.at,
    e.kind,
    e.knob,
    String(e.oldValue),
    String(e.newValue),
    percent(e.measured),
    percent(e.setpoint),
    e.changedAfter ? `${e.reason} (after ${e.changedAfter})` : e.reason,
    e.eventId,
  ]);
  const header = [...(withCampaign ? ['campaign'] : []), 'time (UTC)', 'kind', 'knob', 'old', 'new', 'measured', 'setpoint', 'reason', 'tick'];
  const align = [...(withCampaign ? ['left' as const] : []), 'left', 'left', 'left', 'right', 'right', 'right', 'right'] as const;
  return formatTable(header, rows, align);
}

/** Every campaign id with an audit entry (a key-only scan). */
async function campaignsIn(client: DynamoDBClient, table: string): Promise<string[]> {
  const ids = new Set<string>();
  for await (const page of paginateScan({ client }, { TableName: table, ProjectionExpression: AUDIT_PARTITION_KEY })) {
    for (const item of page.Items ?? []) if (item[AUDIT_PARTITION_KEY]?.S) ids.add(item[AUDIT_PARTITION_KEY].S);
  }
  return [...ids].sort();
}

/** The SDK's "Region is missing" says nothing about what to set. */
function explainAwsError(err: unknown): never {
  if (err instanceof Error && /region is missing/i.test(err.message)) {
    throw new UsageError('no AWS region: set AWS_REGION (the region the stack is deployed in) or a profile with a region (AWS_PROFILE), or read the local store with --local');
  }
  throw err;
}

const command = defineCommand({
  name: 'npm run audit',
  summary: 'Prints the audit trail: every knob value the controller wrote and every manual change it detected, oldest first.',
  examples: [
    'npm run audit -- --local',
    'npm run audit -- --local --campaign 5d1e4f3c-0000-4000-8000-00000000c001 --json',
    'npm run audit -- --campaign 5d1e4f3c-0000-4000-8000-00000000c001 --since 2026-11-01T00:00:00Z --table <AuditTableName output>',
  ],
})
  .option('--campaign <id>', 'one campaign (default: every campaign in the table)')
  .option('--since <time>', 'ISO-8601 time or date: entries at or after it')
  .option('--until <time>', 'ISO-8601 time or date: entries before it')
  .option('--local [dir]', 'read the local store of npm run try and invoke --local-aws (default dir .local)')
  .option('--table <name>', 'the deployed audit table (stack output AuditTableName; default AUDIT_TABLE_NAME)', process.env.AUDIT_TABLE_NAME)
  .option('--json', 'print the entries as JSON');

async function main(options: AuditOptions): Promise<void> {
  const since = timeOption('since', options.since);
  const until = timeOption('until', options.until);
  if (since && until && since.getTime() >= until.getTime()) throw new UsageError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
  const range: AuditRange = { ...(since ? { since } : {}), ...(until ? { until } : {}) };
  if (!options.local && !options.table) {
    throw new UsageError('no audit table: pass --table <name> (the stack output AuditTableName), set AUDIT_TABLE_NAME, or read the local store with --local');
  }
  const store = options.local ? await openLocalStore(resolve(options.local === true ? '.local' : options.local)) : undefined;
  const client = store?.client ?? new DynamoDBClient({});
  const table = store ? LOCAL_TABLES.audit : options.table!;
  try {
    const log = new DynamoDbAuditLog(client, table);
    const campaigns = options.campaign ? [options.campaign] : await campaignsIn(client, table).catch(explainAwsError);
    const entries = (await Promise.all(campaigns.map((id) => log.query(id, range))).catch(explainAwsError)).flat().sort((a, b) => a.at.localeCompare(b.at));
    if (options.json) {
      console.log(JSON.stringify(entries, null, 2));
    } else if (entries.length === 0) {
      const window = `${since ? ` since ${since.toISOString()}` : ''}${until ? ` until ${until.toISOString()}` : ''}`;
      console.log(`No audit entries${options.campaign ? ` for campaign ${options.campaign}` : ''}${window} in table ${table}.`);
    } else {
      console.log(formatEntries(entries, !options.campaign));
    }
  } finally {
    if (store) await store.close();
    else client.destroy();
  }
}

await runCommand(command, main);
