import { readFileSync } from 'node:fs';
import type * as z from 'zod/mini';
import {
  DEFAULT_KNOB,
  KNOB_DEFAULTS,
  pacingConfigSchema,
  type KnobName,
  type ObjectiveKind,
} from './schema.js';

/** A campaign with every default filled in: what the control loop runs on. */
export interface CampaignConfig {
  campaignId: string;
  name?: string;
  objective:
    | { kind: 'inboundServiceLevel'; queueId: string; serviceLevelThresholdSeconds?: number }
    | { kind: 'abandonRate' }
    | { kind: 'queueServiceLevel'; queueId: string; serviceLevelThresholdSeconds?: number };
  /** Target of the measured value, as a fraction (0.8 service level, 0.025 abandon rate). */
  setpoint: number;
  /** `safeValue`: where pacing goes after `blindTicksBeforeSafe` blind ticks (the least aggressive value, `min`, unless set). */
  knob: { name: KnobName; min: number; max: number; maxStep: number; resolution: number; safeValue: number };
  /** kp per unit of error, ki per unit of error per minute, kd per unit of error-rate in minutes. */
  gains: { kp: number; ki: number; kd: number };
  windowMinutes: number;
  minSample: number;
  deadBand: number;
  dryRun: boolean;
  maxGapMinutes: number;
  derivativeFilterMinutes: number;
  /** Consecutive blind ticks (metrics unreadable or stale) after which pacing steps toward `knob.safeValue`. */
  blindTicksBeforeSafe: number;
}

export interface PacingConfig {
  genesys: {
    apiBaseUrl: string;
    loginBaseUrl: string;
    requestTimeoutMs: number;
    /** The OAuth client's Genesys rate limit; a tick stays below it. */
    requestsPerMinute: number;
  };
  secretName: string;
  /** How long audit entries are kept before DynamoDB expires them. */
  auditRetentionDays: number;
  campaigns: CampaignConfig[];
}

/** Genesys's default rate limit per OAuth token (pacing.md section 1). */
export const DEFAULT_REQUESTS_PER_MINUTE = 300;
/** 24 months, the US record-keeping horizon for telemarketing records. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 730;

/** Defaults for the loop's tunables when neither the campaign nor `defaults` sets them. */
export const TUNING_DEFAULTS: {
  windowMinutes: number;
  minSample: number;
  deadBand: number;
  dryRun: boolean;
  maxGapMinutes: number;
  derivativeFilterMinutes: number;
  blindTicksBeforeSafe: number;
} = {
  windowMinutes: 15,
  minSample: 20,
  deadBand: 0.01,
  dryRun: false,
  maxGapMinutes: 10,
  derivativeFilterMinutes: 2,
  // Five minutes of 1-minute ticks: long enough to ride out a brief API outage, short enough
  // that a campaign does not dial blind at an aggressive setting for long.
  blindTicksBeforeSafe: 5,
};

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
  const genesys = cfg.genesys.region
    ? { apiBaseUrl: `https://api.${cfg.genesys.region}`, loginBaseUrl: `https://login.${cfg.genesys.region}` }
    : { apiBaseUrl: cfg.genesys.localBaseUrl!, loginBaseUrl: cfg.genesys.localBaseUrl! };
  return {
    genesys: {
      ...genesys,
      requestTimeoutMs: (cfg.genesys.requestTimeoutSeconds ?? 10) * 1000,
      requestsPerMinute: cfg.genesys.requestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE,
    },
    secretName: cfg.secretName,
    auditRetentionDays: cfg.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS,
    campaigns: cfg.campaigns.map((c): CampaignConfig => {
      const kind: ObjectiveKind = c.objective.kind;
      const knobName = c.knob?.name ?? DEFAULT_KNOB[kind];
      const d = KNOB_DEFAULTS[knobName];
      const tuning = { ...TUNING_DEFAULTS, ...stripUndefined(cfg.defaults ?? {}), ...stripUndefined(pickTuning(c)) };
      return {
        campaignId: c.campaignId,
        ...(c.name === undefined ? {} : { name: c.name }),
        objective: c.objective,
        setpoint: c.setpoint,
        knob: {
          name: knobName,
          min: c.knob?.min ?? d.min,
          max: c.knob?.max ?? d.max,
          maxStep: c.knob?.maxStep ?? d.maxStep,
          resolution: d.resolution,
          // The lower bound is the least aggressive value of every knob.
          safeValue: c.knob?.safeValue ?? c.knob?.min ?? d.min,
        },
        gains: c.gains ?? d.gains,
        ...tuning,
      };
    }),
  };
}

function pickTuning(c: Partial<typeof TUNING_DEFAULTS>) {
  const { windowMinutes, minSample, deadBand, dryRun, maxGapMinutes, derivativeFilterMinutes, blindTicksBeforeSafe } = c;
  return { windowMinutes, minSample, deadBand, dryRun, maxGapMinutes, derivativeFilterMinutes, blindTicksBeforeSafe };
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
