/**
 * A fleet of small, independent contact centres in one twin scenario, one campaign each, with
 * the pacing configuration that controls them: what the fault suites and the soak run on.
 *
 * Campaign i cycles through the three objectives the controller serves:
 * - i % 3 = 0: a power-dialing campaign of 10 agents held to its own abandon rate (knob abandonRate);
 * - i % 3 = 1: a power-dialing campaign whose 12 blended agents also take an inbound queue, held
 *   to that queue's service level (knob maxCallsPerAgent), its abandon target set low (1%);
 * - i % 3 = 2: an agentless campaign feeding a queue of 4 agents, held to its service level
 *   (knob outboundLineCount).
 * Centres are small so 50 of them simulate quickly, but not tiny: the twin's stand-in for Genesys's
 * pacing overshoots its abandon target in teams of a handful of agents, and more so predictive
 * than power dialing.
 */
import type { PacingConfigInput } from '../../lambda/config/schema.js';
import type { CampaignStatus } from '../../lambda/ports.js';
import type { AbandonRule } from '../run/summary.js';

type CampaignInput = PacingConfigInput['campaigns'][number];

/** The Genesys fields of a campaign that carry over from one simulated day to the next. */
export interface CarriedCampaign {
  abandonRate: number;
  maxCallsPerAgent: number;
  outboundLineCount: number;
  campaignStatus: CampaignStatus;
}

export interface FleetOptions {
  /** How many campaigns (and centres). */
  campaigns: number;
  /** ISO instant the simulated day starts. */
  startTime: string;
  /** Length of the dialing day, "HH:MM". */
  duration: string;
  /** OAuth client the twin accepts. */
  auth?: { clientId: string; clientSecret: string; tokenLifetimeSeconds?: number };
  /** Campaign settings left by the previous day, by campaign id (defaults otherwise). */
  carry?: ReadonlyMap<string, CarriedCampaign>;
}

const hexId = (prefix: number, i: number) => `5d1e4f3c-0000-4000-8000-${(prefix * 0x10000 + i).toString(16).padStart(12, '0')}`;

/** Campaign id of fleet member i. */
export const fleetCampaignId = (i: number): string => hexId(0xc, i);
/** The queue fleet campaign i's calls route to (and, for agentless, the objective's queue). */
const fleetOutboundQueueId = (i: number): string => hexId(0xa, i);
/** The inbound queue of a blended fleet centre (i % 3 = 1). */
const fleetInboundQueueId = (i: number): string => hexId(0xb, i);

export type FleetKind = 'abandonRate' | 'inboundServiceLevel' | 'queueServiceLevel';

/** The abandonment rule fleet campaign i is held to: odd campaigns the UK's 3% over any 24 hours, even ones the US 30-day rule (the default). */
export function fleetRule(i: number): AbandonRule {
  return i % 2 === 1 ? 'UK' : 'US';
}

/** The objective of fleet campaign i. */
export function fleetKind(i: number): FleetKind {
  return (['abandonRate', 'inboundServiceLevel', 'queueServiceLevel'] as const)[i % 3]!;
}

const lognormal = (meanSeconds: number) => ({ dist: 'lognormal', meanSeconds, cv: 1 });
const uniform = (minSeconds: number, maxSeconds: number) => ({ dist: 'uniform', minSeconds, maxSeconds });

