import { PutItemCommand, QueryCommand as RawQueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditItemError, DynamoDbAuditLog } from '../../lambda/audit/dynamodb-audit-log.js';
import { AuditWriteError, type AuditEntry } from '../../lambda/ports.js';
import { createAuditTable, startLocalDynamoDb, type LocalDynamoDb } from '../../sim/local-aws/dynamodb.js';

let db: LocalDynamoDb;
let log: DynamoDbAuditLog;
let tableName: string;
let tables = 0;

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const entry = (campaignId: string, minute: number, overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  campaignId,
  at: new Date(T0 + minute * 60_000).toISOString(),
  eventId: `evt-${minute}`,
  kind: 'change',
  knob: 'abandonRate',
  oldValue: 2.5,
  newValue: 2.25,
  measured: 0.031,
  setpoint: 0.025,
  objective: 'abandonRate',
  reason: 'pid',
  ...overrides,
});

beforeAll(async () => {
  db = await startLocalDynamoDb();
});
afterAll(async () => db.close());
beforeEach(async () => {
  tableName = `audit-${++tables}`;
  await createAuditTable(db.client, tableName);
  log = new DynamoDbAuditLog(db.client, tableName, 730);
});

describe('DynamoDbAuditLog against dynalite', () => {
  it('reads back what it recorded, oldest first, only for the campaign asked', async () => {
    // Prepare
    const entries = [entry('c1', 2), entry('c1', 1, { kind: 'manual-change', reason: 'manual-change', changedAfter: new Date(T0).toISOString() }), entry('c2', 1)];

    // Act
    await log.record(entries);

    // Assess
    expect(await log.query('c1')).toEqual([entries[1], entries[0]]);
    expect(await log.query('c2')).toEqual([entries[2]]);
    expect(await log.query('nobody')).toEqual([]);
  });

  it('selects a time range: since inclusive, until exclusive, either end open', async () => {
    // Prepare
    await log.record([0, 1, 2, 3, 4].map((m) => entry('c1', m)));
    const at = (m: number) => new Date(T0 + m * 60_000);

    // Act
    const both = await log.query('c1', { since: at(1), until: at(3) });
    const since = await log.query('c1', { since: at(3) });
    const until = await log.query('c1', { until: at(1) });

    // Assess
    expect(both.map((e) => e.eventId)).toEqual(['evt-1', 'evt-2']);
    expect(since.map((e) => e.eventId)).toEqual(['evt-3', 'evt-4']);
    expect(until.map((e) => e.eventId)).toEqual(['evt-0']);
  });

  it('writes more than one batch of 25 and reads across pages', async () => {
    // Prepare
    const many = Array.from({ length: 60 }, (_, m) => entry('c1', m));

    // Act
    await log.record(many);

    // Assess
    expect(await log.query('c1')).toHaveLength(60);
  });

  it('stores an entry once, without error, however often it is recorded', async () => {
    // Act
    await log.record([entry('c1', 1)]);
    await log.record([entry('c1', 1), entry('c1', 1)]);

    // Assess
    expect(await log.query('c1')).toEqual([entry('c1', 1)]);
  });

  it('keeps a manual change and the write that follows it in the same tick, on the same knob', async () => {
    // Prepare: one tick finds the knob moved by hand, then writes it
    const manual = entry('c1', 1, { kind: 'manual-change', reason: 'manual-change', oldValue: 2.25, newValue: 3 });
    const written = entry('c1', 1, { oldValue: 3, newValue: 2.5 });

    // Act
    await log.record([manual, written]);

    // Assess
    expect(await log.query('c1')).toEqual(expect.arrayContaining([manual, written]));
    expect(await log.query('c1')).toHaveLength(2);
  });

  it('never overwrites: a different entry at the same time, tick and knob is kept beside the first', async () => {
    // Act
    await log.record([entry('c1', 1)]);
    await log.record([entry('c1', 1, { newValue: 2 })]);

    // Assess
    expect(await log.query('c1')).toEqual(expect.arrayContaining([entry('c1', 1), entry('c1', 1, { newValue: 2 })]));
    expect(await log.query('c1')).toHaveLength(2);
  });

  it('leaves a stored item as it is when the same entry is recorded again (the put is conditional)', async () => {
    // Prepare: the stored item is altered behind the adapter's back
    await log.record([entry('c1', 1)]);
    const [stored] = (await db.client.send(new RawQueryCommand({ TableName: tableName, KeyConditionExpression: 'campaignId = :c', ExpressionAttributeValues: { ':c': { S: 'c1' } } }))).Items!;
    await db.client.send(new UpdateItemCommand({ TableName: tableName, Key: { campaignId: stored!.campaignId!, sk: stored!.sk! }, UpdateExpression: 'SET newValue = :v', ExpressionAttributeValues: { ':v': { N: '9' } } }));

    // Act
    await log.record([entry('c1', 1)]);

    // Assess: recorded without error, and the put did not write over what is there
    expect(await log.query('c1')).toEqual([entry('c1', 1, { newValue: 9 })]);
  });

  it('expires an entry by TTL five years (1827 days) after it was made unless told otherwise', async () => {
    // Prepare
    const fiveYears = new DynamoDbAuditLog(db.client, tableName);

    // Act
    await fiveYears.record([entry('c1', 0)]);

    // Assess
    const [item] = (await db.client.send(new RawQueryCommand({ TableName: tableName, KeyConditionExpression: 'campaignId = :c', ExpressionAttributeValues: { ':c': { S: 'c1' } } }))).Items!;
    expect(Number(item!.expiresAt!.N)).toBe(T0 / 1000 + 1827 * 86_400);
  });

  it('refuses a range that ends before it starts, naming both ends', async () => {
    await expect(log.query('c1', { since: new Date(T0 + 60_000), until: new Date(T0) })).rejects.toThrow(
      /since 2026-11-24T10:01:00.000Z is not before until 2026-11-24T10:00:00.000Z/,
    );
  });

  it('reports a corrupt stored item by campaign and field', async () => {
    // Prepare
    await db.client.send(new PutItemCommand({ TableName: tableName, Item: { campaignId: { S: 'c1' }, sk: { S: 'x#y' }, at: { S: 'yesterday' } } }));

    // Act / Assess
    await expect(log.query('c1')).rejects.toThrow(AuditItemError);
    await expect(log.query('c1')).rejects.toThrow(/audit entry x#y of campaign c1 is corrupt: at/);
  });
});

describe('DynamoDbAuditLog failures', () => {
  it('puts each entry on condition that its key is free, and names only the campaigns whose entries failed, after writing the others', async () => {
    // Prepare: c3's put is refused; c4's entry is already stored (its condition fails)
    const mock = mockClient(DynamoDBDocumentClient);
    mock.on(PutCommand).resolves({});
    mock.on(PutCommand, { Item: { campaignId: 'c3' } }).rejects(Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' }));
    mock.on(PutCommand, { Item: { campaignId: 'c4' } }).rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));
    const entries = Array.from({ length: 30 }, (_, i) => entry(`c${i}`, 1));

    // Act
    const error = await log.record(entries).catch((err: unknown) => err);
    const puts = mock.commandCalls(PutCommand).map((c) => c.args[0].input);
    mock.restore();

    // Assess
    expect(error).toBeInstanceOf(AuditWriteError);
    expect((error as AuditWriteError).campaignIds).toEqual(['c3']);
    expect((error as Error).message).toMatch(/audit table audit-\d+: Throughput exceeds the current capacity/);
    expect(puts).toHaveLength(30);
    for (const put of puts) expect(put).toMatchObject({ ConditionExpression: 'attribute_not_exists(#sk)', ExpressionAttributeNames: { '#sk': 'sk' } });
  });

  it("stores nothing once its view's deadline has passed, naming the campaigns whose entries are missing", async () => {
    // Prepare: a view whose deadline is already past
    const late = log.withDeadline(Date.now() - 1);
    // Act
    const error = await late.record([entry('c9', 1)]).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(AuditWriteError);
    expect((error as AuditWriteError).campaignIds).toEqual(['c9']);
    expect((error as Error).message).toMatch(/no time left before the invocation's deadline/);
    expect(await log.query('c9')).toEqual([]);
  });

  it('refuses a retention of no days', () => {
    expect(() => new DynamoDbAuditLog(db.client, 'audit', 0)).toThrow(/retentionDays must be a whole number of days above 0, got 0/);
  });
});
