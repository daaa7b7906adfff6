/**
 * Validation of the simulation against queueing theory (pacing.md section 5): Erlang C for an
 * inbound-only M/M/N queue, the Erlang-A abandonment relation, and the occupancy of progressive
 * dialing. Each check uses a fixed seed and a 99% batch-means confidence interval from the run.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/model/scenario.js';
import { ContactCentreSimulation } from '../../sim/model/simulation.js';
import { batchMeansInterval, erlangC } from './statistics.js';

const QUEUE = '5d1e4f3c-0000-4000-8000-00000000a002';
const CAMPAIGN_QUEUE = '5d1e4f3c-0000-4000-8000-00000000a001';
const CAMPAIGN = '5d1e4f3c-0000-4000-8000-00000000c001';
const HOUR = 3_600_000;
const WARM_UP = HOUR;

/** An inbound-only centre: exponential service, no after-call work, optional exponential patience. */
function inboundScenario(opts: { agents: number; arrivalsPerHour: number; meanServiceS: number; patienceS?: number; hours: number }) {
  return parseScenario({
    name: 'inbound-only',
    startTime: '2026-05-14T00:00:00.000Z',
    duration: `${opts.hours}:00`,
    queues: [
      {
        id: QUEUE,
        name: 'Inbound',
        serviceLevel: { percentage: 0.8, durationMs: 20_000 },
        ...(opts.patienceS ? { patience: { dist: 'exponential', meanSeconds: opts.patienceS } } : {}),
        inbound: {
          arrivalsPerHour: opts.arrivalsPerHour,
          talkTime: { dist: 'exponential', meanSeconds: opts.meanServiceS },
          acw: { dist: 'fixed', seconds: 0 },
        },
      },
    ],
    agentGroups: [{ name: 'Agents', count: opts.agents, queueIds: [QUEUE], shifts: [{ start: '00:00', end: `${opts.hours}:00` }] }],
  });
}

/** Splits [WARM_UP, end) into equal batches and applies f to the facts of each. */
function perBatch<T>(sim: ContactCentreSimulation, batchMs: number, f: (facts: ContactCentreSimulation['analytics']['facts']) => T): T[] {
  const out: T[] = [];
  for (let start = WARM_UP; start + batchMs <= sim.durationMs; start += batchMs) {
    const from = sim.analytics.firstIndexAtOrAfter(start);
    const to = sim.analytics.firstIndexAtOrAfter(start + batchMs);
    out.push(f(sim.analytics.facts.slice(from, to)));
  }
  return out;
}

describe('inbound only, exponential service: Erlang C', () => {
  it('service level at 20 s and ASA match M/M/10 at 8 erlangs', () => {
    // Prepare: 10 agents, 160 calls/h of 180 s = 8 erlangs; theory SL(20 s) ~ 0.65, ASA ~ 36 s.
    const agents = 10;
    const meanServiceS = 180;
    const arrivalsPerHour = 160;
    const theory = erlangC(agents, (arrivalsPerHour * meanServiceS) / 3600, meanServiceS);
    const sim = new ContactCentreSimulation(inboundScenario({ agents, arrivalsPerHour, meanServiceS, hours: 401 }), 11);

    // Act
    sim.advanceTo(sim.durationMs);
    const batches = perBatch(sim, 8 * HOUR, (facts) => {
      const waits = facts.filter((f) => f.metric === 'tAnswered').map((f) => f.value);
      return { sl: waits.filter((w) => w <= 20_000).length / waits.length, asaS: waits.reduce((s, w) => s + w, 0) / waits.length / 1000 };
    });
    const sl = batchMeansInterval(batches.map((b) => b.sl));
    const asa = batchMeansInterval(batches.map((b) => b.asaS));

    // Assess: theory inside the run's interval, and the interval tight enough to mean something.
    expect(theory.serviceLevel(20)).toBeGreaterThanOrEqual(sl.low);
    expect(theory.serviceLevel(20)).toBeLessThanOrEqual(sl.high);
    expect(sl.halfWidth).toBeLessThan(0.04);
    expect(theory.asaS).toBeGreaterThanOrEqual(asa.low);
    expect(theory.asaS).toBeLessThanOrEqual(asa.high);
    expect(asa.halfWidth).toBeLessThan(0.2 * theory.asaS);
  });
});

