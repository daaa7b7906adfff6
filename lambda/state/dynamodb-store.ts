import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type BatchGetCommandOutput, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { untilDeadline } from '../aws/deadline.js';
import { KNOBS } from '../config/schema.js';
import '../zod-messages.js';
import { StateConflictError, type ControllerState, type Lease, type LoadedStates, type PendingWrite, type StateStore } from '../ports.js';

const finite = z.number().check(z.refine(Number.isFinite, { error: 'must be a finite number' }));

const loopShape = {
  integral: finite,
  previousError: finite,
  previousMeasurement: z.optional(finite),
  lastOutput: finite,
  lastWritten: finite,
  lastTickTime: finite,
};
const count = z.int().check(z.nonnegative());
const knobValues = z.partialRecord(z.enum(KNOBS), finite);

/** A write in flight: its audit entries are kept as the tick made them and stored again only as written. */
const pendingSchema = z.object({
  eventId: z.string(),
  at: finite,
  values: knobValues,
  before: knobValues,
  audit: z.array(z.looseObject({ campaignId: z.string(), at: z.string(), eventId: z.string(), kind: z.string(), knob: z.enum(KNOBS), oldValue: finite, newValue: finite })),
});

/** A stored item; anything else in the table is a corrupted item, reported by field. */
const itemSchema = z.object({
  campaignId: z.string(),
  ...loopShape,
  lastEventId: z.string(),
  // Items saved before blind counting existed have none: they were not blind.
  blindTicks: z._default(z.int().check(z.nonnegative()), 0),
  version: z.int().check(z.nonnegative()),
  onSince: z.optional(finite),
  writeDeferred: z.optional(z.boolean()),
  compliance: z.optional(
    z.object({
      anchor: finite,
      countedUntil: finite,
      buckets: z.array(z.object({ start: finite, abandoned: count, live: count })),
      loop: z.optional(z.object(loopShape)),
    }),
  ),
  pending: z.optional(pendingSchema),
});

/** An item whose first write is under way: a lease, perhaps a pending write, no state yet. */
const firstWriteSchema = z.looseObject({ campaignId: z.string(), pending: z.optional(pendingSchema) });

/** Raised when a stored item cannot be read back as controller state. */
export class StateItemError extends Error {
  override readonly name = 'StateItemError';
}

/** The table could not be read or written (unreachable, throttled past the SDK's retries, failing). */
export class StateStoreError extends Error {
  override readonly name = 'StateStoreError';
  constructor(what: string, tableName: string, cause: unknown) {
    const err = cause as { name?: string; message?: string } | undefined;
    super(`${what} in table ${tableName} (${err?.name ?? 'Error'}: ${err?.message ?? String(cause)})`, { cause });
  }
}

/** The IAM actions the store needs on its table: the stack grants these and nothing else. */
export const STATE_TABLE_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;

const BATCH_GET_LIMIT = 100;
const UNPROCESSED_RETRIES = 5;

/**
 * The controller state in one DynamoDB table, one item per campaign (partition key `campaignId`).
 *
 * Every write is conditional on the version read at the start of the tick and on no other
 * invocation holding a live lease, so duplicate or overlapping ticks advance the state once.
 */
export class DynamoDbStateStore implements StateStore {
  private readonly doc: DynamoDBDocumentClient;

