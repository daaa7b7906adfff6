/**
 * `npm run audit` as a real process against dynalite, reached through AWS_ENDPOINT_URL_DYNAMODB
 * as a deployed table would be through the standard AWS settings.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAuditLog } from '../../lambda/audit/dynamodb-audit-log.js';
import type { AuditEntry } from '../../lambda/ports.js';
import { createAuditTable, LOCAL_AWS, startLocalDynamoDb, type LocalDynamoDb } from '../../sim/local-aws/dynamodb.js';
import { REPO_ROOT } from '../infra/support.js';

const run = promisify(execFile);
const TABLE = 'pacing-audit-cli';
const CAMPAIGN = '5d1e4f3c-0000-4000-8000-00000000c001';
let db: LocalDynamoDb;

const entries: AuditEntry[] = [
  { campaignId: CAMPAIGN, at: '2026-11-24T10:01:05.000Z', eventId: 'evt-1', kind: 'change', knob: 'abandonRate', oldValue: 2.5, newValue: 2.25, measured: 0.0312, setpoint: 0.025, objective: 'abandonRate', reason: 'pid' },
  { campaignId: CAMPAIGN, at: '2026-11-24T10:05:05.000Z', eventId: 'evt-5', kind: 'manual-change', knob: 'abandonRate', oldValue: 2.25, newValue: 3, measured: 0.028, setpoint: 0.025, objective: 'abandonRate', reason: 'manual-change', changedAfter: '2026-11-24T10:04:00.000Z' },
];

/** Runs the CLI; resolves with its output and exit code, whatever the code. */
async function audit(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    NODE_NO_WARNINGS: '1',
  };
  return run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'lambda/cli/audit.ts'), ...args], { cwd: REPO_ROOT, env, timeout: 60_000 })
    .then(({ stdout, stderr }) => ({ stdout, stderr, code: 0 }))
    .catch((err: { stdout: string; stderr: string; code: number }) => ({ stdout: err.stdout, stderr: err.stderr, code: err.code }));
}

beforeAll(async () => {
  db = await startLocalDynamoDb();
  await createAuditTable(db.client, TABLE);
  await new DynamoDbAuditLog(db.client, TABLE).record(entries);
});
afterAll(async () => db.close());

describe('npm run audit', () => {
  it('prints a campaign\'s entries as a table, oldest first', async () => {
    // Act
    const { stdout, code } = await audit(['--campaign', CAMPAIGN, '--table', TABLE]);

    // Assess
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^time \(UTC\)\s+kind\s+knob\s+old\s+new\s+measured\s+setpoint\s+reason\s+tick$/);
    expect(lines[2]).toMatch(/^2026-11-24T10:01:05.000Z\s+change\s+abandonRate\s+2.5\s+2.25\s+3.12%\s+2.50%\s+pid\s+evt-1$/);
    expect(lines[3]).toMatch(/manual-change\s+abandonRate\s+2.25\s+3\s+2.80%\s+2.50%\s+manual-change \(after 2026-11-24T10:04:00.000Z\)\s+evt-5$/);
    expect(lines).toHaveLength(4);
  });

  it('prints every campaign\'s entries, with the campaign, without --campaign', async () => {
    // Act
    const { stdout, code } = await audit(['--table', TABLE]);

    // Assess
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^campaign +time \(UTC\) +kind/);
    expect(stdout).toContain(`${CAMPAIGN}  2026-11-24T10:05:05.000Z`);
  });

  it('selects a time range and prints JSON with --json, the table named by AUDIT_TABLE_NAME', async () => {
    // Prepare
    process.env.AUDIT_TABLE_NAME = TABLE;

    // Act
    const { stdout, code } = await audit(['--campaign', CAMPAIGN, '--since', '2026-11-24T10:02:00Z', '--until', '2026-11-24T12:00:00+01:00', '--json']).finally(() => {
      delete process.env.AUDIT_TABLE_NAME;
    });

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([entries[1]]);
  });

  it('names the option at fault and how to write it', async () => {
    // Act
    const missing = await audit([]);
    const badTime = await audit(['--campaign', CAMPAIGN, '--table', TABLE, '--since', 'yesterday']);

    // Assess
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no audit table: pass --table <name> \(the stack output AuditTableName\), set AUDIT_TABLE_NAME, or read the local store with --local/);
    expect(badTime.code).toBe(1);
    expect(badTime.stderr).toMatch(/--since must be an ISO-8601 time such as 2026-11-24T10:00:00Z .*got "yesterday"/);
  });
});
