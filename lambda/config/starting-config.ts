/**
 * The starting configuration rule: one function of a campaign's dialing mode, the size of the team
 * on its queue, whether that team also answers an inbound queue, the queue's service-level target
 * and the abandonment rule it is under, giving its entry of pacing.config.json. It is
 * the README's tuning guidance made into a rule a user could apply by hand, and the one
 * `npm run discover -- --write` and the random-centre benchmark use. Every campaign starts in dry run.
 */
import { parsePacingConfig } from './config.js';
import { COMPLIANCE_GAINS, knobDefaults, type KnobName, type PacingConfigInput } from './schema.js';

/** Genesys dialing modes the controller paces (preview and external campaigns are not paced). */
export type PacedDialingMode = 'predictive' | 'power' | 'progressive' | 'agentless';

/** The abandonment rule: US (3% over each 30 days) or UK (3% over any 24 hours). */
export type ComplianceRule = 'us' | 'uk';

export interface StartingCampaignInput {
  campaignId: string;
  name?: string;
  dialingMode: PacedDialingMode;
  /** The campaign's queue: its agents (agent-based modes) or the queue it feeds (agentless). */
  queueId: string;
  /** Agents on that queue. */
  agents: number;
  complianceRule: ComplianceRule;
  /**
   * Blended: the inbound queue the same agents answer. An agent-based campaign then paces its
   * lines for that queue's service level and keeps a reserve for it; an agentless one is not
   * marked `dedicatedAgents`.
   */
  inboundQueueId?: string;
  /** The service-level target of the queue the objective holds (inbound or agentless transfers), 0..1; default 0.8. */
  serviceLevelTarget?: number;
  /**
   * UK rule: the share of live answers your answering-machine detector hangs up on as machines, as
   * you measured it (Ofcom asks for a reasoned estimate). Without it, the schema's default (0.005).
   */
  amdFalsePositiveRate?: number;
}

/** A campaign entry of pacing.config.json. */
export type CampaignEntry = PacingConfigInput['campaigns'][number];

/** Input the rule cannot make a campaign of; the message names the field. */
export class StartingConfigError extends Error {
  override readonly name = 'StartingConfigError';
}

/** Below this many agents a team is small: its rates are noisy, so it gets a longer window and tighter bounds. */
export const SMALL_TEAM_AGENTS = 20;

/** The abandon rate the rule aims at (the compliance aim, half a point under the 3% cap). */
const ABANDON_SETPOINT = 0.025;
/** The service level an agentless campaign or a blended team holds when the queue's own target is not given. */
const DEFAULT_SERVICE_LEVEL = 0.8;
/** The schema's default gains of a line knob, for the campaign's loop and the compliance loop (1..50 lines). */
const LINE_GAINS = knobDefaults('outboundLineCount', undefined).gains;
const COMPLIANCE_LINE_GAINS = COMPLIANCE_GAINS.outboundLineCount;
/** The shipped agentless gains (sim/controllers/agentless.json), scaled like the others past 50 lines. */
const AGENTLESS_GAINS = { kp: 4, ki: 0.5, kd: 0 };
/** Lines per agent a blended predictive or power team may dial at most (at least 4). */
const BLENDED_LINES_PER_AGENT = 1.5;
/**
 * The calls per agent a UK-rule predictive campaign's compliance loop moves: 1 (one call per idle
 * agent, as progressive dials) to 3, the power rule's US ceiling.
 */
const UK_PREDICTIVE_CALLS_PER_AGENT = { name: 'maxCallsPerAgent' as const, min: 1, max: 3 };
/** The most lines an org's edges dial at once here. */
const ORG_LINES = 300;

/** Minutes a start ramps up from the safe value: the dialer's connect-rate estimate rests on its first few hundred dials. */
export const STARTING_RAMP_MINUTES = 10;

/**
 * Calls a ratio must rest on before the loop acts, by team size: one per agent, at least 10 and at
 * most 100. A window of 15 minutes holds several calls per agent at any handle time up to 5
 * minutes, so every team reaches it; a large team acts on a sample its size, not on 20 calls
 * that a 150-agent centre makes in seconds.
 */
export function minSampleFor(agents: number): number {
  return Math.min(100, Math.max(10, agents));
}

/** The span of lines the default line gains are made for (knobDefaults: 1 to 50 lines). */
const DEFAULT_LINE_SPAN = 49;

/**
 * Gains of a line knob scaled by its span (a knob of 1 to 300 lines moves six times as many lines
 * per point of error as one of 1 to 50), so a large team corrects as fast, in share of its range,
 * as the default knob does.
 */
export function lineGainsFor(gains: { kp: number; ki: number; kd: number }, min: number, max: number): { kp: number; ki: number; kd: number } {
  const scale = Math.max(1, (max - min) / DEFAULT_LINE_SPAN);
  const tidy = (x: number) => Number((x * scale).toFixed(6));
  return { kp: tidy(gains.kp), ki: tidy(gains.ki), kd: tidy(gains.kd) };
}

