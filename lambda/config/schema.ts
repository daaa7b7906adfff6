import * as z from 'zod/mini';
import { gridAbove, gridBelow } from '../control/grid.js';
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
const KNOB_DEFAULTS: Record<
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

/** The legal cap both the US and UK rules set, as a fraction of live answers: the compliance limit unless configured. */
export const DEFAULT_ABANDON_LIMIT = 0.03;

/**
 * A knob's defaults under a campaign's compliance limit: Genesys's abandon target never defaults
 * above the limit (in percent), so a stricter limit needs no knob bounds of its own.
 */
export function knobDefaults(knob: KnobName, limit: number | undefined): (typeof KNOB_DEFAULTS)[KnobName] {
  const d = KNOB_DEFAULTS[knob];
  return knob === 'abandonRate' ? { ...d, max: Math.min(d.max, limitPercent(limit)) } : d;
}

/** A compliance limit (a fraction; the default when unset) in Genesys's percent. */
function limitPercent(limit: number | undefined): number {
  return +(100 * (limit ?? DEFAULT_ABANDON_LIMIT)).toFixed(6);
}

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
      dedicatedAgents: z.optional(z.boolean({ error: 'must be true or false: true when the queue\'s agents take no calls but this campaign\'s transfers' })),
      fullServiceLevelRise: z.optional(z.boolean({ error: 'must be true or false: true to rise on a service level measured at 100%, up to the lines Erlang C says the team can take' })),
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

/** Gains of the compliance loop, in knob units per unit of abandon-rate error (0.01 = one point). */
export const COMPLIANCE_GAINS: Record<KnobName, { kp: number; ki: number; kd: number }> = {
  maxCallsPerAgent: { kp: 10, ki: 2, kd: 0 },
  abandonRate: { kp: 40, ki: 10, kd: 0 },
  outboundLineCount: { kp: 200, ki: 50, kd: 0 },
};

const windowSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('periods'),
      days: z.int({ error: 'must be a whole number of days (30 for the US rule)' }).check(z.minimum(1), z.maximum(366)),
      anchor: z.optional(
        z.iso.datetime({ offset: true, error: 'must be an ISO-8601 time such as 2026-05-01T00:00:00Z (the campaign start)' }),
      ),
    }),
    z.strictObject({
      type: z.literal('rolling'),
      hours: z.int({ error: 'must be a whole number of hours (24 for the UK rule)' }).check(z.minimum(1), z.maximum(168)),
    }),
  ],
  { error: 'must be {"type": "periods", "days": 30} (US) or {"type": "rolling", "hours": 24} (UK) (field "type")' },
);

const rate = (what: string) =>
  z
    .number({ error: `must be a number: ${what}` })
    .check(z.minimum(0, { error: `must be 0 or more: ${what}` }), z.lt(1, { error: `must be below 1: ${what} (write 0.03 for 3%)` }));

/**
 * The abandonment rule and how the loop keeps to it. Every field is optional; `defaults.compliance`
 * sets them for all campaigns and a campaign's own `compliance` overrides field by field.
 */
const complianceShape = z.strictObject({
  limit: z.optional(rate('the legal cap on abandoned / live-answered calls')),
  window: z.optional(windowSchema),
  aim: z.optional(rate('the window rate the budget steers to, below the limit')),
  closeMargin: z.optional(rate('how far below the limit the loop may run while the budget is plentiful')),
  warningRate: z.optional(rate('the window rate that raises the compliance alarm')),
  horizonMinutes: z.optional(z.int().check(z.minimum(5), z.maximum(24 * 60))),
  windowMinutes: z.optional(z.int().check(z.minimum(5), z.maximum(240))),
  minSample: z.optional(z.int().check(z.minimum(1))),
  settleSeconds: z.optional(z.int().check(z.minimum(0), z.maximum(900))),
  guard: z.optional(
    z.strictObject({
      minutes: z.optional(z.int().check(z.minimum(1), z.maximum(60))),
      minSample: z.optional(z.int().check(z.minimum(1))),
      significance: z.optional(
        z
          .number()
          .check(
            z.gt(0, { error: 'must be above 0: how unlikely the abandons must be at the limit (0.01)' }),
            z.maximum(0.5, { error: 'must be at most 0.5 (0.01 trips on spikes a rate at the limit explains once in a hundred windows)' }),
          ),
      ),
    }),
  ),
  knob: z.optional(
    z.strictObject({
      name: z.enum(KNOBS, { error: `must be one of ${KNOBS.join(', ')}` }),
      min: z.optional(z.number().check(z.nonnegative())),
      max: z.optional(z.number().check(z.positive())),
      maxStep: z.optional(z.number().check(z.positive({ error: 'must be above 0: the largest change per tick' }))),
    }),
  ),
  gains: z.optional(gainsSchema),
  amdFalsePositiveRate: z.optional(
    z
      .number({ error: 'must be a number: the share of live answers the answering-machine detector hangs up on (0.005 for 0.5%)' })
      .check(
        z.minimum(0, { error: 'must be 0 or more: the share of live answers hung up on as machines (0 without AMD)' }),
        z.maximum(0.5, { error: 'must be at most 0.5: a share of live answers such as 0.005 for 0.5% (write 0.005, not 0.5)' }),
      ),
  ),
  respectManualValues: z.optional(
    z.boolean({ error: 'must be true (leave a value a person set outside the bounds alone) or false (the compliance limit overrides it once the budget is spent)' }),
  ),
});
export type ComplianceInput = z.input<typeof complianceShape>;

