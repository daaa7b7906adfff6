/**
 * The starting configuration rule: one function of a campaign's dialing mode, the size of the team
 * on its queue, whether that team also answers an inbound queue, the queue's service-level target
 * and the abandonment rule it is under, giving its entry of pacing.config.json. It is
 * the README's tuning guidance made into a rule a user could apply by hand, and the one
 * `npm run discover -- --write` and the random-centre benchmark use. Every campaign starts in dry run.
 */
import { parsePacingConfig } from './config.js';
import type { PacingConfigInput } from './schema.js';

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
   * Blended: the inbound queue the same agents answer (agent-based modes). The campaign then paces
   * its lines for that queue's service level and keeps a reserve for it.
   */
  inboundQueueId?: string;
  /** The service-level target of the queue the objective holds (inbound or agentless transfers), 0..1; default 0.8. */
  serviceLevelTarget?: number;
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
/** The lines range the schema's default line gains are set for (1..50): wider ranges get them scaled. */
const DEFAULT_LINES_MAX = 50;
const LINE_GAINS = { kp: 40, ki: 10, kd: 5 };
const COMPLIANCE_LINE_GAINS = { kp: 200, ki: 50, kd: 0 };
/** Lines per agent a blended predictive or power team may dial at most (at least 4). */
const BLENDED_LINES_PER_AGENT = 1.5;
/** The most lines an org's edges dial at once here. */
const ORG_LINES = 300;

const scaled = (g: { kp: number; ki: number; kd: number }, f: number) => ({ kp: +(g.kp * f).toFixed(3), ki: +(g.ki * f).toFixed(3), kd: +(g.kd * f).toFixed(3) });

/**
 * The rule:
 * - agentless: hold the service level of the queue it feeds at 80% with `outboundLineCount`,
 *   1 to 2 lines per agent on that queue, a fifth of the range per step;
 * - predictive: hold the campaign's abandon rate at 2.5% through Genesys's `abandonRate` target,
 *   its `max` under the cap: 2.5% under the US rule; under the UK rule, where the knob's `max` must
 *   be a pace that stays under 3% even when held all day, 2% (1.5% for a small team);
 * - power: the same objective on `maxCallsPerAgent`, 1 to 3 (US), 1 to 1.5 (UK), 1 to 1.25 (UK,
 *   small team: the held pace `npm run bench:static-days` measured under 3% for 12 agents);
 * - progressive (one call per idle agent, its pace capped by lines): the same objective on
 *   `outboundLineCount`, 1 to one line per agent (at least 2);
 * - blended (agent-based modes with an inbound queue): the inbound queue's service level on
 *   `outboundLineCount` (1 to 1.5 lines per agent, at least 4; progressive one per agent), half the
 *   team kept for inbound, and the compliance loop on the mode's own knob as above (predictive:
 *   gains 10/2/0, aim 2.5%, 60-minute window, 3-hour horizon: the shipped blended configuration);
 * - agentless: the shipped feedforward (0.3 per idle agent above a quarter of the team, 0.5 per call
 *   waiting), 2 agents kept in reserve, a dead-band of 5 points;
 * - line knobs: the default line gains scaled by the range over 1..50 (and the compliance loop's);
 * - agent-based modes: gains scheduled by team size (reference 20 agents, at least a quarter), and
 *   a small team measures over 30 minutes instead of 15;
 * - UK rule: the 24-hour rolling window; every campaign in dry run.
 *
 * @throws StartingConfigError for a non-positive or fractional agent count
 * @throws ConfigError if the entry would not validate (a malformed id)
 */
export function startingCampaignConfig(input: StartingCampaignInput): CampaignEntry {
  if (!Number.isInteger(input.agents) || input.agents < 1) {
    throw new StartingConfigError(`agents for campaign ${input.campaignId} must be a whole number of at least 1 (the agents on its queue), got ${input.agents}`);
  }
  const small = input.agents < SMALL_TEAM_AGENTS;
  const uk = input.complianceRule === 'uk';
  const common = {
    campaignId: input.campaignId,
    ...(input.name ? { name: input.name.slice(0, 200) } : {}),
    dryRun: true,
  };
  // The compliance block only where the rule sets something in it (US: the schema's 30-day periods).
  const window = uk ? { window: { type: 'rolling' as const, hours: 24 } } : {};
  const complianceOf = (more: Record<string, unknown> = {}) => (uk || Object.keys(more).length ? { compliance: { ...window, ...more } } : {});
  const setpoint = input.serviceLevelTarget ?? DEFAULT_SERVICE_LEVEL;
  const lineKnob = (max: number, steps: number) => ({ name: 'outboundLineCount' as const, min: 1, max, maxStep: Math.max(1, Math.ceil(max / steps)) });
  const lineGains = (max: number) => scaled(LINE_GAINS, max / DEFAULT_LINES_MAX);
  let entry: CampaignEntry;
  if (input.dialingMode === 'agentless') {
    const max = Math.min(ORG_LINES, Math.max(2, 2 * input.agents));
    entry = {
      ...common,
      ...complianceOf({ gains: scaled(COMPLIANCE_LINE_GAINS, max / DEFAULT_LINES_MAX) }),
      objective: { kind: 'queueServiceLevel', queueId: input.queueId },
      setpoint,
      knob: { ...lineKnob(max, 5), maxStep: Math.max(1, Math.round(max / 5)) },
      gains: scaled({ kp: 4, ki: 0.5, kd: 0 }, max / 40),
      deadBand: 0.05,
      feedforward: { idleGain: 0.3, waitingGain: 0.5, idleTarget: Math.max(1, Math.round(input.agents / 4)) },
      blending: { reserveShare: 0, reserveAgents: 2, waitingLimit: 1 },
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
      const lineGainsOf = knob.name === 'outboundLineCount' ? { gains: lineGains(knob.max), ...complianceOf({ gains: scaled(COMPLIANCE_LINE_GAINS, knob.max / DEFAULT_LINES_MAX) }) } : complianceOf();
      entry = { ...common, objective: { kind: 'abandonRate' }, setpoint: ABANDON_SETPOINT, knob, ...lineGainsOf, ...schedule };
    } else {
      // Blended: lines pace the team for inbound; the mode's own knob keeps the abandon budget.
      const lines = knob.name === 'outboundLineCount' ? knob : lineKnob(Math.min(ORG_LINES, Math.max(4, Math.ceil(BLENDED_LINES_PER_AGENT * input.agents))), 4);
      const compliance =
        knob.name === 'abandonRate'
          ? { knob: { ...knob, maxStep: 0.25 }, gains: { kp: 10, ki: 2, kd: 0 }, aim: ABANDON_SETPOINT, horizonMinutes: 180, windowMinutes: 60 }
          : knob.name === 'maxCallsPerAgent'
            ? { knob }
            : { gains: scaled(COMPLIANCE_LINE_GAINS, knob.max / DEFAULT_LINES_MAX) };
      entry = {
        ...common,
        ...complianceOf(compliance),
        objective: { kind: 'inboundServiceLevel', queueId: input.inboundQueueId },
        setpoint,
        knob: lines,
        gains: lineGains(lines.max),
        blending: { reserveShare: 0.5 },
        ...schedule,
      };
    }
  }
  // Validated as the deployment would: a rule that made a bad entry must fail here, not at synth.
  parsePacingConfig({ genesys: { region: 'mypurecloud.com' }, secretName: 'starting-config/check', campaigns: [entry] }, `the starting configuration of campaign ${input.campaignId}`);
  return entry;
}
