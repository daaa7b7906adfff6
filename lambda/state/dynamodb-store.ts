import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import '../zod-messages.js';
import { StateConflictError, type ControllerState, type Lease, type StateStore } from '../ports.js';

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

/** A stored item; anything else in the table is a corrupted item, reported by field. */
const itemSchema = z.object({
  campaignId: z.string(),
  ...loopShape,
  lastEventId: z.string(),
  // Items saved before blind counting existed have none: they were not blind.
  blindTicks: z._default(z.int().check(z.nonnegative()), 0),
  version: z.int().check(z.nonnegative()),
  onSince: z.optional(finite),
  compliance: z.optional(
    z.object({
      anchor: finite,
      countedUntil: finite,
      buckets: z.array(z.object({ start: finite, abandoned: count, live: count })),
      loop: z.optional(z.object(loopShape)),
    }),
  ),
});

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

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async loadMany(campaignIds: readonly string[]): Promise<Map<string, ControllerState>> {
    const states = new Map<string, ControllerState>();
    for (let i = 0; i < campaignIds.length; i += BATCH_GET_LIMIT) {
      let keys: Record<string, unknown>[] | undefined = campaignIds.slice(i, i + BATCH_GET_LIMIT).map((campaignId) => ({ campaignId }));
      for (let attempt = 0; keys && keys.length > 0; attempt += 1) {
        if (attempt > UNPROCESSED_RETRIES) throw new Error(`DynamoDB kept ${keys.length} state reads unprocessed (throttled): try again next tick`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
        const out = await this.doc
          .send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }))
          .catch((err: unknown) => {
            throw new StateStoreError(`cannot read the controller state of ${campaignIds.length} campaigns`, this.tableName, err);
          });
        for (const item of out.Responses?.[this.tableName] ?? []) {
          // An item with a lease but no version yet is a campaign whose first write is under way.
          if (item.version === undefined) continue;
          const parsed = itemSchema.safeParse(item);
          if (!parsed.success) {
            const issue = parsed.error.issues[0]!;
            throw new StateItemError(`stored state of campaign ${String(item.campaignId)} is corrupt: ${issue.path.join('.')} ${issue.message}`);
          }
          states.set(parsed.data.campaignId, parsed.data as ControllerState);
        }
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return states;
  }

  async acquireLease(campaignId: string, expectedVersion: number | undefined, lease: Lease, now: number): Promise<void> {
    await this.conditional(
      campaignId,
      'cannot take the lease of',
      new UpdateCommand({
        TableName: this.tableName,
        Key: { campaignId },
        UpdateExpression: 'SET leaseOwner = :o, leaseUntil = :u',
        ConditionExpression: `${versionCondition(expectedVersion)} AND ${LEASE_FREE}`,
        ExpressionAttributeValues: { ':o': lease.owner, ':u': lease.until, ':now': now, ...versionValue(expectedVersion) },
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

  private async conditional(campaignId: string, what: string, command: UpdateCommand | PutCommand): Promise<void> {
    try {
      await this.doc.send(command as PutCommand);
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
