/**
 * The control law: one PID step per campaign per tick, as pure functions with no I/O.
 *
 * Conventions (pacing.md section 4):
 * - The error is *headroom*: positive when the objective is better than its target, so more
 *   dialing is affordable. Service level: measured - setpoint. Abandon rate: setpoint - measured.
 *   The loop is therefore reverse-acting on both objectives: service level below target, or
 *   abandons above target, give a negative error and make pacing less aggressive.
 * - Position form u = P + I + D, where the integral carries the operating point. Bumpless
 *   (re)starts set I so that u equals the knob's current value.
 * - P on the error (setpoint weight 1), D on the filtered measurement (setpoint weight 0).
 * - dt comes from stored timestamps, so any schedule period works.
 * - Output limited to the bounds and to the largest step from the current value, then rounded
 *   to the knob's grid (grid.ts); anti-windup by back-calculation against the limited output.
 * - Blind ticks (metrics unreadable, or the tick's data stale) hold and are counted; after
 *   `blindTicksBeforeSafe` of them in a row, pacing steps down toward the knob's safe value, at
 *   most one largest step per tick and never upward. Sight regained after that restarts bumplessly.
 * - An override (compliance, the short-window guard, the blending threshold) may set a ceiling.
 *   It binds even when the law would hold, at most one largest step per tick (in danger, at once
 *   down to the cut floor: fast-cut.ts), and while it binds
 *   the integral tracks the ceiling in full (external reset), so the loop resumes from where the
 *   override left the knob.
 * - Feedforward adds a known term to the output; gains may be scaled (by team size) per tick.
 *   On a dedicated team the integral, the pacing at the feedforward's reference, is never taken
 *   below the knob's minimum by absorbing the feedforward ({@link integralFloor}).
 * - A thin sample with room in the team (blending.ts `teamHasRoom`), unless it shows the objective
 *   short of its setpoint, rises instead of holding: at most doubling the knob and at most one
 *   largest step per tick, under every ceiling. Otherwise a loop cut to its floor dials too little
 *   to ever fill its window again, and holds there all day.
 * - A service level measured at 100% is saturated: its error (1 - setpoint) says the queue has
 *   room, not how much, and the integral climbs at the same pace whatever the room. Where the
 *   caller knows how much (`fullServiceLevelCeiling`: a dedicated agentless team that opted in,
 *   decide.ts), such a tick with room in the team rises as a thin one does, under that ceiling
 *   too; the integral takes the new value less the proportional term, so the loop resumes
 *   without a bump.
 */
import type { CampaignConfig, Gains } from '../config/config.js';
import type { ControllerState } from '../ports.js';
import { gridAbove, gridBelow, quantise } from './grid.js';

/** A windowed measurement of the campaign's objective. */
export interface Measurement {
  /** The measured fraction (service level or abandon rate). */
  value: number;
  /** How many calls it rests on (offered or live-connected). */
  sample: number;
}

/** Why a tick cannot see its objective: the metrics could not be read, or the tick's data is too old. */
export type BlindReason = 'read-failed' | 'stale-data';

/** Why a tick wrote nothing. */
export type HoldReason =
  | BlindReason
  | 'campaign-not-on'
  | 'no-data'
  | 'sample-too-small'
  | 'dead-band'
  | 'unchanged'
  | 'initialised'
  | 'manual-change'
  | 'restart-after-gap'
  | 'restart-after-blind'
  | 'knob-missing'
  | 'knob-outside-bounds'
  | 'out-of-order';

