/**
 * Scenario files: what one simulated contact-centre day looks like. JSON in sim/scenarios/,
 * validated here with zod so a bad file fails with the field's path and how to fix it.
 *
 * Times of day are "HH:MM" measured from the scenario's start (not wall-clock hours), durations are
 * seconds, rates are per hour, probabilities are fractions 0..1, and Genesys fields keep Genesys units
 * (abandonRate in percent, noAnswerTimeout in seconds).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const genesysId = z
  .string({ error: 'must be a Genesys id string such as "5d1e4f3c-0000-4000-8000-00000000c001"' })
  .regex(/^[0-9a-fA-F-]{8,64}$/, { error: 'must be a Genesys id (hex digits and dashes) such as "5d1e4f3c-0000-4000-8000-00000000c001"' });

const clockTime = z
  .string({ error: 'must be a time "HH:MM" counted from the scenario start, e.g. "04:30"' })
  .regex(/^\d{1,3}:[0-5]\d$/, { error: 'must be "HH:MM" counted from the scenario start, e.g. "04:30"' });

/** Minutes since the scenario start of an "HH:MM" string. */
export function clockTimeToMs(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return (h * 60 + m) * 60_000;
}

/** A constant or piecewise-constant value over the day (the parsed form of a schedule). */
export type Schedule = number | ReadonlyArray<{ at: string; value: number }>;

const fraction = z
  .number({ error: 'must be a probability between 0 and 1 (write 0.25 for 25%)' })
  .min(0, { error: 'must be at least 0 (a probability)' })
  .max(1, { error: 'must be at most 1 (write 0.25 for 25%, not 25)' });

/**
 * A value that may change over the day: either a constant or a list of steps
 * `[{ "at": "00:00", "value": ... }, { "at": "03:00", "value": ... }]` (piecewise constant).
 */
function schedule<T extends z.ZodType<number>>(value: T) {
  return z.union(
    [
      value,
      z
        .array(z.strictObject({ at: clockTime, value }), { error: 'must be a number or a list of {"at": "HH:MM", "value": ...} steps' })
        .min(1, { error: 'needs at least one step, starting with {"at": "00:00", ...}' })
        .superRefine((steps, ctx) => {
          if (steps[0]?.at !== '00:00' && steps[0]?.at !== '0:00') {
            ctx.addIssue({ code: 'custom', path: [0, 'at'], message: 'the first step must be at "00:00" so the value is defined from the start' });
          }
          for (let i = 1; i < steps.length; i++) {
            if (clockTimeToMs(steps[i]!.at) <= clockTimeToMs(steps[i - 1]!.at)) {
              ctx.addIssue({ code: 'custom', path: [i, 'at'], message: 'steps must be in increasing "at" order' });
            }
          }
        }),
    ],
    { error: 'must be a number or a list of {"at": "HH:MM", "value": ...} steps' },
  );
}

const positiveSeconds = z.number({ error: 'must be a number of seconds' }).positive({ error: 'must be above 0 seconds' });
const nonNegativeSeconds = z.number({ error: 'must be a number of seconds' }).min(0, { error: 'must be 0 seconds or more' });

/** A random duration in seconds. Its parameters may follow schedules (handle-time drift and the like). */
const duration = z.discriminatedUnion(
  'dist',
  [
    z.strictObject({ dist: z.literal('exponential'), meanSeconds: schedule(positiveSeconds) }),
    z.strictObject({
      dist: z.literal('lognormal'),
      meanSeconds: schedule(positiveSeconds),
      cv: z.number({ error: 'must be the coefficient of variation, e.g. 1' }).min(0, { error: 'cv must be 0 or more' }),
    }),
    z
      .strictObject({ dist: z.literal('uniform'), minSeconds: schedule(nonNegativeSeconds), maxSeconds: schedule(nonNegativeSeconds) })
      .superRefine((d, ctx) => {
        const steps = (s: Schedule) => (typeof s === 'number' ? [] : s.map((x) => clockTimeToMs(x.at)));
        const value = (s: Schedule, t: number) => (typeof s === 'number' ? s : [...s].reverse().find((x) => clockTimeToMs(x.at) <= t)!.value);
        for (const t of [0, ...steps(d.minSeconds), ...steps(d.maxSeconds)]) {
          if (value(d.maxSeconds, t) < value(d.minSeconds, t)) {
            ctx.addIssue({ code: 'custom', path: ['maxSeconds'], message: 'maxSeconds must be at least minSeconds at every time of day' });
            return;
          }
        }
      }),
    z.strictObject({ dist: z.literal('fixed'), seconds: schedule(nonNegativeSeconds) }),
  ],
  { error: 'must be {"dist": "exponential"|"lognormal"|"uniform"|"fixed", ...}, e.g. {"dist": "lognormal", "meanSeconds": 180, "cv": 1}' },
);
export type DurationSpec = z.infer<typeof duration>;

