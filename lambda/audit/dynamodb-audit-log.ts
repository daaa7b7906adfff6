import { createHash } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import * as z from 'zod/mini';
import '../zod-messages.js';
import { untilDeadline } from '../aws/deadline.js';
import { DEFAULT_AUDIT_RETENTION_DAYS } from '../config/config.js';
import { KNOBS, OBJECTIVES } from '../config/schema.js';
import { AuditWriteError, type AuditEntry, type AuditLog, type AuditRange } from '../ports.js';

/** Partition key of the audit table. */
export const AUDIT_PARTITION_KEY = 'campaignId';
/** Sort key of the audit table: `<ISO time>#<event id>#<knob>#<kind>#<digest>`, so a time range is a key range. */
export const AUDIT_SORT_KEY = 'sk';
/** Epoch-seconds attribute DynamoDB's TTL deletes expired entries by. */
export const AUDIT_TTL_ATTRIBUTE = 'expiresAt';

/**
 * The IAM actions recording the audit trail needs: one conditional PutItem per entry, nothing else.
 * Not BatchWriteItem (it cannot be conditional, so it overwrites, and it carries deletes), not
 * UpdateItem or DeleteItem. IAM has no condition key that forces a PutItem to be conditional: the
 * adapter's `attribute_not_exists` condition is what keeps an entry from being overwritten.
 */
export const AUDIT_TABLE_ACTIONS = ['dynamodb:PutItem'] as const;

/** Conditional puts in flight at once: enough to record a 500-campaign tick in well under a second. */
const PUT_CONCURRENCY = 10;
const DAY_SECONDS = 86_400;
/** Hex digits of the entry's SHA-256 kept in its key: 64 bits, no collision among a campaign's entries in practice. */
const DIGEST_HEX_DIGITS = 16;

const finite = z.number().check(z.refine(Number.isFinite, { error: 'must be a finite number' }));

/** A stored entry; anything else in the table is reported by field. */
const itemSchema = z.object({
  campaignId: z.string(),
  at: z.iso.datetime(),
  eventId: z.string(),
  kind: z.enum(['change', 'manual-change']),
  knob: z.enum(KNOBS),
  oldValue: finite,
  newValue: finite,
  measured: z.optional(finite),
  setpoint: finite,
  objective: z.enum(OBJECTIVES),
  reason: z.string(),
  changedAfter: z.optional(z.iso.datetime()),
  requested: z.optional(finite),
});

/** Raised when a stored audit item cannot be read back as an entry. */
export class AuditItemError extends Error {
  override readonly name = 'AuditItemError';
}

/**
 * The sort key of an entry: its time first, so keys sort by time; then the tick, the knob (one tick
 * may move two knobs of a campaign: the campaign's and its compliance loop's) and the kind (a tick may
 * find a knob changed by hand and then write it); last a digest of the whole entry. So one entry has
 * exactly one key: recording it again finds its own key taken (already recorded), and a different
 * entry never lands on a key that is taken, so nothing is ever overwritten.
 */
export function auditSortKey(entry: AuditEntry): string {
  return `${entry.at}#${entry.eventId}#${entry.knob}#${entry.kind}#${entryDigest(entry)}`;
}

/** SHA-256 of the entry's fields in name order (absent fields left out), the first 16 hex digits. */
function entryDigest(entry: AuditEntry): string {
  const fields = Object.entries(entry)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, DIGEST_HEX_DIGITS);
}

/**
 * The audit trail in one DynamoDB table: partition key `campaignId`, sort key `sk`
 * (see {@link auditSortKey}), and `expiresAt` (epoch seconds) for the table's TTL.
 * Append only: every entry is a PutItem conditional on its key being free.
 */
export class DynamoDbAuditLog implements AuditLog {
  private readonly doc: DynamoDBDocumentClient;

