/**
 * `npm run audit -- --campaign <id> [--since <ISO time>] [--until <ISO time>] [--table <name>] [--json]`
 *
 * Prints a campaign's audit trail: every knob value the controller wrote and every manual change
 * it detected, oldest first. DynamoDB is reached with the standard AWS credentials, region and
 * endpoint settings (AWS_ENDPOINT_URL_DYNAMODB for a local table). The table defaults to
 * AUDIT_TABLE_NAME; after a deploy it is the stack output AuditTableName.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbAuditLog } from '../audit/dynamodb-audit-log.js';
import type { AuditEntry, AuditRange } from '../ports.js';
import { formatTable } from './text-table.js';

/** A command line that cannot be run; the message says which option and how to fix it. */
class UsageError extends Error {
  override readonly name = 'UsageError';
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
function formatEntries(entries: readonly AuditEntry[]): string {
  const rows = entries.map((e) => [
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
  return formatTable(['time (UTC)', 'kind', 'knob', 'old', 'new', 'measured', 'setpoint', 'reason', 'tick'], rows, ['left', 'left', 'left', 'right', 'right', 'right', 'right']);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      campaign: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      table: { type: 'string', default: process.env.AUDIT_TABLE_NAME },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.campaign) throw new UsageError('--campaign <id> is required, e.g. --campaign 5d1e4f3c-0000-4000-8000-00000000c001');
  if (!values.table) throw new UsageError('no audit table: pass --table <name> (the stack output AuditTableName) or set AUDIT_TABLE_NAME');
  const since = timeOption('since', values.since);
  const until = timeOption('until', values.until);
  if (since && until && since.getTime() >= until.getTime()) throw new UsageError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
  const range: AuditRange = { ...(since ? { since } : {}), ...(until ? { until } : {}) };

  const client = new DynamoDBClient({});
  try {
    const entries = await new DynamoDbAuditLog(client, values.table).query(values.campaign, range);
    if (values.json) {
      console.log(JSON.stringify(entries, null, 2));
    } else if (entries.length === 0) {
      const window = `${since ? ` since ${since.toISOString()}` : ''}${until ? ` until ${until.toISOString()}` : ''}`;
      console.log(`No audit entries for campaign ${values.campaign}${window} in table ${values.table}.`);
    } else {
      console.log(formatEntries(entries));
    }
  } finally {
    client.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(`audit failed: ${(err as Error).message}`);
  process.exitCode = 1;
});
