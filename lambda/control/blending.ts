/**
 * What the live queue state and the campaign's team tell the loop before any error shows:
 * the threshold policy for blended agents (its reserve from Erlang C on the inbound load) and gain scheduling by team size. Pure functions.
 */
import type { BlendingConfig, CampaignConfig, FeedforwardConfig, KnobConfig } from '../config/config.js';
import type { CampaignPerformance, QueueLiveState, QueueWindowStats } from '../ports.js';
import { agentsForServiceLevel } from './erlang-c.js';
import { gridFloorWithin } from './grid.js';

/**
 * Inbound load in erlangs (agents' worth of inbound work): the larger of what is on the queue now
 * (calls connected plus calls waiting) and what is arriving (arrivals per minute over the recent
 * window times the mean handle time). The arrival term sees a surge before agents are tied up.
 *
 * @param arrivals - the queue's stats over the last `arrivalMinutes`
 * @param handle - handled calls and their handle time over a longer window, for the mean
 */
export function inboundLoad(
  live: QueueLiveState,
  arrivals: QueueWindowStats | undefined,
  arrivalMinutes: number,
  handle: { handled: number; handleMs: number } | undefined,
): number {
  const now = live.interacting + live.waiting;
  const handleMinutes = meanHandleMinutes(handle);
  if (!arrivals || handleMinutes === undefined) return now;
  return Math.max(now, (arrivals.offered / arrivalMinutes) * handleMinutes);
}

/** The mean handle time of the calls handled, in minutes; undefined before one with a handle time. */
export function meanHandleMinutes(handle: { handled: number; handleMs: number } | undefined): number | undefined {
  return handle && handle.handled > 0 && handle.handleMs > 0 ? handle.handleMs / handle.handled / 60_000 : undefined;
}

/** What the inbound queue asks of the team this tick. */
export interface InboundDemand {
  /** Offered load in erlangs ({@link inboundLoad}). */
  load: number;
  /** Handled calls and their handle time over the objective's window, for the mean handle time. */
  handle: { handled: number; handleMs: number } | undefined;
  /** The queue's service-level target, a fraction; undefined where Erlang C does not size the reserve ({@link inboundDemand}). */
  target: number | undefined;
  /** The queue's service-level threshold in ms; undefined when it could not be read. */
  thresholdMs: number | undefined;
}

/**
 * What a campaign's queue asks of the team. Erlang C sizes the reserve of an inbound queue that
 * blended agents share with outbound (`inboundServiceLevel`: the campaign's setpoint is that
 * queue's target). An agentless campaign's transfer queue (`queueServiceLevel`) carries the
 * campaign's own live answers, whose service level its loop already holds: sized by Erlang C, the
 * reserve would hold back the very traffic it measures (`npm start -- --scenario agentless --seed 1`:
 * occupancy 44.9% sized by Erlang C, 58.1% on the load + reserveAgents floor), so it keeps the floor.
 */
export function inboundDemand(campaign: CampaignConfig, load: number, handle: InboundDemand['handle'], thresholdMs: number | undefined): InboundDemand {
  return { load, handle, target: campaign.objective.kind === 'inboundServiceLevel' ? campaign.setpoint : undefined, thresholdMs };
}

/**
 * The agents the inbound queue needs now: Erlang C's fewest agents that reach the service-level
 * target on the offered load and mean handle time, and never fewer than the load plus
 * `reserveAgents`. Without a handle time or threshold (no call handled yet), the load plus
 * `reserveAgents` alone.
 */
export function agentsInboundNeeds(config: BlendingConfig, demand: InboundDemand): number {
  const floor = demand.load + config.reserveAgents;
  const { handle, thresholdMs } = demand;
  const { target } = demand;
  if (target === undefined || !handle || handle.handled <= 0 || handle.handleMs <= 0 || thresholdMs === undefined || demand.load <= 0) return floor;
  const handleSeconds = handle.handleMs / handle.handled / 1000;
  return Math.max(floor, agentsForServiceLevel(demand.load, handleSeconds, target, thresholdMs / 1000));
}

/**
 * The threshold policy (Bhulai & Koole 2003; pacing.md sections 3-4): outbound may take an agent
 * only while the team keeps what the inbound queue needs for its service-level target. True when
 * fewer agents are on the queue than {@link agentsInboundNeeds}, or when more calls wait than
 * allowed: outbound is then held at its minimum until the load passes.
 */
export function reserveViolated(config: BlendingConfig, live: QueueLiveState, demand: InboundDemand): boolean {
  return queueingPastLimit(config, live) || live.onQueueAgents < agentsInboundNeeds(config, demand);
}

/** How far an inbound queue is short of the agents it needs, and the agents outbound holds meanwhile. */
export interface InboundShortfall {
  agents: number;
  outboundAgents: number;
}