/**
 * The threshold policy (pacing.md section 3): outbound only while the objective's queue keeps the
 * agents it needs for its service-level target (Erlang C on its load; blended agents and their
 * inbound queue, or an agentless campaign's transfer queue), at least the load plus
 * `reserveAgents`, and no more than `waitingLimit` calls wait there.
 */
const blendingShape = z.strictObject({
  // Replaced by the Erlang C reserve; kept only to name the fix for a configuration that still has it.
  reserveShare: z.optional(
    z.never({
      error:
        'was removed: the reserve is now the agents the inbound queue needs for its service-level target (Erlang C on the measured load and handle time), not a share of the team; delete "reserveShare" (use "reserveAgents" for agents kept free above the load)',
    }),
  ),
  reserveAgents: z.optional(z.int().check(z.minimum(0))),
  waitingLimit: z.optional(z.int().check(z.minimum(0))),
  arrivalMinutes: z.optional(z.int().check(z.minimum(1), z.maximum(60))),
});

/**
 * Feedforward: knob units per idle agent above `idleTarget`, minus knob units per call waiting.
 * Source `queue` (default): the objective queue's live state (idle agents, calls waiting).
 * Source `dialer`: the campaign's performance figures (idle agents, and as "waiting" the live
 * answers on their way: outstanding calls x connect ratio). Acts within the tick.
 */
const feedforwardShape = z.strictObject({
  source: z.optional(z.enum(['queue', 'dialer'], { error: 'must be "queue" (the live queue) or "dialer" (the campaign performance figures)' })),
  idleGain: z.number().check(z.nonnegative({ error: 'must be 0 or more: knob units per idle agent above idleTarget' })),
  waitingGain: z.number().check(z.nonnegative({ error: 'must be 0 or more: knob units taken off per call waiting' })),
  idleTarget: z.optional(z.number().check(z.nonnegative())),
});

/** Gains scheduled by team size: scaled by on-queue agents / referenceAgents, within [minScale, 1]. */
const gainScheduleShape = z.strictObject({
  referenceAgents: z.number().check(z.positive()),
  minScale: z.number().check(z.gt(0), z.maximum(1)),
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
  startMinutes: z.optional(
    z
      .int({ error: 'must be a whole number of minutes: how long pacing ramps up from the safe value after a start (0: no ramp)' })
      .check(z.minimum(0, { error: 'must be 0 (no ramp) or more minutes' }), z.maximum(240, { error: 'must be at most 240 minutes' })),
  ),
  compliance: z.optional(complianceShape),
  blending: z.optional(blendingShape),
  feedforward: z.optional(feedforwardShape),
  gainSchedule: z.optional(gainScheduleShape),
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

const secretNameSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(512),
    z.regex(/^[A-Za-z0-9/_+=.@-]+$/, { error: 'must be a Secrets Manager name (letters, digits and /_+=.@-)' }),
  );

/** A secret's complete ARN: the name, then "-" and the six characters Secrets Manager adds. */
export const SECRET_ARN_PATTERN = /^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;

/** A shard's name: it names its function, rule, secret, metrics (service dimension) and alarms. */
export const SHARD_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,23}$/;

/** EventBridge schedule expressions: rate(1 minute), rate(5 minutes), cron(...). */
const SCHEDULE_PATTERN = /^(rate\(1 minute\)|rate\([1-9]\d* minutes\)|cron\([^)]+\))$/;

/**
 * One shard: campaigns ticked by their own function on their own schedule with their own OAuth
 * client (its own secret, so its own Genesys rate limit).
 */
