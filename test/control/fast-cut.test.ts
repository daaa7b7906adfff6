/**
 * Cut fast, rise slowly: in danger a cut goes at once to a value known to be safe (for lines,
 * what the agents free now can answer); rises stay limited to one step per tick.
 */
import { describe, expect, it } from 'vitest';
import { assessCompliance, countingPlan } from '../../lambda/compliance/assess.js';
import type { CampaignConfig } from '../../lambda/config/config.js';
import { abandonsInDanger, freeAgents, linesForServiceLevel, safeValue, serviceLevelInDanger, transferRoom, transfersOf } from '../../lambda/control/fast-cut.js';
import type { CampaignPerformance, QueueLiveState, QueueWindowStats } from '../../lambda/ports.js';
import { campaignWith } from '../support/config.js';
import { runDecide, T0, type DecideTick } from '../support/decide-run.js';


describe('the safe value', () => {
  const lines = { name: 'outboundLineCount' as const, min: 1, max: 40, maxStep: 5, resolution: 1, safeValue: 1 };
  const free = (idleAgents: number | undefined, liveAnswersPerLine: number | undefined, linesArePace = false) => ({ idleAgents, liveAnswersPerLine, linesArePace });

  it('for lines is what the idle agents can answer: idle agents / live answers per line, to the grid below, within the bounds', () => {
    expect(safeValue(lines, free(2, 0.25))).toBe(8);
    expect(safeValue(lines, free(3, 0.4))).toBe(7); // 7.5 lines: the whole line below
    expect(safeValue(lines, free(0, 0.25))).toBe(1); // no agent free: the minimum
    expect(safeValue(lines, free(30, 0.25))).toBe(40); // never above max
  });

  it("falls back to a line per idle agent without a live-answer rate, to the knob's safe value without idle agents, and for knobs Genesys paces itself", () => {
    expect(safeValue(lines, free(undefined, 0.25))).toBe(1);
    // No live-answer rate yet (a first minute): one line per idle agent, which no answer outnumbers.
    expect(safeValue(lines, free(4, 0))).toBe(4);
    expect(safeValue(lines, free(4, undefined))).toBe(4);
    expect(safeValue({ name: 'maxCallsPerAgent', min: 1, max: 3, maxStep: 0.25, resolution: 0.05, safeValue: 1.2 }, free(5, 0.25))).toBe(1.2);
  });

  it('where the lines are the pace (agentless), is the minimum until a line\'s live answers are known', () => {
    expect(safeValue(lines, free(30, undefined, true))).toBe(1);
    expect(safeValue(lines, free(30, 2, true))).toBe(15);
  });
});

describe('what a line brings', () => {
  const dialer: CampaignPerformance = { campaignId: 'c', idleAgents: 30, connectRatio: 0.25 };

  it('is the connect ratio for an agent-based campaign, whatever its lines turned over', () => {
    expect(freeAgents(dialer, undefined, { liveAnswers: 90, lines: 30 }, false)).toEqual({ idleAgents: 30, liveAnswersPerLine: 0.25, linesArePace: false });
  });

  it("for an agentless campaign, at least the last minute's live answers per line: its lines turn over several calls a minute", () => {
    // Prepare: 30 lines brought 90 live answers in the last minute, 3 a line, where the ratio says 0.25
    const f = freeAgents(dialer, undefined, { liveAnswers: 90, lines: 30 }, true);
    // Assess: 30 idle agents can take what 10 such lines bring, not 120
    expect(f.liveAnswersPerLine).toBe(3);
    expect(safeValue({ name: 'outboundLineCount', min: 1, max: 200, maxStep: 40, resolution: 1, safeValue: 1 }, f)).toBe(10);
    expect(freeAgents(dialer, undefined, { liveAnswers: 2, lines: 30 }, true).liveAnswersPerLine).toBe(0.25);
    expect(freeAgents(undefined, { queueId: 'q', waiting: 0, idleAgents: 7, onQueueAgents: 9, interacting: 2 }, undefined, true)).toEqual({ idleAgents: 7, liveAnswersPerLine: undefined, linesArePace: true });
  });
});