/** Everything one step of the law needs. */
export interface StepInput {
  campaign: CampaignConfig;
  /** The campaign's status is `on` in Genesys. */
  campaignOn: boolean;
  /** The knob's value in Genesys right now; undefined when the campaign does not carry it. */
  knobNow: number | undefined;
  /** Undefined when no data came back for the window. */
  measurement: Measurement | undefined;
  /** Set when this tick cannot see the objective; the measurement is then ignored. */
  blind?: BlindReason;
  previous: ControllerState | undefined;
  /** Tick time, epoch ms. */
  now: number;
  eventId: string;
  /** An override's upper bound on the knob this tick (never below the knob's min). */
  ceiling?: number;
  /**
   * In danger (fast-cut.ts): a cut may go at once down to this value, not one largest step at a
   * time. Rises stay limited to one step.
   */
  cutFloor?: number;
  /** Multiplies kp, ki and kd this tick (gain scheduling); 1 when absent. */
  gainScale?: number;
  /** Knob units added to the PID's output this tick. */
  feedforward?: number;
  /** The team has room for more outbound (blending.ts `teamHasRoom`): a sample too thin to judge rises. */
  teamHasRoom?: boolean;
  /** Where a service level measured at 100% may rise to, with room in the team, as a thin sample does (decide.ts). */
  fullServiceLevelCeiling?: number;
  /**
   * An abandon-rate loop's window holds no abandon on enough live answers to show its rate under
   * the aim (decide.ts `abandonFreeShows`): it rises as a thin window does.
   */
  abandonFree?: boolean;
  /**
   * The objective's queue is served in full now while its window still holds a past shortfall
   * (decide.ts): a window short of the setpoint rises as a thin window does.
   */
  servedNow?: boolean;
}

/** Why the knob rose outside the PID's own pace ({@link idleRise}). */
type RiseReason = 'idle-rise' | 'abandon-free-rise' | 'recovered-rise';

/** The PID terms behind a decision, in knob units. */
export interface PidTerms {
  p: number;
  i: number;
  d: number;
  /** Feedforward, when any. */
  ff?: number;
}

/** What one step decided. */
export interface StepDecision {
  /** `change` when the knob should move to `value`; the caller writes it unless in dry run. */
  action: 'change' | 'hold';
  /**
   * `blind-safe-value`: the change is a step toward the safe value after too many blind ticks.
   * `override`: a ceiling cut the knob where the law alone would have held or moved less.
   * `compliance-override`: the budget is spent and a value set by hand above the bounds was cut
   * to the safe value (compliance/manual-override.ts).
   * `idle-rise`: the objective rested on too few calls while the team had room; the knob rose.
   * `abandon-free-rise`: no abandon in enough live answers to show the rate under the aim; the knob rose.
   * `recovered-rise`: the queue is served in full now, its window short only of a past shortfall; the knob rose.
   */
  reason: HoldReason | 'pid' | 'blind-safe-value' | 'override' | 'compliance-override' | RiseReason;
  /** The knob value after this tick (new when changing, the current one when holding). */
  value: number | undefined;
  error: number | undefined;
  terms: PidTerms | undefined;
  /** State to save; undefined when nothing should be saved (knob unreadable). */
  next: Omit<ControllerState, 'version'> | undefined;
}

/** +1 when a higher measurement is better (service level), -1 when lower is better (abandons). */
export function objectiveSign(campaign: CampaignConfig): 1 | -1 {
  return campaign.objective.kind === 'abandonRate' ? -1 : 1;
}

/** Headroom error: positive when the objective beats its target. */
export function headroom(campaign: CampaignConfig, measured: number): number {
  return objectiveSign(campaign) * (measured - campaign.setpoint);
}

/**
 * The range the output may take this tick: the bounds (to the grid values inside them), narrowed
 * to one step around the current value, and below an override's ceiling (never below min, nor more
 * than one step down, unless a cut floor lets a cut go at once to it).
 */
export function allowedRange(campaign: CampaignConfig, knobNow: number, ceiling = Infinity, cutFloor = Infinity): { lo: number; hi: number } {
  const { maxStep, resolution } = campaign.knob;
  // The values Genesys takes inside the bounds (the configuration refuses bounds without one).
  const min = gridAbove(campaign.knob.min, resolution);
  const max = gridBelow(campaign.knob.max, resolution);
  const lo = Math.max(min, Math.min(knobNow - maxStep, cutFloor));
  return { lo, hi: Math.max(lo, Math.min(max, knobNow + maxStep, ceiling)) };
}

function scaled(gains: Gains, scale: number): Gains {
  return { kp: gains.kp * scale, ki: gains.ki * scale, kd: gains.kd * scale };
}