const shardSchema = z.strictObject({
  name: z.string().check(
    z.regex(SHARD_NAME_PATTERN, { error: 'must be 1 to 24 lower-case letters, digits and hyphens, starting with a letter or digit, e.g. "east"' }),
  ),
  secretName: z.optional(secretNameSchema),
  secretArn: z.optional(
    z.string().check(
      z.regex(SECRET_ARN_PATTERN, {
        error: "must be a secret's complete ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>",
      }),
    ),
  ),
  schedule: z.optional(
    z.string().check(z.regex(SCHEDULE_PATTERN, { error: 'must be an EventBridge schedule expression: "rate(1 minute)", "rate(2 minutes)" or "cron(...)"' })),
  ),
  campaignIds: z
    .array(uuidLike, { error: 'must list the campaign ids this shard ticks' })
    .check(z.minLength(1, { error: 'list at least one campaign id, or remove the shard' })),
});

/** The deployment's configuration file (pacing.config.json) as written by the operator. */
export const pacingConfigSchema = z
  .strictObject({
    $schema: z.optional(z.string()),
    genesys: genesysSchema,
    // An existing secret; left out, the stack creates one (infra/pacing-controller.ts).
    secretName: z.optional(secretNameSchema),
    defaults: z.optional(z.strictObject(tuningShape)),
    // Default 1827 days (five years, the US Telemarketing Sales Rule, 16 CFR 310.5): DEFAULT_AUDIT_RETENTION_DAYS.
    auditRetentionDays: z.optional(
      z
        .number({ error: 'must be how many days audit entries are kept, e.g. 1827 for five years (the US rule)' })
        .check(
          z.int({ error: 'must be a whole number of days, e.g. 1827 for five years' }),
          z.minimum(30, { error: 'must be at least 30 days: regulators ask for years of records (1827 is five years, the US rule)' }),
          z.maximum(3_653, { error: 'must be at most 3653 days (ten years)' }),
        ),
    ),
    metrics: z.optional(
      z.strictObject({
        perCampaign: z.optional(
          z.boolean({ error: 'must be true (8 CloudWatch metrics per campaign, billed each) or false (fleet-level metrics; per-campaign detail from the logs)' }),
        ),
      }),
    ),
    campaigns: z
      .array(campaignSchema)
      .check(z.minLength(1, { error: 'list at least one campaign to control' }), z.maxLength(2000)),
    // Left out: one shard of every campaign, with the top-level secretName (lambda/config/shards.ts).
    shards: z.optional(z.array(shardSchema).check(z.minLength(1, { error: 'list at least one shard, or leave "shards" out for one' }))),
  })
  .check(
    z.superRefine((cfg, ctx) => {
    if (cfg.shards) checkShards(cfg, cfg.shards, ctx);
    const seen = new Set<string>();
    cfg.campaigns.forEach((c, i) => {
      if (seen.has(c.campaignId)) {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'campaignId'], message: 'appears twice: list each campaign once' });
      }
      seen.add(c.campaignId);
      const knob = c.knob?.name ?? DEFAULT_KNOB[c.objective.kind];
      const compliance = mergeCompliance(cfg.defaults?.compliance, c.compliance);
      const { min, max } = checkKnobBounds(knob, c.knob, compliance.limit, ['campaigns', i, 'knob'], ctx);
      const safe = c.knob?.safeValue;
      if (safe !== undefined && (safe < min || safe > max)) {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'knob', 'safeValue'], message: `must be within the knob's bounds [${min}, ${max}]: the value pacing falls back to when blind` });
      }
      if (knob === 'outboundLineCount' && safe !== undefined && !Number.isInteger(safe)) {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'knob', 'safeValue'], message: 'must be a whole number of lines' });
      }
      checkCompliance(compliance, knob, c, ['campaigns', i, 'compliance'], ctx);
      const feedforward = c.feedforward ?? cfg.defaults?.feedforward;
      if (feedforward && (feedforward.source ?? 'queue') === 'queue' && c.objective.kind === 'abandonRate') {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'feedforward'], message: 'with source "queue" it needs a queue objective (inboundServiceLevel or queueServiceLevel), where idle agents and waiting calls are read; use source "dialer" for the campaign\'s own figures' });
      }
      if ((c.blending ?? cfg.defaults?.blending) && c.objective.kind === 'abandonRate') {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'blending'], message: 'needs a queue objective (inboundServiceLevel or queueServiceLevel): it keeps agents free for that queue' });
      }
      if (c.objective.kind === 'queueServiceLevel' && knob !== 'outboundLineCount') {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'knob', 'name'], message: 'an agentless campaign feeding a queue is paced by outboundLineCount' });
      }
      if (c.objective.kind === 'queueServiceLevel' && c.objective.fullServiceLevelRise && !c.objective.dedicatedAgents) {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'objective', 'fullServiceLevelRise'], message: 'needs "dedicatedAgents": true: a service level of 100% means agents idle for want of transfers only on a team that takes no other calls' });
      }
      if (c.objective.kind === 'queueServiceLevel' && c.objective.fullServiceLevelRise && !(c.blending ?? cfg.defaults?.blending)) {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'objective', 'fullServiceLevelRise'], message: 'needs blending (the transfers\' load is read through it): add "blending": {}' });
      }
    });
    }),
  );

