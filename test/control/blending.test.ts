import { describe, expect, it } from 'vitest';
import { BLENDING_DEFAULTS } from '../../lambda/config/config.js';
import { agentsInboundNeeds, feedforward, gainScale, inboundDemand, inboundLoad, inboundShortfall, knobGivingBack, reserveViolated, teamHasRoom, type InboundDemand } from '../../lambda/control/blending.js';
import { campaignWith } from '../support/config.js';
import { runDecide } from '../support/decide-run.js';
import type { QueueLiveState, QueueWindowStats } from '../../lambda/ports.js';

const live = (over: Partial<QueueLiveState> = {}): QueueLiveState => ({ queueId: 'q', waiting: 0, idleAgents: 10, onQueueAgents: 26, interacting: 5, ...over });
const window = (offered: number): QueueWindowStats => ({ queueId: 'q', offered, answered: offered, answeredWithinThreshold: offered, abandoned: 0, handled: 0, handleMs: 0 });

describe('inbound load', () => {
  it('is what is on the queue now when nothing says more is arriving', () => {
    expect(inboundLoad(live({ interacting: 5, waiting: 2 }), undefined, 5, undefined)).toBe(7);
  });

  it('sees a surge in the arrival rate before agents are tied up: arrivals per minute x mean handle time', () => {
    // 30 calls in 5 minutes, 195 s mean handle: 6/min x 3.25 min = 19.5 erlangs
    const handle = { handled: 100, handleMs: 100 * 195_000 };
    expect(inboundLoad(live({ interacting: 5 }), window(30), 5, handle)).toBeCloseTo(19.5, 9);
    // Quiet arrivals: the calls in progress still count
    expect(inboundLoad(live({ interacting: 9 }), window(2), 5, handle)).toBe(9);
  });
});

describe('threshold policy (blended agents)', () => {
  const demand = (load: number, over: Partial<InboundDemand> = {}): InboundDemand => ({ load, handle: undefined, target: 0.8, thresholdMs: 20_000, ...over });
  // 180 s handle time, as in the published Erlang C example (10 erlangs need 14 agents for 80/20).
  const handle = { handled: 100, handleMs: 100 * 180_000 };

  it('reserves what the inbound load needs for its service-level target (Erlang C), not a share of the team', () => {
    // Prepare: a 150-agent blended team at an inbound peak of 80 erlangs; a share of the team
    // (0.5 x 150 = 75 agents kept free above the load) would hold outbound there
    const policy = { ...BLENDING_DEFAULTS, reserveAgents: 2 };
    // Act / Assess: 87 agents reach 80/20 on 80 erlangs of 180 s calls
    expect(agentsInboundNeeds(policy, demand(80, { handle }))).toBe(87);
    expect(reserveViolated(policy, live({ onQueueAgents: 150 }), demand(80, { handle }))).toBe(false);
    expect(reserveViolated(policy, live({ onQueueAgents: 86 }), demand(80, { handle }))).toBe(true);
    // 10 erlangs need 14 agents for 80/20 (13 reach 79.6%)
    expect(reserveViolated(policy, live({ onQueueAgents: 13 }), demand(10, { handle }))).toBe(true);
    expect(reserveViolated(policy, live({ onQueueAgents: 14 }), demand(10, { handle }))).toBe(false);
  });

  it("sizes an inbound queue's reserve by Erlang C, an agentless transfer queue's by the load plus reserveAgents", () => {
    const policy = { ...BLENDING_DEFAULTS, reserveAgents: 2 };
    const inbound = campaignWith({ setpoint: 0.8 });
    const transfers = campaignWith({ objective: { kind: 'queueServiceLevel', queueId: '5d1e4f3c-0000-4000-8000-00000000a001' }, setpoint: 0.95, knob: { name: 'outboundLineCount' } });
    expect(agentsInboundNeeds(policy, inboundDemand(inbound, 10, handle, 20_000))).toBe(14);
    expect(agentsInboundNeeds(policy, inboundDemand(transfers, 10, handle, 20_000))).toBe(12);
  });

  it('never reserves fewer than the load plus reserveAgents, nor more than that without a handle time or threshold', () => {
    const policy = { ...BLENDING_DEFAULTS, reserveAgents: 5 };
    expect(agentsInboundNeeds(policy, demand(10, { handle }))).toBe(15);
    expect(agentsInboundNeeds(policy, demand(10))).toBe(15);
    expect(agentsInboundNeeds(policy, demand(10, { handle, thresholdMs: undefined }))).toBe(15);
    expect(agentsInboundNeeds(policy, demand(0, { handle }))).toBe(5);
  });

  it('keeps at least reserveAgents free on a small team, and holds when too many calls wait', () => {
    const policy = { ...BLENDING_DEFAULTS, reserveAgents: 2, waitingLimit: 1 };
    expect(reserveViolated(policy, live({ onQueueAgents: 5 }), demand(3.5))).toBe(true);
    expect(reserveViolated(policy, live({ onQueueAgents: 5 }), demand(2))).toBe(false);
    expect(reserveViolated(policy, live({ onQueueAgents: 5, waiting: 2 }), demand(0))).toBe(true);
  });
});

