/**
 * Which changes wait for the next tick when more campaigns want one than the tick's Genesys
 * request budget allows.
 */
import { createHash } from 'node:crypto';
import type { KnobName } from '../config/schema.js';
import type { Finished, Planned } from './plan.js';

/** A write this plan would send to Genesys. */
export function wantsWrite(p: Finished | Planned): p is Planned {
  return 'decision' in p && Object.keys(p.decision.writes).length > 0 && !p.dryRun;
}

/**
 * The campaigns whose change waits for the next tick because the budget is spent. Changes that
 * make dialing less aggressive go first (they protect callers and service level), then the changes
 * that already waited a tick, then the largest moves relative to the knob's step. Ties are broken
 * by a hash of the tick and campaign ids. So with a budget for half the campaigns, no change waits
 * more than one tick unless cuts take the budget.
 */
export function deferredWrites(plans: ReadonlyArray<Finished | Planned>, budget: number, eventId: string): Set<string> {
  const writes = plans.filter(wantsWrite);
  if (writes.length <= budget) return new Set();
  const ranked = writes
    .map((p) => {
      const moves = Object.entries(p.decision.writes).map(([knob, value]) => {
        const step = knob === p.c.knob.name ? p.c.knob.maxStep : p.c.compliance.knob.maxStep;
        return (value - (p.knobsNow[knob as KnobName] ?? value)) / step;
      });
      const tieBreak = createHash('sha256').update(`${eventId}\n${p.c.campaignId}`).digest('hex');
      const waited = p.state?.writeDeferred ? 0 : 1;
      return { id: p.c.campaignId, calming: moves.every((m) => m < 0) ? 0 : 1, waited, size: Math.max(...moves.map(Math.abs)), tieBreak };
    })
    .sort((a, b) => a.calming - b.calming || a.waited - b.waited || b.size - a.size || a.tieBreak.localeCompare(b.tieBreak));
  return new Set(ranked.slice(Math.max(0, Math.floor(budget))).map((r) => r.id));
}
