/**
 * Everything one campaign decides at a tick, as a pure function: the campaign's own PID loop, the
 * compliance loop beside it, and the overrides that cap the knob (the compliance loop when it
 * shares the knob, the short-window guard, the blending threshold, and in danger the safe value,
 * reached at once: fast-cut.ts).
 *
 * Override control with external reset: the knob takes the lower of the two loops' outputs; the
 * loop that loses tracks the value written, so that neither winds up while the other rules and
 * either takes over without a bump.
 */
import type { CampaignConfig, KnobConfig } from '../config/config.js';
import type { KnobName } from '../config/schema.js';
import { rateWithAmdFalsePositives } from '../compliance/amd.js';
import { complianceLoopCampaign, type ComplianceAssessment } from '../compliance/assess.js';
import { budgetSpent, overrideManualValue } from '../compliance/manual-override.js';
import type { CampaignPerformance, CampaignSnapshot, ComplianceState, ControllerState, LoopState, QueueLiveState } from '../ports.js';
import { knobGivingBack, queueingPastLimit, type InboundShortfall } from './blending.js';
import { abandonsInDanger, freeAgents, FULL_SERVICE_LEVEL_AIM_SHARE, linesForServiceLevel, safeValue, serviceLevelInDanger, transferRoom, type Transfers } from './fast-cut.js';
import { onSince, startCeiling } from './start.js';
import { step, type BlindReason, type Measurement, type StepDecision } from './pid.js';

/**
 * Which overrides held the knob below where the campaign's loop alone would have put it
 * (`service-level`: the queue's service level in danger cut it at once to the safe value;
 * `start`: a conservative start held it on its ramp from the safe value).
 */
export type Override = 'compliance' | 'guard' | 'blending' | 'service-level' | 'start';

export interface DecideInput {
  campaign: CampaignConfig;
  snapshot: CampaignSnapshot;
  /** The campaign's objective over its window. */
  measurement: Measurement | undefined;
  /** Abandon rate over the compliance loop's window. */
  complianceMeasurement: Measurement | undefined;
  compliance: ComplianceAssessment;
  /** The blending threshold says: no outbound now. */
  reserveViolated: boolean;
  /** The inbound queue has fewer agents it can count on than it needs (blending.ts `inboundShortfall`). */
  inboundShortfall?: InboundShortfall | undefined;
  /**
   * An agentless campaign's own transfers (their load and handle time: fast-cut.ts `transfersOf`),
   * for the lines its team can take (`transferRoom`); undefined until both are known, and for other modes.
   */
  transfers?: Transfers | undefined;
  /** Gain scheduling factor for this tick. */
  gainScale: number;
  /** The dialer's own figures (idle agents, connect ratio), for the safe value of a fast cut. */
  dialer?: CampaignPerformance | undefined;
  /** Live state of the campaign's queue (its team), for idle agents when the dialer has none. */
  team?: QueueLiveState | undefined;
  /** The campaign's live answers over the last minute, for what an agentless line brings (fast-cut.ts). */
  lastMinuteLiveAnswers?: number | undefined;
  /**
   * The objective queue's service level over the blending arrival window (the last
   * `blending.arrivalMinutes`): what the queue shows now, where the objective's window still holds
   * the past.
   */
  recentServiceLevel?: Measurement | undefined;
  /** Feedforward on the campaign's own knob this tick, knob units. */
  feedforward: number;
  /** The team has room for more outbound (blending.ts `teamHasRoom`). */
  teamHasRoom?: boolean;
  /** Set when this tick cannot see the campaign's metrics: both loops hold, and count it. */
  blind?: BlindReason;
  state: ControllerState | undefined;
  now: number;
  eventId: string;
}

export interface CampaignDecision {
  /** The campaign's own loop. */
  main: StepDecision;
  /** The compliance loop. */
  complianceLoop: StepDecision;
  /** True when the compliance loop moves the campaign's own knob (it caps it) rather than another. */
  sharedKnob: boolean;
  /** Fields to PATCH, in one request; empty when nothing moves. */
  writes: Partial<Record<KnobName, number>>;
  overrides: Override[];
  /** State to save once the writes succeed (undefined: save nothing). */
  next: Omit<ControllerState, 'version'> | undefined;
  /** State to save when the writes are not made (dry run): every knob stays where it was. */
  nextUnwritten: Omit<ControllerState, 'version'> | undefined;
}

