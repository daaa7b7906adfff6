import { readFileSync } from 'node:fs';
import { DEFAULT_AMD_FALSE_POSITIVE_RATE } from '../compliance/amd.js';
import type * as z from 'zod/mini';
import {
  COMPLIANCE_GAINS,
  DEFAULT_ABANDON_LIMIT,
  DEFAULT_KNOB,
  defaultGains,
  knobDefaults,
  mergeCompliance,
  pacingConfigSchema,
  type ComplianceInput,
  type KnobName,
  type ObjectiveKind,
} from './schema.js';
import { DEFAULT_SCHEDULE, DEFAULT_SHARD_NAME, overBudgetProblem, type ShardConfig } from './shards.js';

/** A knob with its bounds, largest move per tick and write resolution, in Genesys's units. */
export interface KnobConfig {
  name: KnobName;
  min: number;
  max: number;
  maxStep: number;
  resolution: number;
}

/** PID gains: kp per unit of error, ki per unit of error per minute, kd per unit of error-rate in minutes. */
export interface Gains {
  kp: number;
  ki: number;
  kd: number;
}

/** The regulatory window over which abandoned / live-answered calls must stay at or below the limit. */
export type ComplianceWindow =
  /** Successive fixed periods from `anchor` (epoch ms; the first tick's time when absent): the US rule, 30 days. */
  | { type: 'periods'; days: number; anchor?: number }
  /** Any window of this many hours: the UK rule, 24 hours. */
  | { type: 'rolling'; hours: number };

/** How a campaign keeps to the abandonment rule, every default filled in. */
export interface ComplianceConfig {
  /** The legal cap, a fraction of live-answered calls (0.03). */
  limit: number;
  window: ComplianceWindow;
  /** The window rate the budget steers to; the loop gets stricter once the window runs above it. */
  aim: number;
  /** While the budget is plentiful the loop may run up to limit - closeMargin, never higher. */
  closeMargin: number;
  /** Window rate that counts as a warning (metric ComplianceWarnings, alarm). */
  warningRate: number;
  /** The budget is spread over the live answers expected in this many minutes. */
  horizonMinutes: number;
  /** Window of the abandon rate the compliance loop measures. */
  windowMinutes: number;
  /** Live answers needed before that rate is acted on. */
  minSample: number;
  /** Facts younger than this are counted at a later tick, once Genesys has settled them. */
  settleSeconds: number;
  /**
   * The short-window guard: over the last `minutes`, on at least `minSample` live answers, more
   * abandons than a rate at the limit explains (binomial tail below `significance`) cut at once.
   */
  guard: { minutes: number; minSample: number; significance: number };
  /** The knob the compliance loop moves; when it is the campaign's own knob, it caps the PID's output. */
  knob: KnobConfig;
  gains: Gains;
  /**
   * Share of live answers the answering-machine detector hangs up on, counted as abandoned live
   * calls (the UK rule counts them; Genesys reports none): 0.005 under a rolling (UK) window, 0
   * under periods (US) unless set (lambda/compliance/amd.ts).
   */
  amdFalsePositiveRate: number;
  /**
   * When the budget is spent, the compliance limit applies even to a value a person set above the
   * knob's bounds (false, the default); true leaves manual values alone, as before.
   */
  respectManualValues: boolean;
}

/** The threshold policy for blended agents: outbound only while enough agents stay free for inbound. */
export interface BlendingConfig {
  /** At least this many agents kept free above the inbound load (the Erlang C reserve may ask for more). */
  reserveAgents: number;
  /** Inbound calls waiting above this hold outbound at once. */
  waitingLimit: number;
  /** Window of the inbound arrival rate behind the load estimate. */
  arrivalMinutes: number;
}

