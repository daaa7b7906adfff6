/**
 * runTick with in-memory ports, for behaviour that needs exact control over what each read returns.
 */
import { describe, expect, it } from 'vitest';
import { StateConflictError, type CampaignSnapshot, type ControllerState, type GenesysPort, type PendingWrite, type QueueWindowStats, type TimeInterval } from '../../lambda/ports.js';
import { runTick } from '../../lambda/tick.js';
import { QUEUE_ID, configWith } from '../support/config.js';
import { memoryStore } from '../support/memory-store.js';


const T0 = Date.parse('2026-11-24T10:00:00Z');
/** A write as the tick records it with a lease. */
const PENDING: PendingWrite = { eventId: 'e', at: T0, values: {}, before: {}, audit: [] };

/** A Genesys whose queue service level depends on the window length asked for. */
function genesysBy(windowLevels: Record<number, number>, campaigns: string[]): GenesysPort & { intervals: TimeInterval[] } {
  const intervals: TimeInterval[] = [];
  return {
    intervals,
    getCampaigns: async (ids) =>
      new Map(ids.filter((id) => campaigns.includes(id)).map((id): [string, CampaignSnapshot] => [id, { campaignId: id, status: 'on', dialingMode: 'predictive', knobs: { maxCallsPerAgent: 2 } }])),
    getServiceLevelThresholdsMs: async (queueIds) => new Map(queueIds.map((id) => [id, 20_000])),
    getOutboundSettings: async () => ({}),
    getQueueLiveStates: async () => new Map(),
    getQueueWindowStats: async (queues, interval) => {
      intervals.push(interval);
      const minutes = (interval.end.getTime() - interval.start.getTime()) / 60_000;
      return new Map(queues.map((q): [string, QueueWindowStats] => [q.queueId, { queueId: q.queueId, offered: 100, answered: 100, answeredWithinThreshold: 100 * windowLevels[minutes]!, abandoned: 0, handled: 100, handleMs: 100 * 180_000 }]));
    },
    getCampaignWindowStats: async () => new Map(),
    getCampaignMinuteStats: async () => new Map(),
    getCampaignPerformance: async () => new Map(),
    patchCampaignKnobs: async () => ({}),
  };
}

describe('runTick', () => {
  it('measures each campaign over its own window, even on a shared queue', async () => {
    // Prepare: two campaigns on one queue, windows of 15 and 30 minutes
    const config = configWith([{ windowMinutes: 15 }, { windowMinutes: 30, objective: { kind: 'inboundServiceLevel', queueId: QUEUE_ID } }]);
    const ids = config.campaigns.map((c) => c.campaignId);
    const genesys = genesysBy({ 15: 0.7, 30: 0.9 }, ids);
    // Act
    const summary = await runTick(config, { eventId: 'e1', invocationId: 'i1', eventTime: T0, dryRun: true, saveState: false }, { genesys, store: memoryStore(), audit: { record: async () => undefined, query: async () => [] }, now: () => T0 });
    // Assess
    expect(summary.campaigns.map((c) => c.measured)).toEqual([0.7, 0.9]);
    expect(genesys.intervals.map((i) => i.end.getTime() - i.start.getTime()).sort((a, b) => a - b)).toEqual([15 * 60_000, 30 * 60_000]);
    expect(genesys.intervals.every((i) => i.end.getTime() === T0)).toBe(true);
  });
});

describe('the memory store keeps to the DynamoDB store\'s conditions', () => {
  const state = (campaignId: string, lastEventId: string): Omit<ControllerState, 'version'> => ({ campaignId, integral: 2, previousError: 0, lastOutput: 2, lastWritten: 2, lastTickTime: T0, lastEventId, blindTicks: 0 });

  it('saves only on the version read', async () => {
    // Prepare
    const store = memoryStore();
    await store.save(state('c1', 'e1'), undefined, 'A', T0);
    // Act / Assess: a second first save, and a save on a version already moved past, lose
    await expect(store.save(state('c1', 'dup'), undefined, 'B', T0)).rejects.toBeInstanceOf(StateConflictError);
    await store.save(state('c1', 'e2'), 1, 'A', T0);
    await expect(store.save(state('c1', 'late'), 1, 'B', T0)).rejects.toBeInstanceOf(StateConflictError);
    expect(store.states.get('c1')).toMatchObject({ lastEventId: 'e2', version: 2 });
  });

  it('lets no other invocation take or save past a live lease; its owner saves and frees it; it lapses after `until`', async () => {
    // Prepare
    const store = memoryStore();
    await store.save(state('c1', 'e1'), undefined, 'A', T0);
    await store.acquireLease('c1', 1, { owner: 'A', until: T0 + 5_000 }, T0, PENDING);
    // Act / Assess
    await expect(store.acquireLease('c1', 1, { owner: 'B', until: T0 + 5_000 }, T0 + 1_000, PENDING)).rejects.toBeInstanceOf(StateConflictError);
    await expect(store.save(state('c1', 'B'), 1, 'B', T0 + 1_000)).rejects.toBeInstanceOf(StateConflictError);
    await store.acquireLease('c1', 1, { owner: 'C', until: T0 + 9_000 }, T0 + 6_000, PENDING);
    await store.save(state('c1', 'C'), 1, 'C', T0 + 7_000);
    expect(store.leases.has('c1')).toBe(false);
    await store.acquireLease('c1', 2, { owner: 'D', until: T0 + 9_000 }, T0 + 7_000, PENDING);
  });
});

describe('runTick under the PATCH lease', () => {
  it('lets no second invocation of a tick write a campaign whose PATCH failed (Genesys may have applied it)', async () => {
    // Prepare: a started campaign; at the next tick service is down, so the knob should move
    const config = configWith([{}]);
    const id = config.campaigns[0]!.campaignId;
    const store = memoryStore();
    const deps = (genesys: GenesysPort, now: number) => ({ genesys, store, audit: { record: async () => undefined, query: async () => [] }, now: () => now });
    await runTick(config, { eventId: 'e1', invocationId: 'i1', eventTime: T0, dryRun: false, saveState: true }, deps(genesysBy({ 15: 0.8 }, [id]), T0));
    const patches: string[] = [];
    const failing = {
      ...genesysBy({ 15: 0.5 }, [id]),
      patchCampaignKnobs: async () => {
        patches.push('first');
        throw new Error('socket hang up');
      },
    };
    const working = { ...genesysBy({ 15: 0.5 }, [id]), patchCampaignKnobs: async () => (patches.push('second'), {}) };
    const tick2 = { eventId: 'e2', eventTime: T0 + 60_000, dryRun: false, saveState: true };

    // Act: the PATCH fails; the same event delivered again to a second invocation 2 s later
    const first = await runTick(config, { ...tick2, invocationId: 'i2' }, deps(failing, T0 + 60_000));
    const second = await runTick(config, { ...tick2, invocationId: 'i3' }, deps(working, T0 + 62_000));

    // Assess
    expect(first.campaigns[0]).toMatchObject({ outcome: 'error', reason: 'write-failed' });
    expect(second.campaigns[0]).toMatchObject({ outcome: 'skipped', reason: 'concurrent-invocation' });
    expect(patches).toEqual(['first']);
    expect(store.leases.get(id)?.owner).toBe('i2');
  });
});