describe('threshold policy in idle agents (blended agents on outbound calls count on queue too)', () => {
  const demand = (load: number, over: Partial<InboundDemand> = {}): InboundDemand => ({ load, handle: { handled: 100, handleMs: 100 * 180_000 }, target: 0.8, thresholdMs: 20_000, ...over });
  const policy = { ...BLENDING_DEFAULTS, reserveAgents: 2 };

  it('counts for the inbound queue only its idle agents and those on its calls, never those on outbound calls', () => {
    // Prepare: 150 agents on queue at 80 erlangs of inbound (87 needed for 80/20): 3 idle, 80 on inbound calls, 67 on outbound calls
    const team = live({ onQueueAgents: 150, idleAgents: 3, interacting: 80 });
    // Act
    const short = inboundShortfall(policy, team, demand(80));
    // Assess: every agent is on queue, so the team-size test holds; 87 - 3 - 80 = 4 agents short, 67 held by outbound
    expect(reserveViolated(policy, team, demand(80))).toBe(false);
    expect(short).toEqual({ agents: 4, outboundAgents: 67 });
    expect(inboundShortfall(policy, live({ onQueueAgents: 150, idleAgents: 7 }), demand(80))).toBeUndefined();
  });

  it("is never short for an agentless campaign's transfer queue, whose load is the campaign's own", () => {
    expect(inboundShortfall(policy, live({ onQueueAgents: 150, idleAgents: 0 }), demand(80, { target: undefined }))).toBeUndefined();
  });

  it('gives the short agents back pro rata above the knob minimum, to the grid below, never under the minimum', () => {
    const lines = { name: 'outboundLineCount' as const, min: 1, max: 200, maxStep: 10, resolution: 1 };
    const calls = { name: 'maxCallsPerAgent' as const, min: 1, max: 3, maxStep: 0.25, resolution: 0.05 };
    // 4 of 40 outbound agents: 1 + 40 x 0.9 = 37 lines; 1 + 1 x 0.9 = 1.9 calls per agent
    expect(knobGivingBack(lines, 41, { agents: 4, outboundAgents: 40 })).toBe(37);
    expect(knobGivingBack(calls, 2, { agents: 4, outboundAgents: 40 })).toBe(1.9);
    // 5 of 12: 1 + 30 x 7/12 = 18.5, to 18; all of them or more: the minimum
    expect(knobGivingBack(lines, 31, { agents: 5, outboundAgents: 12 })).toBe(18);
    expect(knobGivingBack(lines, 31, { agents: 9, outboundAgents: 3 })).toBe(1);
    expect(knobGivingBack(lines, 31, { agents: 1, outboundAgents: 0 })).toBe(1);
  });

  it('cuts a blended campaign at once, past maxStep, while its inbound queue is short, and not without a shortfall', () => {
    // Prepare: 60 lines, maxStep 5, the service level on target (the loop alone holds)
    const campaign = campaignWith({ knob: { name: 'outboundLineCount', min: 1, max: 100, maxStep: 5 }, blending: { reserveAgents: 2 } });
    const ticks = [{ abandons: 0, sl: 0.8 }, { abandons: 0, sl: 0.8 }];
    const short = { inboundShortfall: { agents: 10, outboundAgents: 40 } };
    // Act
    const cut = runDecide(campaign, { outboundLineCount: 60 }, ticks, short, 'progressive');
    const none = runDecide(campaign, { outboundLineCount: 60 }, ticks, {}, 'progressive');
    // Assess: 1 + 59 x 0.75 = 45.25, to 45 at once; reported as the blending reserve; without a shortfall nothing moves
    expect(cut.decisions[0]!.writes).toEqual({ outboundLineCount: 45 });
    expect(cut.decisions[0]!.overrides).toEqual(['blending']);
    expect(none.decisions.map((d) => d.writes)).toEqual([{}, {}]);
  });
});