/** Decisions from which the compliance loop's output is a real PID output, usable as a ceiling. */
const COMPUTED: ReadonlySet<StepDecision['reason']> = new Set(['pid', 'unchanged', 'override']);

/** Restarts of the compliance loop: it re-initialises on the knob's value and acts from the next tick. */
const RESTARTS: ReadonlySet<StepDecision['reason']> = new Set(['initialised', 'restart-after-gap', 'restart-after-blind']);

/** Decides one campaign's tick. */
export function decide(input: DecideInput): CampaignDecision {
  const { campaign, snapshot, compliance, state, now, eventId } = input;
  const on = snapshot.status === 'on';
  const mainKnob = campaign.knob;
  const loopKnob = campaign.compliance.knob;
  const sharedKnob = loopKnob.name === mainKnob.name;
  const mainNow = snapshot.knobs[mainKnob.name];
  const loopNow = snapshot.knobs[loopKnob.name];
  const guardCeiling = compliance.guardTripped && loopNow !== undefined ? loopNow - loopKnob.maxStep : undefined;
  // Abandon rates as the rule counts them: with the estimated AMD false positives (UK rule).
  const amdRate = campaign.compliance.amdFalsePositiveRate;
  const m = input.complianceMeasurement && rateWithAmdFalsePositives(amdRate, input.complianceMeasurement);
  const measurement = input.measurement && campaign.objective.kind === 'abandonRate' ? rateWithAmdFalsePositives(amdRate, input.measurement) : input.measurement;

  // No abandon in enough live answers to show the rate under the aim (abandonFreeShows): a loop
  // whose error can be no larger than its aim's few points would take most of an hour to cross its
  // knob's range, so it rises as a thin window does (pid.ts), while the dialer has an agent idle
  // (or does not say). Only a campaign aiming at an abandon rate, which keeps no agents for a queue.
  // The compliance loop rises on its own window, the campaign's loop only when both windows show it
  // (the compliance loop's ceiling would stop it).
  const abandonLoop = on && !input.blind && campaign.objective.kind === 'abandonRate' && (input.dialer?.idleAgents ?? 1) >= 1;
  const loopAbandonFree = abandonLoop && abandonFreeShows(input.complianceMeasurement, compliance.allowedRate, amdRate);
  const mainAbandonFree = loopAbandonFree && abandonFreeShows(input.measurement, campaign.setpoint, amdRate);
  const loopInput = {
    campaign: complianceLoopCampaign(campaign, compliance.allowedRate),
    campaignOn: on,
    knobNow: loopNow,
    measurement: m,
    ...(input.blind ? { blind: input.blind } : {}),
    // The blind count is the campaign's: both loops read the same metrics.
    previous: state?.compliance?.loop
      ? { ...state.compliance.loop, campaignId: campaign.campaignId, lastEventId: state.lastEventId, blindTicks: state.blindTicks, version: state.version }
      : undefined,
    now,
    eventId,
    gainScale: input.gainScale,
    ...(loopAbandonFree ? { abandonFree: true } : {}),
  };
  let complianceLoop = step({ ...loopInput, ...(sharedKnob || guardCeiling === undefined ? {} : { ceiling: guardCeiling }) });
  // The loop's own window shows abandons above the allowed rate (on enough live answers to act on).
  const over = !input.blind && loopNow !== undefined && m !== undefined && m.sample >= campaign.compliance.minSample && m.value > compliance.allowedRate;
  // While over, the knob never rises: the 30-minute rate is noisy, and a dip in it (one quiet
  // quarter of an hour) swings the proportional term up while the window still runs too high.
  // A restart (first tick, after a gap or a blind spell) would hold a tick at a pace already known
  // to abandon too much: over, it cuts one largest step at once, as the guard does.
  const restarting = over && RESTARTS.has(complianceLoop.reason);
  const overCeiling = over ? loopNow! - (restarting ? loopKnob.maxStep : 0) : undefined;
  // Cut fast, rise slowly (fast-cut.ts): in danger, cuts go at once to the safe value.
  const lines = snapshot.knobs.outboundLineCount;
  const lastMinute = input.lastMinuteLiveAnswers !== undefined && lines !== undefined ? { liveAnswers: input.lastMinuteLiveAnswers, lines } : undefined;
  const free = freeAgents(input.dialer, input.team, lastMinute, snapshot.dialingMode === 'agentless');
  const abandonDanger = !input.blind && abandonsInDanger(campaign, compliance, m);
  const slDanger = !input.blind && serviceLevelInDanger(campaign, measurement);
  const loopSafe = safeValue(loopInput.campaign.knob, free);
  const mainSafe = safeValue(mainKnob, free);
  // A conservative start (start.ts): from the safe value, one largest step a minute.
  const startedAt = onSince(on, state, now);
  const loopStart = startCeiling(campaign.startMinutes, loopKnob, startedAt, now, loopSafe);
  const mainStart = startCeiling(campaign.startMinutes, mainKnob, startedAt, now, mainSafe);
  if (!sharedKnob && (overCeiling !== undefined || abandonDanger || loopStart !== undefined)) {
    const loopCeiling = lowest(guardCeiling, overCeiling, abandonDanger ? loopSafe : undefined, loopStart);
    const loopCutFloor = lowest(abandonDanger ? loopSafe : undefined, loopStart);
    complianceLoop = step({ ...loopInput, ceiling: loopCeiling!, ...(loopCutFloor === undefined ? {} : { cutFloor: loopCutFloor }) });
  }

  const ceilings: Array<{ by: Override; value: number }> = [];
  if (sharedKnob && COMPUTED.has(complianceLoop.reason) && complianceLoop.next) ceilings.push({ by: 'compliance', value: complianceLoop.next.lastOutput });
  if (sharedKnob && overCeiling !== undefined) ceilings.push({ by: 'compliance', value: overCeiling });
  if (sharedKnob && guardCeiling !== undefined) ceilings.push({ by: 'guard', value: guardCeiling });
  if (abandonDanger) ceilings.push({ by: compliance.guardTripped ? 'guard' : 'compliance', value: mainSafe });
  if (slDanger) ceilings.push({ by: 'service-level', value: mainSafe });
  // The threshold policy holds outbound at its minimum while the reserve is broken. An agentless
  // campaign's lines are its own team's load: they rise no further than the team can take, and a
  // broken reserve cuts them to what the team can take now, not to none (fast-cut.ts).
  const room = snapshot.dialingMode === 'agentless' && input.transfers && input.team && campaign.blending ? transferRoom(mainKnob, free, input.team, input.transfers, campaign.blending.reserveAgents) : undefined;
  const queueing = input.team !== undefined && campaign.blending !== undefined && queueingPastLimit(campaign.blending, input.team);
  // A capacity on the longest connected call's time (no transfer handled yet) runs high: no cut is sized by it.
  const cutRoom = input.transfers?.handleIsFloor ? undefined : room;
  const reserveCut = cutRoom && mainNow !== undefined ? Math.min(mainNow, queueing ? cutRoom.nextMinute : cutRoom.capacity) : mainKnob.min;
  if (input.reserveViolated) ceilings.push({ by: 'blending', value: reserveCut });
  // Short of idle agents for the inbound queue: outbound gives them back at once, pro rata.
  const givingBack = input.inboundShortfall && mainNow !== undefined ? knobGivingBack(mainKnob, mainNow, input.inboundShortfall) : undefined;
  if (givingBack !== undefined) ceilings.push({ by: 'blending', value: givingBack });
  if (room && mainNow !== undefined) ceilings.push({ by: 'blending', value: Math.max(mainNow, room.capacity) });
  if (mainStart !== undefined) ceilings.push({ by: 'start', value: mainStart });
  const ceiling = lowest(...ceilings.map((c) => c.value));
  // Where a cut may go at once: the threshold policy's cuts, the safe value in danger, the start's ramp.
  const cutFloor = lowest(input.reserveViolated ? reserveCut : undefined, givingBack, abandonDanger || slDanger ? mainSafe : undefined, mainStart);

  // A dedicated team that opted in (`fullServiceLevelRise`): its transfers at 100% rise to what
  // Erlang C says the team can take (fast-cut.ts), once the window's 100% is evidence that the
  // service level is above that aim.
  const risesOnFull = campaign.objective.kind === 'queueServiceLevel' && campaign.objective.fullServiceLevelRise === true && snapshot.dialingMode === 'agentless';
  const aim = campaign.setpoint + FULL_SERVICE_LEVEL_AIM_SHARE * (1 - campaign.setpoint);
  const fullServiceLevelCeiling =
    risesOnFull && input.transfers && input.team && mainNow !== undefined && fullServiceLevelShows(measurement, aim)
      ? linesForServiceLevel(mainKnob, free, input.team, input.transfers, mainNow, aim)
      : undefined;

  // The inbound queue is served in full now (its recent window answered every call within the
  // threshold, on enough calls to show the service level above the setpoint) while its longer
  // window still holds a shortfall that has passed (a surge over): the knob rises as a thin
  // window's does instead of holding at the floor until the window forgets, with the reserve kept,
  // agents idle and nothing waiting past the limit.
  const servedNow =
    on && !input.blind && campaign.objective.kind === 'inboundServiceLevel' && input.teamHasRoom === true && !input.reserveViolated && input.inboundShortfall === undefined && fullServiceLevelShows(input.recentServiceLevel, campaign.setpoint);

  let main = step({
    campaign,
    campaignOn: on,
    knobNow: mainNow,
    measurement,
    ...(input.blind ? { blind: input.blind } : {}),
    previous: state,
    now,
    eventId,
    gainScale: input.gainScale,
    ...(input.feedforward ? { feedforward: input.feedforward } : {}),
    // A start's window is thin because it is new, not starved: no rise on it before the ramp ends.
    ...(input.teamHasRoom && mainStart === undefined ? { teamHasRoom: true } : {}),
    ...(fullServiceLevelCeiling === undefined ? {} : { fullServiceLevelCeiling }),
    ...(mainAbandonFree ? { abandonFree: true } : {}),
    ...(servedNow ? { servedNow: true } : {}),
    ...(ceiling === undefined ? {} : { ceiling }),
    ...(cutFloor === undefined ? {} : { cutFloor }),
  });

  // The law outranks the pace: a hand-set value above the bounds is cut once the budget is spent.
  const manual = { campaignId: campaign.campaignId, compliance: campaign.compliance, spent: budgetSpent(campaign.compliance, compliance), canAct: on && !input.blind, now, eventId };
  main = overrideManualValue(main, { ...manual, knob: mainKnob, knobNow: mainNow, safe: mainSafe, previous: state });
  if (!sharedKnob) {
    const knob = loopInput.campaign.knob;
    complianceLoop = overrideManualValue(complianceLoop, { ...manual, knob, knobNow: loopNow, safe: loopSafe, previous: loopInput.previous });
  }

  const writes: Partial<Record<KnobName, number>> = {};
  if (main.action === 'change' && main.value !== undefined) writes[mainKnob.name] = main.value;
  if (!sharedKnob && complianceLoop.action === 'change' && complianceLoop.value !== undefined) writes[loopKnob.name] = complianceLoop.value;

  const overrides = whichOverrides(ceilings, main, mainNow, mainKnob);
  if (!sharedKnob && complianceLoop.reason === 'override') overrides.push(compliance.guardTripped && !restarting ? 'guard' : 'compliance');
  if (main.reason === 'compliance-override' || (!sharedKnob && complianceLoop.reason === 'compliance-override')) overrides.push('compliance');

  const loopNext = sharedKnob ? trackSelected(complianceLoop, main, mainKnob.resolution) : complianceLoop.next;
  const countsOf = (loop: LoopState | undefined): ComplianceState => ({
    ...compliance.counts,
    ...(loop ? { loop } : state?.compliance?.loop ? { loop: state.compliance.loop } : {}),
  });
  if (!main.next) return { main, complianceLoop, sharedKnob, writes, overrides, next: undefined, nextUnwritten: undefined };
  const spell = startedAt === undefined ? {} : { onSince: startedAt };
  const next = { ...withoutOnSince(main.next), ...spell, compliance: countsOf(loopNext && loopState(loopNext)) };
  const unwrittenLoop = loopNext && { ...loopState(loopNext), lastWritten: (sharedKnob ? mainNow : loopNow) ?? loopNext.lastWritten };
  const nextUnwritten = {
    ...withoutOnSince(main.next),
    ...spell,
    lastWritten: mainNow ?? main.next.lastWritten,
    compliance: countsOf(unwrittenLoop),
  };
  return { main, complianceLoop, sharedKnob, writes, overrides, next, nextUnwritten };
}

