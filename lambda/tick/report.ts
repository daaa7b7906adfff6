/**
 * What a tick says about each campaign: the report readable in the Lambda console and in logs, and
 * the summary of the whole tick.
 */
import { JUMP_FACTOR, JUMP_RECHECK_MINUTES } from '../compliance/budget.js';
import type { ComplianceAssessment } from '../compliance/assess.js';
import type { CampaignConfig } from '../config/config.js';
import type { KnobName, ObjectiveKind } from '../config/schema.js';
import type { CampaignDecision, Override } from '../control/decide.js';
import type { HoldReason, Measurement, StepDecision } from '../control/pid.js';
import type { CampaignPerformance, CampaignSnapshot, QueueLiveState } from '../ports.js';

export type CampaignOutcome = 'written' | 'would-write' | 'held' | 'skipped' | 'error';

/** Every reason a tick gives for a campaign's outcome; the README's troubleshooting table lists each. */
export const CAMPAIGN_REASONS = [
  // The law held the knob (lambda/control/pid.ts).
  'read-failed',
  'stale-data',
  'campaign-not-on',
  'no-data',
  'sample-too-small',
  'dead-band',
  'unchanged',
  'initialised',
  'manual-change',
  'restart-after-gap',
  'restart-after-blind',
  'knob-missing',
  'knob-outside-bounds',
  'out-of-order',
  // The law moved a knob.
  'pid',
  'blind-safe-value',
  'override',
  // Too few calls to judge the objective while the team had agents free: the knob rose.
  'idle-rise',
  // No abandon in enough live answers to show the rate under the aim: the knob rose.
  'abandon-free-rise',
  // The queue is served in full now; its window is short only of a past shortfall: the knob rose.
  'recovered-rise',
  // The budget is spent: a value set by hand above the bounds is cut (compliance.respectManualValues: false).
  'compliance-override',
  // Only the compliance loop's own knob moved.
  'compliance',
  // The tick did not run the law for the campaign.
  'duplicate-event',
  'older-than-stored-tick',
  'event-in-future',
  'concurrent-invocation',
  'campaign-not-found',
  'state-unreadable',
  'knob-inert-in-mode',
  'org-limit',
  // Writing failed or waits.
  'write-failed',
  'state-save-failed',
  'write-deferred',
] as const;

export type CampaignReason = (typeof CAMPAIGN_REASONS)[number];

// Every reason the law gives is in the list: a new hold reason cannot go unlisted.
type Listed<T extends CampaignReason> = T;
export type LawReasonsListed = Listed<HoldReason>;

/** The per-campaign answer of a tick, readable in the Lambda console and in logs. */
export interface CampaignReport {
  campaignId: string;
  name?: string;
  objective: ObjectiveKind;
  knob: KnobName;
  outcome: CampaignOutcome;
  /** Why it was written, held or skipped, in a few words. */
  reason: CampaignReason;
  measured?: number;
  sample?: number;
  setpoint: number;
  error?: number;
  p?: number;
  i?: number;
  d?: number;
  previousValue?: number;
  newValue?: number;
  campaignStatus?: string;
  /** The objective's queue, when it has one. */
  queueId?: string;
  /**
   * Live queue state of the objective's queue, when it has one; its inbound load in erlangs when
   * blending, and the agents it is short of its reserve when it is (blending.ts `inboundShortfall`).
   */
  queue?: { waiting: number; idleAgents: number; onQueueAgents: number; interacting: number; inboundLoad?: number; agentsShort?: number };
  /** Overrides that held the knob below the campaign's loop. */
  overrides?: Override[];
  /** The campaign's abandon budget and its compliance loop. */
  compliance?: ComplianceReport;
  /** The dialer's own figures from the performance query. */
  dialer?: CampaignPerformance;
  /** Present while the campaign is blind: consecutive blind ticks, the limit and the value pacing then falls back to. */
  blind?: { ticks: number; limit: number; safeValue: number };
  /** What the tick found of a write an earlier tick sent without learning its outcome. */
  reconciled?: string;
  message?: string;
  /** The change or manual change is missing from the audit trail (the message says why). */
  auditFailed?: boolean;
}

