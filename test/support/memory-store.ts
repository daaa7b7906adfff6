/**
 * The state store in memory, on the DynamoDB store's conditions: a lease or a save succeeds only on
 * the version read (none yet: no version stored) and when no other invocation holds a live lease
 * (one whose `until` is not yet past); taking a lease records the pending write; a save replaces the
 * whole item and clears the lease. `unreadable` stands for items that do not parse.
 */
import { StateConflictError, type ControllerState, type Lease, type LoadedStates, type PendingWrite, type StateStore } from '../../lambda/ports.js';

export interface MemoryStore extends StateStore {
  states: Map<string, ControllerState>;
  leases: Map<string, Lease>;
  /** Pending writes of campaigns that have no state yet. */
  firstWrites: Map<string, PendingWrite>;
  unreadable: Map<string, string>;
}

export function memoryStore(): MemoryStore {
  const states = new Map<string, ControllerState>();
  const leases = new Map<string, Lease>();
  const firstWrites = new Map<string, PendingWrite>();
  const unreadable = new Map<string, string>();
  const claim = (campaignId: string, expectedVersion: number | undefined, owner: string, now: number) => {
    const lease = leases.get(campaignId);
    const leaseFree = !lease || lease.until < now || lease.owner === owner;
    if (states.get(campaignId)?.version !== expectedVersion || !leaseFree) throw new StateConflictError(campaignId);
  };
  return {
    states,
    leases,
    firstWrites,
    unreadable,
    loadMany: async (ids): Promise<LoadedStates> => {
      const pick = <V>(m: Map<string, V>) => new Map(ids.flatMap((id) => (m.has(id) ? [[id, structuredClone(m.get(id)!)] as const] : [])));
      return { states: pick(states), firstWrites: pick(firstWrites), unreadable: pick(unreadable) };
    },
    acquireLease: async (campaignId, expectedVersion, lease, now, pending) => {
      claim(campaignId, expectedVersion, lease.owner, now);
      leases.set(campaignId, lease);
      const state = states.get(campaignId);
      if (state) states.set(campaignId, { ...state, pending });
      else firstWrites.set(campaignId, pending);
    },
    save: async (state, expectedVersion, leaseOwner, now) => {
      claim(state.campaignId, expectedVersion, leaseOwner, now);
      leases.delete(state.campaignId);
      firstWrites.delete(state.campaignId);
      const { pending, ...rest } = state;
      states.set(state.campaignId, { ...rest, ...(pending ? { pending } : {}), version: (expectedVersion ?? 0) + 1 });
    },
  };
}