const entityRef = z.strictObject({ id: genesysId, name: z.string().optional() });

const queueSchema = z.strictObject({
  id: genesysId,
  name: z.string({ error: 'must be the queue name' }).min(1),
  serviceLevel: z.strictObject({
    percentage: z
      .number({ error: 'must be the service-level target as a fraction, e.g. 0.8' })
      .gt(0, { error: 'must be above 0 (write 0.8 for 80%)' })
      .max(1, { error: 'must be at most 1 (write 0.8 for 80%)' }),
    durationMs: z.number({ error: 'must be the service-level threshold in ms, e.g. 20000' }).int().positive(),
  }),
  /**
   * How long callers who wait in this queue (inbound callers and agentless transfers) hold on before
   * hanging up. Omit for callers who never abandon.
   */
  patience: duration.optional(),
  /** Inbound traffic; omit for a queue that only receives campaign calls. */
  inbound: z
    .strictObject({
      arrivalsPerHour: schedule(z.number({ error: 'must be calls per hour' }).min(0, { error: 'must be 0 calls per hour or more' })),
      talkTime: duration,
      acw: duration,
    })
    .optional(),
});

const dialingModes = ['agentless', 'preview', 'power', 'predictive', 'progressive', 'external'] as const;
const simulatedModes = new Set(['agentless', 'power', 'predictive', 'progressive']);

const campaignSchema = z
  .strictObject({
    id: genesysId,
    name: z.string().min(1),
    dialingMode: z.enum(dialingModes, { error: `must be one of ${dialingModes.join(', ')}` }).refine((m) => simulatedModes.has(m), {
      error: 'the twin simulates agentless, power, predictive and progressive campaigns only',
    }),
    campaignStatus: z.enum(['on', 'off'], { error: 'must be "on" or "off" at the start of the day' }),
    /** Where live answers go: agents who are members of this queue take them. */
    queueId: genesysId,
    contactList: entityRef,
    abandonRate: z
      .number({ error: 'must be the target compliance abandon rate in percent, e.g. 3' })
      .min(0, { error: 'abandonRate is a percentage: at least 0' })
      .max(100, { error: 'abandonRate is a percentage: at most 100 (write 3 for 3%)' }),
    maxCallsPerAgent: z
      .number({ error: 'must be a number of calls per agent between 1 and 15' })
      .min(1, { error: 'Genesys accepts maxCallsPerAgent from 1' })
      .max(15, { error: 'Genesys caps maxCallsPerAgent at 15 (maxConfigurableCallsPerAgent)' }),
    outboundLineCount: z.number({ error: 'must be a whole number of lines' }).int({ error: 'must be a whole number of lines' }).min(0),
    noAnswerTimeout: z
      .number({ error: 'must be seconds of ringing before giving up' })
      .int()
      .min(15, { error: 'must be at least 15 s (FCC/FTC: ring 15 s or 4 rings before giving up)' }),
    callerName: z.string(),
    callerAddress: z.string(),
    phoneColumns: z.array(z.strictObject({ columnName: z.string(), type: z.string() })).min(1, { error: 'needs at least one phone column' }),
    priority: z.number().int().min(1).max(10).default(5),
    /** Probability that a dial reaches each outcome; the remainder rings out unanswered. */
    dialOutcomes: z
      .strictObject({ liveAnswer: schedule(fraction), machine: schedule(fraction), busySit: schedule(fraction) })
      .superRefine((o, ctx) => {
        const peak = (s: number | Array<{ value: number }>) => (typeof s === 'number' ? [s] : s.map((x) => x.value));
        const live = peak(o.liveAnswer);
        const machine = peak(o.machine);
        const busy = peak(o.busySit);
        if (Math.max(...live) + Math.max(...machine) + Math.max(...busy) > 1) {
          ctx.addIssue({ code: 'custom', message: 'liveAnswer + machine + busySit must not exceed 1 at any time (the rest ring out unanswered)' });
        }
      }),
    /** Time from dial to answer for the calls that are answered (live or machine). */
    ringTime: duration,
    /** Time from dial to the busy tone or special-information tone. */
    busySitTime: duration,
    amd: z.strictObject({
      /** Answering-machine detection decides this long after the answer. */
      decisionTime: duration,
      /** Live people classified as machines and hung up on. */
      falsePositiveRate: schedule(fraction),
    }),
    talkTime: duration,
    acw: duration,
    /** Tuning of the stand-in for Genesys's proprietary pacing (power and predictive modes). */
    dialer: z
      .strictObject({
        /** How many recent resolved dials the connect-rate estimate uses (bigger: steadier but slower to react). */
        connectRateWindowDials: z.number().int().min(10).default(300),
        /** Log-step of the pace at each compliance abandon (bigger: reacts faster, noisier). */
        abandonFeedbackGain: z.number().gt(0).max(1).default(0.05),
      })
      .default({ connectRateWindowDials: 300, abandonFeedbackGain: 0.05 }),
  })
  .superRefine((c, ctx) => {
    if (c.dialingMode === 'agentless' && c.outboundLineCount < 1) {
      ctx.addIssue({ code: 'custom', path: ['outboundLineCount'], message: 'an agentless campaign needs outboundLineCount of at least 1' });
    }
  });