/** A campaign's abandon budget over its regulatory window, and what its compliance loop did. */
export interface ComplianceReport {
  /** Abandoned / live over the regulatory window; null before the first live answer. */
  windowRate: number | null;
  windowLive: number;
  windowAbandoned: number;
  /** Abandons left before the window passes the limit (negative: over). */
  remainingAbandons: number;
  /** remainingAbandons / (limit x live): 1 untouched, 0 at the cap; null before the first live answer. */
  remainingShare: number | null;
  /** The compliance loop's setpoint this tick. */
  allowedRate: number;
  measuredRate?: number;
  recentRate?: number;
  guardTripped: boolean;
  /** The window rate is at or above the campaign's warning level. */
  warning: boolean;
  /** Why counting stopped short this tick: an interval whose count looked like a jump, read again next tick. */
  heldBack?: string;
  knob: KnobName;
  reason: string;
  previousValue?: number;
  newValue?: number;
}

export interface TickSummary {
  eventId: string;
  tickTime: string;
  dryRun: boolean;
  durationMs: number;
  counts: Record<CampaignOutcome, number>;
  campaigns: CampaignReport[];
  /** What concerns the whole tick rather than one campaign (the org's outbound settings could not be read). */
  warnings?: string[];
}

/** The objective's queue of a campaign, when it has one. */
export function queueIdOf(c: CampaignConfig): string | undefined {
  return c.objective.kind === 'abandonRate' ? undefined : c.objective.queueId;
}

/** A report with only the campaign's identity, its outcome and the reason. */
export function baseReport(c: CampaignConfig, outcome: CampaignOutcome, reason: CampaignReason): CampaignReport {
  const queueId = queueIdOf(c);
  return {
    campaignId: c.campaignId,
    ...(c.name === undefined ? {} : { name: c.name }),
    objective: c.objective.kind,
    ...(queueId === undefined ? {} : { queueId }),
    knob: c.knob.name,
    outcome,
    reason,
    setpoint: c.setpoint,
  };
}

/** The summary of a tick, its campaigns in the configuration's order. */
export function summarise(
  request: { eventId: string; eventTime: number; dryRun: boolean },
  durationMs: number,
  ids: readonly string[],
  reports: CampaignReport[],
  warnings: readonly string[] = [],
): TickSummary {
  const order = new Map(ids.map((id, i) => [id, i]));
  reports.sort((a, b) => order.get(a.campaignId)! - order.get(b.campaignId)!);
  const counts: Record<CampaignOutcome, number> = { written: 0, 'would-write': 0, held: 0, skipped: 0, error: 0 };
  for (const r of reports) counts[r.outcome] += 1;
  return {
    eventId: request.eventId,
    tickTime: new Date(request.eventTime).toISOString(),
    dryRun: request.dryRun,
    durationMs,
    counts,
    campaigns: reports,
    ...(warnings.length ? { warnings: [...warnings] } : {}),
  };
}

/** What a campaign's report is made of, beyond its decision. */
export interface Observed {
  knobsNow: Partial<Record<KnobName, number>>;
  snapshot?: CampaignSnapshot;
  measurement?: Measurement | undefined;
  live?: QueueLiveState | undefined;
  load?: number | undefined;
  /** Agents the inbound queue is short of its reserve. */
  agentsShort?: number | undefined;
  compliance?: ComplianceAssessment;
  performance?: CampaignPerformance | undefined;
  problem?: string | undefined;
}

