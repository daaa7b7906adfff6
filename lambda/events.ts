import * as z from 'zod/mini';
import './zod-messages.js';
import { describeIssues } from './config/config.js';
import type { ShardConfig } from './config/shards.js';
import type { TickRequest } from './tick.js';

/** The two kinds of invocation the controller accepts; `shard` names the shard the event is for. */
export type ControllerEvent =
  | { kind: 'scheduled'; eventId: string; eventTime: number; shard?: string }
  | { kind: 'console'; dryRun: boolean; campaignIds?: string[]; shard?: string };

/**
 * Environment variable the PacingController construct sets on each shard's function: the shard it
 * ticks. A function only holds its own shard's OAuth client, so it refuses another shard's event.
 */
export const SHARD_VARIABLE = 'PACING_SHARD';

/** An event the controller will not run; the message says why and what is accepted. */
export class EventError extends Error {
  override readonly name = 'EventError';
}

// EventBridge adds envelope fields over time, so only what the tick relies on is checked.
const scheduledSchema = z.looseObject({
  id: z.string().check(z.minLength(1), z.maxLength(200)),
  'detail-type': z.literal('Scheduled Event'),
  source: z.string().check(z.minLength(1)),
  time: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 time such as 2026-11-24T10:05:00Z' }),
  // A shard's rule puts its name here (infra/pacing-controller.ts); a plain schedule sends {}.
  detail: z.optional(z.looseObject({ shard: z.optional(z.string({ error: 'must be the name of a shard in pacing.config.json' })) })),
});

// A person types this one in the Lambda console, so a misspelt field must not pass silently.
const consoleSchema = z.strictObject({
  dryRun: z.optional(z.boolean({ error: 'must be true or false' })),
  campaignIds: z.optional(
    z
      .array(z.string().check(z.minLength(1, { error: 'must be a campaign id from pacing.config.json' })), { error: 'must be a list of campaign ids' })
      .check(z.minLength(1, { error: 'list at least one campaign id, or leave campaignIds out to run all' })),
  ),
  shard: z.optional(z.string({ error: 'must be the name of a shard in pacing.config.json' })),
});

const CONSOLE_HELP = 'a console test event looks like {"dryRun": true, "campaignIds": ["<campaign id>"]}';

/**
 * Classifies and validates an invocation event.
 *
 * @throws EventError naming the bad field and the accepted shape
 */
export function parseEvent(event: unknown): ControllerEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new EventError(`the event must be a JSON object: ${CONSOLE_HELP}`);
  }
  if ('detail-type' in event) {
    const parsed = scheduledSchema.safeParse(event, { reportInput: true });
    if (!parsed.success) throw new EventError(`scheduled event rejected: ${describeIssues(parsed.error).join('; ')}`);
    const shard = parsed.data.detail?.shard;
    return { kind: 'scheduled', eventId: parsed.data.id, eventTime: Date.parse(parsed.data.time), ...(shard === undefined ? {} : { shard }) };
  }
  const parsed = consoleSchema.safeParse(event, { reportInput: true });
  if (!parsed.success) throw new EventError(`console event rejected: ${describeIssues(parsed.error).join('; ')}; ${CONSOLE_HELP}`);
  // A hand-made run is a dry run unless the operator says otherwise.
  return {
    kind: 'console',
    dryRun: parsed.data.dryRun ?? true,
    ...(parsed.data.campaignIds ? { campaignIds: parsed.data.campaignIds } : {}),
    ...(parsed.data.shard === undefined ? {} : { shard: parsed.data.shard }),
  };
}

/**
 * The shard an event is for: the function's own (`functionShard`, from {@link SHARD_VARIABLE}), else
 * the one the event names, else the only one.
 *
 * @throws EventError when the event names a shard the configuration lacks, another shard than the
 *   function's, or none while the configuration has several
 */
export function shardOf(event: ControllerEvent, shards: readonly ShardConfig[], functionShard: string | undefined): ShardConfig {
  const names = shards.map((s) => s.name).join(', ');
  if (functionShard !== undefined && event.shard !== undefined && event.shard !== functionShard) {
    throw new EventError(`the event is for shard "${event.shard}" but this function ticks shard "${functionShard}": send it to that shard's function (stack output FunctionName of the shard)`);
  }
  const name = functionShard ?? event.shard ?? (shards.length === 1 ? shards[0]!.name : undefined);
  if (name === undefined) throw new EventError(`the event names no shard and the configuration has several (${names}): add "shard": "<name>" to the event`);
  const shard = shards.find((s) => s.name === name);
  if (!shard) throw new EventError(`shard "${name}" is not in the configuration; its shards: ${names}`);
  return shard;
}

/**
 * Turns a parsed event into the tick to run.
 *
 * Scheduled ticks are keyed by the event's id and time and save state. A console run happens
 * "now"; a console dry run saves nothing, so it never disturbs the scheduled loop.
 *
 * @throws EventError when a console event names campaigns that are not configured
 */
export function toTickRequest(event: ControllerEvent, configuredIds: readonly string[], requestId: string, now: number): TickRequest {
  if (event.kind === 'scheduled') {
    return { eventId: event.eventId, invocationId: requestId, eventTime: event.eventTime, dryRun: false, saveState: true };
  }
  const unknown = (event.campaignIds ?? []).filter((id) => !configuredIds.includes(id));
  if (unknown.length > 0) {
    throw new EventError(`console event rejected: campaignIds ${unknown.join(', ')} not in the configuration's campaigns of this shard; configured: ${configuredIds.join(', ')}`);
  }
  return {
    eventId: `console:${requestId}`,
    invocationId: requestId,
    eventTime: now,
    dryRun: event.dryRun,
    saveState: !event.dryRun,
    ...(event.campaignIds ? { campaignIds: event.campaignIds } : {}),
  };
}