describe('danger', () => {
  const campaign = campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.025, knob: { name: 'outboundLineCount', min: 1, max: 40, maxStep: 5 } });
  const assessed = (measured: { abandoned: number; live: number }, recent?: { abandoned: number; live: number }) => {
    const plan = countingPlan(campaign.compliance, undefined, T0);
    return assessCompliance(campaign.compliance, plan, plan.intervals.map(() => ({ abandoned: 0, live: 0 })), measured, recent, T0);
  };

  it('of the abandon budget: the guard tripped, or the loop window at limit - closeMargin on enough live answers', () => {
    expect(abandonsInDanger(campaign, assessed({ abandoned: 6, live: 200 }), { value: 0.03, sample: 200 })).toBe(true);
    expect(abandonsInDanger(campaign, assessed({ abandoned: 5, live: 200 }), { value: 0.027, sample: 200 })).toBe(false);
    expect(abandonsInDanger(campaign, assessed({ abandoned: 1, live: 10 }), { value: 0.1, sample: 10 })).toBe(false);
    expect(abandonsInDanger(campaign, assessed({ abandoned: 2, live: 200 }, { abandoned: 8, live: 40 }), { value: 0.01, sample: 200 })).toBe(true);
  });

  it('of a rolling window that cannot take one more abandon: a quiet window, or one at its limit, however few the calls', () => {
    // Prepare: the UK rule's any 24 hours, with no estimate of AMD false positives to blur the count
    const uk = campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.025, compliance: { window: { type: 'rolling', hours: 24 }, amdFalsePositiveRate: 0 } });
    const window = (abandoned: number, live: number) => {
      const plan = countingPlan(uk.compliance, undefined, T0);
      return assessCompliance(uk.compliance, plan, plan.intervals.map((_, i) => (i === plan.intervals.length - 1 ? { abandoned, live } : { abandoned: 0, live: 0 })), undefined, undefined, T0);
    };
    // Act / Assess: 3% of 33 live answers is under one abandon; of 34, one; 2 abandons need 67
    expect(abandonsInDanger(uk, window(0, 0), undefined)).toBe(true);
    expect(abandonsInDanger(uk, window(0, 33), undefined)).toBe(true);
    expect(abandonsInDanger(uk, window(0, 34), undefined)).toBe(false);
    expect(abandonsInDanger(uk, window(1, 60), undefined)).toBe(true);
    expect(abandonsInDanger(uk, window(1, 67), undefined)).toBe(false);
    // The US rule judges each 30-day period whole: its first calls are not a window of their own.
    expect(abandonsInDanger(campaign, assessed({ abandoned: 0, live: 0 }), undefined)).toBe(false);
  });

  it('of the service level: below the target by more than half the room above it, on enough calls', () => {
    const sl = campaignWith({ setpoint: 0.8 });
    expect(serviceLevelInDanger(sl, { value: 0.69, sample: 100 })).toBe(true);
    expect(serviceLevelInDanger(sl, { value: 0.72, sample: 100 })).toBe(false);
    expect(serviceLevelInDanger(sl, { value: 0.2, sample: 5 })).toBe(false);
    expect(serviceLevelInDanger(campaign, { value: 0, sample: 100 })).toBe(false);
  });
});