export type PacingConfigInput = z.input<typeof pacingConfigSchema>;

type Issues = z.core.$RefinementCtx;

/**
 * Every campaign in exactly one shard, every shard's campaigns configured, names and OAuth clients
 * distinct. The request budget of each shard is checked once defaults are filled in (shards.ts).
 */
function checkShards(
  cfg: { secretName?: string | undefined; campaigns: Array<{ campaignId: string }> },
  shards: Array<z.output<typeof shardSchema>>,
  ctx: Issues,
): void {
  if (cfg.secretName !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['secretName'], message: 'cannot be used with "shards": each shard has its own OAuth client; give it as shards[].secretName (or leave it out for a new secret)' });
  }
  const configured = new Set(cfg.campaigns.map((c) => c.campaignId));
  const shardOf = new Map<string, string>();
  const names = new Map<string, number>();
  const secrets = new Map<string, string>();
  shards.forEach((shard, i) => {
    const here = ['shards', i];
    if (names.has(shard.name)) ctx.addIssue({ code: 'custom', path: [...here, 'name'], message: `"${shard.name}" is also the name of shards[${names.get(shard.name)}]: give each shard its own name` });
    names.set(shard.name, i);
    if (shard.secretName !== undefined && shard.secretArn !== undefined) {
      ctx.addIssue({ code: 'custom', path: here, message: `shard "${shard.name}": give its secret once, as secretName or secretArn, not both` });
    }
    const secret = shard.secretArn ?? shard.secretName;
    if (secret !== undefined) {
      const other = secrets.get(secret);
      if (other !== undefined) {
        ctx.addIssue({ code: 'custom', path: here, message: `shard "${shard.name}" uses the secret of shard "${other}" (${secret}): shards sharing an OAuth client share its rate limit; give each shard its own client and secret` });
      }
      secrets.set(secret, shard.name);
    }
    shard.campaignIds.forEach((id, j) => {
      const path = [...here, 'campaignIds', j];
      const other = shardOf.get(id);
      if (other === shard.name) ctx.addIssue({ code: 'custom', path, message: `shard "${shard.name}" lists campaign ${id} twice: list it once` });
      else if (other !== undefined) ctx.addIssue({ code: 'custom', path, message: `campaign ${id} is in shard "${other}" and in shard "${shard.name}": keep it in one of them (two functions would pace it at once)` });
      else if (!configured.has(id)) ctx.addIssue({ code: 'custom', path, message: `shard "${shard.name}" lists campaign ${id}, which is not in "campaigns": configure it there or remove it from the shard` });
      shardOf.set(id, shard.name);
    });
  });
  const unsharded = cfg.campaigns.map((c) => c.campaignId).filter((id) => !shardOf.has(id));
  if (unsharded.length > 0) {
    const shown = unsharded.slice(0, 5).join(', ') + (unsharded.length > 5 ? ` and ${unsharded.length - 5} more` : '');
    ctx.addIssue({ code: 'custom', path: ['shards'], message: `campaign(s) ${shown} are in no shard, so nothing would pace them: add each to one shard's campaignIds` });
  }
}

/**
 * A campaign's default gains, in knob units per unit of its objective's error. A knob's own gains
 * are made for a service level's error (points of service: 0.1 below target moves 0.2 calls per
 * agent or 4 lines at once); an abandon-rate objective's error is a small fraction (0.025 of
 * headroom at most), on which those gains crawl (0.05 calls per agent every four minutes with no
 * abandon at all), so it takes the compliance loop's gains, made for that error. Genesys's
 * `abandonRate` knob is in the objective's own units already and keeps its gains.
 */
export function defaultGains(objective: ObjectiveKind, knob: KnobName): { kp: number; ki: number; kd: number } {
  return objective === 'abandonRate' && knob !== 'abandonRate' ? COMPLIANCE_GAINS[knob] : KNOB_DEFAULTS[knob].gains;
}

