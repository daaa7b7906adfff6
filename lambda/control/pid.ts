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
 *   to the knob's resolution; anti-windup by back-calculation against the limited output.
 * - An override (compliance, the short-window guard, the blending threshold) may set a ceiling.
 *   It binds even when the law would hold, and while it binds the integral tracks the ceiling in
 *   full (external reset), so the loop resumes from where the override left the knob.
 * - Feedforward adds a known term to the output; gains may be scaled (by team size) per tick.
 */
import type { CampaignConfig, Gains } from '../config/config.js';
import type { ControllerState } from '../ports.js';

/** A windowed measurement of the campaign's objective. */
export interface Measurement {
  /** The measured fraction (service level or abandon rate). */
  value: number;
  /** How many calls it rests on (offered or live-connected). */
  sample: number;
}

/** Why a tick wrote nothing. */
export type HoldReason =
  | 'campaign-not-on'
  | 'no-data'
  | 'sample-too-small'
  | 'stale-data'
  | 'dead-band'
  | 'unchanged'
  | 'initialised'
  | 'manual-change'
  | 'restart-after-gap'
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
  /** The caller judged the data too old to act on. */
  stale?: boolean;
  previous: ControllerState | undefined;
  /** Tick time, epoch ms. */
  now: number;
  eventId: string;
  /** An override's upper bound on the knob this tick (never below the knob's min). */
  ceiling?: number;
  /** Multiplies kp, ki and kd this tick (gain scheduling); 1 when absent. */
  gainScale?: number;
  /** Knob units added to the PID's output this tick. */
  feedforward?: number;
}

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
  /** `override`: a ceiling cut the knob where the law alone would have held or moved less. */
  reason: HoldReason | 'pid' | 'override';
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

/** Rounds to the knob's resolution, staying inside [lo, hi]. */
export function quantise(value: number, resolution: number, lo: number, hi: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(resolution)));
  const round = (v: number) => Number(v.toFixed(decimals));
  let q = round(Math.round(value / resolution) * resolution);
  if (q > hi) q = round(Math.floor(hi / resolution + 1e-9) * resolution);
  if (q < lo) q = round(Math.ceil(lo / resolution - 1e-9) * resolution);
  // Bounds that are not multiples of the resolution: the bound itself is the only safe value.
  if (q > hi || q < lo) q = Math.min(hi, Math.max(lo, value));
  return q;
}

/**
 * The range the output may take this tick: the bounds, narrowed to one step around the current
 * value, and below an override's ceiling (which may cut further than one step, never below min).
 */
export function allowedRange(campaign: CampaignConfig, knobNow: number, ceiling = Infinity): { lo: number; hi: number } {
  const { min, max, maxStep } = campaign.knob;
  const hi = Math.min(max, knobNow + maxStep, Math.max(min, ceiling));
  return { lo: Math.min(hi, Math.max(min, knobNow - maxStep)), hi };
}

function scaled(gains: Gains, scale: number): Gains {
  return { kp: gains.kp * scale, ki: gains.ki * scale, kd: gains.kd * scale };
}

const MS_PER_MINUTE = 60_000;

/**
 * One PID step for one campaign.
 *
 * Holds (no integration, no change) when the campaign is not on, the data is missing, stale or
 * too thin, or the error is inside the dead-band. Restarts bumplessly from the knob's current
 * value on the first tick, after a manual change and after a long gap. A ceiling below the knob
 * cuts it whatever the law decided (except for a campaign that is not on, or a knob a person set
 * outside the bounds).
 */
export function step(input: StepInput): StepDecision {
  return enforceCeiling(input, law(input));
}

