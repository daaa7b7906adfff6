/**
 * Applying one campaign's decision: the PATCH under a lease with the write recorded as pending
 * first, its audit entries right after it, then the state; or only the state. Every failure stays
 * with the campaign and leaves its pacing and stored state as the report says.
 */
import type { KnobName } from '../config/schema.js';
import { StateConflictError, type AuditEntry, type AuditLog, type ControllerState, type GenesysPort, type PendingWrite, type StateStore } from '../ports.js';
import { manualChangeEntry, recordFor, writeEntries } from './audit.js';
import type { Planned } from './plan.js';
import { adopt, heldEntries } from './reconcile.js';
import { unmoved, withProblem, type CampaignReport } from './report.js';

/** What applying needs beyond the plan. */
export interface ApplyContext {
  genesys: GenesysPort;
  store: StateStore;
  audit: AuditLog;
  now: () => number;
  eventId: string;
  /** This invocation: owns the leases it takes. */
  invocationId: string;
  /** Save the advanced state and record what the tick found (false for console dry runs). */
  saveState: boolean;
  /** When this invocation's leases end: no later than the invocation itself can run. */
  leaseUntil: number;
  /** The budget is spent: the campaign's change waits for the next tick. */
  deferred: boolean;
}

/** Applies one campaign's plan and reports what happened. */
export async function applyPlan(p: Planned, ctx: ApplyContext): Promise<CampaignReport> {
  const wouldWrite = Object.keys(p.decision.writes).length > 0;
  try {
    if (wouldWrite && !p.dryRun && !ctx.deferred && p.decision.next) return await write(p, p.decision.next, ctx);
    return await hold(p, wouldWrite, ctx);
  } catch (err) {
    const message = withProblem(p.report, (err as Error).message);
    if (err instanceof StateConflictError) return { ...unmoved(p.report), outcome: 'skipped', reason: 'concurrent-invocation', message };
    // The state store failed before any write to Genesys: pacing and state are as they were.
    return { ...unmoved(p.report), outcome: 'error', reason: 'state-save-failed', message };
  }
}

/** What the tick found and must record whatever it writes: a confirmed earlier write, a manual change. */
function foundEntries(p: Planned, ctx: ApplyContext, at: number): AuditEntry[] {
  if (!ctx.saveState) return [];
  const manual = p.state && manualChangeEntry(p.c, p.state, p.report, ctx.eventId, at);
  return [...p.confirmed, ...(manual ? [manual] : [])];
}

async function write(p: Planned, next: Omit<ControllerState, 'version'>, ctx: ApplyContext): Promise<CampaignReport> {
  const { c, decision } = p;
  const at = ctx.now();
  // Recorded before the lease: taking it replaces the pending write these entries confirm.
  let { report } = await recordFor(ctx.audit, foundEntries(p, ctx, at), p.report);
  const knobs = Object.keys(decision.writes) as KnobName[];
  const pending: PendingWrite = {
    eventId: ctx.eventId,
    at,
    values: decision.writes,
    before: Object.fromEntries(knobs.flatMap((k) => (p.knobsNow[k] === undefined ? [] : [[k, p.knobsNow[k]]]))),
    audit: writeEntries(c, report, decision.writes, p.knobsNow, ctx.eventId, at),
  };
  await ctx.store.acquireLease(c.campaignId, p.expectedVersion, { owner: ctx.invocationId, until: ctx.leaseUntil }, at, pending);
  let answer: Partial<Record<KnobName, number>>;
  try {
    answer = await ctx.genesys.patchCampaignKnobs(c.campaignId, decision.writes);
  } catch (err) {
    // The lease and the pending write stay: Genesys may have applied a PATCH whose answer was lost;
    // no other invocation may write the campaign before this one could have ended, and the next
    // tick reads the knob to learn which it was.
    return { ...unmoved(report), outcome: 'error', reason: 'write-failed', message: withProblem(report, (err as Error).message) };
  }
  const held = { ...decision.writes, ...definedOnly(answer) };
  const audited = await recordFor(ctx.audit, heldEntries(pending, held), report);
  report = { ...heldInReport(audited.report, p, held), outcome: 'written' };
  // Confirmed only when the answer carried every value and the entries are stored; otherwise the
  // next read confirms it (and records the entries again, which stores nothing twice).
  const confirmed = knobs.every((k) => answer[k] !== undefined) && audited.recorded;
  try {
    await ctx.store.save({ ...adopt(c, next, held), pending: confirmed ? undefined : pending, writeDeferred: undefined }, p.expectedVersion, ctx.invocationId, ctx.now());
  } catch (err) {
    // Genesys has the new values and the pending write is stored: the next tick confirms it and
    // restarts from the values held, losing only this tick's integration.
    return { ...report, reason: 'state-save-failed', message: withProblem(report, (err as Error).message) };
  }
  return report;
}

async function hold(p: Planned, wouldWrite: boolean, ctx: ApplyContext): Promise<CampaignReport> {
  const { decision } = p;
  let report = p.report;
  const waits = wouldWrite && ctx.deferred && !p.dryRun;
  if (ctx.saveState && decision.next) {
    // An unwritten change keeps the knobs' values as the last written ones, so the next tick
    // takes them up again instead of mistaking them for a manual change.
    const next = wouldWrite ? decision.nextUnwritten! : decision.next;
    await ctx.store.save({ ...next, pending: p.unconfirmed, writeDeferred: waits || undefined }, p.expectedVersion, ctx.invocationId, ctx.now());
  }
  // After the save: a manual change recorded by a tick whose save failed would be recorded again.
  report = (await recordFor(ctx.audit, foundEntries(p, ctx, ctx.now()), report)).report;
  if (waits) {
    return {
      ...unmoved(report),
      outcome: 'held',
      reason: 'write-deferred',
      message: `the change to ${JSON.stringify(decision.writes)} waits for the next tick: more campaigns changed this tick than the Genesys request budget allows`,
    };
  }
  return wouldWrite ? { ...report, outcome: 'would-write' } : report;
}

function definedOnly(values: Partial<Record<KnobName, number>>): Partial<Record<KnobName, number>> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

/** The report with the values Genesys holds, and a note when it did not hold what was sent. */
function heldInReport(report: CampaignReport, p: Planned, held: Partial<Record<KnobName, number>>): CampaignReport {
  const adjusted = (Object.keys(p.decision.writes) as KnobName[]).filter((k) => held[k] !== p.decision.writes[k]);
  if (adjusted.length === 0) return report;
  const main = held[p.c.knob.name];
  const loopKnob = p.c.compliance.knob.name;
  const note = adjusted.map((k) => `Genesys holds ${k} ${held[k]} (sent ${p.decision.writes[k]})`).join(', ');
  return {
    ...report,
    ...(main === undefined ? {} : { newValue: main }),
    ...(report.compliance && held[loopKnob] !== undefined && loopKnob !== p.c.knob.name ? { compliance: { ...report.compliance, newValue: held[loopKnob] } } : {}),
    message: withProblem(report, note),
  };
}
