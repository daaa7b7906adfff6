/**
 * A local DynamoDB (dynalite) with the controller's state and audit tables, for tests and `npm start`.
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { AUDIT_PARTITION_KEY, AUDIT_SORT_KEY } from '../../lambda/audit/dynamodb-audit-log.js';

/** Local AWS credentials: dynalite and the local secret store accept any. */
export const LOCAL_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;

export interface LocalDynamoDb {
  endpoint: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

/** Starts an in-memory dynalite on a free loopback port. */
export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
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
