/**
 * The one configuration rule every random centre gets: the README's guidance as a function of what
 * a user knows when setting a campaign up (team size, dialing mode, whether the team is blended,
 * the rule it works under, the queue's service-level target), never of what the benchmark hides
 * from the controller (connect rate, handle time, events).
 *
 * To be merged with lambda/config/starting-config.ts (`startingCampaignConfig`, being written for
 * the CLI at the same time) into one rule.
 */
import { CAMPAIGN_ID, QUEUE_IDS, START_TIME, type CampaignStart, type Centre } from './random-centres.js';

/** A controller file as sim/controllers/ holds them: the pacing configuration without `genesys` and `secretName`. */
export interface ControllerFile {
  defaults: Record<string, unknown>;
  campaigns: Array<Record<string, unknown>>;
}

/** Under 20 agents the ratios are noisy: gains scale down with the team (README, `gainSchedule`). */
const GAIN_SCHEDULE = { referenceAgents: 20, minScale: 0.25 };
/** The lines range the schema's default gains are set for (outboundLineCount 1..50). */
const DEFAULT_LINES_MAX = 50;
const LINE_GAINS = { kp: 40, ki: 10, kd: 5 };
const COMPLIANCE_LINE_GAINS = { kp: 200, ki: 50, kd: 0 };
/** Genesys's abandon target never above this: at the limit for the US rule, below it for the UK's 24 hours (README guidance). */
const ABANDON_TARGET_MAX = { US: 3, UK: 2.5 };
/** The lines an org's edges can dial at once in the twin. */
const ORG_LINES = 300;

/** The most lines the rule lets the campaign use: one per agent for progressive, more where dials outnumber agents. */
export function linesMax(c: Pick<Centre, 'agents' | 'mode'>): number {
  const perAgent = c.mode === 'progressive' ? 1 : c.mode === 'agentless' ? 2 : 1.5;
  return Math.min(ORG_LINES, Math.max(4, Math.ceil(perAgent * c.agents)));
}

const scaled = (g: { kp: number; ki: number; kd: number }, f: number) => ({ kp: +(g.kp * f).toFixed(3), ki: +(g.ki * f).toFixed(3), kd: +(g.kd * f).toFixed(3) });

/** The campaign's settings before the controller takes over, inside the rule's bounds (README: set the campaign inside the new bounds first). */
export function campaignStartOf(c: Centre): CampaignStart {
  const lines = linesMax(c);
  return {
    abandonRate: ABANDON_TARGET_MAX[c.regime],
    maxCallsPerAgent: 3,
    outboundLineCount: c.mode === 'agentless' ? Math.ceil(lines / 2) : lines,
  };
}

/**
 * The controller configuration of a centre:
 * - compliance window by the rule: US 30-day periods from the campaign start, UK rolling 24 hours;
 * - predictive and power, blended: the inbound queue's service level on `outboundLineCount`, the
 *   compliance loop on Genesys's `abandonRate` target, half the team kept for inbound (the shipped
 *   blended configuration);
 * - predictive and power, outbound only: the abandon rate (2.5%) on Genesys's `abandonRate` target;
 * - progressive: `outboundLineCount` up to one line per agent, on the inbound service level when
 *   blended, else on the abandon rate;
 * - agentless: the transfer queue's service level on `outboundLineCount` up to two lines per agent,
 *   with the shipped agentless feedforward and reserve;
 * - line gains scaled with the lines range; gains scheduled by team size under 20 agents.
 */
export function controllerConfigOf(c: Centre): ControllerFile {
  const lines = linesMax(c);
  const lineKnob = { name: 'outboundLineCount', min: 1, max: lines, maxStep: Math.max(1, Math.ceil(lines / 4)) };
  const lineScale = lines / DEFAULT_LINES_MAX;
  const abandonKnob = { name: 'abandonRate', min: 0.5, max: ABANDON_TARGET_MAX[c.regime], maxStep: 0.25 };
  const window = c.regime === 'US' ? { type: 'periods', days: 30, anchor: START_TIME } : { type: 'rolling', hours: 24 };
  const defaults: Record<string, unknown> = {
    compliance: { window, ...(c.mode === 'predictive' || c.mode === 'power' ? {} : { gains: scaled(COMPLIANCE_LINE_GAINS, lineScale) }) },
    ...(c.agents < GAIN_SCHEDULE.referenceAgents ? { gainSchedule: GAIN_SCHEDULE } : {}),
  };
  const base = { campaignId: CAMPAIGN_ID, name: `${c.id} ${c.mode}` };
  const blended = c.inboundLoad !== undefined;
  const serviceLevel = (queueId: string) => ({ objective: { kind: queueId === QUEUE_IDS.inbound ? 'inboundServiceLevel' : 'queueServiceLevel', queueId }, setpoint: c.serviceLevel.target });
  const abandonObjective = { objective: { kind: 'abandonRate' }, setpoint: 0.025 };
  let campaign: Record<string, unknown>;
  switch (c.mode) {
    case 'predictive':
    case 'power':
      campaign = blended
        ? { ...base, ...serviceLevel(QUEUE_IDS.inbound), knob: lineKnob, gains: scaled(LINE_GAINS, lineScale), blending: { reserveShare: 0.5 } }
        : { ...base, ...abandonObjective, knob: abandonKnob };
      if (blended) defaults.compliance = { ...(defaults.compliance as object), knob: { ...abandonKnob, min: 1.5 }, gains: { kp: 10, ki: 2, kd: 0 }, aim: c.regime === 'US' ? 0.026 : 0.025, horizonMinutes: 180, windowMinutes: 60 };
      break;
    case 'progressive':
      campaign = { ...base, ...(blended ? serviceLevel(QUEUE_IDS.inbound) : abandonObjective), knob: lineKnob, gains: scaled(LINE_GAINS, lineScale), ...(blended ? { blending: { reserveShare: 0.5 } } : {}) };
      break;
    case 'agentless':
      campaign = {
        ...base,
        ...serviceLevel(QUEUE_IDS.campaign),
        knob: lineKnob,
        gains: scaled({ kp: 4, ki: 0.5, kd: 0 }, lines / 40),
        deadBand: 0.05,
        feedforward: { idleGain: 0.3, waitingGain: 0.5, idleTarget: Math.max(1, Math.round(c.agents / 4)) },
        blending: { reserveShare: 0, reserveAgents: 2, waitingLimit: 1 },
      };
      break;
  }
  return { defaults, campaigns: [campaign] };
}