/** A campaign with every default filled in: what the control loop runs on. */
export interface CampaignConfig {
  campaignId: string;
  name?: string;
  objective:
    | { kind: 'inboundServiceLevel'; queueId: string; serviceLevelThresholdSeconds?: number }
    | { kind: 'abandonRate' }
    | {
        kind: 'queueServiceLevel';
        queueId: string;
        serviceLevelThresholdSeconds?: number;
        /**
         * The queue's agents take no calls but this campaign's transfers (no inbound queue, no other
         * campaign): their idle agents are the campaign's to fill, so a feedforward's offset is never
         * absorbed into a base below the knob's minimum (pid.ts `integralFloor`). The starting rule
         * sets it for an agentless campaign whose team answers no inbound queue. Default false.
         */
        dedicatedAgents?: boolean;
        /**
         * On a dedicated team, a service level measured at 100% means agents idle for want of
         * transfers, and the lines rise on it up to what Erlang C says the team can take (fast-cut.ts
         * `linesForServiceLevel`). Default false; the starting rule sets it on a dedicated team of
         * 20 agents or more (smaller teams lost quarter-hours to it). Only with `dedicatedAgents`
         * and `blending`, through which the transfers' load is read.
         */
        fullServiceLevelRise?: boolean;
      };
  /** Target of the measured value, as a fraction (0.8 service level, 0.025 abandon rate). */
  setpoint: number;
  /** `safeValue`: where pacing goes after `blindTicksBeforeSafe` blind ticks (the least aggressive value, `min`, unless set). */
  knob: KnobConfig & { safeValue: number };
  gains: Gains;
  windowMinutes: number;
  minSample: number;
  deadBand: number;
  dryRun: boolean;
  maxGapMinutes: number;
  derivativeFilterMinutes: number;
  /** Consecutive blind ticks (metrics unreadable or stale) after which pacing steps toward `knob.safeValue`. */
  blindTicksBeforeSafe: number;
  /** Minutes after a start (first tick, status becoming `on`) during which pacing ramps up from the safe value; 0: no ramp. */
  startMinutes: number;
  compliance: ComplianceConfig;
  /** Present when the threshold policy guards the objective's queue (queue objectives only). */
  blending?: BlendingConfig;
  /** Present when idle agents and waiting calls feed forward into the knob. */
  feedforward?: FeedforwardConfig;
  /** Present when the gains are scheduled by team size. */
  gainSchedule?: { referenceAgents: number; minScale: number };
}

export interface PacingConfig {
  genesys: {
    apiBaseUrl: string;
    loginBaseUrl: string;
    requestTimeoutMs: number;
    /** The OAuth client's Genesys rate limit; a tick stays below it. */
    requestsPerMinute: number;
  };
  /**
   * The Secrets Manager secret holding the Genesys OAuth client, when it exists apart from the stack.
   * Deployed, the stack uses it instead of creating one and tells the function (see
   * lambda/credentials.ts); left out, the stack creates the secret. Runs outside the stack read it.
   */
  secretName?: string;
  /** Days audit entries are kept before DynamoDB's TTL deletes them ({@link DEFAULT_AUDIT_RETENTION_DAYS} unless set). */
  auditRetentionDays: number;
  /** Which CloudWatch metrics the controller publishes (lambda/observability.ts). */
  metrics: {
    /**
     * Also publish 8 metrics per campaign (dimension campaignId). Off by default: CloudWatch bills each
     * metric, about $1,200 a month at 500 campaigns; the fleet-level metrics drive the alarms, and each
     * campaign's detail is in its log line (README: Logs Insights queries).
     */
    perCampaign: boolean;
  };
  campaigns: CampaignConfig[];
  /**
   * Who ticks which campaigns: the configured `shards`, else one shard ({@link DEFAULT_SHARD_NAME}) of
   * every campaign. Every campaign is in exactly one.
   */
  shards: ShardConfig[];
}