/**
 * The threshold policy counted in idle agents, as Bhulai & Koole state it: an inbound queue that
 * blended agents share can count on the agents idle and those on its own calls (at most its load),
 * never on those on outbound calls, which Genesys counts on queue too (an agent's routing status
 * is the same in every queue). Short when they are fewer than the queue needs
 * ({@link agentsInboundNeeds}); undefined when they are not, and for an agentless campaign's
 * transfer queue, whose load is the campaign's own (`reserveViolated` and fast-cut.ts
 * `transferRoom` pace it).
 */
export function inboundShortfall(config: BlendingConfig, live: QueueLiveState, demand: InboundDemand): InboundShortfall | undefined {
  if (demand.target === undefined) return undefined;
  const { idle, onItsCalls } = agentsForQueue(live, demand.load);
  const agents = agentsInboundNeeds(config, demand) - idle - onItsCalls;
  return agents > 0 ? { agents, outboundAgents: Math.max(0, live.onQueueAgents - idle) - onItsCalls } : undefined;
}

/**
 * The agents a queue can count on: those idle, and those busy on its own calls, which are at most
 * its load in erlangs (the rest of the busy agents on queue are on another queue's or a campaign's
 * calls, as Genesys counts an agent on queue in every queue the agent works).
 */
export function agentsForQueue(live: QueueLiveState, load: number): { idle: number; onItsCalls: number } {
  const idle = Math.max(0, live.idleAgents);
  return { idle, onItsCalls: Math.min(Math.max(0, live.onQueueAgents - idle), Math.max(0, load)) };
}

/**
 * The knob's value that gives the short agents back: outbound's share above the knob's minimum cut
 * pro rata (agents short / agents outbound holds), to the grid below, never under the minimum. A
 * cut to the minimum would empty the outbound side for a handle time on every shortfall of one
 * agent; pro rata, repeated each tick while the queue stays short, frees what it needs.
 */
export function knobGivingBack(knob: KnobConfig, knobNow: number, short: InboundShortfall): number {
  const keep = short.outboundAgents > 0 ? Math.max(0, 1 - short.agents / short.outboundAgents) : 0;
  const value = knob.min + Math.max(0, knobNow - knob.min) * keep;
  // A hair above, so floating-point dust in the product does not drop a whole grid step.
  return gridFloorWithin(knob, value + 1e-9 * knob.resolution);
}

/** More calls wait on the queue than the threshold policy's `waitingLimit` allows. */
export function queueingPastLimit(config: BlendingConfig, live: QueueLiveState): boolean {
  return live.waiting > config.waitingLimit;
}

/**
 * The team has room for more outbound: more agents idle than the campaign keeps free (the
 * feedforward's `idleTarget`, else the blending reserve's `reserveAgents`, else none) and no more
 * calls waiting than the blending `waitingLimit` (none for a campaign that does not blend). False
 * when the team's live state was not read. The loop then rises while its objective rests on too
 * few calls to judge (pid.ts): a thin sample is what a starved team shows, not a reason to stay
 * starved.
 */
export function teamHasRoom(campaign: Pick<CampaignConfig, 'feedforward' | 'blending'>, team: QueueLiveState | undefined): boolean {
  if (!team) return false;
  const keptFree = campaign.feedforward?.idleTarget ?? campaign.blending?.reserveAgents ?? 0;
  return team.idleAgents > keptFree && team.waiting <= (campaign.blending?.waitingLimit ?? 0);
}

/**
 * The factor on the gains for a team of `agents`: small teams give noisy ratios, so they get
 * proportionally gentler gains, never below `minScale`. 1 without a schedule or a head count.
 */
export function gainScale(schedule: { referenceAgents: number; minScale: number } | undefined, agents: number | undefined): number {
  if (!schedule || agents === undefined) return 1;
  return Math.min(1, Math.max(schedule.minScale, agents / schedule.referenceAgents));
}

/**
 * Feedforward, in knob units: idle agents above the target call for more outbound now, calls
 * waiting for less, before the windowed measurement has moved. From the live queue (idle agents,
 * calls waiting) or from the dialer's figures (idle agents, and the live answers on their way:
 * outstanding calls x connect ratio). 0 when the figures it needs are missing.
 */
export function feedforward(config: FeedforwardConfig | undefined, live: QueueLiveState | undefined, dialer: CampaignPerformance | undefined): number {
  if (!config) return 0;
  const figures =
    config.source === 'queue'
      ? live && { idle: live.idleAgents, waiting: live.waiting }
      : dialer?.idleAgents !== undefined && dialer.outstandingCalls !== undefined && dialer.connectRatio !== undefined
        ? { idle: dialer.idleAgents, waiting: dialer.outstandingCalls * dialer.connectRatio }
        : undefined;
  if (!figures) return 0;
  return config.idleGain * (figures.idle - config.idleTarget) - config.waitingGain * figures.waiting;
}
