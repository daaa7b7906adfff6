/**
 * The safety invariants of the controller, checked after every tick of a fault run (the fault
 * suites in test/faults and `npm run soak` both use this one checker):
 *
 * - never a PATCH outside the knob's bounds, or rising more than its largest step above the value
 *   Genesys held before the tick (cuts may go at once to a safe value); never a PATCH in dry run; at most one write made per campaign
 *   per tick, with one value (the same request sent again after its answer was lost, which an
 *   absolute value makes harmless, is counted apart; so is a redelivered event retrying a write
 *   that failed), and every PATCH sent is one a report of the tick decided;
 * - the stored state is never lost, rolled back or advanced twice: a tick moves a campaign's
 *   version by 0 or exactly 1, and a move carries the tick's event id and a later tick time;
 * - when blind, pacing is held; after the configured number of blind ticks it steps toward the
 *   safe value (never up, never past it), and the stored blind count is the reported one;
 * - every failure is clear: an error report carries a message and an ERROR log line, a blind
 *   report a message and a log line, a failed PATCH an error report, a failed invocation a typed
 *   error and, once past parsing, an ERROR log line.
 */
import type { CampaignConfig, KnobConfig, PacingConfig } from '../../lambda/config/config.js';
import type { KnobName } from '../../lambda/config/schema.js';
import type { ControllerState } from '../../lambda/ports.js';
import type { CampaignReport, TickSummary } from '../../lambda/tick.js';
import type { CapturedLine } from './log-capture.js';

/** One invocation of the handler within a tick. */
export interface Invocation {
  eventId: string;
  eventTime: number;
  /** A console dry run (writes nothing, saves nothing). */
  consoleDryRun: boolean;
  result?: TickSummary;
  error?: unknown;
}

/** A PATCH request as Genesys (or the proxy in front of it) saw it. */
export interface PatchSeen {
  campaignId: string;
  body: unknown;
  /** HTTP status answered; 0 when none was (dropped, or the client gave up). */
  status: number;
}

/** Everything observed around one tick. */
export interface TickRecord {
  /** Names the tick in violation messages (e.g. "day 3 04:35"). */
  label: string;
  invocations: readonly Invocation[];
  /** The knob values Genesys held just before the tick, by campaign. */
  knobsBefore: ReadonlyMap<string, Partial<Record<KnobName, number>>>;
  patches: readonly PatchSeen[];
  stateBefore: ReadonlyMap<string, ControllerState>;
  stateAfter: ReadonlyMap<string, ControllerState>;
  logs: readonly CapturedLine[];
}

/** Running totals over every checked tick. */
export interface InvariantTally {
  ticks: number;
  invocations: number;
  failedInvocations: number;
  patchRequests: number;
  patchesApplied: number;
  /** PATCHes applied again: the same request re-sent by one invocation after its answer was lost. */
  patchesReapplied: number;
  outOfBoundsWrites: number;
  oversizedSteps: number;
  dryRunWrites: number;
  doubledPatches: number;
  stateAdvances: number;
  lostState: number;
  rolledBackState: number;
  doubledState: number;
  blindReports: number;
  blindSafeMoves: number;
  blindBreaches: number;
  conflictsResolved: number;
  duplicatesSkipped: number;
  unclearFailures: number;
  /** Campaign reports by outcome and reason, e.g. "error/read-failed". */
  reports: Record<string, number>;
}

const EPS = 1e-9;

/** Whether the invocation behind a report may have saved the campaign's state. */
function mayHaveSaved(r: CampaignReport): boolean {
  if (r.outcome === 'held' || r.outcome === 'would-write' || r.outcome === 'written') return true;
  // A failed read still counts its blind tick on the state.
  return r.outcome === 'error' && r.reason === 'read-failed';
}
/** Errors that mean a bug, not a reported failure. */
const CRASHES = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);
/** Errors thrown before a tick starts, by design, without a log line of ours (the Lambda runtime logs them). */
const REJECTED_INPUT = new Set(['EventError', 'ConfigError']);