/** The report of a campaign's decision, before anything is written. */
export function describe(c: CampaignConfig, decision: CampaignDecision, o: Observed): CampaignReport {
  const { main, complianceLoop } = decision;
  const knobNow = o.knobsNow[c.knob.name];
  const loopKnob = c.compliance.knob.name;
  const blindTicks = main.next?.blindTicks ?? 0;
  const blind = blindTicks > 0 ? { ticks: blindTicks, limit: c.blindTicksBeforeSafe, safeValue: c.knob.safeValue } : undefined;
  const message = [o.problem, blind ? blindNote(blind, main) : undefined].filter(Boolean).join('; ');
  const onlyComplianceMoves = main.action !== 'change' && decision.writes[loopKnob] !== undefined && !decision.sharedKnob;
  const reason = onlyComplianceMoves ? 'compliance' : main.reason;
  const { measurement, live, compliance } = o;
  return {
    // A failed read is an error even though it only holds: someone has to look at it.
    ...baseReport(c, main.reason === 'read-failed' ? 'error' : 'held', reason),
    ...(measurement ? { measured: readable(measurement.value), sample: measurement.sample } : {}),
    ...(main.error === undefined ? {} : { error: readable(main.error) }),
    ...(main.terms ? { p: readable(main.terms.p), i: readable(main.terms.i), d: readable(main.terms.d) } : {}),
    ...(knobNow === undefined ? {} : { previousValue: knobNow }),
    ...(main.value === undefined ? {} : { newValue: main.value }),
    ...(o.snapshot ? { campaignStatus: o.snapshot.status } : {}),
    ...(live
      ? {
          queue: {
            waiting: live.waiting,
            idleAgents: live.idleAgents,
            onQueueAgents: live.onQueueAgents,
            interacting: live.interacting,
            ...(o.load === undefined ? {} : { inboundLoad: readable(o.load) }),
            ...(o.agentsShort === undefined ? {} : { agentsShort: readable(o.agentsShort) }),
          },
        }
      : {}),
    ...(decision.overrides.length ? { overrides: decision.overrides } : {}),
    ...(compliance
      ? {
          compliance: {
            windowRate: compliance.windowRate === undefined ? null : readable(compliance.windowRate),
            windowLive: compliance.window.live,
            windowAbandoned: compliance.window.abandoned,
            remainingAbandons: readable(compliance.remainingAbandons),
            remainingShare: compliance.remainingShare === undefined ? null : readable(compliance.remainingShare),
            allowedRate: readable(compliance.allowedRate),
            ...(compliance.measuredRate === undefined ? {} : { measuredRate: readable(compliance.measuredRate) }),
            ...(compliance.recentRate === undefined ? {} : { recentRate: readable(compliance.recentRate) }),
            guardTripped: compliance.guardTripped,
            warning: compliance.warning,
            ...(compliance.heldBack ? { heldBack: heldBackNote(compliance.heldBack) } : {}),
            knob: loopKnob,
            reason: complianceLoop.reason,
            ...(o.knobsNow[loopKnob] === undefined ? {} : { previousValue: o.knobsNow[loopKnob] }),
            ...(decision.writes[loopKnob] === undefined ? {} : { newValue: decision.writes[loopKnob] }),
          },
        }
      : {}),
    ...(o.performance ? { dialer: o.performance } : {}),
    ...(blind ? { blind } : {}),
    ...(message ? { message } : {}),
  };
}

function blindNote(blind: { ticks: number; limit: number; safeValue: number }, decision: StepDecision): string {
  const count = `blind for ${blind.ticks} tick${blind.ticks === 1 ? '' : 's'} in a row`;
  if (decision.reason === 'blind-safe-value') return `${count} (limit ${blind.limit}): stepping pacing toward the safe value ${blind.safeValue}`;
  if (blind.ticks >= blind.limit) return `${count} (limit ${blind.limit}): pacing is at or below the safe value ${blind.safeValue}, or cannot be moved without reading the campaign`;
  return `${count}: pacing held; at ${blind.limit} it steps toward the safe value ${blind.safeValue}`;
}

function heldBackNote({ interval, live }: NonNullable<ComplianceAssessment['heldBack']>): string {
  return (
    `${live} live answers in ${interval.start.toISOString()}/${interval.end.toISOString()} are over ${JUMP_FACTOR} times the window's busiest hour: ` +
    `not counted yet, read again next tick (taken as read ${JUMP_RECHECK_MINUTES} minutes after the interval)`
  );
}

/** Rounds a reported figure to 4 decimals: the summary is for people; the state keeps full precision. */
function readable(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** The report of a campaign whose knobs stay where they are this tick. */
export function unmoved(report: CampaignReport): CampaignReport {
  const { compliance } = report;
  return {
    ...report,
    ...(report.previousValue === undefined ? {} : { newValue: report.previousValue }),
    ...(compliance && compliance.newValue !== undefined ? { compliance: withoutNewValue(compliance) } : {}),
  };
}

function withoutNewValue(compliance: ComplianceReport): ComplianceReport {
  const { newValue: _newValue, ...rest } = compliance;
  return rest;
}

/** A report's message with one more problem added. */
export function withProblem(report: CampaignReport, problem: string): string {
  return [report.message, problem].filter(Boolean).join('; ');
}
