import { assessCompliance, countingPlan } from '../../lambda/compliance/assess.js';
import type { CampaignConfig } from '../../lambda/config/config.js';
import { decide, type CampaignDecision, type DecideInput } from '../../lambda/control/decide.js';
import type { CampaignSnapshot, ControllerState } from '../../lambda/ports.js';

export const T0 = Date.parse('2026-11-24T10:00:00Z');
export const MIN = 60_000;

/** A tick of {@link runDecide}: the objective (service level, or the abandon rate when absent) and the compliance window's abandon rate. */
export interface DecideTick {
  sl?: number;
  /** Calls the service level rests on; 100 when absent. */
  slSample?: number;
  abandons: number;
  reserveViolated?: boolean;
  /** Live answers a line brought in the last minute: the input's `lastMinuteLiveAnswers` on the lines now. */
  liveAnswersPerLine?: number;
}

/**
 * One decide() per minute from T0, writing what it decides into the knobs; `abandons` is the abandon
 * rate over the compliance window at each tick, on 200 live answers. `extra` goes into every input;
 * the campaign dials in `dialingMode`.
 */
export function runDecide(
  campaign: CampaignConfig,
  knobs0: CampaignSnapshot['knobs'],
  ticks: DecideTick[],
  extra: Partial<DecideInput> = {},
  dialingMode: CampaignSnapshot['dialingMode'] = 'predictive',
) {
  const knobs = { ...knobs0 };
  let state: ControllerState | undefined;
  const decisions: CampaignDecision[] = [];
  ticks.forEach((t, i) => {
    const now = T0 + i * MIN;
    const measured = { abandoned: Math.round(t.abandons * 200), live: 200 };
    const plan = countingPlan(campaign.compliance, state?.compliance, now);
    const compliance = assessCompliance(campaign.compliance, plan, plan.intervals.map(() => ({ abandoned: 0, live: 0 })), measured, undefined, now);
    const rate = { value: measured.abandoned / measured.live, sample: measured.live };
    const d = decide({
      campaign,
      snapshot: { campaignId: 'c', status: 'on', dialingMode, knobs: { ...knobs } },
      measurement: t.sl === undefined ? rate : { value: t.sl, sample: t.slSample ?? 100 },
      complianceMeasurement: rate,
      compliance,
      reserveViolated: t.reserveViolated ?? false,
      gainScale: 1,
      feedforward: 0,
      state,
      now,
      eventId: `e${i}`,
      ...extra,
      ...(t.liveAnswersPerLine === undefined ? {} : { lastMinuteLiveAnswers: t.liveAnswersPerLine * (knobs.outboundLineCount ?? 0) }),
    });
    decisions.push(d);
    Object.assign(knobs, d.writes);
    if (d.next) state = { ...d.next, version: i + 1 };
  });
  return { decisions, knobs, state: state! };
}
