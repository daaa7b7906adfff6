import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StateConflictError, type ControllerState, type PendingWrite } from '../../lambda/ports.js';
import { DynamoDbStateStore } from '../../lambda/state/dynamodb-store.js';
import { createStateTable, startLocalDynamoDb, type LocalDynamoDb } from '../../sim/local-aws/dynamodb.js';

let db: LocalDynamoDb;
let store: DynamoDbStateStore;
let table = 0;

/** A write about to be sent, as the tick records it with the lease. */
const PENDING: PendingWrite = { eventId: 'e2', at: 1_000, values: { maxCallsPerAgent: 2.5 }, before: { maxCallsPerAgent: 2 }, audit: [] };

const state = (campaignId: string, eventId: string, integral = 1): Omit<ControllerState, 'version'> => ({
  campaignId,
  integral,
  previousError: 0.1,
  previousMeasurement: 0.8,
  lastOutput: 2,
  lastWritten: 2,
  lastTickTime: 1_000,
  lastEventId: eventId,
  blindTicks: 0,
});

beforeAll(async () => {
  db = await startLocalDynamoDb();
});
afterAll(async () => db.close());
beforeEach(async () => {
  const name = `state-${++table}`;
  await createStateTable(db.client, name);
  store = new DynamoDbStateStore(db.client, name);
});

