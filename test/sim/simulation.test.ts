/**
 * Behaviour of the simulation beyond queueing theory: reproducibility, common random numbers, the
 * stand-in pacing's response to its knobs and to changing conditions, shifts and agentless lines.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, type Scenario } from '../../sim/model/scenario.js';
import { ContactCentreSimulation } from '../../sim/model/simulation.js';
import type { CampaignMinute } from '../../sim/model/time-series.js';
import { batchMeansInterval } from './statistics.js';

const CAMPAIGN = '5d1e4f3c-0000-4000-8000-00000000c001';
const OUTBOUND_QUEUE = '5d1e4f3c-0000-4000-8000-00000000a001';
const INBOUND_QUEUE = '5d1e4f3c-0000-4000-8000-00000000a002';
const HOUR = 3_600_000;

function scenario(name: string, edit: (s: Record<string, any>) => void = () => {}): Scenario {
  const raw = JSON.parse(readFileSync(new URL(`../../sim/scenarios/${name}.json`, import.meta.url), 'utf8')) as Record<string, any>;
  edit(raw);
  return parseScenario(raw);
}

function run(s: Scenario, seed: number, until = 8 * HOUR): ContactCentreSimulation {
  const sim = new ContactCentreSimulation(s, seed);
  sim.advanceTo(until);
  return sim;
}

function campaignMinutes(sim: ContactCentreSimulation, fromMinute: number, toMinute: number): CampaignMinute[] {
  return sim.timeSeries.slice(fromMinute, toMinute).map((m) => m.campaigns[CAMPAIGN]!);
}

const total = (rows: CampaignMinute[], key: 'dialed' | 'liveAnswers' | 'complianceAbandons') => rows.reduce((s, r) => s + r[key], 0);

describe('reproducibility', () => {
  it('gives the same day for the same seed and a different one for another seed', () => {
    // Act
    const a = run(scenario('blended-surge'), 42, 2 * HOUR);
    const b = run(scenario('blended-surge'), 42, 2 * HOUR);
    const c = run(scenario('blended-surge'), 43, 2 * HOUR);

    // Assess
    expect(JSON.stringify(a.timeSeries)).toBe(JSON.stringify(b.timeSeries));
    expect(a.analytics.facts).toEqual(b.analytics.facts);
    expect(JSON.stringify(a.timeSeries)).not.toBe(JSON.stringify(c.timeSeries));
  });

  it('advancing in many small steps gives the same day as one big step', () => {
    // Prepare
    const stepped = new ContactCentreSimulation(scenario('blended-surge'), 9);

    // Act
    for (let t = 0; t <= 2 * HOUR; t += 7_919) stepped.advanceTo(t);
    stepped.advanceTo(2 * HOUR);
    const once = run(scenario('blended-surge'), 9, 2 * HOUR);

    // Assess
    expect(JSON.stringify(stepped.timeSeries)).toBe(JSON.stringify(once.timeSeries));
  });

  it('keeps the inbound callers identical when only the pacing differs (common random numbers)', () => {
    // Prepare
    const cautious = new ContactCentreSimulation(scenario('steady-blended'), 5);
    const bold = new ContactCentreSimulation(scenario('steady-blended'), 5);
    cautious.updateCampaign(CAMPAIGN, { maxCallsPerAgent: 1 });

    // Act
    cautious.advanceTo(4 * HOUR);
    bold.advanceTo(4 * HOUR);
    const arrivals = (sim: ContactCentreSimulation) => sim.analytics.facts.filter((f) => f.metric === 'nOffered' && f.queueId === INBOUND_QUEUE).map((f) => f.t);

    // Assess
    expect(arrivals(cautious)).toEqual(arrivals(bold));
    expect(total(campaignMinutes(cautious, 0, 240), 'dialed')).not.toBe(total(campaignMinutes(bold, 0, 240), 'dialed'));
  });

  it('gives the n-th dial of a campaign the same fate whatever the pace (same contacts, same AMD false positives)', () => {
    // Prepare: the order in which dial outcomes are scheduled is the order of the dials
    const fates = (sim: ContactCentreSimulation) => {
      const seen: string[] = [];
      const events = (sim as unknown as { events: { push(t: number, e: { kind: string; outcome?: string }): void } }).events;
      const push = events.push.bind(events);
      events.push = (t, e) => {
        if (e.kind === 'dialResolves') seen.push(e.outcome!);
        push(t, e);
      };
      return seen;
    };
    const falsePositives = (s: Record<string, any>) => (s.campaigns[0].amd.falsePositiveRate = 0.05);
    const cautious = new ContactCentreSimulation(scenario('steady-blended', falsePositives), 5);
    const bold = new ContactCentreSimulation(scenario('steady-blended', falsePositives), 5);
    cautious.updateCampaign(CAMPAIGN, { maxCallsPerAgent: 1 });
    const [a, b] = [fates(cautious), fates(bold)];

    // Act
    cautious.advanceTo(2 * HOUR);
    bold.advanceTo(2 * HOUR);

    // Assess: bold dials more, and its first dials are cautious's, false positives included
    expect(b.length).toBeGreaterThan(a.length);
    expect(a.filter((o) => o === 'amdFalsePositive').length).toBeGreaterThan(5);
    expect(b.slice(0, a.length)).toEqual(a);
  });
});

describe('stand-in predictive pacing', () => {
  it.each([1, 3, 5])('centres the realised compliance abandon rate on abandonRate %d%% when maxCallsPerAgent does not bind', (target) => {
    // Prepare: outbound only (no inbound traffic), the cap at Genesys's maximum.
    const s = scenario('steady-blended', (raw) => {
      raw.duration = '24:00';
      raw.queues[1].inbound.arrivalsPerHour = 0;
      raw.campaigns[0].maxCallsPerAgent = 15;
      raw.campaigns[0].abandonRate = target;
      raw.agentGroups.forEach((g: { shifts: unknown }) => (g.shifts = [{ start: '00:00', end: '24:00' }]));
    });

    // Act
    const sim = run(s, 17, 24 * HOUR);
    const batches: number[] = [];
    for (let m = 60; m + 60 <= 24 * 60; m += 60) {
      const rows = campaignMinutes(sim, m, m + 60);
      batches.push((100 * total(rows, 'complianceAbandons')) / total(rows, 'liveAnswers'));
    }
    const rate = batchMeansInterval(batches);

    // Assess
    expect(target).toBeGreaterThanOrEqual(rate.low);
    expect(target).toBeLessThanOrEqual(rate.high);
    expect(rate.halfWidth).toBeLessThan(0.5 * target);
  });

  it('dials less and abandons less after maxCallsPerAgent is lowered', () => {
    // Prepare: two identical days; one has its cap cut to 1 at 01:00.
    const base = new ContactCentreSimulation(scenario('steady-blended'), 8);
    const capped = new ContactCentreSimulation(scenario('steady-blended'), 8);
    base.advanceTo(HOUR);
    capped.advanceTo(HOUR);

    // Act
    capped.updateCampaign(CAMPAIGN, { maxCallsPerAgent: 1 });
    base.advanceTo(5 * HOUR);
    capped.advanceTo(5 * HOUR);

    // Assess
    const before = campaignMinutes(capped, 0, 60);
    const after = (sim: ContactCentreSimulation) => campaignMinutes(sim, 60, 300);
    expect(before).toEqual(campaignMinutes(base, 0, 60));
    expect(total(after(capped), 'dialed')).toBeLessThan(0.97 * total(after(base), 'dialed'));
    expect(total(after(capped), 'complianceAbandons')).toBeLessThan(total(after(base), 'complianceAbandons'));
  });

  it('estimates the connect rate from recent dials, so it lags a sudden drop', () => {
    // Act: the live-answer rate drops from 0.25 to 0.12 at 02:00.
    const sim = run(scenario('connect-rate-jump'), 4, 3 * HOUR);
    const estimate = (minute: number) => sim.timeSeries[minute]!.campaigns[CAMPAIGN]!.dialerConnectRate;

    // Assess
    expect(estimate(119)).toBeGreaterThan(0.18);
    expect(estimate(120)).toBeGreaterThan(0.18);
    expect(estimate(150)).toBeLessThan(0.17);
  });

  it('stops dialing for agents who have logged out', () => {
    // Act: ten of 25 agents leave at 03:00, five return at 05:00.
    const sim = run(scenario('agents-leave'), 6);
    const loggedIn = (minute: number) => sim.timeSeries[minute]!.queues[OUTBOUND_QUEUE]!.agentsLoggedIn;
    const dialsPerMinute = (from: number, to: number) => total(campaignMinutes(sim, from, to), 'dialed') / (to - from);

    // Assess
    expect(loggedIn(100)).toBe(25);
    expect(loggedIn(200)).toBe(15);
    expect(loggedIn(400)).toBe(20);
    expect(dialsPerMinute(190, 300)).toBeLessThan(0.75 * dialsPerMinute(60, 180));
  });
});

describe("a queue's longest-connected call", () => {
  it("is timed from when an agent answered it, while it talks: never its after-call work, never another queue's call", () => {
    // Prepare: inbound calls of exactly 600 s talk and 120 s after-call work; the campaign, whose queue the same agents work, is off
    const s = scenario('small-team', (raw) => {
      raw.queues[1].inbound.talkTime = { dist: 'fixed', seconds: 600 };
      raw.queues[1].inbound.acw = { dist: 'fixed', seconds: 120 };
      raw.campaigns[0].campaignStatus = 'off';
    });
    const sim = new ContactCentreSimulation(s, 3);
    const inbound: number[] = [];
    const outbound: Array<number | undefined> = [];

    // Act: look every 10 seconds for two hours
    for (let t = 0; t <= 2 * HOUR; t += 10_000) {
      sim.advanceTo(t);
      const longest = sim.observeQueue(INBOUND_QUEUE)!.longestInteractingMs;
      if (longest !== undefined) inbound.push(longest);
      outbound.push(sim.observeQueue(OUTBOUND_QUEUE)!.longestInteractingMs);
    }

    // Assess: up to the talk time and no further (after-call work would reach 720 s); none on the idle campaign's queue
    expect(inbound.length).toBeGreaterThan(100);
    expect(Math.min(...inbound)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...inbound)).toBeLessThanOrEqual(600_000);
    expect(Math.max(...inbound)).toBeGreaterThan(590_000);
    expect(outbound.every((x) => x === undefined)).toBe(true);
  });
});

describe('shifts, lines and outcomes', () => {
  it('logs everyone out after the day, once their calls are done, and dials no more', () => {
    // Act
    const sim = run(scenario('blended-surge'), 2, 9 * HOUR);
    const last = sim.timeSeries.at(-1)!;

    // Assess
    expect(last.queues[INBOUND_QUEUE]!.agentsLoggedIn).toBe(0);
    expect(last.campaigns[CAMPAIGN]!.dialed).toBe(0);
    expect(sim.observeQueue(INBOUND_QUEUE)!.waiting).toBe(0);
  });

  it('makes the dialer\'s first pass at time 0, with the logins: a campaign dials at its stored settings before a controller\'s first tick', () => {
    // Prepare: an agentless campaign stored at 20 lines
    const sim = new ContactCentreSimulation(scenario('agentless'), 3);

    // Act: only the events at 0 (docs/benchmark.md, "Measured and not kept: the first tick before the first dial")
    sim.advanceTo(0);

    // Assess: every one of its 20 lines is dialling
    expect(sim.campaignStats(CAMPAIGN)!.attempts).toBe(20);
    expect(sim.campaignStats(CAMPAIGN)!.outstandingCalls).toBe(20);
  });

  it('keeps an agentless campaign within outboundLineCount, queues its live answers and stops at the day\'s end', () => {
    // Act
    const sim = run(scenario('agentless'), 3, 8.5 * HOUR);
    const rows = campaignMinutes(sim, 0, 510);
    const queue = sim.timeSeries.map((m) => m.queues[OUTBOUND_QUEUE]!);

    // Assess
    expect(Math.max(...rows.map((r) => r.outstandingCalls))).toBeLessThanOrEqual(20);
    expect(total(rows, 'complianceAbandons')).toBe(0);
    expect(queue.reduce((s, q) => s + q.offered, 0)).toBe(total(rows, 'liveAnswers'));
    expect(queue.reduce((s, q) => s + q.abandoned, 0)).toBeGreaterThan(0);
    expect(total(rows.slice(480), 'dialed')).toBe(0);
  });

  it('hangs up on a few live people as machines (AMD false positives), which Genesys does not count as connected', () => {
    // Act
    const sim = run(scenario('steady-blended'), 12);
    const rows = campaignMinutes(sim, 0, 480);
    const falsePositives = rows.reduce((s, r) => s + r.amdFalsePositives, 0);
    const connected = sim.analytics.facts.filter((f) => f.metric === 'nOutboundConnected').length;

    // Assess: 0.5% of about 2000 live people.
    expect(falsePositives).toBeGreaterThan(0);
    expect(falsePositives).toBeLessThan(40);
    expect(connected).toBe(total(rows, 'liveAnswers'));
  });

  it('follows a drifting handle time', () => {
    // Act
    const sim = run(scenario('handle-time-drift'), 13);
    const meanTalk = (from: number, to: number) => {
      const talks = sim.analytics.facts.filter((f) => f.metric === 'tTalk' && f.t >= from && f.t < to);
      return talks.reduce((s, f) => s + f.value, 0) / talks.length;
    };

    // Assess: mean 150 s early, 270 s late.
    expect(meanTalk(6.5 * HOUR, 8 * HOUR) / meanTalk(0, 2 * HOUR)).toBeGreaterThan(1.5);
  });
});
