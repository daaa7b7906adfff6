/**
 * Cut fast, rise slowly: when the abandon budget or the service level is in danger, a move that
 * makes dialing less aggressive is not held to `maxStep`; it goes at once to a value known to be
 * safe, and rises from there stay limited to `maxStep` per tick. Pure functions.
 */
import type { CampaignConfig, KnobConfig } from '../config/config.js';
import type { ComplianceAssessment } from '../compliance/assess.js';
import type { CampaignPerformance, QueueLiveState, QueueWindowStats } from '../ports.js';
import { agentsForQueue, meanHandleMinutes } from './blending.js';
import { serviceLevel } from './erlang-c.js';
import { gridAbove, gridBelow, gridFloorWithin } from './grid.js';
import type { Measurement } from './pid.js';

/**
 * A service level counts as in danger once it is below its target by more than this share of the
 * room above the target: below 70% for an 80% target, below 92.5% for 95%. Smaller misses are the
 * PID's to correct a step at a time.
 */
export const SERVICE_LEVEL_DANGER_SHARE = 0.5;

/**
 * A dedicated agentless team's rises on a service level measured at 100% stop where Erlang C gives
 * the transfers their target plus this share of the room above it (95% for a 90% target): the
 * target itself is what an average quarter-hour holds, and half of them would miss it.
 */
export const FULL_SERVICE_LEVEL_AIM_SHARE = 0.5;

/** What a line knob's safe value rests on. */
export interface FreeAgents {
  /** Agents free now: the dialer's figure, else the live queue's. */
  idleAgents: number | undefined;
  /**
   * Live answers one line brings before the next tick: the dialer's connect ratio (live answers
   * per attempt: one call in flight per line); for an agentless campaign, at least the last
   * minute's live answers per line, as its lines turn over several calls a minute. Undefined
   * before either is known (a campaign's first minute).
   */
  liveAnswersPerLine: number | undefined;
  /**
   * The lines are the pace itself (agentless): nothing but the knob's minimum is known to be safe
   * before a line's live answers are. In agent-based modes the dialer places calls for idle agents,
   * so one line per idle agent is.
   */
  linesArePace: boolean;
}

/**
 * The value a knob can be cut to at once. For `outboundLineCount`, the lines whose live answers
 * the agents free now can take: idle agents / live answers per line, to the grid below and within
 * the bounds. Before a line's live answers are known (a campaign's first minute), one line per
 * idle agent, which no answer can outnumber, or the minimum where the lines are the pace; the
 * knob's `safeValue` when the idle agents are not known. For the other knobs (a pace Genesys
 * turns into calls itself), their `safeValue`.
 */
export function safeValue(knob: KnobConfig & { safeValue: number }, free: FreeAgents): number {
  const { idleAgents } = free;
  if (knob.name !== 'outboundLineCount' || idleAgents === undefined) {
    return Math.min(gridBelow(knob.max, knob.resolution), gridAbove(knob.safeValue, knob.resolution));
  }
  const perLine = free.liveAnswersPerLine !== undefined && free.liveAnswersPerLine > 0 ? free.liveAnswersPerLine : undefined;
  if (perLine === undefined && free.linesArePace) return gridAbove(knob.min, knob.resolution);
  return gridFloorWithin(knob, Math.max(0, idleAgents) / (perLine ?? 1));
}

/** An agentless campaign's own transfers, as the tick reads them ({@link transfersOf}). */
export interface Transfers {
  /** Their load in erlangs (blending.ts `inboundLoad`): agents busy on another queue are not theirs to count on. */
  load: number;
  /** Their mean handle time (talk and after-call work), minutes; or, with `handleIsFloor`, the longest connected call's time so far. */
  handleMinutes: number;
  /**
   * No transfer of the window has been handled: `handleMinutes` is the longest connected call's
   * time so far, which runs under the mean to come. The capacity it gives may bound rises, but a
   * cut sized by it would run shallow.
   */
  handleIsFloor?: true;
  /** Their queue's service-level threshold, ms; undefined when it could not be read. */
  thresholdMs?: number;
}

/**
 * An agentless campaign's transfers, from the load on its queue and the queue's window: their mean
 * handle time once a transfer of the window has been handled; while none has, how long the longest
 * transfer still connected has been with its agent (oLongestInteracting), since that call alone
 * holds an agent at least so long. Without it the lines have no bound until a call of the window
 * ends (docs/compliance-and-control.md). That floor bounds rises only: a broken reserve still cuts
 * to the knob's minimum (decide.ts). Undefined while neither is known, or without the load.
 */
export function transfersOf(load: number | undefined, window: QueueWindowStats | undefined, live: QueueLiveState | undefined, thresholdMs?: number): Transfers | undefined {
  if (load === undefined) return undefined;
  const threshold = thresholdMs === undefined ? {} : { thresholdMs };
  const mean = meanHandleMinutes(window);
  if (mean !== undefined) return { load, handleMinutes: mean, ...threshold };
  const longest = live?.longestInteractingMs;
  return longest !== undefined && longest > 0 ? { load, handleMinutes: longest / 60_000, handleIsFloor: true, ...threshold } : undefined;
}

/**
 * An agentless team's room for its campaign's live answers, in lines: the lines are the pace, so
 * they are paced from the team. Two figures, both on a line's live answers per minute
 * ({@link FreeAgents}) and the agents the transfers can have (those idle and those on the
 * campaign's own transfers, less `keptFree`), to the grid below and within the bounds:
 * - `capacity`: the lines that keep those agents busy, each live answer holding one for the handle
 *   time: agents / (live answers per line x handle minutes). Rises never go past it: a rise on a
 *   thin window would otherwise add lines for the handle time it takes their calls to show.
 * - `nextMinute`: the lines whose next minute of live answers the agents idle now, and those a
 *   minute of handle time frees (those on transfers x (1 - e^(-1/handle minutes))), can take after the calls waiting. A
 *   team whose own transfers queue past the reserve's `waitingLimit` is cut to it at once: as deep
 *   as the queue demands, where the knob's minimum would empty a large team for a handle time.
 * Undefined while a line's live answers are unknown (a campaign's first minute) or the handle time is not positive.
 */