describe('decide: cut fast, rise slowly', () => {
  const dialer: CampaignPerformance = { campaignId: 'c', idleAgents: 2, connectRatio: 0.25 };
  const run = (campaign: CampaignConfig, lines0: number, ticks: DecideTick[]) => runDecide(campaign, { outboundLineCount: lines0 }, ticks, { dialer });

  it('abandons over the limit: 40 lines go at once to the 8 that 2 idle agents can answer, then rise at most one step a tick', () => {
    // Prepare: a progressive campaign on lines at 40, abandons at 2% then 5% (long talk, short patience)
    const campaign = campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.025, knob: { name: 'outboundLineCount', min: 1, max: 40, maxStep: 5 } });
    // Act
    const { decisions } = run(campaign, 40, [{ abandons: 0.02 }, { abandons: 0.05 }, ...Array.from({ length: 4 }, () => ({ abandons: 0 }))]);
    // Assess: one tick from 40 to 8 (one maxStep would have left 35), reported as a compliance override
    expect(decisions[1]!.writes).toEqual({ outboundLineCount: 8 });
    expect(decisions[1]!.overrides).toEqual(['compliance']);
    // Rises afterwards are held to maxStep
    const values = [8, ...decisions.slice(2).map((d) => d.main.value!)];
    for (let i = 1; i < values.length; i += 1) expect(values[i]! - values[i - 1]!).toBeLessThanOrEqual(5);
  });

  it('service level in danger: lines feeding a queue go at once to the safe value', () => {
    // Prepare: an agentless campaign feeding a queue at 80%, 40 lines
    const campaign = campaignWith({ objective: { kind: 'queueServiceLevel', queueId: '5d1e4f3c-0000-4000-8000-00000000a001' }, knob: { name: 'outboundLineCount', min: 1, max: 40, maxStep: 5 } });
    // Act: service level falls to 50%
    const { decisions } = run(campaign, 40, [{ abandons: 0, sl: 0.8 }, { abandons: 0, sl: 0.5 }]);
    // Assess
    expect(decisions[1]!.writes).toEqual({ outboundLineCount: 8 });
    expect(decisions[1]!.overrides).toEqual(['service-level']);
  });

  it('outside danger, a cut is still held to one largest step', () => {
    const campaign = campaignWith({ objective: { kind: 'abandonRate' }, setpoint: 0.025, knob: { name: 'outboundLineCount', min: 1, max: 40, maxStep: 5 } });
    const { decisions } = run(campaign, 40, [{ abandons: 0.02 }, { abandons: 0.027 }]);
    expect(decisions[1]!.main.value).toBeGreaterThanOrEqual(35);
  });
});

describe("an agentless team's room for its campaign's live answers", () => {
  const lines = { name: 'outboundLineCount' as const, min: 1, max: 200, maxStep: 40, resolution: 1, safeValue: 1 };
  const perLine = (liveAnswersPerLine: number | undefined) => ({ idleAgents: undefined, liveAnswersPerLine, linesArePace: true });
  const team = (idleAgents: number, waiting = 0): QueueLiveState => ({ queueId: 'q', idleAgents, onQueueAgents: 100, interacting: 100 - idleAgents, waiting });

  it('capacity: the lines that keep the agents for transfers busy, each live answer holding one for the handle time', () => {
    // Prepare: 100 agents, 10 idle, 80 erlangs of transfers, 2 kept free; a line brings 2 live answers a minute, held 5 minutes each
    // Act
    const room = transferRoom(lines, perLine(2), team(10), { load: 80, handleMinutes: 5 }, 2);
    // Assess: (10 + 80 - 2) / (2 x 5) = 8.8 lines, the whole line below
    expect(room?.capacity).toBe(8);
  });

  it('next minute: what the idle agents and those a minute frees can take, after the calls waiting', () => {
    // Prepare: 6 calls waiting, no agent idle, 98 erlangs of transfers held 5 minutes
    // Act
    const room = transferRoom(lines, perLine(2), team(0, 6), { load: 98, handleMinutes: 5 }, 2);
    // Assess: 98 x (1 - e^-0.2) = 17.8 agents free up; (17.8 - 6 - 2) / 2 = 4.9 lines
    expect(room?.nextMinute).toBe(4);
    expect(room?.capacity).toBe(9);
  });

  it("counts only the agents on the campaign's own transfers: those busy on another queue are not its to take", () => {
    // Prepare: 90 agents busy, but the transfers are 20 erlangs of it (the team also takes an inbound queue)
    // Act
    const room = transferRoom(lines, perLine(2), team(10), { load: 20, handleMinutes: 5 }, 2);
    // Assess: (10 + 20 - 2) / 10 = 2.8 lines, not (100 - 2) / 10
    expect(room?.capacity).toBe(2);
  });

  it("is unknown before a line's live answers are, and never below the knob's minimum", () => {
    expect(transferRoom(lines, perLine(undefined), team(10), { load: 80, handleMinutes: 5 }, 2)).toBeUndefined();
    expect(transferRoom(lines, perLine(2), team(0, 50), { load: 100, handleMinutes: 5 }, 2)).toEqual({ capacity: 9, nextMinute: 1 });
  });
});