export class InvariantChecker {
  readonly violations: string[] = [];
  readonly tally: InvariantTally = {
    ticks: 0,
    invocations: 0,
    failedInvocations: 0,
    patchRequests: 0,
    patchesApplied: 0,
    patchesReapplied: 0,
    outOfBoundsWrites: 0,
    oversizedSteps: 0,
    dryRunWrites: 0,
    doubledPatches: 0,
    stateAdvances: 0,
    lostState: 0,
    rolledBackState: 0,
    doubledState: 0,
    blindReports: 0,
    blindSafeMoves: 0,
    blindBreaches: 0,
    conflictsResolved: 0,
    duplicatesSkipped: 0,
    unclearFailures: 0,
    reports: {},
  };
  readonly #campaigns: Map<string, CampaignConfig>;

  constructor(config: PacingConfig) {
    this.#campaigns = new Map(config.campaigns.map((c) => [c.campaignId, c]));
  }

  /**
   * Checks one tick and adds to the tally.
   *
   * @returns the violations found in this tick (also appended to `violations`)
   */
  check(t: TickRecord): string[] {
    const found: string[] = [];
    const fail = (counter: keyof InvariantTally | undefined, message: string) => {
      if (counter) (this.tally[counter] as number) += 1;
      found.push(`${t.label}: ${message}`);
    };
    this.tally.ticks += 1;
    this.tally.invocations += t.invocations.length;
    const reports = t.invocations.flatMap((i) => (i.result?.campaigns ?? []).map((r) => ({ r, inv: i })));
    for (const { r } of reports) {
      const key = `${r.outcome}/${r.reason}`;
      this.tally.reports[key] = (this.tally.reports[key] ?? 0) + 1;
      if (r.reason === 'concurrent-invocation') this.tally.conflictsResolved += 1;
      if (r.reason === 'duplicate-event' || r.reason === 'older-than-stored-tick') this.tally.duplicatesSkipped += 1;
      if (r.blind) this.tally.blindReports += 1;
      if (r.reason === 'blind-safe-value' && r.outcome === 'written') this.tally.blindSafeMoves += 1;
    }
    this.#checkPatches(t, reports.map((x) => x.r), fail);
    this.#checkState(t, fail);
    this.#checkBlind(t, reports.map((x) => x.r), fail);
    this.#checkFailures(t, reports, fail);
    this.violations.push(...found);
    return found;
  }