export function transferRoom(knob: KnobConfig, free: FreeAgents, team: QueueLiveState, transfers: Transfers, keptFree: number): { capacity: number; nextMinute: number } | undefined {
  const perLine = free.liveAnswersPerLine;
  if (perLine === undefined || perLine <= 0 || transfers.handleMinutes <= 0) return undefined;
  const { idle, onItsCalls: onTransfers } = agentsForQueue(team, transfers.load);
  const freedInAMinute = onTransfers * (1 - Math.exp(-1 / transfers.handleMinutes));
  return {
    capacity: gridFloorWithin(knob, Math.max(0, idle + onTransfers - keptFree) / (perLine * transfers.handleMinutes)),
    nextMinute: gridFloorWithin(knob, Math.max(0, idle + freedInAMinute - team.waiting - keptFree) / perLine),
  };
}

/**
 * The most lines a dedicated agentless team can take at `aim`: the largest value on the knob's grid
 * at which Erlang C, with the agents the transfers can count on (idle and on transfers), still
 * answers `aim` of the transfers within their queue's threshold. A line's load is the larger of two
 * estimates, so a quiet minute never makes lines look light: its last minute's live answers for the
 * mean handle time, and the transfers' load over the lines now (`linesNow`; the load's arrivals
 * span several minutes). A service level measured at 100% says the team has room but not how much;
 * this says how much, from the Erlang C model that sizes a blended team's reserve. Undefined
 * without a line's live answers, a measured mean handle time (not the floor of `transfersOf`) or
 * the threshold, and under the knob's minimum.
 */
export function linesForServiceLevel(knob: KnobConfig, free: FreeAgents, team: QueueLiveState, transfers: Transfers, linesNow: number, aim: number): number | undefined {
  const perLine = free.liveAnswersPerLine;
  const { handleMinutes, thresholdMs } = transfers;
  if (perLine === undefined || perLine <= 0 || transfers.handleIsFloor || !(handleMinutes > 0) || thresholdMs === undefined) return undefined;
  const { idle, onItsCalls } = agentsForQueue(team, transfers.load);
  const agents = Math.floor(idle + onItsCalls);
  const erlangsPerLine = Math.max(perLine * handleMinutes, linesNow > 0 ? transfers.load / linesNow : 0);
  const answers = (lines: number) => serviceLevel(agents, lines * erlangsPerLine, handleMinutes * 60, thresholdMs / 1000) >= aim;
  const first = gridAbove(knob.min, knob.resolution);
  let lines: number | undefined;
  for (let step = 0; first + step * knob.resolution <= knob.max + 1e-9 && answers(first + step * knob.resolution); step += 1) lines = first + step * knob.resolution;
  return lines === undefined ? undefined : gridFloorWithin(knob, lines);
}

/**
 * The figures a safe value rests on: idle agents from the dialer or the campaign's queue, and what
 * a line brings (the dialer's connect ratio; for an agentless campaign also the last minute's live
 * answers over the lines it dialled on).
 *
 * @param lastMinute - an agentless campaign's live answers in the last minute and its lines then
 */
export function freeAgents(
  dialer: CampaignPerformance | undefined,
  team: QueueLiveState | undefined,
  lastMinute: { liveAnswers: number; lines: number } | undefined,
  linesArePace: boolean,
): FreeAgents {
  const perLine = linesArePace && lastMinute && lastMinute.lines > 0 ? lastMinute.liveAnswers / lastMinute.lines : undefined;
  const ratio = dialer?.connectRatio;
  const known = [ratio, perLine].filter((x): x is number => x !== undefined && x > 0);
  return { idleAgents: dialer?.idleAgents ?? team?.idleAgents, liveAnswersPerLine: known.length ? Math.max(...known) : undefined, linesArePace };
}

/**
 * The abandon budget is in danger: the short-window guard tripped; or, under a rolling window (the
 * UK's any-24-hours rule), the window cannot take one more abandon without passing the limit (a
 * campaign's first live answers after a quiet day: one abandon among its first 33 breaks 3%); or
 * the compliance loop's window (on at least its `minSample` live answers) runs at or above
 * limit - closeMargin, the highest rate the loop ever allows, or above the allowed rate while the
 * regulatory window is at warning level.
 */
export function abandonsInDanger(campaign: CampaignConfig, compliance: ComplianceAssessment, measured: Measurement | undefined): boolean {
  if (compliance.guardTripped) return true;
  if (campaign.compliance.window.type === 'rolling' && compliance.remainingAbandons < 1) return true;
  if (!measured || measured.sample < campaign.compliance.minSample) return false;
  const { limit, closeMargin } = campaign.compliance;
  return measured.value >= limit - closeMargin || (compliance.warning && measured.value > compliance.allowedRate);
}

/**
 * A queue objective's service level is in danger: measured on at least `minSample` calls, below
 * the target by more than {@link SERVICE_LEVEL_DANGER_SHARE} of the room above it.
 */
export function serviceLevelInDanger(campaign: CampaignConfig, measured: Measurement | undefined): boolean {
  if (campaign.objective.kind === 'abandonRate' || !measured || measured.sample < campaign.minSample) return false;
  return measured.value < campaign.setpoint - SERVICE_LEVEL_DANGER_SHARE * (1 - campaign.setpoint);
}
