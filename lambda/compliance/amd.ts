/**
 * Answering-machine false positives: live people the detector took for machines and hung up on.
 * The UK rule counts each as an abandoned live call; Genesys reports neither the abandon nor the
 * live answer, so the controller adds its own estimate. Pure functions.
 */
import type { AbandonCounts, ComplianceCounts } from './budget.js';

/**
 * The default share of live answers hung up on as machines under the UK rule: "AMD false
 * positives about 0.5%" (shared reference pacing.md section 5, facts for a contact-centre
 * simulation), the value the twin's scenarios give their detectors (sim/scenarios/*.json,
 * `amd.falsePositiveRate`: 0.005). Campaigns under a 30-day (US) rule count none unless set.
 */
export const DEFAULT_AMD_FALSE_POSITIVE_RATE = 0.005;

/**
 * Counts with the estimated false positives added to both abandons and live answers. With a share
 * r of all live answers hung up on, Genesys's live count is the other 1 - r, so the estimate is
 * live x r / (1 - r) (as the twin counts them: sim/run/windows.ts `ukRuleCounts`).
 *
 * @param rate - share of live answers hung up on as machines, 0 <= rate < 1
 */
export function withAmdFalsePositives(rate: number, counts: AbandonCounts): AbandonCounts {
  if (rate <= 0) return counts;
  const falsePositives = (counts.live * rate) / (1 - rate);
  return { abandoned: counts.abandoned + falsePositives, live: counts.live + falsePositives };
}

/** A measured abandon rate on `sample` live answers, with the estimated false positives counted in. */
export function rateWithAmdFalsePositives<M extends { value: number; sample: number }>(rate: number, m: M): M {
  if (rate <= 0) return m;
  const counted = withAmdFalsePositives(rate, { abandoned: m.value * m.sample, live: m.sample });
  return { ...m, value: counted.abandoned / counted.live, sample: counted.live };
}

/** The counts of every bucket with the estimate added: the window as the rule counts it (the stored counts stay whole). */
export function withAmdFalsePositivesInBuckets(rate: number, counts: ComplianceCounts): ComplianceCounts {
  if (rate <= 0) return counts;
  return { ...counts, buckets: counts.buckets.map((b) => ({ start: b.start, ...withAmdFalsePositives(rate, b) })) };
}
