import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import '../zod-messages.js';
import { DEFAULT_AUDIT_RETENTION_DAYS } from '../config/config.js';
import { KNOBS, OBJECTIVES } from '../config/schema.js';
import { AuditWriteError, type AuditEntry, type AuditLog, type AuditRange } from '../ports.js';

/** Partition key of the audit table. */
export const AUDIT_PARTITION_KEY = 'campaignId';
/** Sort key of the audit table: `<ISO time>#<event id>#<knob>`, so a time range is a key range. */
export const AUDIT_SORT_KEY = 'sk';
/** Epoch-seconds attribute DynamoDB's TTL deletes expired entries by. */
export const AUDIT_TTL_ATTRIBUTE = 'expiresAt';

/** The IAM actions recording the audit trail needs: append only; the stack grants this and nothing else. */
export const AUDIT_TABLE_ACTIONS = ['dynamodb:BatchWriteItem'] as const;

// BatchWriteItem takes at most 25 items per call.
const BATCH_WRITE_LIMIT = 25;
const UNPROCESSED_RETRIES = 5;
const DAY_SECONDS = 86_400;

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
});

/** Raised when a stored audit item cannot be read back as an entry. */
export class AuditItemError extends Error {
  override readonly name = 'AuditItemError';
}

/**
 * The sort key of an entry: its time first, so keys sort by time; the knob last, because one tick
 * may move two knobs of a campaign (the campaign's and its compliance loop's).
 */
export function auditSortKey(entry: Pick<AuditEntry, 'at' | 'eventId' | 'knob'>): string {
  return `${entry.at}#${entry.eventId}#${entry.knob}`;
}

/**
 * The audit trail in one DynamoDB table: partition key `campaignId`, sort key `sk`
 * (`<ISO time>#<event id>#<knob>`), and `expiresAt` (epoch seconds) for the table's TTL.
 */
export class DynamoDbAuditLog implements AuditLog {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    /** Days an entry is kept before DynamoDB's TTL deletes it. */
    private readonly retentionDays: number = DEFAULT_AUDIT_RETENTION_DAYS,
  ) {
    if (!Number.isInteger(retentionDays) || retentionDays < 1) throw new RangeError(`retentionDays must be a whole number of days above 0, got ${retentionDays}`);
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async record(entries: readonly AuditEntry[]): Promise<void> {
    const failed = new Set<string>();
    const problems: string[] = [];
    for (let i = 0; i < entries.length; i += BATCH_WRITE_LIMIT) {
      const chunk = entries.slice(i, i + BATCH_WRITE_LIMIT);
      try {
        await this.writeChunk(chunk);
      } catch (err) {
        // Keep going: the other chunks' campaigns may still be recorded.
        for (const e of chunk) failed.add(e.campaignId);
        problems.push((err as Error).message);
      }
    }
    if (failed.size > 0) {
      throw new AuditWriteError([...failed], `audit table ${this.tableName}: ${[...new Set(problems)].join('; ')}`);
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

  private async writeChunk(chunk: readonly AuditEntry[]): Promise<void> {
    let requests: Array<Record<string, unknown>> | undefined = chunk.map((entry) => ({ PutRequest: { Item: this.item(entry) } }));
    for (let attempt = 0; requests && requests.length > 0; attempt += 1) {
      if (attempt > UNPROCESSED_RETRIES) throw new Error(`DynamoDB kept ${requests.length} audit writes unprocessed (throttled)`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      const answer = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }));
      requests = answer.UnprocessedItems?.[this.tableName] as Array<Record<string, unknown>> | undefined;
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
