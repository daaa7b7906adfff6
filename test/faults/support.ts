/**
 * The fault rig as the fault suites use it: a small fleet (one campaign of each objective),
 * one-minute ticks, short timeouts, and a fresh handler module per container.
 */
import { vi } from 'vitest';
import { FaultRig, type Handler, type RigOptions } from '../../sim/faults/rig.js';

/** Campaign i of the fleet: 0 abandon rate, 1 inbound service level, 2 agentless. */
export { fleetCampaignId } from '../../sim/faults/fleet.js';

/** Starts a rig; `options` override the suite defaults. */
export function startRig(options: Partial<RigOptions> = {}): Promise<FaultRig> {
  return FaultRig.start({
    campaigns: 3,
    seed: 7,
    startTime: '2026-06-01T08:00:00.000Z',
    dayLength: '06:00',
    periodMinutes: 1,
    // Short, since a held request costs wall time, but far above a loaded machine's answer times.
    requestTimeoutSeconds: 0.5,
    defaults: { windowMinutes: 15, minSample: 5, blindTicksBeforeSafe: 3 },
    loadHandler: async () => {
      // A new module instance is a new Lambda container: its own config, clients and caches.
      vi.resetModules();
      return (await import('../../lambda/handler.js')).handler as Handler;
    },
    ...options,
  });
}