/** Genesys's default rate limit per OAuth token (pacing.md section 1). */
export const DEFAULT_REQUESTS_PER_MINUTE = 300;
/**
 * Five years, counted as 5 x 365 + 2 = 1827 days: any five consecutive years hold at most two
 * 29 Februaries, so an entry is never deleted before its fifth anniversary.
 *
 * The US Telemarketing Sales Rule requires sellers and telemarketers to keep their records for five
 * years from the date the record is produced (16 CFR 310.5(a), as amended by the FTC's final rule of
 * 16 April 2024, 89 FR 26760: in force from 16 May 2024, its new call-record requirement,
 * 310.5(a)(2), from 15 October 2024; before it the period was 24 months). The audit trail is part of
 * that record of how calls were paced. Other regimes may ask for less or more: `auditRetentionDays`.
 */
export const DEFAULT_AUDIT_RETENTION_DAYS = 5 * 365 + 2;
/** The US rule: 3% of live-answered calls over each 30-day period of the campaign (pacing.md section 2). */
export const COMPLIANCE_DEFAULTS = {
  limit: DEFAULT_ABANDON_LIMIT,
  window: { type: 'periods', days: 30 },
  /** Below the limit by this much unless `aim` is set. */
  aimBelowLimit: 0.005,
  closeMargin: 0.002,
  /** warningRate = limit * this unless set. */
  warningShare: 0.9,
  horizonMinutes: 60,
  windowMinutes: 30,
  minSample: 20,
  settleSeconds: 60,
  guard: { minutes: 10, minSample: 10, significance: 0.01 },
} as const;

/** Feedforward on the campaign's knob: per idle agent above the target, minus per call waiting. */
export interface FeedforwardConfig {
  /** `queue`: the objective queue's live state; `dialer`: the campaign's performance figures. */
  source: 'queue' | 'dialer';
  idleGain: number;
  waitingGain: number;
  idleTarget: number;
}

/** Defaults of the blending threshold policy. */
export const BLENDING_DEFAULTS: BlendingConfig = { reserveAgents: 2, waitingLimit: 2, arrivalMinutes: 5 };

/** Defaults for the loop's tunables when neither the campaign nor `defaults` sets them. */
export const TUNING_DEFAULTS: Pick<
  CampaignConfig,
  'windowMinutes' | 'minSample' | 'deadBand' | 'dryRun' | 'maxGapMinutes' | 'derivativeFilterMinutes' | 'blindTicksBeforeSafe' | 'startMinutes'
> = {
  windowMinutes: 15,
  minSample: 20,
  // For a service level; an abandon-rate objective's is a share of its setpoint (deadBandFor).
  deadBand: 0.01,
  dryRun: false,
  maxGapMinutes: 10,
  derivativeFilterMinutes: 2,
  // Five minutes of 1-minute ticks: long enough to ride out a brief API outage, short enough
  // that a campaign does not dial blind at an aggressive setting for long.
  blindTicksBeforeSafe: 5,
  // Off unless set: the starting configuration rule sets STARTING_RAMP_MINUTES (starting-config.ts).
  startMinutes: 0,
};

/** An abandon-rate objective's default dead-band, as a share of its setpoint: 2.5% idles between 2.25% and 2.75%. */
export const ABANDON_DEAD_BAND_SHARE = 0.1;

/**
 * The default dead-band in the objective's units: a service level's error is in points of service
 * (0.01, one point); an abandon rate's is a small fraction, so its dead-band is
 * {@link ABANDON_DEAD_BAND_SHARE} of the setpoint (0.01 would leave a 2.5% target idle anywhere
 * between 1.5% and 3.5%).
 */
export function deadBandFor(objective: ObjectiveKind, setpoint: number): number {
  return objective === 'abandonRate' ? tidy(ABANDON_DEAD_BAND_SHARE * setpoint) : TUNING_DEFAULTS.deadBand;
}

/** A configuration that cannot be used; the message lists every field at fault and how to fix it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid pacing configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

/**
 * Turns zod issues into "field: problem" lines an operator can act on. Parse with
 * `{ reportInput: true }`: an issue without its input is a missing field.
 */
export function describeIssues(error: z.core.$ZodError): string[] {
  return error.issues.map((issue) => {
    const field = pathOf(issue.path) || '(top level)';
    if (issue.code === 'unrecognized_keys') {
      return `${field}: unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove them or check the spelling`;
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      return `${field}: is required`;
    }
    return `${field}: ${issue.message}`;
  });
}