const agentGroupSchema = z.strictObject({
  name: z.string().min(1),
  count: z.number({ error: 'must be how many agents are in the group' }).int().min(1),
  /** Queues the agents are members of; campaign calls reach them through the campaign's queue. */
  queueIds: z.array(genesysId).min(1, { error: 'agents must be members of at least one queue' }),
  shifts: z
    .array(z.strictObject({ start: clockTime, end: clockTime }).refine((s) => clockTimeToMs(s.end) > clockTimeToMs(s.start), { error: 'a shift must end after it starts', path: ['end'] }))
    .min(1, { error: 'give at least one shift, e.g. [{"start": "00:00", "end": "08:00"}]' }),
});

const faultSchema = z.strictObject({
  /** Probability per API request of an injected error status. */
  errorRates: z.partialRecord(z.enum(['429', '500', '502', '503', '504']), fraction).default({}),
  /** Retry-After (seconds) on injected 429s. */
  retryAfterSeconds: z.number().int().min(0).default(5),
  /** Added latency per API request, uniform in [min, max] ms of wall time. */
  latencyMs: z.strictObject({ min: z.number().min(0), max: z.number().min(0) }).default({ min: 0, max: 0 }),
  /** Probability that a request is held and never answered (the client must time out). */
  timeoutRate: fraction.default(0),
  /** Probability that the connection is dropped without an answer. */
  dropRate: fraction.default(0),
  /** Probability of a 200 whose body is not valid JSON. */
  malformedRate: fraction.default(0),
  /** Probability of a 200 whose body is cut short (Content-Length promises more than is sent). */
  partialRate: fraction.default(0),
  /** Probability of a 200 with an empty body. */
  emptyRate: fraction.default(0),
  /** Only paths matching this regular expression get faults (default: every /api/v2 path). */
  pathPattern: z.string().default('^/api/v2/'),
});
export type FaultSettings = z.infer<typeof faultSchema>;
/** A fault configuration in which nothing goes wrong. */
export const NO_FAULTS: FaultSettings = faultSchema.parse({});
/** Validates fault settings given programmatically, filling defaults. */
export function parseFaults(input: unknown): FaultSettings {
  return faultSchema.parse(input);
}

/** The organisation of a scenario that names none: Genesys's defaults. */
const DEFAULT_ORGANIZATION = {
  abandonSeconds: 2,
  shortAbandonSeconds: 10,
  totalOutboundLines: 300,
  maxCallsPerAgent: 15,
  maxConfigurableCallsPerAgent: 15,
  maxLineUtilization: 1,
  complianceAbandonRateDenominator: 'ALL_CALLS',
};