  /**
   * @param client - the DynamoDB client (one per container), or the document client of a view
   * @param deadlineEpochMs - writes are abandoned at this instant; Infinity outside a view
   */
  constructor(
    client: DynamoDBClient | DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Days an entry is kept before DynamoDB's TTL deletes it. */
    private readonly retentionDays: number = DEFAULT_AUDIT_RETENTION_DAYS,
    private readonly deadlineEpochMs = Number.POSITIVE_INFINITY,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(retentionDays) || retentionDays < 1) throw new RangeError(`retentionDays must be a whole number of days above 0, got ${retentionDays}`);
    this.doc = client instanceof DynamoDBDocumentClient ? client : DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** A view whose writes are abandoned at `deadlineEpochMs`, so a slow table cannot run the Lambda into its timeout. */
  withDeadline(deadlineEpochMs: number): DynamoDbAuditLog {
    return new DynamoDbAuditLog(this.doc, this.tableName, this.retentionDays, deadlineEpochMs, this.now);
  }

  /**
   * Appends each entry; an entry already in the table (a retry of the same record) counts as recorded.
   * @throws AuditWriteError naming the campaigns whose entries could not be stored, after trying every entry
   */
  async record(entries: readonly AuditEntry[]): Promise<void> {
    const limit = pLimit(PUT_CONCURRENCY);
    const outcomes = await Promise.allSettled(entries.map((entry) => limit(() => this.append(entry))));
    const failed = new Set<string>();
    const problems = new Set<string>();
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') return;
      failed.add(entries[i]!.campaignId);
      problems.add((outcome.reason as Error).message);
    });
    if (failed.size > 0) {
      throw new AuditWriteError([...failed], `audit table ${this.tableName}: ${[...problems].join('; ')}`);
    }
  }

  async query(campaignId: string, range: AuditRange = {}): Promise<AuditEntry[]> {
    if (range.since && range.until && range.since.getTime() >= range.until.getTime()) {
      throw new RangeError(`the range must start before it ends: since ${range.since.toISOString()} is not before until ${range.until.toISOString()}`);
    }
    const input = queryInput(this.tableName, campaignId, range);
    const out: AuditEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
      for (const item of page.Items ?? []) out.push(toEntry(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  /** One conditional put. The key holds the entry's digest, so a taken key means this very entry is stored. */
  private async append(entry: AuditEntry): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.item(entry),
          ConditionExpression: 'attribute_not_exists(#sk)',
          ExpressionAttributeNames: { '#sk': AUDIT_SORT_KEY },
        }),
        untilDeadline(this.deadlineEpochMs, this.now(), `audit table ${this.tableName}`),
      );
    } catch (err) {
      if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
    }
  }

  private item(entry: AuditEntry): Record<string, unknown> {
    const expiresAt = Math.floor(Date.parse(entry.at) / 1000) + this.retentionDays * DAY_SECONDS;
    return { ...entry, [AUDIT_SORT_KEY]: auditSortKey(entry), [AUDIT_TTL_ATTRIBUTE]: expiresAt };
  }
}

/** The key condition for a campaign and a time range: ISO times sort as strings. */
function queryInput(tableName: string, campaignId: string, range: AuditRange): QueryCommandInput {
  const since = range.since?.toISOString();
  const until = range.until?.toISOString();
  const values: Record<string, string> = { ':c': campaignId };
  let condition = '#pk = :c';
  // "<until>" sorts before every "<until>#<event>", so each bound below is exclusive of `until`.
  if (since !== undefined && until !== undefined) {
    condition += ' AND #sk BETWEEN :since AND :until';
    Object.assign(values, { ':since': since, ':until': until });
  } else if (since !== undefined) {
    condition += ' AND #sk >= :since';
    values[':since'] = since;
  } else if (until !== undefined) {
    condition += ' AND #sk < :until';
    values[':until'] = until;
  }
  const names: Record<string, string> = { '#pk': AUDIT_PARTITION_KEY };
  if (condition.includes('#sk')) names['#sk'] = AUDIT_SORT_KEY;
  return { TableName: tableName, KeyConditionExpression: condition, ExpressionAttributeNames: names, ExpressionAttributeValues: values, ScanIndexForward: true };
}

function toEntry(item: Record<string, unknown>): AuditEntry {
  const parsed = itemSchema.safeParse(item);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AuditItemError(`audit entry ${String(item[AUDIT_SORT_KEY])} of campaign ${String(item.campaignId)} is corrupt: ${issue.path.join('.')} ${issue.message}`);
  }
  return parsed.data as AuditEntry;
}