/**
 * External reset for the compliance loop on a shared knob: when the campaign's loop asked for
 * less than the compliance loop allowed, the compliance loop's output comes down to the value
 * chosen, so it bites as soon as abandons rise, and its rises follow the knob's at the pace of
 * its integral. While abandons run under the allowed rate it keeps one grid step above the value
 * chosen: a small team's scaled gains integrate less than a step a tick, and tracked to the value
 * itself the ceiling would hold the knob there for good.
 */
function trackSelected(loop: StepDecision, main: StepDecision, resolution: number): StepDecision['next'] {
  if (!loop.next || !main.next) return loop.next;
  const selected = main.next.lastOutput;
  const target = selected + (loop.error !== undefined && loop.error > 0 ? resolution : 0);
  const integral = target < loop.next.lastOutput ? loop.next.integral + (target - loop.next.lastOutput) : loop.next.integral;
  return { ...loop.next, integral, lastOutput: Math.min(target, loop.next.lastOutput), lastWritten: main.next.lastWritten };
}

/**
 * The rule of three: no event in n trials puts the true rate under 3 / n at 95% confidence, so a
 * sample of at least 3 / `room` shows it under `room`.
 */
function ruleOfThreeShows(sample: number, room: number): boolean {
  // The tolerance keeps 3 / (1 - 0.9), 30.000000000000004 in floating point, at 30 calls.
  return room > 0 && sample >= 3 / room - 1e-9;
}

