/**
 * A local DynamoDB (dynalite) with the controller's state and audit tables, for tests, `npm start`,
 * and the persistent store under `.local/` that `npm run try`, `invoke --local-aws` and `audit --local` share.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { AUDIT_PARTITION_KEY, AUDIT_SORT_KEY } from '../../lambda/audit/dynamodb-audit-log.js';

/** Local AWS credentials: dynalite and the local secret store accept any. */
export const LOCAL_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;

export interface LocalDynamoDb {
  endpoint: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

/**
 * Starts dynalite on a free loopback port: in memory, or kept in the directory `path` (LevelDB),
 * where the tables and items outlive the process.
 */
export async function startLocalDynamoDb(options: { path?: string } = {}): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve())));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The table names of the persistent local store under `.local/`. */
export const LOCAL_TABLES = { state: 'pacing-state-local', audit: 'pacing-audit-local' } as const;

/**
 * Opens the persistent local store in `dir` (default `.local`), shared by `npm run try`, `invoke
 * --local-aws` and `audit --local`. LevelDB lets one process open a directory at a time, so the
 * process that opens it serves it and writes its endpoint to `dir/endpoint`; a second process
 * finding a live endpoint there uses that server instead. The state and audit tables are created
 * on first use.
 */
export async function openLocalStore(dir: string): Promise<LocalDynamoDb> {
  const endpointFile = join(dir, 'endpoint');
  if (existsSync(endpointFile)) {
    const endpoint = readFileSync(endpointFile, 'utf8').trim();
    const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 });
    try {
      await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(2_000) });
      return { endpoint, client, close: async () => client.destroy() };
    } catch {
      // A process that served the store was stopped without cleaning up: serve it here.
      client.destroy();
    }
  }
  mkdirSync(dir, { recursive: true });
  const db = await startLocalDynamoDb({ path: join(dir, 'dynamodb') });
  writeFileSync(endpointFile, `${db.endpoint}\n`);
  const tables = new Set((await db.client.send(new ListTablesCommand({}))).TableNames ?? []);
  if (!tables.has(LOCAL_TABLES.state)) await createStateTable(db.client, LOCAL_TABLES.state);
  if (!tables.has(LOCAL_TABLES.audit)) await createAuditTable(db.client, LOCAL_TABLES.audit);
  return {
    ...db,
    close: async () => {
      if (existsSync(endpointFile) && readFileSync(endpointFile, 'utf8').trim() === db.endpoint) rmSync(endpointFile);
      await db.close();
    },
  };
}

/** Creates the state table with the same key as the stack's (partition key `campaignId`). */
export async function createStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'campaignId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'campaignId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 0.05 }, { TableName: tableName });
}

/**
 * Creates the audit table with the same keys as the stack's (partition key `campaignId`, sort key
 * `sk`). dynalite has no TTL, so entries never expire locally.
 */
export async function createAuditTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: AUDIT_PARTITION_KEY, AttributeType: 'S' },
        { AttributeName: AUDIT_SORT_KEY, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: AUDIT_PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: AUDIT_SORT_KEY, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 0.05 }, { TableName: tableName });
}