describe("a dedicated agentless team's lines at a full service level", () => {
  const lines = { name: 'outboundLineCount' as const, min: 1, max: 200, maxStep: 40, resolution: 1, safeValue: 1 };
  const perLine = (liveAnswersPerLine: number | undefined) => ({ idleAgents: undefined, liveAnswersPerLine, linesArePace: true });
  // 100 agents: 20 idle, 60 on the campaign's transfers (60 erlangs), 20 on something else.
  const team: QueueLiveState = { queueId: 'q', idleAgents: 20, onQueueAgents: 100, interacting: 80, waiting: 0 };
  const transfers = { load: 60, handleMinutes: 5, thresholdMs: 20_000 };

  it('are the most lines at which Erlang C still answers the aim of the transfers within their threshold', () => {
    // Act: a line brings 2 live answers a minute, each held 5 minutes: 10 erlangs a line on the 80 agents
    const at90 = linesForServiceLevel(lines, perLine(2), team, transfers, 6, 0.9);
    const at95 = linesForServiceLevel(lines, perLine(2), team, transfers, 6, 0.95);
    // Assess: Erlang C on 80 agents, 300-second calls, 20 seconds: 6 lines (60 erlangs) 99.8%, 7 lines 91.2%, 8 lines 0%
    expect(at90).toBe(7);
    expect(at95).toBe(6);
  });

  it("take a line's load as the transfers' load over the lines now when a quiet minute shows less", () => {
    // Act: the last minute's 2 live answers a line say 10 erlangs a line; the 60 erlangs on 4 lines say 15
    const heavier = linesForServiceLevel(lines, perLine(2), team, transfers, 4, 0.95);
    // Assess: 4 lines (60 erlangs) answer 99.8%, 5 (75 erlangs on 80 agents) far less
    expect(heavier).toBe(4);
  });

  it("are unknown without a line's live answers, a measured mean handle time or the threshold", () => {
    expect(linesForServiceLevel(lines, perLine(undefined), team, transfers, 6, 0.95)).toBeUndefined();
    expect(linesForServiceLevel(lines, perLine(2), team, { ...transfers, handleIsFloor: true }, 6, 0.95)).toBeUndefined();
    expect(linesForServiceLevel(lines, perLine(2), team, { load: 60, handleMinutes: 5 }, 6, 0.95)).toBeUndefined();
    // Not even the knob's minimum answers the aim: one line brings 100 erlangs to 80 agents.
    expect(linesForServiceLevel(lines, perLine(20), team, transfers, 6, 0.95)).toBeUndefined();
  });

  it('bound its rises on a full service level, which a dedicated team that did not opt in does not make', () => {
    // Prepare: 6 lines bring the transfers' 60 erlangs (10 a line); 120 agents, 40 idle, 20 busy
    // beyond the transfers' load (not theirs to count on); the transfers answered at 100% on full windows
    const campaignOf = (fullServiceLevelRise: boolean) =>
      campaignWith({
        objective: { kind: 'queueServiceLevel', queueId: '5d1e4f3c-0000-4000-8000-00000000a001', dedicatedAgents: true, fullServiceLevelRise },
        setpoint: 0.9,
        knob: { name: 'outboundLineCount', min: 1, max: 200, maxStep: 40 },
        blending: { reserveAgents: 2, waitingLimit: 1 },
      });
    const ticks = Array.from({ length: 6 }, () => ({ abandons: 0, sl: 1, slSample: 100, liveAnswersPerLine: 2 }));
    const inputs = { team: { queueId: 'q', idleAgents: 40, onQueueAgents: 120, interacting: 80, waiting: 0 }, teamHasRoom: true, transfers };
    // Act
    const opted = runDecide(campaignOf(true), { outboundLineCount: 6 }, ticks, inputs, 'agentless');
    const notOpted = runDecide(campaignOf(false), { outboundLineCount: 6 }, ticks, inputs, 'agentless');
    // Assess: a rise a tick (the compliance loop on the same knob keeps one step above it) up to the
    // 8 lines Erlang C answers at 95% (halfway from 90% to 100%) on the 100 agents the transfers
    // can count on (8 lines 99.5%, 9 lines 88.9%), no further; not opted in, only the loop's own steps
    const rises = opted.decisions.filter((d) => d.main.reason === 'idle-rise').map((d) => d.main.value);
    expect(rises).toEqual([7, 8]);
    expect(notOpted.decisions.every((d) => d.main.reason !== 'idle-rise')).toBe(true);
  });
});

