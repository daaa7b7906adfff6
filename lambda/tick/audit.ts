/**
 * The audit entries a campaign's tick calls for, and recording them with the campaign's own
 * outcome: a failure to record never undoes the tick, it is added to the campaign's report.
 */
import type { CampaignConfig } from '../config/config.js';
import type { KnobName } from '../config/schema.js';
import type { AuditEntry, AuditLog, ControllerState } from '../ports.js';
import { withProblem, type CampaignReport } from './report.js';

/**
 * The entries of a write about to be sent: the campaign's knob, and the compliance loop's own knob
 * when it has one. Made before the PATCH and kept with the pending write, so the entry recorded
 * after the PATCH, or by a later tick that confirms it, is the same entry.
 */
export function writeEntries(
  c: CampaignConfig,
  report: CampaignReport,
  writes: Partial<Record<KnobName, number>>,
  knobsNow: Partial<Record<KnobName, number>>,
  eventId: string,
  at: number,
): AuditEntry[] {
  const common = { campaignId: c.campaignId, at: new Date(at).toISOString(), eventId, kind: 'change' as const };
  const entries: AuditEntry[] = [];
  const main = writes[c.knob.name];
  const mainBefore = knobsNow[c.knob.name];
  if (main !== undefined && mainBefore !== undefined) {
    entries.push({
      ...common,
      knob: c.knob.name,
      oldValue: mainBefore,
      newValue: main,
      ...(report.measured === undefined ? {} : { measured: report.measured }),
      setpoint: c.setpoint,
      objective: c.objective.kind,
      reason: report.reason,
    });
  }
  const loopKnob = c.compliance.knob.name;
  const loop = report.compliance;
  const loopValue = writes[loopKnob];
  const loopBefore = knobsNow[loopKnob];
  if (loopKnob !== c.knob.name && loop && loopValue !== undefined && loopBefore !== undefined) {
    entries.push({
      ...common,
      knob: loopKnob,
      oldValue: loopBefore,
      newValue: loopValue,
      ...(loop.measuredRate === undefined ? {} : { measured: loop.measuredRate }),
      setpoint: loop.allowedRate,
      objective: 'abandonRate',
      reason: loop.reason === 'compliance-override' ? loop.reason : 'compliance',
    });
  }
  return entries;
}

/** The entry of a manual change the tick took over: the knob moved from the value last written. */
export function manualChangeEntry(c: CampaignConfig, state: ControllerState, report: CampaignReport, eventId: string, at: number): AuditEntry | undefined {
  if (report.reason !== 'manual-change' || report.newValue === undefined) return undefined;
  return {
    campaignId: c.campaignId,
    at: new Date(at).toISOString(),
    eventId,
    kind: 'manual-change',
    knob: c.knob.name,
    oldValue: state.lastWritten,
    newValue: report.newValue,
    ...(report.measured === undefined ? {} : { measured: report.measured }),
    setpoint: c.setpoint,
    objective: c.objective.kind,
    reason: report.reason,
    changedAfter: new Date(state.lastTickTime).toISOString(),
  };
}

/**
 * Records one campaign's entries.
 * @returns the report, marked and explained when the entries could not be stored
 */
export async function recordFor(audit: AuditLog, entries: readonly AuditEntry[], report: CampaignReport): Promise<{ report: CampaignReport; recorded: boolean }> {
  if (entries.length === 0) return { report, recorded: true };
  try {
    await audit.record(entries);
    return { report, recorded: true };
  } catch (err) {
    return { report: { ...report, auditFailed: true, message: withProblem(report, `audit entry not recorded: ${(err as Error).message}`) }, recorded: false };
  }
}
