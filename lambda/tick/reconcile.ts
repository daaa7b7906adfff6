/**
 * Reconciling a write whose outcome an earlier tick did not learn (its PATCH answer was lost, carried
 * no values, or its state save failed). The write was stored as pending with the lease, before the
 * PATCH; the knob values read now say what happened to it, so the controller's own write is never
 * taken for a person's.
 */
import type { CampaignConfig } from '../config/config.js';
import type { KnobName } from '../config/schema.js';
import type { AuditEntry, ControllerState, PendingWrite } from '../ports.js';

/** What became of a pending write, knob by knob, as the values read now show. */
export type PendingOutcome =
  /** Genesys holds the values sent. */
  | 'applied'
  /** Genesys holds values between the old and the sent ones: it rounded or clamped the write. */
  | 'adjusted'
  /** Genesys still holds the old values. */
  | 'not-applied'
  /** The values are neither: someone changed the knob after the write, which may or may not have landed. */
  | 'changed-since';

export interface Reconciled {
  /** The state to decide on: the knobs Genesys holds adopted as the last written ones. */
  state: ControllerState | undefined;
  outcome: PendingOutcome;
  /** The write's audit entries, as Genesys holds it, to record (again: recording is idempotent). */
  audit: AuditEntry[];
  /** One line for the campaign's report. */
  note: string;
}

/** How far apart two values of a knob may be and still be the same value on its grid. */
function resolutionOf(c: CampaignConfig, knob: KnobName): number {
  if (knob === c.knob.name) return c.knob.resolution;
  if (knob === c.compliance.knob.name) return c.compliance.knob.resolution;
  return Number.EPSILON;
}

function outcomeOf(sent: number, before: number | undefined, now: number | undefined, resolution: number): PendingOutcome {
  if (now === undefined) return 'not-applied';
  // Exact first: a clamp can land within a grid step of the old value, and must still count as landed.
  const exactly = (a: number) => Math.abs(now - a) <= 1e-9 * Math.max(1, Math.abs(a));
  if (exactly(sent)) return 'applied';
  if (before !== undefined && exactly(before)) return 'not-applied';
  if (before !== undefined && now > Math.min(before, sent) && now < Math.max(before, sent)) return 'adjusted';
  // Rounded past the value sent, by less than half a grid step.
  if (Math.abs(now - sent) < resolution / 2) return 'adjusted';
  return 'changed-since';
}

/** The audit entries of a write as Genesys holds it: the value held, and the one sent when they differ. */
export function heldEntries(pending: PendingWrite, held: Partial<Record<KnobName, number>>): AuditEntry[] {
  return pending.audit.flatMap((entry) => {
    const value = held[entry.knob];
    if (value === undefined) return [];
    return [value === entry.newValue ? entry : { ...entry, newValue: value, requested: entry.newValue }];
  });
}

/**
 * What became of `pending`, from the knob values Genesys holds now; pure.
 *
 * Applied or adjusted: the values held become the last written ones (of the campaign's loop, and of
 * its compliance loop's own knob), so the next decision starts from them and does not see a manual
 * change; the write's audit entries are returned. Not applied: nothing changes. Changed since: the
 * state is left as it was, so the law sees the manual change and the audit records it as one.
 */
export function reconcile(c: CampaignConfig, state: ControllerState | undefined, pending: PendingWrite, knobsNow: Partial<Record<KnobName, number>>): Reconciled {
  const knobs = Object.keys(pending.values) as KnobName[];
  const outcomes = knobs.map((k) => outcomeOf(pending.values[k]!, pending.before[k], knobsNow[k], resolutionOf(c, k)));
  const { pending: _done, ...withoutPending } = state ?? ({} as ControllerState);
  const base = state ? (withoutPending as ControllerState) : undefined;
  const since = `the write of ${JSON.stringify(pending.values)} at tick ${pending.eventId}`;
  if (outcomes.includes('changed-since')) {
    return { state: base, outcome: 'changed-since', audit: [], note: `${since} was not confirmed, and the knob has been changed since: taken as a manual change` };
  }
  const landed = knobs.filter((_, i) => outcomes[i] !== 'not-applied');
  if (landed.length === 0) return { state: base, outcome: 'not-applied', audit: [], note: `${since} did not land: Genesys holds the values from before it` };
  const held = Object.fromEntries(landed.map((k) => [k, knobsNow[k]!])) as Partial<Record<KnobName, number>>;
  const outcome = outcomes.includes('adjusted') ? 'adjusted' : 'applied';
  return {
    state: base && adopt(c, base, held),
    outcome,
    audit: heldEntries(pending, held),
    note: outcome === 'adjusted' ? `${since} landed as ${JSON.stringify(held)}: Genesys adjusted it` : `${since} landed`,
  };
}

/** The state with `held` as the values last written, of the campaign's loop and of its compliance loop. */
export function adopt<S extends Omit<ControllerState, 'version'>>(c: CampaignConfig, state: S, held: Partial<Record<KnobName, number>>): S {
  const main = held[c.knob.name];
  const loopKnob = c.compliance.knob.name;
  const loopValue = loopKnob === c.knob.name ? main : held[loopKnob];
  const loop = state.compliance?.loop;
  return {
    ...state,
    // The output restarts from the value held when it is not the one written (bumpless).
    ...(main === undefined || main === state.lastWritten ? {} : { lastWritten: main, lastOutput: main }),
    ...(loop && loopValue !== undefined && state.compliance ? { compliance: { ...state.compliance, loop: { ...loop, lastWritten: loopValue } } } : {}),
  };
}