  /**
   * @param client - the DynamoDB client (one per container), or the document client of a view
   * @param deadlineEpochMs - calls are abandoned at this instant; Infinity outside a view
   */
  constructor(
    client: DynamoDBClient | DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly deadlineEpochMs = Number.POSITIVE_INFINITY,
    private readonly now: () => number = Date.now,
  ) {
    this.doc = client instanceof DynamoDBDocumentClient ? client : DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /**
   * A view whose calls are abandoned at `deadlineEpochMs` (the invocation's end less a margin), so
   * a slow table can never run the Lambda into its timeout.
   */
  withDeadline(deadlineEpochMs: number): DynamoDbStateStore {
    return new DynamoDbStateStore(this.doc, this.tableName, deadlineEpochMs, this.now);
  }

  async loadMany(campaignIds: readonly string[]): Promise<LoadedStates> {
    const loaded: LoadedStates = { states: new Map(), firstWrites: new Map(), unreadable: new Map() };
    for (let i = 0; i < campaignIds.length; i += BATCH_GET_LIMIT) {
      const chunk = campaignIds.slice(i, i + BATCH_GET_LIMIT);
      try {
        await this.loadChunk(chunk, loaded);
      } catch (err) {
        // One failed batch blinds its own campaigns; the next batch may well be read.
        for (const id of chunk) if (!loaded.states.has(id) && !loaded.firstWrites.has(id)) loaded.unreadable.set(id, (err as Error).message);
      }
    }
    return loaded;
  }

  private async loadChunk(chunk: readonly string[], loaded: LoadedStates): Promise<void> {
    let keys: Record<string, unknown>[] | undefined = chunk.map((campaignId) => ({ campaignId }));
    for (let attempt = 0; keys && keys.length > 0; attempt += 1) {
      if (attempt > UNPROCESSED_RETRIES) throw new StateStoreError(`DynamoDB kept ${keys.length} state reads unprocessed (throttled): read again next tick`, this.tableName, undefined);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      const out = await this.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } })).catch((err: unknown) => {
        throw new StateStoreError(`cannot read the controller state of ${chunk.length} campaigns`, this.tableName, err);
      });
      for (const item of out.Responses?.[this.tableName] ?? []) this.take(item, loaded);
      keys = out.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
    }
  }

  /** Sorts one stored item into the loaded states, the first writes or the unreadable ones. */
  private take(item: Record<string, unknown>, loaded: LoadedStates): void {
    const id = String(item.campaignId);
    // An item with a lease but no version yet is a campaign whose first write is under way.
    const parsed = item.version === undefined ? firstWriteSchema.safeParse(item) : itemSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      loaded.unreadable.set(
        id,
        `stored state of campaign ${id} is corrupt: ${issue.path.join('.')} ${issue.message} (delete the item in table ${this.tableName} to restart the campaign's loop from Genesys's current value; its abandon counts restart with it)`,
      );
    } else if (item.version === undefined) {
      const pending = (parsed.data as { pending?: PendingWrite }).pending;
      if (pending) loaded.firstWrites.set(id, pending);
    } else {
      loaded.states.set(id, parsed.data as ControllerState);
    }
  }

  async acquireLease(campaignId: string, expectedVersion: number | undefined, lease: Lease, now: number, pending: PendingWrite): Promise<void> {
    await this.conditional(
      campaignId,
      'cannot take the lease of',
      new UpdateCommand({
        TableName: this.tableName,
        Key: { campaignId },
        UpdateExpression: 'SET leaseOwner = :o, leaseUntil = :u, pending = :p',
        ConditionExpression: `${versionCondition(expectedVersion)} AND ${LEASE_FREE}`,
        ExpressionAttributeValues: { ':o': lease.owner, ':u': lease.until, ':p': pending, ':now': now, ...versionValue(expectedVersion) },
      }),
    );
  }

  async save(state: Omit<ControllerState, 'version'>, expectedVersion: number | undefined, leaseOwner: string, now: number): Promise<void> {
    // A full put: it also drops the lease this tick held.
    await this.conditional(
      state.campaignId,
      'cannot save the controller state of',
      new PutCommand({
        TableName: this.tableName,
        Item: { ...state, version: (expectedVersion ?? 0) + 1 },
        ConditionExpression: `${versionCondition(expectedVersion)} AND ${LEASE_FREE}`,
        ExpressionAttributeValues: { ':o': leaseOwner, ':now': now, ...versionValue(expectedVersion) },
      }),
    );
  }

  /** Sends one command, abandoned at the view's deadline (the SDK's own retries included). */
  private async send(command: BatchGetCommand): Promise<BatchGetCommandOutput>;
  private async send(command: PutCommand | UpdateCommand): Promise<unknown>;
  private async send(command: BatchGetCommand | PutCommand | UpdateCommand): Promise<unknown> {
    return this.doc.send(command as BatchGetCommand, untilDeadline(this.deadlineEpochMs, this.now(), `table ${this.tableName}`));
  }

  private async conditional(campaignId: string, what: string, command: UpdateCommand | PutCommand): Promise<void> {
    try {
      await this.send(command);
    } catch (err) {
      if (isConditionalFailure(err)) throw new StateConflictError(campaignId);
      throw new StateStoreError(`${what} campaign ${campaignId}`, this.tableName, err);
    }
  }
}

const LEASE_FREE = '(attribute_not_exists(leaseUntil) OR leaseUntil < :now OR leaseOwner = :o)';

function versionCondition(expectedVersion: number | undefined): string {
  return expectedVersion === undefined ? 'attribute_not_exists(version)' : 'version = :v';
}

function versionValue(expectedVersion: number | undefined): Record<string, number> {
  return expectedVersion === undefined ? {} : { ':v': expectedVersion };
}

function isConditionalFailure(err: unknown): boolean {
  return (err as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}