const MS_PER_MINUTE = 60_000;

/**
 * The integral with a feedforward is the pacing at the feedforward's reference (`idleTarget` agents
 * idle, no call waiting). A bumpless start, or an override's cut, made while many agents sit idle
 * takes the feedforward's large offset into the integral: a base below the knob's minimum, which
 * then pulls the knob down as those agents get busy, so a large team never fills (c199 of
 * `npm run bench:random -- --centres 200 --seed 3`: 260 agents held 5 to 8 lines all day with 160
 * idle). On a dedicated team (`objective.dedicatedAgents`) the idle agents are the campaign's to
 * fill, and no such absorption takes the base below the minimum. A base already below it (a
 * person's cut, which the loop restarts from as it stands, or a state saved before this rule) is
 * never lifted: it rises at the loop's own pace. On a team that also answers a queue the loop does
 * not watch, the offset's pull is what leaves the idle agents to that queue, so it stays.
 *
 * @param before - the integral this one follows (undefined on a start: the minimum applies)
 */
function integralFloor(campaign: CampaignConfig, integral: number, before?: number): number {
  const dedicated = campaign.objective.kind === 'queueServiceLevel' && campaign.objective.dedicatedAgents === true;
  if (!campaign.feedforward || !dedicated) return integral;
  return Math.max(before === undefined ? campaign.knob.min : Math.min(campaign.knob.min, before), integral);
}

/**
 * One PID step for one campaign.
 *
 * Holds (no integration, no change) when the campaign is not on, the data is missing, stale or
 * too thin, or the error is inside the dead-band. Restarts bumplessly from the knob's current
 * value on the first tick, after a manual change, after a long gap and after a blind spell that
 * reached the safe-value limit. Blind ticks are counted in the state and, past the limit, step
 * pacing toward the safe value. A ceiling below the knob cuts it whatever the law decided, one
 * largest step per tick (except for a blind tick, a campaign that is not on, or a knob a person
 * set outside the bounds).
 */
export function step(input: StepInput): StepDecision {
  return enforceCeiling(input, law(input));
}