/**
 * Validates a raw configuration object and fills in every default.
 *
 * @param raw - the parsed JSON of pacing.config.json
 * @param source - where it came from, named in errors
 * @throws ConfigError naming each bad field and its fix
 */
export function parsePacingConfig(raw: unknown, source = 'pacing configuration'): PacingConfig {
  const parsed = pacingConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(source, describeIssues(parsed.error));
  const cfg = parsed.data;
  const config = resolveConfig(cfg);
  // Needs every default filled in (window lengths decide the reads), so after the schema.
  const overBudget = config.shards.flatMap((shard, i) => {
    if (!shard.declared) return [];
    const ids = new Set(shard.campaignIds);
    const problem = overBudgetProblem(shard, i, config.campaigns.filter((c) => ids.has(c.campaignId)), config.genesys.requestsPerMinute);
    return problem ? [problem] : [];
  });
  if (overBudget.length > 0) throw new ConfigError(source, overBudget);
  return config;
}

/** Every default filled in, shards resolved. */
function resolveConfig(cfg: z.output<typeof pacingConfigSchema>): PacingConfig {
  const genesys = cfg.genesys.region
    ? { apiBaseUrl: `https://api.${cfg.genesys.region}`, loginBaseUrl: `https://login.${cfg.genesys.region}` }
    : { apiBaseUrl: cfg.genesys.localBaseUrl!, loginBaseUrl: cfg.genesys.localBaseUrl! };
  return {
    genesys: {
      ...genesys,
      requestTimeoutMs: (cfg.genesys.requestTimeoutSeconds ?? 10) * 1000,
      requestsPerMinute: cfg.genesys.requestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE,
    },
    ...(cfg.secretName === undefined ? {} : { secretName: cfg.secretName }),
    auditRetentionDays: cfg.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS,
    metrics: { perCampaign: cfg.metrics?.perCampaign ?? false },
    campaigns: cfg.campaigns.map((c): CampaignConfig => {
      const kind: ObjectiveKind = c.objective.kind;
      const knobName = c.knob?.name ?? DEFAULT_KNOB[kind];
      const complianceInput = mergeCompliance(cfg.defaults?.compliance, c.compliance);
      const d = knobDefaults(knobName, complianceInput.limit);
      const tuning = { ...TUNING_DEFAULTS, deadBand: deadBandFor(kind, c.setpoint), ...stripUndefined(pickTuning(cfg.defaults ?? {})), ...stripUndefined(pickTuning(c)) };
      const knob: CampaignConfig['knob'] = {
        name: knobName,
        min: c.knob?.min ?? d.min,
        max: c.knob?.max ?? d.max,
        maxStep: c.knob?.maxStep ?? d.maxStep,
        resolution: d.resolution,
        // The lower bound is the least aggressive value of every knob.
        safeValue: c.knob?.safeValue ?? c.knob?.min ?? d.min,
      };
      const blending = c.blending ?? cfg.defaults?.blending;
      const gainSchedule = c.gainSchedule ?? cfg.defaults?.gainSchedule;
      const feedforward = c.feedforward ?? cfg.defaults?.feedforward;
      return {
        campaignId: c.campaignId,
        ...(c.name === undefined ? {} : { name: c.name }),
        objective: c.objective,
        setpoint: c.setpoint,
        knob,
        gains: c.gains ?? defaultGains(kind, knobName),
        ...tuning,
        compliance: resolveCompliance(complianceInput, knob),
        ...(blending ? { blending: { ...BLENDING_DEFAULTS, ...stripUndefined(blending) } } : {}),
        ...(feedforward ? { feedforward: { source: 'queue', idleTarget: 0, ...stripUndefined(feedforward) } as FeedforwardConfig } : {}),
        ...(gainSchedule ? { gainSchedule } : {}),
      };
    }),
    shards: cfg.shards
      ? cfg.shards.map((s) => ({
          name: s.name,
          declared: true,
          ...(s.secretName === undefined ? {} : { secretName: s.secretName }),
          ...(s.secretArn === undefined ? {} : { secretArn: s.secretArn }),
          schedule: s.schedule ?? DEFAULT_SCHEDULE,
          campaignIds: s.campaignIds,
        }))
      : [
          {
            name: DEFAULT_SHARD_NAME,
            declared: false,
            ...(cfg.secretName === undefined ? {} : { secretName: cfg.secretName }),
            schedule: DEFAULT_SCHEDULE,
            campaignIds: cfg.campaigns.map((c) => c.campaignId),
          },
        ],
  };
}