  #checkPatches(t: TickRecord, reports: CampaignReport[], fail: (c: keyof InvariantTally | undefined, m: string) => void): void {
    this.tally.patchRequests += t.patches.length;
    const byCampaign = new Map<string, PatchSeen[]>();
    for (const p of t.patches) byCampaign.set(p.campaignId, [...(byCampaign.get(p.campaignId) ?? []), p]);
    const onlyConsoleDryRuns = t.invocations.length > 0 && t.invocations.every((i) => i.consoleDryRun);
    for (const [id, patches] of byCampaign) {
      const c = this.#campaigns.get(id);
      if (!c) {
        fail('outOfBoundsWrites', `PATCH to ${id}, which is not a configured campaign`);
        continue;
      }
      if (c.dryRun || onlyConsoleDryRuns) fail('dryRunWrites', `PATCH to ${id} in dry run`);
      const before = t.knobsBefore.get(id) ?? {};
      // The campaign's knob, and the compliance loop's own knob when it has one.
      const knobs = new Map<string, KnobConfig>([[c.knob.name, c.knob], [c.compliance.knob.name, c.compliance.knob]]);
      const values = new Set<string>();
      for (const p of patches) {
        const body = p.body as Record<string, unknown> | undefined;
        const entries = body && typeof body === 'object' ? Object.entries(body) : [];
        if (entries.length === 0 || entries.some(([name, value]) => !knobs.has(name) || typeof value !== 'number' || !Number.isFinite(value))) {
          fail('outOfBoundsWrites', `PATCH to ${id} is not finite values of ${[...knobs.keys()].join(' and ')} only: ${JSON.stringify(p.body)}`);
          continue;
        }
        values.add(JSON.stringify(body));
        for (const [name, raw] of entries) {
          const value = raw as number;
          const knob = knobs.get(name)!;
          const was = before[name as KnobName];
          if (value < knob.min - EPS || value > knob.max + EPS) fail('outOfBoundsWrites', `PATCH ${id} ${name}=${value} outside [${knob.min}, ${knob.max}]`);
          // Cut fast, rise slowly: only a rise is held to the largest step (lambda/control/fast-cut.ts).
          if (was !== undefined && value - was > knob.maxStep + EPS) {
            fail('oversizedSteps', `PATCH ${id} ${name} ${was} -> ${value} rises more than the largest step ${knob.maxStep}`);
          }
          // A failed write reports the value it left in place; a written one the value it wrote.
          const wrote = (r: CampaignReport) => (name === c.knob.name ? r.newValue : r.compliance?.newValue) === value;
          const decided = reports.some((r) => r.campaignId === id && ((r.outcome === 'written' && wrote(r)) || r.reason === 'write-failed'));
          if (!decided) fail('doubledPatches', `PATCH ${id} ${name}=${value} matches no write a report of the tick decided`);
        }
      }
      const applied = patches.filter((p) => p.status >= 200 && p.status < 300).length;
      this.tally.patchesApplied += Math.min(applied, 1);
      this.tally.patchesReapplied += Math.max(0, applied - 1);
      // A redelivered event may retry a write that failed; only writes that went through count.
      const writers = reports.filter((r) => r.campaignId === id && r.outcome === 'written').length;
      if (writers > 1 || values.size > 1) fail('doubledPatches', `${writers} writes made (${values.size} values, ${applied} PATCHes applied) for ${id} in one tick`);
    }
  }

  #checkState(t: TickRecord, fail: (c: keyof InvariantTally | undefined, m: string) => void): void {
    const saving = t.invocations.filter((i) => !i.consoleDryRun);
    for (const id of new Set([...t.stateBefore.keys(), ...t.stateAfter.keys()])) {
      const b = t.stateBefore.get(id);
      const a = t.stateAfter.get(id);
      if (b && !a) {
        fail('lostState', `state of ${id} (version ${b.version}) was lost`);
        continue;
      }
      if (!a) continue;
      const from = b?.version ?? 0;
      if (a.version < from) fail('rolledBackState', `state of ${id} rolled back from version ${from} to ${a.version}`);
      else if (a.version > from + 1) fail('doubledState', `state of ${id} advanced twice in one tick (version ${from} -> ${a.version})`);
      else if (a.version === from + 1) {
        this.tally.stateAdvances += 1;
        const by = saving.find((i) => i.eventId === a.lastEventId);
        if (!by) fail('doubledState', `state of ${id} advanced by event ${a.lastEventId}, not one of this tick's saving invocations`);
        else if (a.lastTickTime !== by.eventTime) fail('doubledState', `state of ${id} stored tick time ${a.lastTickTime}, not its event's ${by.eventTime}`);
        if (b && a.lastTickTime <= b.lastTickTime) fail('rolledBackState', `state of ${id} moved its tick time back or not at all (${b.lastTickTime} -> ${a.lastTickTime})`);
      } else if (b && JSON.stringify(withoutPending(a)) !== JSON.stringify(withoutPending(b))) {
        // Taking a lease records the write about to be sent, and nothing else, without a version.
        fail('doubledState', `state of ${id} changed without a new version`);
      }
    }
  }

  #checkBlind(t: TickRecord, reports: CampaignReport[], fail: (c: keyof InvariantTally | undefined, m: string) => void): void {
    // The stored blind count is the one a report that may have saved it says. Two deliveries of
    // one event share its id, so any of their reports that may have saved is a candidate.
    for (const [id, stored] of t.stateAfter) {
      if (stored.version !== (t.stateBefore.get(id)?.version ?? 0) + 1) continue;
      const candidates = t.invocations
        .filter((i) => i.eventId === stored.lastEventId)
        .flatMap((i) => i.result?.campaigns ?? [])
        .filter((r) => r.campaignId === id && mayHaveSaved(r));
      if (candidates.length > 0 && !candidates.some((r) => (r.blind?.ticks ?? 0) === stored.blindTicks)) {
        fail('blindBreaches', `${id} reported ${candidates.map((r) => r.blind?.ticks ?? 0).join(' or ')} blind ticks but stored ${stored.blindTicks}`);
      }
    }
    for (const r of reports) {
      const c = this.#campaigns.get(r.campaignId);
      if (!c) continue;
      if (!r.blind) continue;
      const decidedWrite = r.reason === 'pid' || r.reason === 'blind-safe-value' || r.outcome === 'written' || r.outcome === 'would-write';
      if (r.blind.ticks < r.blind.limit && decidedWrite) {
        fail('blindBreaches', `${r.campaignId} blind for ${r.blind.ticks} of ${r.blind.limit} ticks but decided a write (${r.outcome}/${r.reason})`);
      }
      if (r.reason === 'blind-safe-value') {
        const from = r.previousValue;
        const to = r.newValue;
        if (from === undefined || to === undefined || to >= from || to < c.knob.safeValue - EPS || from - to > c.knob.maxStep + EPS) {
          fail('blindBreaches', `${r.campaignId} blind fallback ${String(from)} -> ${String(to)} is not a step down toward the safe value ${c.knob.safeValue}`);
        }
      }
      const due =
        // A restart (first tick, hand change, long gap) holds once even when blind, by design.
        (r.reason === 'read-failed' || r.reason === 'stale-data') &&
        r.blind.ticks >= r.blind.limit &&
        r.campaignStatus === 'on' &&
        r.previousValue !== undefined &&
        r.previousValue <= c.knob.max + EPS &&
        r.previousValue > c.knob.safeValue + c.knob.resolution / 2 &&
        // A tick skipped as a duplicate or lost to a concurrent one is not this campaign's tick.
        r.outcome !== 'skipped';
      if (due) fail('blindBreaches', `${r.campaignId} blind for ${r.blind.ticks} ticks (limit ${r.blind.limit}) at ${String(r.previousValue)}, above the safe value ${c.knob.safeValue}, but did not step toward it (${r.outcome}/${r.reason})`);
    }
  }

  #checkFailures(t: TickRecord, reports: Array<{ r: CampaignReport; inv: Invocation }>, fail: (c: keyof InvariantTally | undefined, m: string) => void): void {
    const logged = (level: string[], eventId: string, campaignId?: string) =>
      t.logs.some((l) => level.includes(String(l.json?.level)) && (campaignId === undefined || l.json?.campaignId === campaignId) && l.text.includes(eventId));
    for (const { r, inv } of reports) {
      if (r.outcome === 'error' || r.blind) {
        if (!r.message) fail('unclearFailures', `${r.campaignId} ${r.outcome}/${r.reason} carries no message`);
        const levels = r.outcome === 'error' ? ['ERROR'] : ['ERROR', 'WARN'];
        if (!logged(levels, inv.eventId, r.campaignId)) fail('unclearFailures', `${r.campaignId} ${r.outcome}/${r.reason} has no ${levels.join(' or ')} log line`);
      }
    }
    for (const inv of t.invocations) {
      if (inv.error === undefined) continue;
      this.tally.failedInvocations += 1;
      const e = inv.error as Error;
      if (!(e instanceof Error) || CRASHES.has(e.name) || !e.message) {
        fail('unclearFailures', `invocation ${inv.eventId} crashed: ${String((e as Error)?.stack ?? e)}`);
      } else if (!REJECTED_INPUT.has(e.name) && !logged(['ERROR'], inv.eventId)) {
        fail('unclearFailures', `invocation ${inv.eventId} failed (${e.name}: ${e.message}) without an ERROR log line`);
      }
    }
    // A PATCH that never got through must show as a failed write.
    const campaigns = new Set(t.patches.map((p) => p.campaignId));
    for (const id of campaigns) {
      const ok = t.patches.some((p) => p.campaignId === id && p.status >= 200 && p.status < 300);
      if (!ok && !reports.some(({ r }) => r.campaignId === id && r.outcome === 'error' && r.reason === 'write-failed')) {
        fail('unclearFailures', `every PATCH to ${id} failed but no report says write-failed`);
      }
    }
  }
}

/** A stored state without its pending write: the one part a lease may change. */
function withoutPending(s: ControllerState): Omit<ControllerState, 'pending'> {
  const { pending: _pending, ...rest } = s;
  return rest;
}