export const scenarioSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().default(''),
    /** Wall-clock instant of virtual time 0 (what analytics intervals and dates refer to). */
    startTime: z.iso.datetime({ error: 'must be an ISO-8601 UTC instant such as "2026-05-14T08:00:00.000Z"' }),
    /** Length of the simulated day, "HH:MM". Inbound arrivals stop at the end; calls in progress finish. */
    duration: clockTime,
    organization: z
      .strictObject({
        /** Outbound Settings abandonSeconds: a live answer not connected within this is a compliance abandon. */
        abandonSeconds: z.number().positive().default(2),
        /** Abandons quicker than this count as short abandons (tShortAbandon). */
        shortAbandonSeconds: z.number().min(0).default(10),
        /** Lines the org's edges can dial at once (reported in campaign stats). */
        totalOutboundLines: z.number().int().min(1).default(300),
        /** Outbound Settings maxCallsPerAgent: the most calls per agent any campaign may place. */
        maxCallsPerAgent: z.number().positive().default(15),
        /** Outbound Settings maxConfigurableCallsPerAgent: a PATCH of maxCallsPerAgent above it is refused (400). */
        maxConfigurableCallsPerAgent: z.number().int().min(1).default(15),
        /** Outbound Settings maxLineUtilization: the share of lines outbound may use, 0..1. */
        maxLineUtilization: z.number().min(0).max(1).default(1),
        /** Outbound Settings complianceAbandonRateDenominator (reported only: the twin counts over every live answer). */
        complianceAbandonRateDenominator: z.string().min(1).default('ALL_CALLS'),
      })
      .default(DEFAULT_ORGANIZATION),
    /** The OAuth client-credentials client the emulator accepts. */
    auth: z
      .strictObject({
        clientId: z.string().min(1),
        clientSecret: z.string().min(1),
        /** Token lifetime, virtual seconds (Genesys default 24 h, range 5 min to 48 h). */
        tokenLifetimeSeconds: z.number().int().min(300).max(172_800).default(86_400),
      })
      .default({ clientId: 'twin-client', clientSecret: 'twin-secret', tokenLifetimeSeconds: 86_400 }),
    rateLimit: z
      .strictObject({
        requestsPerMinute: z.number().int().min(1).default(300),
        /** Which clock the one-minute window runs on; virtual suits fast-forwarded runs. */
        clock: z.enum(['virtual', 'wall']).default('virtual'),
      })
      .default({ requestsPerMinute: 300, clock: 'virtual' }),
    faults: faultSchema.default(NO_FAULTS),
    queues: z.array(queueSchema).min(1, { error: 'needs at least one queue' }),
    campaigns: z.array(campaignSchema).default([]),
    agentGroups: z.array(agentGroupSchema).min(1, { error: 'needs at least one agent group' }),
  })
  .superRefine((s, ctx) => {
    const queueIds = new Set(s.queues.map((q) => q.id));
    const seen = new Set<string>();
    s.queues.forEach((q, i) => {
      if (seen.has(q.id)) ctx.addIssue({ code: 'custom', path: ['queues', i, 'id'], message: `duplicate queue id ${q.id}` });
      seen.add(q.id);
    });
    s.campaigns.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'id'], message: `duplicate id ${c.id}` });
      seen.add(c.id);
      if (!queueIds.has(c.queueId)) {
        ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'queueId'], message: `queue ${c.queueId} is not in "queues"; add it there or use one of ${[...queueIds].join(', ')}` });
      }
    });
    s.agentGroups.forEach((g, i) =>
      g.queueIds.forEach((id, j) => {
        if (!queueIds.has(id)) ctx.addIssue({ code: 'custom', path: ['agentGroups', i, 'queueIds', j], message: `queue ${id} is not in "queues"; add it there first` });
      }),
    );
  });

/** A validated scenario with defaults filled in. */
export type Scenario = z.infer<typeof scenarioSchema>;
export type QueueSpec = Scenario['queues'][number];
export type CampaignSpec = Scenario['campaigns'][number];
export type AgentGroupSpec = Scenario['agentGroups'][number];

/** Raised for a scenario that does not validate; the message lists every problem with its field path. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

/**
 * Validates a parsed scenario object.
 * @param source names the file or origin in error messages
 * @throws ScenarioError naming each bad field and how to fix it
 */
export function parseScenario(input: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(top level)';
    const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove them or check the spelling` : issue.message;
    return `  ${path}: ${message}`;
  });
  throw new ScenarioError(`${source} is not a valid scenario:\n${lines.join('\n')}`);
}

/**
 * Reads and validates a scenario JSON file.
 * @throws ScenarioError for unreadable JSON or invalid content
 */
export function loadScenarioFile(path: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ScenarioError(`${path} is not readable JSON: ${(err as Error).message}`);
  }
  return parseScenario(json, path);
}

/** Length of the scenario's day in virtual ms. */
export function scenarioDurationMs(scenario: Scenario): number {
  return clockTimeToMs(scenario.duration);
}
