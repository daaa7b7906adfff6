/**
 * One campaign's decision on the tick's reads: reconcile an unconfirmed write, check the campaign
 * against its dialing mode and the org's rules, keep its compliance books, run the law. Pure, no I/O.
 */
import { assessCompliance, type ComplianceAssessment } from '../compliance/assess.js';
import type { AbandonCounts } from '../compliance/budget.js';
import type { CampaignConfig } from '../config/config.js';
import type { KnobName } from '../config/schema.js';
import { feedforward, gainScale, inboundDemand, inboundLoad, reserveViolated, inboundShortfall, teamHasRoom } from '../control/blending.js';
import { decide, type CampaignDecision } from '../control/decide.js';
import { transfersOf } from '../control/fast-cut.js';
import { abandonRate, measureObjective, serviceLevel } from '../control/measure.js';
import { blindWithoutCampaign, type BlindReason } from '../control/pid.js';
import type { AuditEntry, CampaignWindowStats, ControllerState, PendingWrite, QueueLiveState, QueueWindowStats } from '../ports.js';
import { refusal, settingsWarnings } from './org-rules.js';
import { lastMinutes, outboundOf, readFailure, type Reads } from './read.js';
import { reconcile } from './reconcile.js';
import { baseReport, describe, queueIdOf, type CampaignReport } from './report.js';

/** What the tick knows of a campaign before it decides. */
export interface PlanInput {
  c: CampaignConfig;
  /** The stored state, as read (with its pending write, if any). */
  state: ControllerState | undefined;
  /** A first write under way for a campaign with no state yet. */
  firstWrite: PendingWrite | undefined;
  reads: Reads;
  /** Why the tick's data is too old, when it is. */
  stale: string | undefined;
  tickTime: number;
  eventId: string;
  dryRun: boolean;
}

/** A campaign whose tick ended before any decision (missing, or refused). */
export interface Finished {
  report: CampaignReport;
}

/** A campaign with its decision, ready to apply. */
export interface Planned {
  c: CampaignConfig;
  /** The version the state was read at: every write is conditional on it. */
  expectedVersion: number | undefined;
  /** The state decided on (reconciled, without its pending write). */
  state: ControllerState | undefined;
  decision: CampaignDecision;
  /** Genesys's values of the knobs now; empty when the campaign could not be read. */
  knobsNow: Partial<Record<KnobName, number>>;
  dryRun: boolean;
  report: CampaignReport;
  /** A write still unconfirmed (the campaign could not be read): kept in the state for the next tick. */
  unconfirmed: PendingWrite | undefined;
  /** Entries of an earlier write this tick confirmed, to record. */
  confirmed: AuditEntry[];
}

const abandonCounts = (s: CampaignWindowStats | undefined): AbandonCounts | undefined => (s ? { abandoned: s.abandoned, live: s.connected } : undefined);

/**
 * This tick's compliance: the budget with what settled since the last tick counted in. A blind
 * campaign counts nothing (its counts stay where they were, so the next tick counts the interval).
 */
function complianceOf(c: CampaignConfig, reads: Reads, blindRead: boolean, tickTime: number): ComplianceAssessment {
  const plan = reads.plans.get(c.campaignId)!;
  if (blindRead) return assessCompliance(c.compliance, { counts: plan.counts, intervals: [] }, [], undefined, undefined, tickTime);
  return assessCompliance(
    c.compliance,
    plan,
    // No row for an interval: the campaign had no calls in it.
    plan.intervals.map((i) => abandonCounts(outboundOf(reads, c.campaignId, i)) ?? { abandoned: 0, live: 0 }),
    abandonCounts(outboundOf(reads, c.campaignId, lastMinutes(tickTime, c.compliance.windowMinutes))),
    abandonCounts(outboundOf(reads, c.campaignId, lastMinutes(tickTime, c.compliance.guard.minutes))),
    tickTime,
  );
}

/**
 * Runs the law for one campaign on the tick's reads. A campaign whose metrics or own record could
 * not be read is blind: it still gets a decision, so the blind ticks are counted.
 */