/** A twin scenario (plain object, validated by startTwin) with one small centre per campaign. */
export function fleetScenario(options: FleetOptions): Record<string, unknown> {
  const shift = [{ start: '00:00', end: options.duration }];
  const queues: unknown[] = [];
  const campaigns: unknown[] = [];
  const agentGroups: unknown[] = [];
  for (let i = 0; i < options.campaigns; i++) {
    const kind = fleetKind(i);
    const id = fleetCampaignId(i);
    const out = fleetOutboundQueueId(i);
    const carried = options.carry?.get(id);
    const agentless = kind === 'queueServiceLevel';
    queues.push({
      id: out,
      name: `Fleet ${i} outbound`,
      serviceLevel: { percentage: 0.8, durationMs: 30_000 },
      ...(agentless ? { patience: { dist: 'exponential', meanSeconds: 60 } } : {}),
    });
    if (kind === 'inboundServiceLevel') {
      queues.push({
        id: fleetInboundQueueId(i),
        name: `Fleet ${i} inbound`,
        serviceLevel: { percentage: 0.8, durationMs: 20_000 },
        patience: { dist: 'exponential', meanSeconds: 120 },
        inbound: { arrivalsPerHour: 40, talkTime: lognormal(180), acw: uniform(10, 30) },
      });
    }
    campaigns.push({
      id,
      name: `Fleet ${i} ${kind}`,
      dialingMode: agentless ? 'agentless' : 'power',
      // The twin starts a day on or off; a campaign left stopping is off by the next morning.
      campaignStatus: carried ? (carried.campaignStatus === 'on' ? 'on' : 'off') : 'on',
      queueId: out,
      contactList: { id: hexId(0xd, i) },
      abandonRate: carried?.abandonRate ?? (kind === 'abandonRate' ? 1.5 : 1),
      maxCallsPerAgent: carried?.maxCallsPerAgent ?? 2,
      outboundLineCount: carried?.outboundLineCount ?? (agentless ? 3 : 20),
      noAnswerTimeout: 25,
      callerName: 'Example Co',
      callerAddress: '+13175550100',
      phoneColumns: [{ columnName: 'Cell', type: 'cell' }],
      dialOutcomes: { liveAnswer: 0.25, machine: 0.25, busySit: 0.1 },
      ringTime: uniform(4, 20),
      busySitTime: uniform(2, 5),
      amd: { decisionTime: uniform(2, 4), falsePositiveRate: 0.005 },
      talkTime: lognormal(agentless ? 120 : 180),
      acw: uniform(10, 30),
    });
    agentGroups.push({
      name: `Fleet ${i} agents`,
      count: kind === 'inboundServiceLevel' ? 12 : kind === 'abandonRate' ? 10 : 4,
      queueIds: kind === 'inboundServiceLevel' ? [fleetInboundQueueId(i), out] : [out],
      shifts: shift,
    });
  }
  return {
    name: `fleet-${options.campaigns}`,
    description: `${options.campaigns} small centres, one campaign each (sim/faults/fleet.ts)`,
    startTime: options.startTime,
    duration: options.duration,
    organization: { totalOutboundLines: Math.max(300, options.campaigns * 20) },
    ...(options.auth ? { auth: { tokenLifetimeSeconds: 86_400, ...options.auth } } : {}),
    queues,
    campaigns,
    agentGroups,
  };
}

/**
 * The pacing configuration's campaigns for the fleet. Every tenth campaign runs in dry run (it
 * must never be written to); every seventh has a safe value above its minimum; every other one is
 * held to the UK's 24-hour rule. Gains are gentler than the defaults: the soak ticks every 10 to
 * 15 minutes, and the integral grows with dt.
 *
 * With `ukGuidance`, the UK-rule campaigns follow the configuration guidance for small teams under
 * a 24-hour rule (docs/compliance-and-control.md): whatever the controller last wrote is what
 * Genesys dials at while faults keep the controller away, so the knob's `max` is a pace that stays
 * under the cap when held all day (`npm run bench:static-days`, 60 days each): 1.25 calls per agent
 * in the blended centres (worst day 1.69%, where 1.5 passes 3% once and 2 twelve times), a dialer
 * target of 1.5% in the outbound ones (worst 2.90%, where 2.5% passes 3% on 31 days: the twin's
 * stand-in dialer overshoots its target in teams this small).
 */
export function fleetCampaigns(count: number, { ukGuidance = false } = {}): CampaignInput[] {
  return Array.from({ length: count }, (_, i): CampaignInput => {
    const kind = fleetKind(i);
    const base = {
      campaignId: fleetCampaignId(i),
      name: `Fleet ${i} ${kind} (${fleetRule(i)} rule)`,
      ...(i % 10 === 9 ? { dryRun: true } : {}),
      ...(fleetRule(i) === 'UK' ? { compliance: { window: { type: 'rolling' as const, hours: 24 } } } : {}),
    };
    const safe = i % 7 === 3;
    const guided = ukGuidance && fleetRule(i) === 'UK';
    if (kind === 'abandonRate') {
      return { ...base, objective: { kind }, setpoint: 0.02, knob: { name: 'abandonRate', min: 0.5, max: guided ? 1.5 : 3, ...(safe ? { safeValue: 1 } : {}) }, gains: { kp: 10, ki: 1, kd: 0 } };
    }
    if (kind === 'inboundServiceLevel') {
      return { ...base, objective: { kind, queueId: fleetInboundQueueId(i) }, setpoint: 0.8, knob: { name: 'maxCallsPerAgent', min: 1, max: guided ? 1.25 : 3, ...(safe ? { safeValue: guided ? 1.1 : 1.5 } : {}) }, gains: { kp: 1, ki: 0.1, kd: 0 } };
    }
    return { ...base, objective: { kind, queueId: fleetOutboundQueueId(i) }, setpoint: 0.8, knob: { name: 'outboundLineCount', min: 1, max: 6, maxStep: 2, ...(safe ? { safeValue: 2 } : {}) } };
  });
}