/**
 * The rule:
 * - agentless: hold the service level of the queue it feeds at 80% with `outboundLineCount`,
 *   1 to 2 lines per agent on that queue, a fifth of the range per step;
 * - predictive: hold the campaign's abandon rate at 2.5% through Genesys's `abandonRate` target,
 *   its `max` under the cap: 2.5% under the US rule; under the UK rule, where the knob's `max` must
 *   be a pace that stays under 3% even when held all day, 2% (1.5% for a small team), and the
 *   compliance loop on `maxCallsPerAgent` (1 to 3), which a window that cannot take one more
 *   abandon (a day's opening) cuts to one call per agent;
 * - power: the same objective on `maxCallsPerAgent`, 1 to 3 (US), 1 to 1.5 (UK), 1 to 1.25 (UK,
 *   small team: the held pace `npm run bench:static-days` measured under 3% for 12 agents);
 * - progressive (one call per idle agent, its pace capped by lines): the same objective on
 *   `outboundLineCount`, 1 to one line per agent (at least 2);
 * - blended (agent-based modes with an inbound queue): the inbound queue's service level on
 *   `outboundLineCount` (1 to 1.5 lines per agent, at least 4; progressive one per agent), the
 *   agents the inbound queue needs kept for it (the schema's blending defaults: Erlang C on its
 *   load, plus 2), and the compliance loop on the mode's own knob as above (predictive:
 *   gains 10/2/0, aim 2.5%, 60-minute window, 3-hour horizon: the shipped blended configuration);
 * - agentless: the shipped feedforward (0.3 per idle agent above a quarter of the team, 0.5 per call
 *   waiting), 2 agents kept in reserve, a dead-band of 5 points; `dedicatedAgents` where the team
 *   answers no inbound queue (its idle agents are the campaign's to fill), and on such a team of
 *   {@link SMALL_TEAM_AGENTS} or more `fullServiceLevelRise` (a window at 100% rises to what
 *   Erlang C says the team can take);
 * - line knobs: the default line gains scaled by the range over 1..50 (and the compliance loop's);
 *   held to an abandon rate (progressive), the compliance loop's line gains, scaled the same way;
 * - agent-based modes: gains scheduled by team size (reference 20 agents, at least a quarter), and
 *   a small team measures over 30 minutes instead of 15;
 * - every mode: `minSample` from the team size ({@link minSampleFor}), a start ramp of
 *   {@link STARTING_RAMP_MINUTES}, and line knobs' gains (the campaign's and the compliance loop's)
 *   scaled by the knob's span ({@link lineGainsFor}); the dead-band by the objective's units
 *   (config.ts `deadBandFor`);
 * - UK rule: the 24-hour rolling window, and the detector's false-positive rate when you measured
 *   it; every campaign in dry run.
 *
 * @throws StartingConfigError for a non-positive or fractional agent count, or a false-positive rate under the US rule
 * @throws ConfigError if the entry would not validate (a malformed id)
 */