/** A service level measured at 100% shows the true one above `aim` on at least 3 / (1 - aim) calls. */
function fullServiceLevelShows(measurement: Measurement | undefined, aim: number): boolean {
  return measurement !== undefined && measurement.value >= 1 && ruleOfThreeShows(measurement.sample, 1 - aim);
}

/**
 * No abandon in a window of at least 3 / (aim - the AMD false-positive rate the rule adds) live
 * answers shows the rate that pacing moves under the room the aim leaves it, at 95% confidence by
 * the rule of three. The estimated false positives are added whatever the pace, so they do not count.
 *
 * @param measurement - the abandon rate the campaign's calls show, before any false positive is added
 */
export function abandonFreeShows(measurement: Measurement | undefined, aim: number, amdFalsePositiveRate: number): boolean {
  return measurement !== undefined && measurement.value === 0 && ruleOfThreeShows(measurement.sample, aim - amdFalsePositiveRate);
}

/** The lowest of the values given, undefined when none is. */
function lowest(...values: Array<number | undefined>): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? Math.min(...defined) : undefined;
}

function withoutOnSince(s: NonNullable<StepDecision['next']>): Omit<NonNullable<StepDecision['next']>, 'onSince'> {
  const { onSince: _onSince, ...rest } = s;
  return rest;
}

function loopState(s: NonNullable<StepDecision['next']>): LoopState {
  return {
    integral: s.integral,
    previousError: s.previousError,
    ...(s.previousMeasurement === undefined ? {} : { previousMeasurement: s.previousMeasurement }),
    lastOutput: s.lastOutput,
    lastWritten: s.lastWritten,
    lastTickTime: s.lastTickTime,
  };
}

function whichOverrides(
  ceilings: ReadonlyArray<{ by: Override; value: number }>,
  main: StepDecision,
  knobNow: number | undefined,
  knob: KnobConfig,
): Override[] {
  if (main.reason !== 'override' || knobNow === undefined) return [];
  const lowest = Math.min(...ceilings.map((c) => c.value));
  return ceilings.filter((c) => c.value <= lowest + knob.resolution / 2).map((c) => c.by);
}