describe('DynamoDbStateStore against dynalite', () => {
  it('saves a first state and reads it back with version 1', async () => {
    // Act
    await store.save(state('c1', 'e1'), undefined, 'e1', 0);
    const loaded = await store.loadMany(['c1', 'absent']);
    // Assess
    expect(loaded.states.get('c1')).toEqual({ ...state('c1', 'e1'), version: 1 });
    expect(loaded.states.has('absent')).toBe(false);
  });

  it('advances the version once: a second save from the same read loses', async () => {
    await store.save(state('c1', 'e1'), undefined, 'e1', 0);
    await store.save(state('c1', 'e2', 2), 1, 'e2', 0);
    await expect(store.save(state('c1', 'e2-dup', 3), 1, 'e2-dup', 0)).rejects.toBeInstanceOf(StateConflictError);
    expect((await store.loadMany(['c1'])).states.get('c1')).toMatchObject({ integral: 2, version: 2, lastEventId: 'e2' });
  });

  it('lets one invocation hold the lease; the other cannot lease or save until it expires', async () => {
    await store.save(state('c1', 'e1'), undefined, 'e1', 0);
    await store.acquireLease('c1', 1, { owner: 'A', until: 5_000 }, 1_000, PENDING);
    await expect(store.acquireLease('c1', 1, { owner: 'B', until: 5_000 }, 1_000, PENDING)).rejects.toBeInstanceOf(StateConflictError);
    await expect(store.save(state('c1', 'B'), 1, 'B', 1_000)).rejects.toBeInstanceOf(StateConflictError);
    // The holder saves and clears its lease.
    await store.save(state('c1', 'A', 5), 1, 'A', 1_000);
    const after = await store.loadMany(['c1']);
    expect(after.states.get('c1')).toMatchObject({ integral: 5, version: 2 });
    await store.acquireLease('c1', 2, { owner: 'C', until: 9_000 }, 2_000, PENDING);
  });

  it('takes over an expired lease', async () => {
    await store.save(state('c1', 'e1'), undefined, 'e1', 0);
    await store.acquireLease('c1', 1, { owner: 'crashed', until: 5_000 }, 1_000, PENDING);
    await store.acquireLease('c1', 1, { owner: 'next', until: 70_000 }, 6_000, PENDING);
    await store.save(state('c1', 'next'), 1, 'next', 6_000);
  });

  it('taking a lease records the pending write and leaves the state as it was; the next save replaces it', async () => {
    // Prepare
    await store.save(state('c1', 'e1'), undefined, 'e1', 0);
    // Act
    await store.acquireLease('c1', 1, { owner: 'A', until: 5_000 }, 1_000, PENDING);
    // Assess
    expect((await store.loadMany(['c1'])).states.get('c1')).toEqual({ ...state('c1', 'e1'), version: 1, pending: PENDING });
    await store.save(state('c1', 'e2'), 1, 'A', 2_000);
    expect((await store.loadMany(['c1'])).states.get('c1')).toEqual({ ...state('c1', 'e2'), version: 2 });
  });

  it('reads the pending write of a campaign whose first write is under way', async () => {
    // Act
    await store.acquireLease('new', undefined, { owner: 'A', until: 5_000 }, 1_000, PENDING);
    const loaded = await store.loadMany(['new']);
    // Assess
    expect(loaded.states.has('new')).toBe(false);
    expect(loaded.firstWrites.get('new')).toEqual(PENDING);
  });

  it('leases a campaign that has no state yet, and its first save needs that lease', async () => {
    await store.acquireLease('new', undefined, { owner: 'A', until: 5_000 }, 1_000, PENDING);
    expect((await store.loadMany(['new'])).states.has('new')).toBe(false);
    await expect(store.save(state('new', 'B'), undefined, 'B', 1_000)).rejects.toBeInstanceOf(StateConflictError);
    await store.save(state('new', 'A'), undefined, 'A', 1_000);
    expect((await store.loadMany(['new'])).states.get('new')?.version).toBe(1);
  });

  it('reads more than one batch of 100 campaigns', async () => {
    const ids = Array.from({ length: 230 }, (_, i) => `c${i}`);
    await Promise.all(ids.map((id) => store.save(state(id, 'e'), undefined, 'e', 0)));
    expect((await store.loadMany(ids)).states.size).toBe(230);
  });

  it('reports a corrupt item by field, for its campaign only, instead of returning NaN or failing the others', async () => {
    // Prepare
    await store.save(state('good', 'e1'), undefined, 'e1', 0);
    await db.client.send(new PutItemCommand({ TableName: `state-${table}`, Item: { campaignId: { S: 'bad' }, version: { N: '1' }, integral: { S: 'x' } } }));
    // Act
    const loaded = await store.loadMany(['good', 'bad']);
    // Assess
    expect(loaded.states.get('good')).toMatchObject({ version: 1 });
    expect(loaded.states.has('bad')).toBe(false);
    expect(loaded.unreadable.get('bad')).toMatch(/campaign bad is corrupt: integral .*delete the item in table state-\d+/);
  });

  it('abandons a call at the deadline of its view, naming the table', async () => {
    // Prepare: a view whose deadline has passed
    const late = store.withDeadline(Date.now() - 1);
    // Act
    const loaded = await late.loadMany(['c1']);
    // Assess
    expect(loaded.unreadable.get('c1')).toMatch(/no time left before the invocation's deadline/);
    await expect(late.save(state('c1', 'e1'), undefined, 'e1', 0)).rejects.toThrow(/no time left/);
  });

  it('keeps the compliance counts and the compliance loop in the same item, saved by the same conditional write', async () => {
    // Prepare
    const compliance = {
      anchor: 0,
      countedUntil: 120_000,
      buckets: [{ start: 0, abandoned: 3, live: 140 }],
      loop: { integral: 2.4, previousError: 0.001, previousMeasurement: 0.02, lastOutput: 2.4, lastWritten: 2.4, lastTickTime: 120_000 },
    };
    // Act
    await store.save({ ...state('c1', 'e1'), compliance }, undefined, 'e1', 0);
    // Assess: read back whole, and a save from a stale read cannot overwrite the counts
    expect((await store.loadMany(['c1'])).states.get('c1')).toEqual({ ...state('c1', 'e1'), compliance, version: 1 });
    await store.save({ ...state('c1', 'e2'), compliance: { ...compliance, buckets: [{ start: 0, abandoned: 4, live: 150 }] } }, 1, 'e2', 0);
    await expect(store.save({ ...state('c1', 'e2-dup'), compliance: { ...compliance, buckets: [{ start: 0, abandoned: 5, live: 160 }] } }, 1, 'e2-dup', 0)).rejects.toBeInstanceOf(StateConflictError);
    expect((await store.loadMany(['c1'])).states.get('c1')!.compliance!.buckets).toEqual([{ start: 0, abandoned: 4, live: 150 }]);
  });

  it('reports corrupt compliance counts by field', async () => {
    await store.save({ ...state('c1', 'e1'), compliance: { anchor: 0, countedUntil: 0, buckets: [{ start: 0, abandoned: -1, live: 2 }] } }, undefined, 'e1', 0);
    expect((await store.loadMany(['c1'])).unreadable.get('c1')).toMatch(/campaign c1 is corrupt: compliance\.buckets\.0\.abandoned/);
  });
});