function law(input: StepInput): StepDecision {
  const { campaign, knobNow, measurement, previous, now, eventId, blind } = input;
  const { knob } = campaign;
  const gains = scaled(campaign.gains, input.gainScale ?? 1);
  const ff = input.feedforward ?? 0;
  if (knobNow === undefined) return holdWithoutState('knob-missing');
  const blindTicks = blind ? (previous?.blindTicks ?? 0) + 1 : 0;
  if (knobNow < knob.min - 1e-9 || knobNow > knob.max + 1e-9) {
    // A value set by hand outside the operator's bounds: leave the human's choice alone.
    return keep(previous, 'knob-outside-bounds', knobNow, now, eventId, blindTicks);
  }

  const usable = usableMeasurement(input);
  const restart = restartReason(campaign, previous, knobNow, now, blind);
  if (restart) {
    const e = usable.ok ? headroom(campaign, usable.value) : 0;
    const p = gains.kp * e;
    // A person's value is the new base as it stands; any other restart starts the base afresh.
    const integral = restart === 'manual-change' ? knobNow - p - ff : integralFloor(campaign, knobNow - p - ff);
    return {
      action: 'hold',
      reason: restart,
      value: knobNow,
      error: usable.ok ? e : undefined,
      terms: { p, i: integral, d: 0, ...(ff ? { ff } : {}) },
      next: {
        campaignId: campaign.campaignId,
        integral,
        previousError: e,
        ...(usable.ok ? { previousMeasurement: usable.value } : {}),
        lastOutput: knobNow,
        lastWritten: knobNow,
        lastTickTime: now,
        lastEventId: eventId,
        // A restart while blind is the first blind tick of a fresh count.
        blindTicks: blind ? 1 : 0,
      },
    };
  }
  // previous is defined from here on: restartReason returns 'initialised' otherwise.
  const prev = previous!;
  if (now <= prev.lastTickTime) return holdWithoutState('out-of-order', knobNow);
  if (blind) return blindStep(campaign, prev, blind, blindTicks, input.campaignOn, knobNow, now, eventId);
  if (!input.campaignOn) return keep(prev, 'campaign-not-on', knobNow, now, eventId, 0);
  if (!usable.ok) {
    // What a thin sample shows is too noisy to act on, but a rise must not go against it.
    const thin = usable.reason === 'no-data' || (usable.reason === 'sample-too-small' && headroom(campaign, measurement!.value) >= 0);
    return thin && input.teamHasRoom ? idleRise(input, prev, usable.reason, knobNow) : keep(prev, usable.reason, knobNow, now, eventId, 0);
  }

  const dtMin = (now - prev.lastTickTime) / MS_PER_MINUTE;
  const sign = objectiveSign(campaign);
  const e = headroom(campaign, usable.value);
  const filterAlpha = dtMin / (campaign.derivativeFilterMinutes + dtMin);
  const filtered =
    prev.previousMeasurement === undefined
      ? usable.value
      : prev.previousMeasurement + filterAlpha * (usable.value - prev.previousMeasurement);
  // The error is known here: a rise's integral takes the new value less the proportional term, so
  // the loop resumes from the value without a bump above the ceiling.
  const known = { error: e, p: gains.kp * e, measurement: filtered };
  if (input.fullServiceLevelCeiling !== undefined && input.teamHasRoom && usable.value >= 1) {
    const rise = idleRise({ ...input, ceiling: Math.min(input.ceiling ?? Infinity, input.fullServiceLevelCeiling) }, prev, 'unchanged', knobNow, known);
    if (rise.action === 'change') return rise;
  }
  if (input.servedNow && e < 0) {
    const rise = idleRise(input, prev, 'unchanged', knobNow, known, 'recovered-rise');
    if (rise.action === 'change') return rise;
  }
  if (input.abandonFree) {
    const rise = idleRise(input, prev, 'unchanged', knobNow, known, 'abandon-free-rise');
    if (rise.action === 'change') return rise;
  }
  const d =
    prev.previousMeasurement === undefined ? 0 : gains.kd * sign * ((filtered - prev.previousMeasurement) / dtMin);

  if (Math.abs(e) <= campaign.deadBand) {
    return {
      ...keep(prev, 'dead-band', knobNow, now, eventId, 0),
      error: e,
      terms: { p: gains.kp * e, i: prev.integral, d, ...(ff ? { ff } : {}) },
      next: { ...stateOf(prev), previousError: e, previousMeasurement: filtered, lastTickTime: now, lastEventId: eventId, blindTicks: 0 },
    };
  }

  const p = gains.kp * e;
  const integralCandidate = prev.integral + gains.ki * e * dtMin;
  const unlimited = p + integralCandidate + d + ff;
  const { lo, hi } = allowedRange(campaign, knobNow, input.ceiling, input.cutFloor);
  const limited = Math.min(hi, Math.max(lo, unlimited));
  // Back-calculation: bleed the integral toward what the limited output allows, with a
  // tracking time of 0.9 Ti (Astrom & Hagglund), at most a full reset per tick. While an
  // override's ceiling is what limits, track it in full: the override owns the knob.
  const ti = gains.ki > 0 ? gains.kp / gains.ki : Infinity;
  const overridden = unlimited > hi && hi < allowedRange(campaign, knobNow).hi;
  const tracking = overridden || !(gains.kp > 0 && Number.isFinite(ti)) ? 1 : Math.min(1, dtMin / (0.9 * ti));
  const integral = integralFloor(campaign, integralCandidate + tracking * (limited - unlimited), prev.integral);
  const value = quantise(limited, knob.resolution, lo, hi);
  const changed = Math.abs(value - knobNow) >= knob.resolution / 2;

  return {
    action: changed ? 'change' : 'hold',
    reason: changed ? (overridden ? 'override' : 'pid') : 'unchanged',
    value: changed ? value : knobNow,
    error: e,
    terms: { p, i: integral, d, ...(ff ? { ff } : {}) },
    next: {
      campaignId: campaign.campaignId,
      integral,
      previousError: e,
      previousMeasurement: filtered,
      lastOutput: limited,
      // The caller replaces this with knobNow when the change is not written (dry run, failure).
      lastWritten: changed ? value : knobNow,
      lastTickTime: now,
      lastEventId: eventId,
      blindTicks: 0,
    },
  };
}

