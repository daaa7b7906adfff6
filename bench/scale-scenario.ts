/**
 * The generated contact centre of the scale benchmark: `n` small predictive campaigns sharing a
 * queue per 25 campaigns, and the controller configuration that paces them.
 */
import { startingCampaignConfig } from '../lambda/config/starting-config.js';

/** Campaigns sharing one queue (and its agents). */
export const CAMPAIGNS_PER_QUEUE = 25;
/** Agents per campaign, all members of the campaign's queue: few, so 500 campaigns simulate quickly. */
const AGENTS_PER_CAMPAIGN = 3;
/** Every fifth campaign protects its queue's inbound service level; the others hold their abandon rate. */
const SERVICE_LEVEL_EVERY = 5;

const id = (kind: string, n: number) => `5ca1e000-0000-4000-8000-${kind}${String(n).padStart(11, '0')}`;

/** Campaigns of `n` on queue `q`: 25, fewer on the last queue. */
const campaignsOn = (n: number, q: number) => Math.min(CAMPAIGNS_PER_QUEUE, n - q * CAMPAIGNS_PER_QUEUE);

/** How many queues `n` campaigns share. */
export function queueCount(n: number): number {
  return Math.ceil(n / CAMPAIGNS_PER_QUEUE);
}

/** A twin scenario (plain object, validated by the twin) with `n` campaigns on queueCount(n) queues. */
export function scaleScenario(n: number): object {
  const queues = Array.from({ length: queueCount(n) }, (_, q) => ({
    id: id('a', q),
    name: `Queue ${q}`,
    serviceLevel: { percentage: 0.8, durationMs: 20_000 },
    patience: { dist: 'exponential', meanSeconds: 120 },
    inbound: {
      arrivalsPerHour: 20 * campaignsOn(n, q),
      talkTime: { dist: 'lognormal', meanSeconds: 90, cv: 1 },
      acw: { dist: 'uniform', minSeconds: 5, maxSeconds: 15 },
    },
  }));
  const campaigns = Array.from({ length: n }, (_, c) => ({
    id: id('c', c),
    name: `Campaign ${c}`,
    dialingMode: 'predictive',
    campaignStatus: 'on',
    queueId: id('a', Math.floor(c / CAMPAIGNS_PER_QUEUE)),
    contactList: { id: id('d', c) },
    // Within the recommended bounds (0.5-2.5 under the US rule): a value above them is a hand-set one the controller leaves alone.
    abandonRate: 2,
    maxCallsPerAgent: 2,
    outboundLineCount: 10,
    noAnswerTimeout: 25,
    callerName: 'Example Co',
    callerAddress: '+13175550100',
    phoneColumns: [{ columnName: 'Cell', type: 'cell' }],
    dialOutcomes: { liveAnswer: 0.3, machine: 0.25, busySit: 0.1 },
    ringTime: { dist: 'uniform', minSeconds: 4, maxSeconds: 20 },
    busySitTime: { dist: 'uniform', minSeconds: 2, maxSeconds: 5 },
    amd: { decisionTime: { dist: 'uniform', minSeconds: 2, maxSeconds: 4 }, falsePositiveRate: 0.005 },
    talkTime: { dist: 'lognormal', meanSeconds: 90, cv: 1 },
    acw: { dist: 'uniform', minSeconds: 5, maxSeconds: 15 },
  }));
  const agentGroups = queues.map((queue, q) => ({
    name: `Agents ${q}`,
    count: AGENTS_PER_CAMPAIGN * campaignsOn(n, q),
    queueIds: [queue.id],
    shifts: [{ start: '00:00', end: '02:00' }],
  }));
  return {
    name: `scale-${n}`,
    startTime: '2026-05-14T08:00:00.000Z',
    duration: '02:00',
    organization: { totalOutboundLines: 10 * n },
    queues,
    campaigns,
    agentGroups,
  };
}

/**
 * The controller's campaigns for the worst case of writes: abandon-rate loops, and every fifth
 * campaign on its queue's inbound service level with the threshold read from Genesys (one GET per
 * queue on the first tick). With the benchmark's small dead-band and sample, nearly every campaign
 * wants a change on every tick.
 */
export function scaleControllerCampaigns(n: number): object[] {
  return Array.from({ length: n }, (_, c) =>
    c % SERVICE_LEVEL_EVERY === SERVICE_LEVEL_EVERY - 1
      ? { campaignId: id('c', c), objective: { kind: 'inboundServiceLevel', queueId: id('a', Math.floor(c / CAMPAIGNS_PER_QUEUE)) }, setpoint: 0.8 }
      : { campaignId: id('c', c), objective: { kind: 'abandonRate' }, setpoint: 0.025 },
  );
}

/**
 * The same campaigns as the README recommends configuring them: the starting configuration rule
 * (lambda/config/starting-config.ts) for a predictive campaign whose team is its queue's agents,
 * every fifth one blended with that queue's inbound calls, under the US rule; paced, not in dry run.
 */
export function scaleRecommendedCampaigns(n: number): object[] {
  return Array.from({ length: n }, (_, c) => {
    const q = Math.floor(c / CAMPAIGNS_PER_QUEUE);
    const queueId = id('a', q);
    const team = AGENTS_PER_CAMPAIGN * campaignsOn(n, q);
    const blended = c % SERVICE_LEVEL_EVERY === SERVICE_LEVEL_EVERY - 1;
    const entry = startingCampaignConfig({
      campaignId: id('c', c),
      dialingMode: 'predictive',
      queueId,
      agents: team,
      complianceRule: 'us',
      ...(blended ? { inboundQueueId: queueId } : {}),
    });
    return { ...entry, dryRun: false };
  });
}