export function startingCampaignConfig(input: StartingCampaignInput): CampaignEntry {
  if (!Number.isInteger(input.agents) || input.agents < 1) {
    throw new StartingConfigError(`agents for campaign ${input.campaignId} must be a whole number of at least 1 (the agents on its queue), got ${input.agents}`);
  }
  if (input.amdFalsePositiveRate !== undefined && input.complianceRule !== 'uk') {
    throw new StartingConfigError(`amdFalsePositiveRate for campaign ${input.campaignId} counts only under the UK rule (the US rule does not count AMD false positives): leave it out, or choose the uk rule`);
  }
  const small = input.agents < SMALL_TEAM_AGENTS;
  const uk = input.complianceRule === 'uk';
  const common = {
    campaignId: input.campaignId,
    ...(input.name ? { name: input.name.slice(0, 200) } : {}),
    dryRun: true,
    minSample: minSampleFor(input.agents),
    startMinutes: STARTING_RAMP_MINUTES,
  };
  // The compliance block only where the rule sets something in it (US: the schema's 30-day periods).
  const amd = input.amdFalsePositiveRate === undefined ? {} : { amdFalsePositiveRate: input.amdFalsePositiveRate };
  const ukRule = uk ? { window: { type: 'rolling' as const, hours: 24 }, ...amd } : {};
  const complianceOf = (more: Record<string, unknown> = {}) => (uk || Object.keys(more).length ? { compliance: { ...ukRule, ...more } } : {});
  const setpoint = input.serviceLevelTarget ?? DEFAULT_SERVICE_LEVEL;
  const lineKnob = (max: number, steps: number) => ({ name: 'outboundLineCount' as const, min: 1, max, maxStep: Math.max(1, Math.ceil(max / steps)) });
  const lineGains = (max: number) => lineGainsFor(LINE_GAINS, 1, max);
  const complianceLineGains = (max: number) => lineGainsFor(COMPLIANCE_LINE_GAINS, 1, max);
  let entry: CampaignEntry;
  if (input.dialingMode === 'agentless') {
    const max = Math.min(ORG_LINES, Math.max(2, 2 * input.agents));
    // A team that answers no inbound queue takes no calls but the campaign's transfers; from 20
    // agents its quarter-hours hold enough transfers that a 100% window shows room to rise into.
    const dedicated = input.inboundQueueId !== undefined ? {} : small ? { dedicatedAgents: true } : { dedicatedAgents: true, fullServiceLevelRise: true };
    entry = {
      ...common,
      ...complianceOf({ gains: complianceLineGains(max) }),
      objective: { kind: 'queueServiceLevel', queueId: input.queueId, ...dedicated },
      setpoint,
      knob: { ...lineKnob(max, 5), maxStep: Math.max(1, Math.round(max / 5)) },
      gains: lineGainsFor(AGENTLESS_GAINS, 1, max),
      deadBand: 0.05,
      feedforward: { idleGain: 0.3, waitingGain: 0.5, idleTarget: Math.max(1, Math.round(input.agents / 4)) },
      blending: { reserveAgents: 2, waitingLimit: 1 },
    };
  } else {
    const knob =
      input.dialingMode === 'predictive'
        ? { name: 'abandonRate' as const, min: 0.5, max: uk ? (small ? 1.5 : 2) : 2.5 }
        : input.dialingMode === 'power'
          ? { name: 'maxCallsPerAgent' as const, min: 1, max: uk ? (small ? 1.25 : 1.5) : 3 }
          : lineKnob(Math.min(ORG_LINES, Math.max(2, input.agents)), 5);
    const schedule = { gainSchedule: { referenceAgents: SMALL_TEAM_AGENTS, minScale: 0.25 }, ...(small ? { windowMinutes: 30 } : {}) };
    if (input.inboundQueueId === undefined) {
      // An abandon-rate objective: a line knob's gains are the compliance loop's (schema.ts `defaultGains`), scaled by its span.
      const gains = knob.name === 'outboundLineCount' ? complianceLineGains(knob.max) : undefined;
      // A predictive dialer's look-ahead overdials before it has learned the connect rate, whatever
      // its abandon target; under a 24-hour rule the opening's few live calls cannot take that, so
      // the compliance loop caps the calls per agent (one in danger: fast-cut.ts).
      const ukPredictive = uk && knob.name === 'abandonRate' ? { knob: UK_PREDICTIVE_CALLS_PER_AGENT } : {};
      const lineGainsOf = gains ? { gains, ...complianceOf({ gains }) } : complianceOf(ukPredictive);
      entry = { ...common, objective: { kind: 'abandonRate' }, setpoint: ABANDON_SETPOINT, knob, ...lineGainsOf, ...schedule };
    } else {
      // Blended: lines pace the team for inbound; the mode's own knob keeps the abandon budget.
      const lines = knob.name === 'outboundLineCount' ? knob : lineKnob(Math.min(ORG_LINES, Math.max(4, Math.ceil(BLENDED_LINES_PER_AGENT * input.agents))), 4);
      const compliance =
        knob.name === 'abandonRate'
          ? { knob: { ...knob, maxStep: 0.25 }, gains: { kp: 10, ki: 2, kd: 0 }, aim: ABANDON_SETPOINT, horizonMinutes: 180, windowMinutes: 60 }
          : knob.name === 'maxCallsPerAgent'
            ? { knob }
            : { gains: complianceLineGains(knob.max) };
      entry = {
        ...common,
        ...complianceOf(compliance),
        objective: { kind: 'inboundServiceLevel', queueId: input.inboundQueueId },
        setpoint,
        knob: lines,
        gains: lineGains(lines.max),
        blending: {},
        ...schedule,
      };
    }
  }
  // Validated as the deployment would: a rule that made a bad entry must fail here, not at synth.
  parsePacingConfig({ genesys: { region: 'mypurecloud.com' }, secretName: 'starting-config/check', campaigns: [entry] }, `the starting configuration of campaign ${input.campaignId}`);
  return entry;
}

/** The knobs the entry moves (objective and compliance loop) with their bounds. */
export function movedKnobs(entry: CampaignEntry): Array<{ name: KnobName; min: number; max: number }> {
  const knobs = [entry.knob, entry.compliance?.knob].filter((k): k is NonNullable<typeof k> => k !== undefined);
  return knobs.map((k) => ({ name: k.name as KnobName, min: k.min ?? 0, max: k.max ?? 0 }));
}