/**
 * A rise on a sample too thin to judge while the team has room (or, with `known`, on a saturated
 * service level under its own ceiling, or on windows free of abandons): at most double the knob and
 * at most one largest step, within the bounds and under the ceiling. Each rise at most doubles the
 * flow the objective's queue sees, so a rise that overshoots shows in the next windows, where the
 * loop and the danger cuts (fast-cut.ts) take over. The integral takes the new value (less the
 * proportional term when the error is known), so the loop resumes from it without a bump.
 */
function idleRise(
  input: StepInput,
  prev: ControllerState,
  thin: HoldReason,
  knobNow: number,
  known?: { error: number; p: number; measurement: number },
  reason: RiseReason = 'idle-rise',
): StepDecision {
  const { campaign, now, eventId } = input;
  const { knob } = campaign;
  const { lo, hi } = allowedRange(campaign, knobNow, input.ceiling, input.cutFloor);
  const value = quantise(Math.min(hi, knobNow + Math.min(knob.maxStep, Math.max(knob.resolution, knobNow))), knob.resolution, lo, hi);
  if (value < knobNow + knob.resolution / 2) return keep(prev, thin, knobNow, now, eventId, 0);
  const ff = input.feedforward ?? 0;
  const p = known?.p ?? 0;
  const integral = integralFloor(campaign, value - p - ff, prev.integral);
  return {
    action: 'change',
    reason,
    value,
    error: known?.error,
    terms: { p, i: integral, d: 0, ...(ff ? { ff } : {}) },
    next: {
      ...stateOf(prev),
      integral,
      ...(known ? { previousError: known.error, previousMeasurement: known.measurement } : {}),
      lastOutput: value,
      lastWritten: value,
      lastTickTime: now,
      lastEventId: eventId,
      blindTicks: 0,
    },
  };
}

/**
 * Reasons a ceiling must not act on: nothing of ours to cut, a person's value to respect (for the
 * tick that finds it, so the manual change is recorded as such; the ceiling acts from the next),
 * or a blind tick (held, or stepping to the safe value, on what is known without sight).
 */
const CEILING_EXEMPT: ReadonlySet<StepDecision['reason']> = new Set([
  'knob-missing',
  'knob-outside-bounds',
  'manual-change',
  'out-of-order',
  'campaign-not-on',
  'read-failed',
  'stale-data',
  'blind-safe-value',
]);

/**
 * Cuts the knob toward the ceiling when the law left it above (it held, restarted or moved less),
 * one largest step at most (or at once down to the cut floor), setting the integral so that the next tick continues from the cut
 * value without a bump.
 */
function enforceCeiling(input: StepInput, decision: StepDecision): StepDecision {
  const { campaign, ceiling, knobNow } = input;
  const { knob } = campaign;
  // A blind tick restarting (first tick, hand change, long gap) holds too: no override acts blind.
  if (ceiling === undefined || input.blind || knobNow === undefined || decision.value === undefined || !decision.next || CEILING_EXEMPT.has(decision.reason)) {
    return decision;
  }
  const { lo, hi } = allowedRange(campaign, knobNow, ceiling, input.cutFloor);
  if (decision.value <= hi + knob.resolution / 2) return decision;
  const value = quantise(hi, knob.resolution, lo, hi);
  const p = decision.terms?.p ?? 0;
  const d = decision.terms?.d ?? 0;
  const ff = input.feedforward ?? 0;
  const integral = integralFloor(campaign, value - p - d - ff, decision.next.integral);
  return {
    action: Math.abs(value - knobNow) >= knob.resolution / 2 ? 'change' : 'hold',
    reason: 'override',
    value,
    error: decision.error,
    terms: { p, i: integral, d, ...(ff ? { ff } : {}) },
    next: { ...decision.next, integral, lastOutput: value, lastWritten: value },
  };
}

