/**
 * One tick of a campaign's compliance: count what settled since the last tick, read the window
 * against the limit, and derive the compliance loop (a PID on the recent abandon rate whose
 * setpoint is the budget's allowed rate).
 */
import type { CampaignConfig, ComplianceConfig } from '../config/config.js';
import type { ComplianceState, TimeInterval } from '../ports.js';
import {
  addCounts,
  budgetView,
  countingEnd,
  guardTripped,
  intervalsToCount,
  looksLikeJump,
  rollingAllowedRate,
  startCounts,
  windowTotals,
  type AbandonCounts,
  type BudgetView,
  type ComplianceCounts,
} from './budget.js';
import { withAmdFalsePositives, withAmdFalsePositivesInBuckets } from './amd.js';

/** Catch-up after a long gap, or the first backfill of a rolling window, is spread over ticks beyond this. */
export const MAX_COUNTING_INTERVALS_PER_TICK = 30;

/** Where counting starts this tick and what to ask Genesys for. */
export interface CountingPlan {
  counts: ComplianceCounts;
  intervals: TimeInterval[];
}

/**
 * The intervals a campaign must count at this tick, from its stored counts (or a fresh start).
 *
 * @param stored - the counts saved by the last tick that won its conditional write
 */
export function countingPlan(config: ComplianceConfig, stored: ComplianceState | undefined, tickTime: number): CountingPlan {
  const counts = stored ? { anchor: stored.anchor, countedUntil: stored.countedUntil, buckets: stored.buckets } : startCounts(config.window, tickTime);
  return { counts, intervals: intervalsToCount(config.window, counts, countingEnd(config, tickTime), MAX_COUNTING_INTERVALS_PER_TICK) };
}

/** The campaign's compliance at this tick. */
export interface ComplianceAssessment extends BudgetView {
  /** Counts including this tick's intervals: saved with the tick's state. */
  counts: ComplianceCounts;
  /** Abandon rate over the loop's measurement window, when it had live answers. */
  measuredRate?: number;
  /** Abandon rate over the guard's short window, when it had live answers. */
  recentRate?: number;
  guardTripped: boolean;
  /** The window rate is at or above the warning level, on at least minSample live answers. */
  warning: boolean;
  /** An interval whose count looked like a jump: not counted yet, read again next tick. */
  heldBack?: { interval: TimeInterval; live: number };
}

/**
 * Adds this tick's counted facts and reads the window against the limit. The counted intervals
 * and the loop's window include the estimated AMD false positives (amd.ts); the guard's does not.
 *
 * @param counted - the facts of each planned interval, in plan order
 * @param measured - abandons and live answers over the last `windowMinutes`
 * @param recent - over the last `guard.minutes`
 */
export function assessCompliance(
  config: ComplianceConfig,
  plan: CountingPlan,
  counted: readonly AbandonCounts[],
  measured: AbandonCounts | undefined,
  recent: AbandonCounts | undefined,
  now: number,
): ComplianceAssessment {
  let counts = plan.counts;
  let heldBack: ComplianceAssessment['heldBack'];
  for (const [i, interval] of plan.intervals.entries()) {
    // Counting stays contiguous: what follows a held-back interval waits with it.
    if (looksLikeJump(config, counts, interval, counted[i]!, now)) {
      heldBack = { interval, live: counted[i]!.live };
      break;
    }
    counts = addCounts(config.window, counts, interval, counted[i]!);
  }
  // The books keep Genesys's whole counts; the rule's figures add the false-positive estimate.
  const asRuleCounts = withAmdFalsePositivesInBuckets(config.amdFalsePositiveRate, counts);
  // The guard judges the abandons Genesys saw: an estimate added pro rata is no spike.
  const loopWindow = measured && withAmdFalsePositives(config.amdFalsePositiveRate, measured);
  const window = windowTotals(config.window, asRuleCounts, now);
  const expectedLive = loopWindow ? (loopWindow.live * config.horizonMinutes) / config.windowMinutes : 0;
  const view = budgetView(config, window, expectedLive);
  const allowedRate = config.window.type === 'rolling' ? rollingAllowedRate(config, asRuleCounts, now, expectedLive) : view.allowedRate;
  return {
    ...view,
    allowedRate,
    counts,
    ...(loopWindow && loopWindow.live > 0 ? { measuredRate: loopWindow.abandoned / loopWindow.live } : {}),
    ...(recent && recent.live > 0 ? { recentRate: recent.abandoned / recent.live } : {}),
    guardTripped: guardTripped(config, recent),
    warning: view.windowRate !== undefined && window.live >= config.minSample && view.windowRate >= config.warningRate,
    ...(heldBack ? { heldBack } : {}),
  };
}

/**
 * The campaign as its compliance loop sees it: the objective is the abandon rate, the setpoint
 * the budget's allowed rate, the knob and gains those of `compliance`. Run through the same PID
 * law as the campaign's own loop, with its own stored state.
 */
export function complianceLoopCampaign(campaign: CampaignConfig, allowedRate: number): CampaignConfig {
  const { compliance } = campaign;
  return {
    ...campaign,
    objective: { kind: 'abandonRate' },
    setpoint: allowedRate,
    // Blind too long, the compliance knob falls back to its least aggressive value (the campaign's safe value when shared).
    knob: { ...compliance.knob, safeValue: compliance.knob.name === campaign.knob.name ? campaign.knob.safeValue : compliance.knob.min },
    gains: compliance.gains,
    windowMinutes: compliance.windowMinutes,
    minSample: compliance.minSample,
    // The budget already filters the noise; a dead-band in rate units would hide a real drift.
    deadBand: 0,
  };
}