/** Bounds that Genesys, the knob's meaning and the compliance limit allow; returns the bounds in force. */
function checkKnobBounds(
  knob: KnobName,
  given: { min?: number | undefined; max?: number | undefined } | undefined,
  limit: number | undefined,
  path: PropertyKey[],
  ctx: Issues,
): { min: number; max: number } {
  const d = knobDefaults(knob, limit);
  const min = given?.min ?? d.min;
  const max = given?.max ?? d.max;
  if (min >= max) ctx.addIssue({ code: 'custom', path, message: `min (${min}) must be below max (${max})` });
  else if (gridAbove(min, d.resolution) > gridBelow(max, d.resolution)) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: `min (${min}) and max (${max}) hold no value Genesys takes: ${knob} moves in steps of ${d.resolution}; widen them to include one, such as ${gridAbove(min, d.resolution)}`,
    });
  }
  if (knob === 'maxCallsPerAgent' && max > 15) {
    ctx.addIssue({ code: 'custom', path: [...path, 'max'], message: 'Genesys allows at most 15 calls per agent: set max to 15 or less' });
  }
  if (knob === 'abandonRate' && max > 100) {
    ctx.addIssue({ code: 'custom', path: [...path, 'max'], message: 'abandonRate is a percentage: set max to 100 or less (3 is the legal cap)' });
  } else if (knob === 'abandonRate' && max > limitPercent(limit) + 1e-9) {
    // Genesys's abandonRate is the dialer's own target, and what Genesys keeps dialing at whenever
    // the controller cannot reach it: above the limit it aims to break the rule.
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'max'],
      message: `${max} is above the compliance limit (${limitPercent(limit)}%): Genesys would aim to abandon more calls than the rule allows; set max to ${limitPercent(limit)} or less (below it under a 24-hour rule)`,
    });
  }
  if (knob === 'outboundLineCount' && (!Number.isInteger(min) || !Number.isInteger(max))) {
    ctx.addIssue({ code: 'custom', path, message: 'outboundLineCount bounds must be whole numbers of lines' });
  }
  return { min, max };
}

/**
 * A campaign's compliance settings over `defaults.compliance`, field by field (the guard too).
 * The config resolver fills the remaining defaults from the same merge.
 */
export function mergeCompliance(defaults: ComplianceInput | undefined, own: ComplianceInput | undefined): ComplianceInput {
  const defined = <T extends object>(o: T | undefined): Partial<T> =>
    Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
  return { ...defined(defaults), ...defined(own), guard: { ...defined(defaults?.guard), ...defined(own?.guard) } };
}

function checkCompliance(
  c: ComplianceInput,
  campaignKnob: KnobName,
  campaign: { objective: { kind: ObjectiveKind }; setpoint: number },
  path: PropertyKey[],
  ctx: Issues,
): void {
  const limit = c.limit ?? DEFAULT_ABANDON_LIMIT;
  if (limit <= 0) ctx.addIssue({ code: 'custom', path: [...path, 'limit'], message: 'must be above 0 (0.03 is the US and UK cap)' });
  const closeMargin = c.closeMargin ?? Math.min(0.002, limit / 2);
  if (closeMargin >= limit) ctx.addIssue({ code: 'custom', path: [...path, 'closeMargin'], message: `must be below the limit (${limit})` });
  if (c.aim !== undefined && c.aim > limit - closeMargin + 1e-12) {
    ctx.addIssue({ code: 'custom', path: [...path, 'aim'], message: `must be at or below limit - closeMargin (${+(limit - closeMargin).toFixed(6)}): the budget steers below the cap` });
  }
  if (c.warningRate !== undefined && c.warningRate > limit) {
    ctx.addIssue({ code: 'custom', path: [...path, 'warningRate'], message: `must be at or below the limit (${limit}): it warns before a breach` });
  }
  if (campaign.objective.kind === 'abandonRate' && campaign.setpoint > limit) {
    ctx.addIssue({ code: 'custom', path: [...path.slice(0, -1), 'setpoint'], message: `must be at or below the compliance limit (${limit})` });
  }
  if (c.knob) {
    if (c.knob.name === campaignKnob && (c.knob.min !== undefined || c.knob.max !== undefined || c.knob.maxStep !== undefined)) {
      ctx.addIssue({ code: 'custom', path: [...path, 'knob'], message: `is the campaign's own knob (${campaignKnob}): set its bounds in "knob", or leave compliance.knob out` });
    } else {
      checkKnobBounds(c.knob.name, c.knob, c.limit, [...path, 'knob'], ctx);
    }
  }
}
