/**
 * The fault rig as the fault suites use it: a small fleet (one campaign of each objective),
 * one-minute ticks, short timeouts, and a fresh handler module per container.
 */
import { vi } from 'vitest';
import { FaultRig, type Handler, type RigOptions } from '../../sim/faults/rig.js';

/** Campaign ids of the three-campaign fleet: abandon rate, inbound service level, agentless. */
export { fleetCampaignId } from '../../sim/faults/fleet.js';

/** Starts a rig; `options` override the suite defaults. */
export function startRig(options: Partial<RigOptions> = {}): Promise<FaultRig> {
  return FaultRig.start({
    campaigns: 3,
    seed: 7,
    startTime: '2026-06-01T08:00:00.000Z',
    dayLength: '06:00',
    periodMinutes: 1,
    requestTimeoutSeconds: 0.3,
    defaults: { windowMinutes: 15, minSample: 5, blindTicksBeforeSafe: 3 },
    loadHandler: async () => {
      // A new module instance is a new Lambda container: its own config, clients and caches.
      vi.resetModules();
      return (await import('../../lambda/handler.js')).handler as Handler;
    },
    ...options,
  });
}

/** The PATCH bodies the tick sent, by campaign id. */
export function patchesOf(rig: FaultRig, from: number): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const e of rig.genesys.log.slice(from)) {
    if (e.method !== 'PATCH') continue;
    const id = decodeURIComponent(e.path.split('/').pop() ?? '');
    out.set(id, [...(out.get(id) ?? []), e.body]);
  }
  return out;
}