describe('inbound with exponential patience: Erlang A', () => {
  it('the abandoned fraction equals mean wait over mean patience', () => {
    // Prepare: 10 agents at 9 offered erlangs, patience 120 s: about 8% abandon.
    const patienceS = 120;
    const sim = new ContactCentreSimulation(inboundScenario({ agents: 10, arrivalsPerHour: 180, meanServiceS: 180, patienceS, hours: 201 }), 5);

    // Act
    sim.advanceTo(sim.durationMs);
    const batches = perBatch(sim, 8 * HOUR, (facts) => {
      const waits = facts.filter((f) => f.metric === 'tWait');
      const abandoned = facts.filter((f) => f.metric === 'tAbandon').length;
      const meanWaitS = waits.reduce((s, f) => s + f.value, 0) / waits.length / 1000;
      return { abandonedFraction: abandoned / waits.length, relation: meanWaitS / patienceS };
    });
    const difference = batchMeansInterval(batches.map((b) => b.abandonedFraction - b.relation));
    const abandoned = batchMeansInterval(batches.map((b) => b.abandonedFraction));

    // Assess
    expect(abandoned.mean).toBeGreaterThan(0.03);
    expect(0).toBeGreaterThanOrEqual(difference.low);
    expect(0).toBeLessThanOrEqual(difference.high);
    expect(difference.halfWidth).toBeLessThan(0.1 * abandoned.mean);
  });
});

describe('progressive dialing', () => {
  it('occupancy equals E[H] / (E[H] + E[time to a live answer])', () => {
    // Prepare: p = 0.25, 20% machines, 10% busy, the rest ring out at 25 s; talk lognormal 180 s
    // cv 1 plus 15 s after-call work: E[H] = 195 s.
    const p = 0.25;
    const machine = 0.2;
    const busy = 0.1;
    const noAnswerS = 25;
    const ringS = 12; // mean of U(4, 20)
    const amdS = 3; // mean of U(2, 4)
    const busyS = 3; // mean of U(2, 4)
    const handleS = 195;
    const failedS = (machine * (ringS + amdS) + busy * busyS + (1 - p - machine - busy) * noAnswerS) / (1 - p);
    const timeToLiveS = ringS + ((1 - p) / p) * failedS;
    const theory = handleS / (handleS + timeToLiveS);
    const hours = 41;
    const scenario = parseScenario({
      name: 'progressive',
      startTime: '2026-05-14T00:00:00.000Z',
      duration: `${hours}:00`,
      queues: [{ id: CAMPAIGN_QUEUE, name: 'Outbound', serviceLevel: { percentage: 0.8, durationMs: 20_000 } }],
      campaigns: [
        {
          id: CAMPAIGN,
          name: 'Progressive',
          dialingMode: 'progressive',
          campaignStatus: 'on',
          queueId: CAMPAIGN_QUEUE,
          contactList: { id: '5d1e4f3c-0000-4000-8000-0000000c1001' },
          abandonRate: 3,
          maxCallsPerAgent: 1,
          outboundLineCount: 0,
          noAnswerTimeout: noAnswerS,
          callerName: 'Example Co',
          callerAddress: '+13175550100',
          phoneColumns: [{ columnName: 'Cell', type: 'cell' }],
          dialOutcomes: { liveAnswer: p, machine, busySit: busy },
          ringTime: { dist: 'uniform', minSeconds: 4, maxSeconds: 20 },
          busySitTime: { dist: 'uniform', minSeconds: 2, maxSeconds: 4 },
          amd: { decisionTime: { dist: 'uniform', minSeconds: 2, maxSeconds: 4 }, falsePositiveRate: 0 },
          talkTime: { dist: 'lognormal', meanSeconds: 180, cv: 1 },
          acw: { dist: 'fixed', seconds: 15 },
        },
      ],
      agentGroups: [{ name: 'Agents', count: 20, queueIds: [CAMPAIGN_QUEUE], shifts: [{ start: '00:00', end: `${hours}:00` }] }],
    });
    const sim = new ContactCentreSimulation(scenario, 21);

    // Act
    sim.advanceTo(sim.durationMs);
    const minutes = sim.timeSeries.slice(60);
    const batches: number[] = [];
    for (let i = 0; i + 120 <= minutes.length; i += 120) {
      const batch = minutes.slice(i, i + 120).map((m) => m.queues[CAMPAIGN_QUEUE]!);
      batches.push(batch.reduce((s, q) => s + q.agentsBusy, 0) / batch.reduce((s, q) => s + q.agentsLoggedIn, 0));
    }
    const occupancy = batchMeansInterval(batches);

    // Assess
    expect(theory).toBeCloseTo(0.735, 2);
    expect(theory).toBeGreaterThanOrEqual(occupancy.low);
    expect(theory).toBeLessThanOrEqual(occupancy.high);
    expect(occupancy.halfWidth).toBeLessThan(0.015);
    expect(sim.timeSeries.reduce((s, m) => s + m.campaigns[CAMPAIGN]!.complianceAbandons, 0)).toBe(0);
  });
});