export function plan(input: PlanInput): Finished | Planned {
  const { c, reads, stale, tickTime, eventId, dryRun } = input;
  const expectedVersion = input.state?.version;
  const pending = input.state?.pending ?? input.firstWrite;
  const snapshot = reads.campaigns.values.get(c.campaignId);
  const campaignFailure = reads.campaigns.failures.get(c.campaignId);
  if (campaignFailure !== undefined || !snapshot) {
    if (campaignFailure === undefined) {
      return { report: { ...baseReport(c, 'error', 'campaign-not-found'), message: `campaign ${c.campaignId} does not exist in Genesys (deleted, or the id in the config is wrong)` } };
    }
    // The knob's value is unknown: nothing can be decided, but the blind tick still counts, and an
    // unconfirmed write stays for a tick that can read the campaign.
    const main = blindWithoutCampaign(input.state, tickTime, eventId);
    const decision: CampaignDecision = { main, complianceLoop: main, sharedKnob: true, writes: {}, overrides: [], next: main.next, nextUnwritten: main.next };
    const report = describe(c, decision, { knobsNow: {}, problem: `campaign read failed: ${campaignFailure}` });
    return { c, expectedVersion, state: input.state, decision, knobsNow: {}, dryRun, report, unconfirmed: pending, confirmed: [] };
  }
  const settings = reads.settings.ok ? reads.settings.value : undefined;
  const refused = refusal(c, snapshot, settings);
  if (refused) return { report: { ...baseReport(c, 'error', refused.reason), campaignStatus: snapshot.status, message: refused.message } };

  const reconciled = pending ? reconcile(c, input.state, pending, snapshot.knobs) : undefined;
  const state = reconciled ? reconciled.state : input.state;
  const failure = readFailure(c, reads, tickTime);
  const blind: BlindReason | undefined = failure ? 'read-failed' : stale ? 'stale-data' : undefined;
  const queueId = queueIdOf(c);
  const queueStats = reads.queueStats.get(c.windowMinutes)?.values ?? new Map<string, QueueWindowStats>();
  const objectiveStats = outboundOf(reads, c.campaignId, lastMinutes(tickTime, c.windowMinutes));
  const measurement = failure ? undefined : measureObjective(c, queueStats, new Map(objectiveStats ? [[c.campaignId, objectiveStats]] : []));
  const compliance = complianceOf(c, reads, failure !== undefined, tickTime);

  const liveStates: ReadonlyMap<string, QueueLiveState> = reads.live.values;
  const live = queueId !== undefined ? liveStates.get(queueId) : undefined;
  const team = liveStates.get(queueId ?? snapshot.queueId ?? '');
  const arrivals = queueId !== undefined && c.blending ? reads.arrivals.get(c.blending.arrivalMinutes)?.values.get(queueId) : undefined;
  const load = live && c.blending ? inboundLoad(live, arrivals, c.blending.arrivalMinutes, queueStats.get(queueId!)) : undefined;
  const threshold = live && load !== undefined && c.blending ? { policy: c.blending, live, demand: inboundDemand(c, load, queueStats.get(queueId!), reads.thresholds.get(queueId!)) } : undefined;
  const shortfall = threshold && inboundShortfall(threshold.policy, threshold.live, threshold.demand);
  const performance = reads.performance.values.get(c.campaignId);
  const decision = decide({
    campaign: c,
    snapshot,
    measurement,
    complianceMeasurement: failure ? undefined : abandonRate(outboundOf(reads, c.campaignId, lastMinutes(tickTime, c.compliance.windowMinutes))),
    compliance,
    // Without the live state the threshold cannot be judged: the other loops still act.
    reserveViolated: threshold !== undefined && reserveViolated(threshold.policy, threshold.live, threshold.demand),
    inboundShortfall: shortfall,
    transfers: snapshot.dialingMode === 'agentless' && queueId !== undefined ? transfersOf(load, queueStats.get(queueId), live, reads.thresholds.get(queueId)) : undefined,
    gainScale: gainScale(c.gainSchedule, team?.onQueueAgents),
    feedforward: feedforward(c.feedforward, live, performance),
    ...(failure ? {} : { recentServiceLevel: serviceLevel(arrivals) }),
    teamHasRoom: teamHasRoom(c, team),
    dialer: performance,
    team,
    lastMinuteLiveAnswers: failure ? undefined : outboundOf(reads, c.campaignId, lastMinutes(tickTime, 1))?.connected,
    ...(blind ? { blind } : {}),
    state,
    now: tickTime,
    eventId,
  });
  const problems = [failure ?? stale, ...settingsWarnings(c, settings)].filter(Boolean).join('; ');
  const report = describe(c, decision, { knobsNow: snapshot.knobs, snapshot, measurement, live, load, agentsShort: shortfall?.agents, compliance, performance, problem: problems || undefined });
  return {
    c,
    expectedVersion,
    state,
    decision,
    knobsNow: snapshot.knobs,
    dryRun,
    report: reconciled ? { ...report, reconciled: reconciled.note } : report,
    unconfirmed: undefined,
    confirmed: reconciled?.audit ?? [],
  };
}

