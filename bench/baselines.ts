/**
 * The controllers ours is measured against, as pure laws. Each is a faithful port of what it
 * stands for; where the original leaves a choice open, the choice is written down here.
 */

import type { KnobName } from '../lambda/config/schema.js';

/** The values Genesys accepts for each knob (CampaignPatchRequest; lines up to the site's 300). */
const GENESYS_RANGE: Record<KnobName, { min: number; max: number; resolution: number }> = {
  maxCallsPerAgent: { min: 1, max: 15, resolution: 0.01 },
  abandonRate: { min: 0, max: 100, resolution: 0.01 },
  outboundLineCount: { min: 0, max: 300, resolution: 1 },
};

/**
 * A baseline's output as Genesys would take it: clamped to the field's range, at its resolution.
 * The tutorial PID's [5, 40] therefore reaches Genesys as 5..15 calls per agent, 5..40 lines, or a
 * 5..40% abandon target.
 */
export function toKnobValue(knob: KnobName, output: number): number {
  const r = GENESYS_RANGE[knob];
  const clamped = Math.min(r.max, Math.max(r.min, output));
  return Number((Math.round(clamped / r.resolution) * r.resolution).toFixed(2));
}

/**
 * The PID of the widely copied pacing tutorial, ported as published:
 * error = target - SL, with SL = answered / (answered + abandoned) from counts cumulated since
 * the start of the day; gains 0.5 / 0.1 / 0.2; integral clamped to +-1000; output clamped to
 * [5, 40]; one update per cycle with dt = 1.
 *
 * Its direction is the tutorial's: service below target gives a positive error and a larger
 * output, i.e. more dialing when inbound is already short (pacing.md section 4 explains why the
 * loop must be reverse-acting). Its cumulative measurement makes the loop slower every hour.
 */
export class TutorialPid {
  static readonly KP = 0.5;
  static readonly KI = 0.1;
  static readonly KD = 0.2;
  static readonly OUTPUT_MIN = 5;
  static readonly OUTPUT_MAX = 40;
  static readonly INTEGRAL_LIMIT = 1000;
  private integral = 0;
  private previousError = 0;

  constructor(private readonly target: number) {}

  /**
   * One cycle. Undefined while no call has been answered or abandoned: the tutorial divides by
   * that count, so there is nothing to compute (the knob is left as it is).
   */
  update(answered: number, abandoned: number): number | undefined {
    if (answered + abandoned <= 0) return undefined;
    const serviceLevel = answered / (answered + abandoned);
    const error = this.target - serviceLevel;
    this.integral = Math.min(TutorialPid.INTEGRAL_LIMIT, Math.max(-TutorialPid.INTEGRAL_LIMIT, this.integral + error));
    const derivative = error - this.previousError;
    this.previousError = error;
    const output = TutorialPid.KP * error + TutorialPid.KI * this.integral + TutorialPid.KD * derivative;
    return Math.min(TutorialPid.OUTPUT_MAX, Math.max(TutorialPid.OUTPUT_MIN, output));
  }
}

/** VICIdial's adaptive settings (campaign fields adaptive_*), with VICIdial's defaults. */
export interface AdaptSettings {
  /** adaptive_intensity, -40..40: asymmetric gain. */
  intensity: number;
  /** adaptive_maximum_level. */
  maximumLevel: number;
  /** adaptive_dropped_percentage: today's drop limit in percent. */
  droppedPercentage: number;
  /** adaptive_dl_diff_target: + targets callers waiting, - agents waiting. */
  diffTarget: number;
  /** What happens once today's drops pass the limit (dial_method ADAPT_*). */
  method: 'HARD_LIMIT' | 'AVERAGE';
}

export const ADAPT_DEFAULTS: AdaptSettings = { intensity: 0, maximumLevel: 3, droppedPercentage: 3, diffTarget: 0, method: 'HARD_LIMIT' };

/** Calls and drops over a span (VICIdial counts drops among answered calls). */
export interface DropStats {
  calls: number;
  drops: number;
}

/**
 * VICIdial's ADAPT dial-level law (AST_VDadapt.pl, pacing.md section 3). Every 15 s:
 * d = (mean ready agents - mean answered calls waiting + diffTarget) / mean agents;
 * level *= 1 + d x (1 + intensity/100) when d >= 0, 1 + d x |intensity/100 - 1| otherwise;
 * capped at maximumLevel, floored at 1. Then the drop overrides: more than 20 calls and over 50%
 * dropped in the last minute halves the level; once more than 50 calls today with drops/answers
 * above droppedPercentage, HARD_LIMIT sets 1.0 and AVERAGE halves. It guards today's rate only,
 * never a 30-day window.
 */
export class AdaptLaw {
  constructor(
    public level: number,
    private readonly settings: AdaptSettings = ADAPT_DEFAULTS,
  ) {}

  /**
   * One 15-second adjustment.
   *
   * @param sample - ready agents, answered calls waiting for an agent and agents, averaged over the 15 s
   */
  adjust(sample: { ready: number; waiting: number; agents: number }, lastMinute: DropStats, today: DropStats): number {
    const { intensity, maximumLevel, droppedPercentage, diffTarget, method } = this.settings;
    const d = sample.agents > 0 ? (sample.ready - sample.waiting + diffTarget) / sample.agents : 0;
    const gain = d < 0 ? Math.abs(intensity / 100 - 1) : intensity / 100 + 1;
    let level = Math.max(1, Math.min(maximumLevel, this.level * (1 + d * gain)));
    if (lastMinute.calls > 20 && lastMinute.drops / lastMinute.calls > 0.5) level /= 2;
    if (today.calls > 50 && (100 * today.drops) / today.calls > droppedPercentage) level = method === 'HARD_LIMIT' ? 1 : level / 2;
    this.level = Math.max(1, level);
    return this.level;
  }
}