describe("an agentless campaign's transfers", () => {
  const window = (handled: number, handleMinutes = 5): QueueWindowStats => ({ queueId: 'q', offered: 6, answered: 6, answeredWithinThreshold: 6, abandoned: 0, handled, handleMs: handled * handleMinutes * 60_000 });
  const live = (longestInteractingMs?: number): QueueLiveState => ({ queueId: 'q', idleAgents: 7, onQueueAgents: 10, interacting: 3, waiting: 0, ...(longestInteractingMs === undefined ? {} : { longestInteractingMs }) });

  it('are held for their mean handle time once one of the window has been handled', () => {
    expect(transfersOf(3, window(4), live(18 * 60_000))).toEqual({ load: 3, handleMinutes: 5 });
    expect(transfersOf(3, window(4), live(), 20_000)).toEqual({ load: 3, handleMinutes: 5, thresholdMs: 20_000 });
  });

  it('before any is handled, are held at least as long as the longest call in progress has been connected', () => {
    expect(transfersOf(3, window(0), live(12 * 60_000))).toEqual({ load: 3, handleMinutes: 12, handleIsFloor: true });
    expect(transfersOf(3, undefined, live(12 * 60_000))).toEqual({ load: 3, handleMinutes: 12, handleIsFloor: true });
  });

  it('are unknown without a handle time of either kind, or without their load', () => {
    expect(transfersOf(3, window(0), live())).toBeUndefined();
    expect(transfersOf(3, window(0), live(0))).toBeUndefined();
    expect(transfersOf(undefined, window(4), live(12 * 60_000))).toBeUndefined();
  });

  it('bound an idle rise before the first call ends: a team of 10 on long calls', () => {
    // Prepare: 7 idle, 3 on transfers connected up to 12 minutes, none ended; a line brings 0.3 live answers a minute
    const campaign = campaignWith({
      objective: { kind: 'queueServiceLevel', queueId: '5d1e4f3c-0000-4000-8000-00000000a001' },
      knob: { name: 'outboundLineCount', min: 1, max: 20, maxStep: 4 },
      blending: { reserveAgents: 2, waitingLimit: 1 },
    });
    const ticks = Array.from({ length: 6 }, () => ({ abandons: 0, sl: 1, slSample: 3, liveAnswersPerLine: 0.3 }));
    const team = live(12 * 60_000);
    // Act
    const bounded = runDecide(campaign, { outboundLineCount: 1 }, ticks, { team, teamHasRoom: true, transfers: transfersOf(3, window(0), team) }, 'agentless');
    const unbounded = runDecide(campaign, { outboundLineCount: 1 }, ticks, { team, teamHasRoom: true, transfers: transfersOf(3, window(0), live()) }, 'agentless');
    // Assess: (7 + 3 - 2) / (0.3 x 12) = 2.2 lines; with nothing to bound it the rise goes on doubling
    expect(Math.max(...bounded.decisions.map((d) => d.main.value!))).toBe(2);
    expect(Math.max(...unbounded.decisions.map((d) => d.main.value!))).toBeGreaterThan(4);
  });
});

