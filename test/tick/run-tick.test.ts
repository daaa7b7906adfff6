/**
 * runTick with in-memory ports, for behaviour that needs exact control over what each read returns.
 */
import { describe, expect, it } from 'vitest';
import type { CampaignSnapshot, ControllerState, GenesysPort, QueueWindowStats, StateStore, TimeInterval } from '../../lambda/ports.js';
import { runTick } from '../../lambda/tick.js';
import { QUEUE_ID, configWith } from '../support/config.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');

function memoryStore(): StateStore & { states: Map<string, ControllerState> } {
  const states = new Map<string, ControllerState>();
  return {
    states,
    loadMany: async (ids) => new Map(ids.flatMap((id) => (states.has(id) ? [[id, states.get(id)!] as const] : []))),
    acquireLease: async () => undefined,
    save: async (state, expected) => void states.set(state.campaignId, { ...state, version: (expected ?? 0) + 1 }),
  };
}

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
