import * as z from 'zod/mini';
import '../zod-messages.js';

/**
 * The Genesys Cloud region hosts the controller may talk to (pacing.md section 1).
 * API calls go to `https://api.<host>`, tokens come from `https://login.<host>`.
 */
export const GENESYS_REGION_HOSTS = [
  'mypurecloud.com',
  'use2.us-gov-pure.cloud',
  'usw2.pure.cloud',
  'cac1.pure.cloud',
  'sae1.pure.cloud',
  'mxc1.pure.cloud',
  'mypurecloud.ie',
  'euw2.pure.cloud',
  'mypurecloud.de',
  'euc2.pure.cloud',
  'mec1.pure.cloud',
  'aps1.pure.cloud',
  'apse1.pure.cloud',
  'mypurecloud.com.au',
  'mypurecloud.jp',
  'apne2.pure.cloud',
  'apne3.pure.cloud',
] as const;

export const KNOBS = ['maxCallsPerAgent', 'abandonRate', 'outboundLineCount'] as const;
export type KnobName = (typeof KNOBS)[number];

export const OBJECTIVES = ['inboundServiceLevel', 'abandonRate', 'queueServiceLevel'] as const;
export type ObjectiveKind = (typeof OBJECTIVES)[number];

/** Per-knob defaults: bounds in Genesys's own units, the largest move per tick, the write resolution and gains. */
export const KNOB_DEFAULTS: Record<
  KnobName,
  { min: number; max: number; maxStep: number; resolution: number; gains: { kp: number; ki: number; kd: number } }
> = {
  // Calls per agent: Genesys caps it at 15 org-wide; 1..3 is the usual predictive range.
  maxCallsPerAgent: { min: 1, max: 3, maxStep: 0.25, resolution: 0.05, gains: { kp: 2, ki: 0.5, kd: 0.5 } },
  // Genesys's target abandon rate, in percent; its own pacing aims at it, we trim it.
  abandonRate: { min: 0.5, max: 3, maxStep: 0.25, resolution: 0.05, gains: { kp: 40, ki: 10, kd: 5 } },
  // Concurrent lines of an agentless campaign.
  outboundLineCount: { min: 1, max: 50, maxStep: 5, resolution: 1, gains: { kp: 40, ki: 10, kd: 5 } },
};

/** The knob each objective moves unless the campaign says otherwise. */
export const DEFAULT_KNOB: Record<ObjectiveKind, KnobName> = {
  inboundServiceLevel: 'maxCallsPerAgent',
  abandonRate: 'abandonRate',
  queueServiceLevel: 'outboundLineCount',
};

const uuidLike = z.string({ error: 'must be a Genesys id (a UUID string)' }).check(
  z.regex(/^[0-9a-fA-F-]{8,64}$/, { error: 'must be a Genesys id such as 5d1e4f3c-0000-4000-8000-00000000c001' }),
);

const fraction = (what: string) =>
  z
    .number({ error: `must be a number: ${what}` })
    .check(z.gt(0, { error: `must be above 0: ${what}` }), z.lt(1, { error: `must be below 1: ${what} (write 0.8 for 80%)` }));

const thresholdSeconds = z.optional(z.number().check(z.positive(), z.maximum(3600)));

const objectiveSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('inboundServiceLevel'),
      queueId: uuidLike,
      serviceLevelThresholdSeconds: thresholdSeconds,
    }),
    z.strictObject({ kind: z.literal('abandonRate') }),
    z.strictObject({
      kind: z.literal('queueServiceLevel'),
      queueId: uuidLike,
      serviceLevelThresholdSeconds: thresholdSeconds,
    }),
  ],
  { error: `must be one of ${OBJECTIVES.join(', ')} (field "kind")` },
);

const knobSchema = z.strictObject({
  name: z.enum(KNOBS, { error: `must be one of ${KNOBS.join(', ')}` }),
  min: z.optional(z.number().check(z.nonnegative())),
  max: z.optional(z.number().check(z.positive())),
  maxStep: z.optional(z.number().check(z.positive({ error: 'must be above 0: the largest change per tick' }))),
  // Per knob, not in `defaults`: it is in the knob's own units, which differ between knobs.
  safeValue: z.optional(z.number().check(z.nonnegative({ error: 'must be 0 or more: the knob value to fall back to when blind' }))),
});

const gainsSchema = z.strictObject({
  kp: z.number().check(z.nonnegative({ error: 'must be 0 or more: gains are positive, the direction is built in' })),
  ki: z.number().check(z.nonnegative({ error: 'must be 0 or more (per minute)' })),
  kd: z.number().check(z.nonnegative({ error: 'must be 0 or more (minutes)' })),
});

/** Tunables shared by every campaign; `defaults` sets them for all, a campaign overrides its own. */
const tuningShape = {
  windowMinutes: z.optional(z.int().check(z.minimum(5), z.maximum(120))),
  minSample: z.optional(z.int().check(z.minimum(1))),
  deadBand: z.optional(z.number().check(z.minimum(0), z.maximum(0.5))),
  dryRun: z.optional(z.boolean()),
  maxGapMinutes: z.optional(z.number().check(z.positive(), z.maximum(24 * 60))),
  derivativeFilterMinutes: z.optional(z.number().check(z.positive(), z.maximum(60))),
  blindTicksBeforeSafe: z.optional(
    z.int({ error: 'must be a whole number of ticks' }).check(
      z.minimum(1, { error: 'must be at least 1 tick' }),
      z.maximum(1440, { error: 'must be at most 1440 ticks (a day of 1-minute ticks)' }),
    ),
  ),
};