describe('an agentless campaign paced from its team', () => {
  const campaign = campaignWith({
    objective: { kind: 'queueServiceLevel', queueId: '5d1e4f3c-0000-4000-8000-00000000a001' },
    knob: { name: 'outboundLineCount', min: 1, max: 40, maxStep: 5 },
    blending: { reserveAgents: 2, waitingLimit: 1 },
  });
  // 100 agents on the transfer queue; 40 lines brought 80 live answers last minute (2 a line), each held 5 minutes.
  const full = (waiting: number) => ({
    team: { queueId: 'q', idleAgents: 0, onQueueAgents: 100, interacting: 80, waiting },
    lastMinuteLiveAnswers: 80,
    transfers: { load: 98, handleMinutes: 5 },
  });
  const reserveBroken = [{ abandons: 0, sl: 0.9 }, { abandons: 0, sl: 0.9, reserveViolated: true }];

  it('with its own transfers filling the team, is cut to the lines the team can take, not to the minimum', () => {
    // Act
    const ours = runDecide(campaign, { outboundLineCount: 40 }, reserveBroken, full(0), 'agentless');
    const unknown = runDecide(campaign, { outboundLineCount: 40 }, reserveBroken, { ...full(0), transfers: undefined }, 'agentless');
    const floorOnly = runDecide(campaign, { outboundLineCount: 40 }, reserveBroken, { ...full(0), transfers: { load: 98, handleMinutes: 5, handleIsFloor: true } }, 'agentless');
    // Assess: at once to (98 - 2) / (2 x 5) = 9.6 lines; before a transfer is handled (the handle
    // time at most a floor, from the longest call connected), the minimum as before
    expect(ours.decisions[1]!.writes).toEqual({ outboundLineCount: 9 });
    expect(ours.decisions[1]!.overrides).toEqual(['blending']);
    expect(unknown.decisions[1]!.writes).toEqual({ outboundLineCount: 1 });
    expect(floorOnly.decisions[1]!.writes).toEqual({ outboundLineCount: 1 });
  });

  it('with its transfers queueing past the limit, is cut as deep as the next minute demands', () => {
    // Act: 6 calls wait
    const { decisions } = runDecide(campaign, { outboundLineCount: 40 }, reserveBroken, full(6), 'agentless');
    // Assess: (98 x (1 - e^-0.2) - 6 - 2) / 2 = 4.9 lines
    expect(decisions[1]!.writes).toEqual({ outboundLineCount: 4 });
  });

  it("rises no further than the team's capacity, however good the service level", () => {
    // Prepare: 20 agents idle, 70 erlangs of transfers: capacity (20 + 70 - 2) / (2 x 5) = 8.8 lines
    const room = { team: { queueId: 'q', idleAgents: 20, onQueueAgents: 100, interacting: 60, waiting: 0 }, transfers: { load: 70, handleMinutes: 5 } };
    const ticks = Array.from({ length: 8 }, () => ({ abandons: 0, sl: 1, liveAnswersPerLine: 2 }));
    // Act
    const limited = runDecide(campaign, { outboundLineCount: 4 }, ticks, room, 'agentless');
    const predictive = runDecide(campaign, { outboundLineCount: 4 }, ticks, room);
    // Assess: ours stops at 8 lines; without the team's figures (another mode) it goes on rising
    const values = limited.decisions.map((d) => d.main.value!);
    expect(Math.max(...values)).toBe(8);
    expect(values.at(-1)).toBe(8);
    expect(Math.max(...predictive.decisions.map((d) => d.main.value!))).toBeGreaterThan(8);
  });
});
