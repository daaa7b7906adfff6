/**
 * A conservative start: on a campaign's first tick, and for `startMinutes` after its status becomes
 * `on`, the dialer's own estimate of the connect rate is poor, so pacing begins at the safe value
 * (fast-cut.ts) and rises from it by at most one largest step per minute. Pure functions.
 */
import type { KnobConfig } from '../config/config.js';
import type { ControllerState } from '../ports.js';

const MINUTE_MS = 60_000;

/**
 * When the campaign's current spell of being `on` began, as the state should keep it: unset while
 * not on; the stored start while on; this tick when none is stored (the first tick, a campaign just
 * switched on, or a state saved before this field existed: a conservative start once then).
 */
export function onSince(campaignOn: boolean, previous: Pick<ControllerState, 'onSince'> | undefined, now: number): number | undefined {
  if (!campaignOn) return undefined;
  return previous?.onSince ?? now;
}

/**
 * The ceiling of a starting campaign: the safe value plus one largest step per whole minute since
 * the start, while fewer than `startMinutes` have passed; undefined after that or without a start.
 *
 * @param safe - the knob's safe value this tick
 */
export function startCeiling(startMinutes: number, knob: KnobConfig, startedAt: number | undefined, now: number, safe: number): number | undefined {
  if (startedAt === undefined || startMinutes <= 0) return undefined;
  const minutes = Math.max(0, Math.round((now - startedAt) / MINUTE_MS));
  if (minutes >= startMinutes) return undefined;
  return Math.min(knob.max, safe + minutes * knob.maxStep);
}