describe('feedforward', () => {
  it('from the live queue: adds per idle agent above the target and takes off per call waiting', () => {
    const ff = { source: 'queue' as const, idleGain: 0.5, waitingGain: 1, idleTarget: 2 };
    expect(feedforward(ff, live({ idleAgents: 6, waiting: 0 }), undefined)).toBe(2);
    expect(feedforward(ff, live({ idleAgents: 0, waiting: 3 }), undefined)).toBe(-4);
  });

  it('from the dialer: idle agents against the live answers on their way (outstanding calls x connect ratio)', () => {
    const ff = { source: 'dialer' as const, idleGain: 0.1, waitingGain: 0.1, idleTarget: 1 };
    // 3 idle, 8 calls out at a 25% connect ratio: 2 live answers coming
    expect(feedforward(ff, undefined, { campaignId: 'c', idleAgents: 3, outstandingCalls: 8, connectRatio: 0.25 })).toBeCloseTo(0.1 * 2 - 0.1 * 2, 9);
    expect(feedforward(ff, undefined, { campaignId: 'c', idleAgents: 0, outstandingCalls: 20, connectRatio: 0.25 })).toBeCloseTo(-0.1 - 0.5, 9);
  });

  it('is zero without a configuration or the figures it needs', () => {
    expect(feedforward(undefined, live(), undefined)).toBe(0);
    expect(feedforward({ source: 'queue', idleGain: 1, waitingGain: 1, idleTarget: 0 }, undefined, undefined)).toBe(0);
    expect(feedforward({ source: 'dialer', idleGain: 1, waitingGain: 1, idleTarget: 0 }, live(), { campaignId: 'c', idleAgents: 2 })).toBe(0);
  });
});

describe('room in the team', () => {
  it('is more agents idle than the campaign keeps free, and no more calls waiting than the blending limit', () => {
    // Prepare: one campaign that blends (2 agents kept, 2 calls may wait), one with a feedforward target of 6, one with neither
    const blended = campaignWith({ blending: {} });
    const fed = campaignWith({ feedforward: { idleGain: 0.3, waitingGain: 0.5, idleTarget: 6 } });
    const plain = campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.025 });
    // Assess
    expect(teamHasRoom(blended, live({ idleAgents: 3, waiting: 2 }))).toBe(true);
    expect(teamHasRoom(blended, live({ idleAgents: 2 }))).toBe(false);
    expect(teamHasRoom(blended, live({ idleAgents: 10, waiting: 3 }))).toBe(false);
    expect(teamHasRoom(fed, live({ idleAgents: 6 }))).toBe(false);
    expect(teamHasRoom(fed, live({ idleAgents: 7 }))).toBe(true);
    expect(teamHasRoom(plain, live({ idleAgents: 1 }))).toBe(true);
    expect(teamHasRoom(plain, live({ idleAgents: 1, waiting: 1 }))).toBe(false);
    expect(teamHasRoom(plain, undefined)).toBe(false);
  });
});

describe('gains scheduled by team size', () => {
  it('scales in proportion to the team, between minScale and 1', () => {
    const schedule = { referenceAgents: 20, minScale: 0.25 };
    expect(gainScale(schedule, 40)).toBe(1);
    expect(gainScale(schedule, 10)).toBe(0.5);
    expect(gainScale(schedule, 2)).toBe(0.25);
  });

  it('is 1 without a schedule or a head count', () => {
    expect(gainScale(undefined, 5)).toBe(1);
    expect(gainScale({ referenceAgents: 20, minScale: 0.25 }, undefined)).toBe(1);
  });
});