/**
 * A blind tick: hold and count it; once the count reaches the limit, step toward the safe value.
 *
 * The step is one largest step at most (the same limit as any other change) and only ever
 * downward: every knob dials less at a lower value, and a blind controller has no grounds to
 * dial more. A campaign that is not on is only counted, so it restarts at the safe value if it
 * is switched on while still blind.
 */
function blindStep(
  campaign: CampaignConfig,
  prev: ControllerState,
  reason: BlindReason,
  blindTicks: number,
  campaignOn: boolean,
  knobNow: number,
  now: number,
  eventId: string,
): StepDecision {
  const held = keep(prev, reason, knobNow, now, eventId, blindTicks);
  const { knob } = campaign;
  // The safe value as Genesys takes it: off the grid, the grid value above it, so never below it.
  const safe = gridAbove(knob.safeValue, knob.resolution);
  if (blindTicks < campaign.blindTicksBeforeSafe || !campaignOn || knobNow <= safe + knob.resolution / 2) return held;
  const lo = Math.max(safe, allowedRange(campaign, knobNow).lo);
  const value = quantise(lo, knob.resolution, lo, knobNow);
  if (Math.abs(value - knobNow) < knob.resolution / 2) return held;
  return { ...held, action: 'change', reason: 'blind-safe-value', value, next: { ...held.next!, lastOutput: value, lastWritten: value } };
}

/**
 * A tick whose campaign could not be read at all: nothing is known of the knob, so nothing is
 * decided; the blind tick is counted on the stored state, if there is one.
 */
export function blindWithoutCampaign(previous: ControllerState | undefined, now: number, eventId: string): StepDecision {
  if (!previous || now <= previous.lastTickTime) return holdWithoutState('read-failed');
  // The knob's value is unknown, not the last one written: a hand may have moved it.
  return { ...keep(previous, 'read-failed', previous.lastWritten, now, eventId, previous.blindTicks + 1), value: undefined };
}

type Usable = { ok: true; value: number } | { ok: false; reason: BlindReason | 'no-data' | 'sample-too-small' };

function usableMeasurement(input: StepInput): Usable {
  if (input.blind) return { ok: false, reason: input.blind };
  const m = input.measurement;
  // No calls is not perfect service: without data, hold.
  if (!m || !Number.isFinite(m.value) || m.sample <= 0) return { ok: false, reason: 'no-data' };
  if (m.sample < input.campaign.minSample) return { ok: false, reason: 'sample-too-small' };
  return { ok: true, value: m.value };
}

function restartReason(
  campaign: CampaignConfig,
  previous: ControllerState | undefined,
  knobNow: number,
  now: number,
  blind: BlindReason | undefined,
): 'initialised' | 'manual-change' | 'restart-after-gap' | 'restart-after-blind' | undefined {
  if (!previous) return 'initialised';
  if (Math.abs(knobNow - previous.lastWritten) >= campaign.knob.resolution / 2) return 'manual-change';
  if (now - previous.lastTickTime > campaign.maxGapMinutes * MS_PER_MINUTE) return 'restart-after-gap';
  // The safe-value fallback moved the knob outside the law: pick it up from where it is.
  if (!blind && previous.blindTicks >= campaign.blindTicksBeforeSafe) return 'restart-after-blind';
  return undefined;
}

function stateOf(s: ControllerState): Omit<ControllerState, 'version'> {
  const { version: _version, ...rest } = s;
  return rest;
}

/** A hold that advances only the tick clock and the blind count (no integration); nothing to save without a state. */
function keep(
  previous: ControllerState | undefined,
  reason: HoldReason,
  knobNow: number,
  now: number,
  eventId: string,
  blindTicks: number,
): StepDecision {
  return {
    action: 'hold',
    reason,
    value: knobNow,
    error: undefined,
    terms: undefined,
    next: previous ? { ...stateOf(previous), lastTickTime: now, lastEventId: eventId, blindTicks } : undefined,
  };
}

function holdWithoutState(reason: HoldReason, knobNow?: number): StepDecision {
  return { action: 'hold', reason, value: knobNow, error: undefined, terms: undefined, next: undefined };
}
