/**
 * One control tick: read every campaign's state and metrics, run the law, write what changed,
 * record the changes in the audit trail.
 *
 * Reads are batched across campaigns (lambda/tick/read.ts). Each campaign then stands alone
 * (plan.ts, apply.ts): a failure on one, whether its stored state, its part of a read or its write,
 * is reported and leaves its pacing and stored state as they were, and never stops the others.
 * Writes share the tick's Genesys request budget (defer.ts): when more campaigns want a change
 * than the budget allows, the most urgent go first and the rest wait for the next tick.
 */
import pLimit from 'p-limit';
import type { PacingConfig } from './config/config.js';
import type { AuditLog, GenesysPort, StateStore } from './ports.js';
import { applyPlan } from './tick/apply.js';
import { deferredWrites } from './tick/defer.js';
import { plan } from './tick/plan.js';
import { readGenesys } from './tick/read.js';
import { baseReport, summarise, type CampaignReport, type TickSummary } from './tick/report.js';

export { CAMPAIGN_REASONS, type CampaignOutcome, type CampaignReason, type CampaignReport, type ComplianceReport, type TickSummary } from './tick/report.js';

/** What to run: a scheduled tick, or a console run for some campaigns. */
export interface TickRequest {
  eventId: string;
  /** This invocation (the Lambda request id): owns the PATCH leases it takes. */
  invocationId: string;
  /** The tick's time (the scheduled event's `time`), epoch ms. */
  eventTime: number;
  /** Only these campaigns (all configured ones when absent). */
  campaignIds?: readonly string[];
  /** Compute and report, write nothing to Genesys. */
  dryRun: boolean;
  /** Save the advanced controller state (false for console dry runs, which must not disturb the loop). */
  saveState: boolean;
}

export interface TickDeps {
  genesys: GenesysPort;
  store: StateStore;
  audit: AuditLog;
  now: () => number;
  /**
   * When the invocation ends, epoch ms: a PATCH lease lasts until then and no longer, so the next
   * tick is never blocked by a lease its predecessor could not still use. A minute-long tick's
   * worth after the start when absent.
   */
  deadline?: number;
  /**
   * How many PATCHes this tick may still send, asked once after the reads (the Genesys rate limit
   * less what the reads used). Unlimited when absent.
   */
  writeBudget?: () => number;
  /** How old an event may be before the tick holds as stale. */
  maxEventAgeMs?: number;
  /** How far ahead of the clock an event's time may be before the tick refuses to run it. */
  maxEventLeadMs?: number;
  concurrency?: number;
  /** How far back one per-minute query serves the outbound windows (0: one query per window); see read.ts. */
  minuteReadSpanMinutes?: number;
}

const DEFAULT_MAX_EVENT_AGE_MS = 120_000;
// A scheduled event carries its scheduled minute and arrives just after it; one from further
// ahead would store a tick time in the future and make every on-time tick look old.
const DEFAULT_MAX_EVENT_LEAD_MS = 60_000;
// Shorter than the schedule period, so a tick that ran out of time never blocks the next one.
const DEFAULT_TICK_MS = 55_000;

/**
 * Runs one tick for the requested campaigns. Never throws for one campaign's sake: a state item
 * that cannot be read, a failed chunk of a read or a failed write are in that campaign's report.
 */
export async function runTick(config: PacingConfig, request: TickRequest, deps: TickDeps): Promise<TickSummary> {
  const started = deps.now();
  const campaigns = request.campaignIds ? config.campaigns.filter((c) => request.campaignIds!.includes(c.campaignId)) : config.campaigns;
  const ids = campaigns.map((c) => c.campaignId);
  const done = (reports: CampaignReport[], warnings?: string[]) => summarise(request, deps.now() - started, ids, reports, warnings);
  const lead = request.eventTime - started;
  if (lead > (deps.maxEventLeadMs ?? DEFAULT_MAX_EVENT_LEAD_MS)) {
    const message = `the event's time ${new Date(request.eventTime).toISOString()} is ${Math.round(lead / 1000)} s ahead of the clock: not run, so no campaign's stored tick time jumps ahead (check the event's time and the clock)`;
    return done(campaigns.map((c) => ({ ...baseReport(c, 'error', 'event-in-future'), message })));
  }
  const loaded = await deps.store.loadMany(ids);

  const reports: CampaignReport[] = [];
  const active = campaigns.filter((c) => {
    const state = loaded.states.get(c.campaignId);
    const unreadable = loaded.unreadable.get(c.campaignId);
    if (unreadable !== undefined) reports.push({ ...baseReport(c, 'error', 'state-unreadable'), message: unreadable });
    else if (request.saveState && state?.lastEventId === request.eventId) reports.push(baseReport(c, 'skipped', 'duplicate-event'));
    else if (request.saveState && state && state.lastTickTime >= request.eventTime) reports.push(baseReport(c, 'skipped', 'older-than-stored-tick'));
    else return true;
    return false;
  });

  const reads = await readGenesys(active, loaded.states, request.eventTime, deps.genesys, deps.minuteReadSpanMinutes);
  const maxAge = deps.maxEventAgeMs ?? DEFAULT_MAX_EVENT_AGE_MS;
  const age = started - request.eventTime;
  const stale = age > maxAge ? `the event is ${Math.round(age / 1000)} s old (limit ${Math.round(maxAge / 1000)} s): its window's data is stale` : undefined;
  const plans = active.map((c) =>
    plan({
      c,
      state: loaded.states.get(c.campaignId),
      firstWrite: loaded.firstWrites.get(c.campaignId),
      reads,
      stale,
      tickTime: request.eventTime,
      eventId: request.eventId,
      dryRun: request.dryRun || c.dryRun,
    }),
  );
  const deferred = deferredWrites(plans, deps.writeBudget?.() ?? Number.POSITIVE_INFINITY, request.eventId);
  const limit = pLimit(deps.concurrency ?? 8);
  const leaseUntil = deps.deadline ?? started + DEFAULT_TICK_MS;
  const applied = await Promise.all(
    plans.map((p) =>
      'decision' in p
        ? limit(() =>
            applyPlan(p, {
              genesys: deps.genesys,
              store: deps.store,
              audit: deps.audit,
              now: deps.now,
              eventId: request.eventId,
              invocationId: request.invocationId,
              saveState: request.saveState,
              leaseUntil,
              deferred: deferred.has(p.c.campaignId),
            }),
          )
        : p.report,
    ),
  );
  reports.push(...applied);
  const warnings = reads.settings.ok || active.length === 0 ? [] : [`the org's outbound settings could not be read, so its limits were not checked: ${reads.settings.message}`];
  return done(reports, warnings);
}
