/**
 * zod schemas of the Genesys Cloud responses the adapter reads.
 *
 * Field names follow the SDK-derived JSON schemas in test/fixtures/genesys/*.schema.json. Objects
 * are permissive of extra fields (Genesys adds fields often; zod drops unknown keys), but strict on
 * what we use: numbers must be finite and non-negative where a count is expected, so a bad body
 * turns into an error naming the field instead of a NaN reaching the controller.
 */
import * as z from 'zod/mini';
import '../zod-messages.js';
import type { CampaignStatus, DialingMode } from '../ports.js';

/** A body that parsed as JSON but is not what we can use. `field` is a dotted path into the body. */
export class ResponseShapeError extends Error {
  override readonly name = 'ResponseShapeError';
  constructor(
    readonly field: string | undefined,
    readonly problem: string,
  ) {
    super(field === undefined ? problem : `field "${field}" ${problem}`);
  }
}

const CAMPAIGN_STATUSES = ['on', 'stopping', 'off', 'complete', 'invalid', 'forced_off', 'forced_stopping'] as const satisfies readonly CampaignStatus[];
const DIALING_MODES = ['agentless', 'preview', 'power', 'predictive', 'progressive', 'external'] as const satisfies readonly DialingMode[];

const id = z.string().check(z.minLength(1));
/** A count: finite (zod 4 rejects Infinity, which JSON.parse yields for 1e999) and not negative. */
const count = z.number().check(z.nonnegative());
const nonNegative = () => z.nullish(z.number().check(z.nonnegative()));
const nonNegativeInt = () => z.nullish(z.int().check(z.nonnegative()));
const text = () => z.nullish(z.string());
/** Read leniently: a wrong type counts as absent. */
const lenientText = () => z.catch(z.optional(z.string()), undefined);