function law(input: StepInput): StepDecision {
  const { campaign, knobNow, measurement, previous, now, eventId } = input;
  const { knob } = campaign;
  const gains = scaled(campaign.gains, input.gainScale ?? 1);
  const ff = input.feedforward ?? 0;
  if (knobNow === undefined) return holdWithoutState('knob-missing');
  if (knobNow < knob.min - 1e-9 || knobNow > knob.max + 1e-9) {
    // A value set by hand outside the operator's bounds: leave the human's choice alone.
    return keep(previous, 'knob-outside-bounds', knobNow, now, eventId);
  }

  const usable = usableMeasurement(input);
  const restart = restartReason(campaign, previous, knobNow, now);
  if (restart) {
    const e = usable.ok ? headroom(campaign, usable.value) : 0;
    const p = gains.kp * e;
    return {
      action: 'hold',
      reason: restart,
      value: knobNow,
      error: usable.ok ? e : undefined,
      terms: { p, i: knobNow - p - ff, d: 0, ...(ff ? { ff } : {}) },
      next: {
        campaignId: campaign.campaignId,
        integral: knobNow - p - ff,
        previousError: e,
        ...(usable.ok ? { previousMeasurement: usable.value } : {}),
        lastOutput: knobNow,
        lastWritten: knobNow,
        lastTickTime: now,
        lastEventId: eventId,
      },
    };
  }
  // previous is defined from here on: restartReason returns 'initialised' otherwise.
  const prev = previous!;
  if (now <= prev.lastTickTime) return holdWithoutState('out-of-order', knobNow);
  if (!input.campaignOn) return keep(prev, 'campaign-not-on', knobNow, now, eventId);
  if (!usable.ok) return keep(prev, usable.reason, knobNow, now, eventId);

  const dtMin = (now - prev.lastTickTime) / MS_PER_MINUTE;
  const sign = objectiveSign(campaign);
  const e = headroom(campaign, usable.value);
  const filterAlpha = dtMin / (campaign.derivativeFilterMinutes + dtMin);
  const filtered =
    prev.previousMeasurement === undefined
      ? usable.value
      : prev.previousMeasurement + filterAlpha * (usable.value - prev.previousMeasurement);
  const d =
    prev.previousMeasurement === undefined ? 0 : gains.kd * sign * ((filtered - prev.previousMeasurement) / dtMin);

  if (Math.abs(e) <= campaign.deadBand) {
    return {
      ...keep(prev, 'dead-band', knobNow, now, eventId),
      error: e,
      terms: { p: gains.kp * e, i: prev.integral, d, ...(ff ? { ff } : {}) },
      next: { ...stateOf(prev), previousError: e, previousMeasurement: filtered, lastTickTime: now, lastEventId: eventId },
    };
  }

  const p = gains.kp * e;
  const integralCandidate = prev.integral + gains.ki * e * dtMin;
  const unlimited = p + integralCandidate + d + ff;
  const { lo, hi } = allowedRange(campaign, knobNow, input.ceiling);
  const limited = Math.min(hi, Math.max(lo, unlimited));
  // Back-calculation: bleed the integral toward what the limited output allows, with a
  // tracking time of 0.9 Ti (Astrom & Hagglund), at most a full reset per tick. While an
  // override's ceiling is what limits, track it in full: the override owns the knob.
  const ti = gains.ki > 0 ? gains.kp / gains.ki : Infinity;
  const overridden = input.ceiling !== undefined && unlimited > hi && hi < Math.min(knob.max, knobNow + knob.maxStep);
  const tracking = overridden || !(gains.kp > 0 && Number.isFinite(ti)) ? 1 : Math.min(1, dtMin / (0.9 * ti));
  const integral = integralCandidate + tracking * (limited - unlimited);
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
    },
  };
}

/** Reasons a ceiling must not act on: nothing of ours to cut, or a person's value to respect. */
const CEILING_EXEMPT: ReadonlySet<StepDecision['reason']> = new Set(['knob-missing', 'knob-outside-bounds', 'out-of-order', 'campaign-not-on']);

/**
 * Cuts the knob to the ceiling when the law left it above (it held, restarted or moved less),
 * setting the integral so that the next tick continues from the cut value without a bump.
 */
function enforceCeiling(input: StepInput, decision: StepDecision): StepDecision {
  const { campaign, ceiling } = input;
  const { knob } = campaign;
  if (ceiling === undefined || decision.value === undefined || !decision.next || CEILING_EXEMPT.has(decision.reason)) return decision;
  const bound = Math.max(knob.min, ceiling);
  if (decision.value <= bound + knob.resolution / 2) return decision;
  const value = quantise(bound, knob.resolution, knob.min, bound);
  const p = decision.terms?.p ?? 0;
  const d = decision.terms?.d ?? 0;
  const ff = input.feedforward ?? 0;
  const integral = value - p - d - ff;
  return {
    action: 'change',
    reason: 'override',
    value,
    error: decision.error,
    terms: { p, i: integral, d, ...(ff ? { ff } : {}) },
    next: { ...decision.next, integral, lastOutput: value, lastWritten: value },
  };
}

type Usable = { ok: true; value: number } | { ok: false; reason: 'no-data' | 'sample-too-small' | 'stale-data' };

function usableMeasurement(input: StepInput): Usable {
  if (input.stale) return { ok: false, reason: 'stale-data' };
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
): 'initialised' | 'manual-change' | 'restart-after-gap' | undefined {
  if (!previous) return 'initialised';
  if (Math.abs(knobNow - previous.lastWritten) >= campaign.knob.resolution / 2) return 'manual-change';
  if (now - previous.lastTickTime > campaign.maxGapMinutes * MS_PER_MINUTE) return 'restart-after-gap';
  return undefined;
}

function stateOf(s: ControllerState): Omit<ControllerState, 'version'> {
  const { version: _version, ...rest } = s;
  return rest;
}

/** A hold that advances only the tick clock (no integration), or starts a state if there is none. */
function keep(
  previous: ControllerState | undefined,
  reason: HoldReason,
  knobNow: number,
  now: number,
  eventId: string,
): StepDecision {
  const base = previous
    ? stateOf(previous)
    : undefined;
  return {
    action: 'hold',
    reason,
    value: knobNow,
    error: undefined,
    terms: undefined,
    next: base ? { ...base, lastTickTime: now, lastEventId: eventId } : undefined,
  };
}

function holdWithoutState(reason: HoldReason, knobNow?: number): StepDecision {
  return { action: 'hold', reason, value: knobNow, error: undefined, terms: undefined, next: undefined };
}