/** Fills in the compliance defaults; cross-field checks are made by the schema on the same merge. */
function resolveCompliance(input: ComplianceInput, campaignKnob: KnobConfig): ComplianceConfig {
  const D = COMPLIANCE_DEFAULTS;
  const limit = input.limit ?? D.limit;
  const window: ComplianceWindow =
    input.window?.type === 'rolling'
      ? { type: 'rolling', hours: input.window.hours }
      : input.window?.type === 'periods'
        ? { type: 'periods', days: input.window.days, ...(input.window.anchor ? { anchor: Date.parse(input.window.anchor) } : {}) }
        : { ...D.window };
  const knobName = input.knob?.name ?? campaignKnob.name;
  const kd = knobDefaults(knobName, input.limit);
  const knob: KnobConfig =
    knobName === campaignKnob.name
      ? { name: knobName, min: campaignKnob.min, max: campaignKnob.max, maxStep: campaignKnob.maxStep, resolution: campaignKnob.resolution }
      : { name: knobName, min: input.knob?.min ?? kd.min, max: input.knob?.max ?? kd.max, maxStep: input.knob?.maxStep ?? kd.maxStep, resolution: kd.resolution };
  return {
    limit,
    window,
    aim: input.aim ?? tidy(Math.max(limit / 2, limit - D.aimBelowLimit)),
    closeMargin: input.closeMargin ?? tidy(Math.min(D.closeMargin, limit / 2)),
    warningRate: input.warningRate ?? tidy(limit * D.warningShare),
    horizonMinutes: input.horizonMinutes ?? D.horizonMinutes,
    windowMinutes: input.windowMinutes ?? D.windowMinutes,
    minSample: input.minSample ?? D.minSample,
    settleSeconds: input.settleSeconds ?? D.settleSeconds,
    guard: {
      minutes: input.guard?.minutes ?? D.guard.minutes,
      minSample: input.guard?.minSample ?? D.guard.minSample,
      significance: input.guard?.significance ?? D.guard.significance,
    },
    knob,
    gains: input.gains ?? COMPLIANCE_GAINS[knobName],
    amdFalsePositiveRate: input.amdFalsePositiveRate ?? (window.type === 'rolling' ? DEFAULT_AMD_FALSE_POSITIVE_RATE : 0),
    respectManualValues: input.respectManualValues ?? false,
  };
}

/** Drops floating-point dust from a derived rate (0.025, not 0.024999999999999998). */
function tidy(rate: number): number {
  return Number(rate.toFixed(9));
}

function pickTuning(c: Partial<typeof TUNING_DEFAULTS>) {
  const { windowMinutes, minSample, deadBand, dryRun, maxGapMinutes, derivativeFilterMinutes, blindTicksBeforeSafe, startMinutes } = c;
  return { windowMinutes, minSample, deadBand, dryRun, maxGapMinutes, derivativeFilterMinutes, blindTicksBeforeSafe, startMinutes };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Reads and validates a configuration file.
 *
 * @throws ConfigError when the file is missing, is not JSON, or does not validate
 */
export function loadPacingConfigFile(path: string): PacingConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)}): check the path`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, [`is not valid JSON: ${(err as Error).message}`]);
  }
  return parsePacingConfig(raw, path);
}