/** POST /oauth/token answer. */
export const tokenResponseSchema = z.object({
  access_token: z.string().check(z.minLength(1)),
  token_type: z.string().check(z.refine((t) => t.toLowerCase() === 'bearer', { error: 'must be "bearer"' })),
  /** Seconds; Genesys allows 5 min to 48 h per client. */
  expires_in: z.number().check(z.positive()),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** Genesys ErrorBody, and the OAuth error form of the login host; read leniently, never required. */
export const errorBodySchema = z.object({
  message: lenientText(),
  code: lenientText(),
  contextId: lenientText(),
  error: lenientText(),
  error_description: lenientText(),
  description: lenientText(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/**
 * Campaign, reduced to the fields pacing reads. Optional knob fields may be absent or null. Only
 * these fields are checked: an unknown value anywhere else in the campaign (a new enum value of a
 * field pacing does not read) passes. `name` is only a label, so a wrong type drops it rather than
 * blinding the campaign.
 */
export const campaignSchema = z.object({
  id,
  name: lenientText(),
  campaignStatus: z.enum(CAMPAIGN_STATUSES),
  dialingMode: z.enum(DIALING_MODES),
  /** Percent, e.g. 3.0. */
  abandonRate: nonNegative(),
  /** int32 in the schema; superseded by maxCallsPerAgentDecimal when present. */
  maxCallsPerAgent: nonNegative(),
  maxCallsPerAgentDecimal: nonNegative(),
  outboundLineCount: nonNegativeInt(),
  queue: z.nullish(z.object({ id })),
});
export type CampaignBody = z.infer<typeof campaignSchema>;

/**
 * CampaignEntityListing. Each entity is validated on its own (see {@link parseEntities}), so one
 * campaign Genesys describes in a way pacing cannot use does not fail its page. Navigation URIs
 * (nextUri, selfUri, ...) are deliberately not read.
 */
export const campaignListingSchema = z.object({
  entities: z.nullish(z.array(z.unknown())),
  pageSize: nonNegativeInt(),
  pageNumber: nonNegativeInt(),
  pageCount: nonNegativeInt(),
  total: nonNegativeInt(),
});
export type CampaignListing = z.infer<typeof campaignListingSchema>;

/**
 * The knob fields of a PATCH answer, when Genesys sends one (the SDK documents none). Read
 * leniently: the write has been applied whatever the answer holds, so a field that is not a usable
 * number is only not confirmed, and the next read shows the value.
 */
export const campaignKnobsAnswerSchema = z.catch(
  z.object({
    abandonRate: z.catch(nonNegative(), undefined),
    maxCallsPerAgent: z.catch(nonNegative(), undefined),
    maxCallsPerAgentDecimal: z.catch(nonNegative(), undefined),
    outboundLineCount: z.catch(nonNegativeInt(), undefined),
  }),
  {},
);

/**
 * OutboundSettings (GET /api/v2/outbound/settings), reduced to the org's limits pacing checks.
 * complianceAbandonRateDenominator is any string: the schema's enum (ALL_CALLS,
 * CALLS_THAT_REACHED_QUEUE) may grow, and the caller decides what an unknown one means.
 */
export const outboundSettingsSchema = z.object({
  maxCallsPerAgent: nonNegative(),
  maxCallsPerAgentDecimal: nonNegative(),
  maxConfigurableCallsPerAgent: nonNegative(),
  maxLineUtilization: z.nullish(z.number().check(z.minimum(0), z.maximum(1))),
  abandonSeconds: nonNegative(),
  complianceAbandonRateDenominator: text(),
});
export type OutboundSettingsBody = z.infer<typeof outboundSettingsSchema>;

/** Queue, reduced to mediaSettings.call.serviceLevel; presence of durationMs is checked by the caller so the error names the full path. */
export const routingQueueSchema = z.object({
  id: text(),
  mediaSettings: z.nullish(
    z.object({
      call: z.nullish(
        z.object({
          serviceLevel: z.nullish(
            z.object({
              percentage: z.nullish(z.number().check(z.minimum(0), z.maximum(1))),
              durationMs: z.nullish(z.number().check(z.positive())),
            }),
          ),
        }),
      ),
    }),
  ),
});
export type RoutingQueueBody = z.infer<typeof routingQueueSchema>;

const statsSchema = z.object({ count: z.nullish(count), sum: z.nullish(count) });
/** An observation's stats: oLongest* metrics add a value the mapper checks itself, so a bad one loses only it. */
const observationStatsSchema = z.extend(statsSchema, { calculatedMetricValue: z.nullish(z.number()) });

/** QueueObservationQueryResponse. */
export const queueObservationResponseSchema = z.object({
  results: z.nullish(
    z.array(
      z.object({
        group: z.nullish(z.object({ queueId: text(), mediaType: text() })),
        data: z.nullish(
          z.array(
            z.object({
              metric: z.string(),
              qualifier: text(),
              stats: z.nullish(observationStatsSchema),
            }),
          ),
        ),
      }),
    ),
  ),
});
export type QueueObservationResponse = z.infer<typeof queueObservationResponseSchema>;

/** ConversationAggregateQueryResponse. Genesys answers `{}` when nothing matched. */
export const conversationAggregateResponseSchema = z.object({
  results: z.nullish(
    z.array(
      z.object({
        group: z.nullish(z.object({ queueId: text(), outboundCampaignId: text(), mediaType: text() })),
        data: z.nullish(
          z.array(
            z.object({
              interval: text(),
              metrics: z.nullish(z.array(z.object({ metric: z.string(), qualifier: text(), stats: z.nullish(statsSchema) }))),
              views: z.nullish(z.array(z.object({ name: z.string(), stats: z.nullish(statsSchema) }))),
            }),
          ),
        ),
      }),
    ),
  ),
});
export type ConversationAggregateResponse = z.infer<typeof conversationAggregateResponseSchema>;

/** CampaignPerformanceData, reduced to the fields pacing reads; every figure may be absent. */
export const campaignPerformanceSchema = z.object({
  campaign: z.object({ id }),
  contactRate: z.nullish(z.object({ connectRatio: z.nullish(z.number().check(z.minimum(0), z.maximum(1))) })),
  idleAgents: z.nullish(count),
  effectiveIdleAgents: z.nullish(count),
  adjustedCallsPerAgent: z.nullish(count),
  outstandingCalls: z.nullish(count),
});
export type CampaignPerformanceBody = z.infer<typeof campaignPerformanceSchema>;

/** CampaignPerformanceDataListing; each entity is validated on its own (see {@link parseEntities}). */
export const campaignPerformanceListingSchema = z.object({ entities: z.nullish(z.array(z.unknown())) });

/** The entities of one answer that were asked for: those pacing can use, and why each other one cannot be. */
export interface EntityPage<T> {
  usable: Map<string, T>;
  /**
   * Each entity asked for whose own fields are unusable: a message naming it, the field and the
   * value, and the field's path in the answer (e.g. "entities[3].campaignStatus").
   */
  unusable: Map<string, { message: string; field: string | undefined }>;
  /** Ids of every entity asked for that the answer held, usable or not. */
  seen: Set<string>;
}

/**
 * Validates each entity of a listing on its own, so one record pacing cannot use blinds only its
 * own campaign. An entity whose id cannot be read fails the whole answer: which campaign it
 * describes cannot be told, and taking the rest would pass that campaign off as deleted.
 *
 * @param entities - the listing's `entities`
 * @param what - how the id is found and named, e.g. `{ idField: ['campaign', 'id'], label: 'campaign' }`
 * @param wanted - the ids asked for; other entities are ignored
 * @param schema - the entity's schema
 * @throws ResponseShapeError naming the entity whose id is unreadable
 */
export function parseEntities<S extends z.ZodMiniType>(
  entities: readonly unknown[],
  what: { idField: readonly string[]; label: string },
  wanted: ReadonlySet<string>,
  schema: S,
): EntityPage<z.infer<S>> {
  const page: EntityPage<z.infer<S>> = { usable: new Map(), unusable: new Map(), seen: new Set() };
  entities.forEach((entity, i) => {
    const entityId = valueAt(entity, what.idField);
    if (typeof entityId !== 'string' || entityId === '') {
      throw new ResponseShapeError(fieldPath(['entities', i, ...what.idField]), `must be a ${what.label} id but is ${describeType(entityId)}`);
    }
    if (!wanted.has(entityId)) return;
    page.seen.add(entityId);
    try {
      page.usable.set(entityId, parseBody(schema, entity));
    } catch (error) {
      if (!(error instanceof ResponseShapeError)) throw error;
      const field = error.field === undefined ? undefined : fieldPath(['entities', i]) + (error.field.startsWith('[') ? '' : '.') + error.field;
      page.unusable.set(entityId, { message: `${what.label} ${entityId}: ${error.message}`, field });
    }
  });
  return page;
}

/**
 * Formats a path such as ["results", 0, "data", 2, "stats", "count"] as "results[0].data[2].stats.count".
 */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** The type of a value in words. Never the value itself: a token response must not leak its token. */
function describeType(value: unknown): string {
  if (value === undefined) return 'absent';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isFinite(value) ? `the number ${value}` : 'a non-finite number';
  if (typeof value === 'string') return 'a string';
  return `a ${typeof value}`;
}

const EXPECTED_WORDS: Record<string, string> = {
  number: 'a finite number',
  int: 'a whole number',
  string: 'a string',
  object: 'an object',
  array: 'an array',
  boolean: 'true or false',
};

function describeIssue(issue: z.core.$ZodIssue, body: unknown, revealValues: boolean): string {
  const actual = valueAt(body, issue.path);
  const shown = revealValues && typeof actual === 'string' ? `the string ${JSON.stringify(actual.slice(0, 40))}` : describeType(actual);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED_WORDS[issue.expected] ?? issue.expected;
      return actual === undefined ? `is absent (expected ${expected})` : `must be ${expected} but is ${shown}`;
    }
    case 'too_small':
      return `must be ${issue.inclusive === false ? 'above' : 'at least'} ${String(issue.minimum)} but is ${shown}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)} but is ${shown}`;
    case 'invalid_value': {
      const got = actual === undefined ? 'absent' : revealValues && typeof actual === 'string' ? JSON.stringify(actual.slice(0, 40)) : shown;
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')} but is ${got}`;
    }
    case 'invalid_format':
      return `has an unexpected format (${issue.format === 'regex' ? 'does not match the expected pattern' : issue.format})`;
    default:
      return issue.message;
  }
}

/**
 * Validates a parsed JSON body against a schema.
 *
 * @param schema - one of the schemas above
 * @param body - the parsed JSON
 * @param options - `revealValues: false` keeps string values out of messages (token responses)
 * @throws ResponseShapeError naming the first field at fault
 */
export function parseBody<S extends z.ZodMiniType>(schema: S, body: unknown, options: { revealValues?: boolean } = {}): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length > 0 ? fieldPath(issue.path) : undefined;
  const problem = field === undefined ? `body ${describeIssue(issue, body, false)}` : describeIssue(issue, body, options.revealValues ?? true);
  throw new ResponseShapeError(field, problem);
}