const campaignSchema = z.strictObject({
  campaignId: uuidLike,
  name: z.optional(z.string().check(z.maxLength(200))),
  objective: objectiveSchema,
  setpoint: fraction('the target as a fraction, e.g. 0.8 service level or 0.025 abandon rate'),
  knob: z.optional(knobSchema),
  gains: z.optional(gainsSchema),
  ...tuningShape,
});

const genesysSchema = z
  .strictObject({
    region: z.optional(z.enum(GENESYS_REGION_HOSTS, { error: `must be one of ${GENESYS_REGION_HOSTS.join(', ')}` })),
    localBaseUrl: z.optional(
      z.string().check(
        z.regex(/^http:\/\/(127\.0\.0\.1|localhost)(:\d{1,5})?$/, {
          error: 'must be http://127.0.0.1:<port> or http://localhost:<port> (only the local twin and tests use it)',
        }),
      ),
    ),
    requestTimeoutSeconds: z.optional(z.number().check(z.positive(), z.maximum(60))),
    requestsPerMinute: z.optional(
      z
        .number({ error: 'must be the OAuth client\'s Genesys rate limit in requests per minute (300 unless Genesys raised it)' })
        .check(
          z.int({ error: 'must be a whole number of requests per minute, e.g. 300' }),
          z.minimum(30, { error: 'must be at least 30: a tick needs a few dozen reads' }),
          z.maximum(10_000, { error: 'must be at most 10000 requests per minute' }),
        ),
    ),
  })
  .check(
    z.refine((g) => (g.region === undefined) !== (g.localBaseUrl === undefined), {
      error: 'set exactly one of "region" (e.g. "mypurecloud.com") or "localBaseUrl"',
    }),
  );

/** The deployment's configuration file (pacing.config.json) as written by the operator. */
export const pacingConfigSchema = z
  .strictObject({
    $schema: z.optional(z.string()),
    genesys: genesysSchema,
    secretName: z
      .string()
      .check(
        z.minLength(1),
        z.maxLength(512),
        z.regex(/^[A-Za-z0-9/_+=.@-]+$/, { error: 'must be a Secrets Manager name (letters, digits and /_+=.@-)' }),
      ),
    defaults: z.optional(z.strictObject(tuningShape)),
    auditRetentionDays: z.optional(
      z
        .number({ error: 'must be how many days audit entries are kept, e.g. 730 for 24 months' })
        .check(
          z.int({ error: 'must be a whole number of days, e.g. 730 for 24 months' }),
          z.minimum(30, { error: 'must be at least 30 days: regulators ask for months or years of records (730 is 24 months)' }),
          z.maximum(3_650, { error: 'must be at most 3650 days (10 years)' }),
        ),
    ),
    campaigns: z
      .array(campaignSchema)
      .check(z.minLength(1, { error: 'list at least one campaign to control' }), z.maxLength(2000)),
  })
  .check(
    z.superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.campaigns.forEach((c, i) => {
      if (seen.has(c.campaignId)) {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'campaignId'], message: 'appears twice: list each campaign once' });
      }
      seen.add(c.campaignId);
      const knob = c.knob?.name ?? DEFAULT_KNOB[c.objective.kind];
      const d = KNOB_DEFAULTS[knob];
      const min = c.knob?.min ?? d.min;
      const max = c.knob?.max ?? d.max;
      if (min >= max) {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'knob'], message: `min (${min}) must be below max (${max})` });
      }
      const safe = c.knob?.safeValue;
      if (safe !== undefined && (safe < min || safe > max)) {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'knob', 'safeValue'], message: `must be within the knob's bounds [${min}, ${max}]: the value pacing falls back to when blind` });
      }
      if (knob === 'outboundLineCount' && safe !== undefined && !Number.isInteger(safe)) {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'knob', 'safeValue'], message: 'must be a whole number of lines' });
      }
      if (knob === 'maxCallsPerAgent' && max > 15) {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'knob', 'max'], message: 'Genesys allows at most 15 calls per agent: set max to 15 or less' });
      }
      if (knob === 'abandonRate' && max > 100) {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'knob', 'max'], message: 'abandonRate is a percentage: set max to 100 or less (3 is the legal cap)' });
      }
      if (knob === 'outboundLineCount' && (!Number.isInteger(min) || !Number.isInteger(max))) {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'knob'], message: 'outboundLineCount bounds must be whole numbers of lines' });
      }
      if (c.objective.kind === 'queueServiceLevel' && knob !== 'outboundLineCount') {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'knob', 'name'], message: 'an agentless campaign feeding a queue is paced by outboundLineCount' });
      }
    });
    }),
  );

export type PacingConfigInput = z.input<typeof pacingConfigSchema>;
