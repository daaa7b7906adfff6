/**
 * Our documented stand-in for Genesys's proprietary power/predictive pacing. Genesys does not
 * publish its algorithm; what is known (pacing.md section 1) is that it paces itself toward the
 * campaign's `abandonRate` and never exceeds `maxCallsPerAgent`. This model keeps those two
 * properties and the imperfections every real dialer has:
 *
 * - it estimates the connect rate p from the last N resolved dials, so it lags when p changes and
 *   over- or under-dials meanwhile;
 * - it dials so that the live answers expected from calls in flight roughly match the agents it
 *   expects to be free (idle agents; predictive also counts busy agents likely to finish within the
 *   typical ring time);
 * - a multiplicative "pace" factor is cut at every compliance abandon and crept up at every live
 *   answer that reaches an agent, in proportions that balance exactly when the abandon rate equals
 *   the target (a stochastic-approximation loop): so the dialer throttles whenever recent abandons
 *   run above the target, and the realised rate wanders around it with the noise of small counts;
 * - outstanding calls are capped at `maxCallsPerAgent` per effective idle agent (our reading of the
 *   knob [unverified]: with that cap the knob binds in the usual 1..3 range) and by
 *   `outboundLineCount`.
 */

/** A sliding window of the last `size` yes/no outcomes with a running count of yeses. */
export class OutcomeWindow {
  private readonly outcomes: Uint8Array;
  private next = 0;
  private filled = 0;
  private yes = 0;

  constructor(readonly size: number) {
    this.outcomes = new Uint8Array(size);
  }

  /** Adds an outcome, forgetting the oldest once the window is full. */
  record(outcome: boolean): void {
    if (this.filled === this.size) this.yes -= this.outcomes[this.next]!;
    else this.filled++;
    this.outcomes[this.next] = outcome ? 1 : 0;
    this.yes += outcome ? 1 : 0;
    this.next = (this.next + 1) % this.size;
  }

  get count(): number {
    return this.filled;
  }

  get yesCount(): number {
    return this.yes;
  }
}

/** What the pacing sees of the campaign at a dialing tick. */
export interface PacingSituation {
  mode: 'power' | 'predictive';
  /** Logged-in idle agents of the campaign's queue. */
  idleAgents: number;
  /** Agents of the campaign's queue talking or in after-call work. */
  busyAgents: number;
  /** Dials still ringing or being classified. */
  dialsInProgress: number;
  /** Live answers waiting for an agent (inside the compliance window). */
  liveAnswersWaiting: number;
  maxCallsPerAgent: number;
  /** 0 means no line cap. */
  outboundLineCount: number;
}

/** The pacing's decision at one tick. */
export interface PacingDecision {
  /** New dials to place now. */
  dials: number;
  /** Idle agents plus those expected free soon (Genesys's `effectiveIdleAgents`). */
  effectiveIdleAgents: number;
  /** Dials per effective idle agent the pacing wants, after the cap (`adjustedCallsPerAgent`). */
  callsPerAgent: number;
}

const PRIOR_CONNECT_RATE = 0.2;
const PRIOR_WEIGHT_DIALS = 20;
const MIN_CONNECT_RATE = 0.02;
const PACE_MIN = 0.1;
const PACE_MAX = 2;

/** Learned state of one campaign's pacing. */
export class PredictivePacing {
  private readonly connects: OutcomeWindow;
  /** Multiplier on expected-free agents, trimmed by abandon feedback; starts cautious, as dialers do at the start of a day. */
  pace = 0.6;
  /** Exponentially weighted mean handle time of the queue's calls, ms. */
  private meanHandleMs: number;
  /** Exponentially weighted mean time from dial to live answer, ms. */
  private meanRingToLiveMs: number;

  /**
   * @param connectWindow resolved dials the connect-rate estimate looks back over
   * @param feedbackGain log-step of the pace at each compliance abandon (0.05: a 5% cut)
   */
  constructor(
    connectWindow: number,
    private readonly feedbackGain: number,
    initialHandleMs: number,
    initialRingMs: number,
  ) {
    this.connects = new OutcomeWindow(connectWindow);
    this.meanHandleMs = initialHandleMs;
    this.meanRingToLiveMs = initialRingMs;
  }

  /** Connect-rate estimate from the recent window, shrunk toward a prior while the window is short. */
  get connectRate(): number {
    const p = (this.connects.yesCount + PRIOR_CONNECT_RATE * PRIOR_WEIGHT_DIALS) / (this.connects.count + PRIOR_WEIGHT_DIALS);
    return Math.max(MIN_CONNECT_RATE, p);
  }

  /** A dial's outcome is known (an AMD false positive counts as a machine, as Genesys sees it). */
  recordDialResolved(live: boolean): void {
    this.connects.record(live);
  }

  /**
   * Abandon feedback: each abandon cuts the pace by exp(-gain); each live answer that reaches an
   * agent raises it by exp(gain * target / (1 - target)). The expected log-change is zero exactly
   * when the abandon fraction equals the target.
   * @param targetPercent the campaign's abandonRate (percent)
   */
  recordLiveAnswerFate(abandoned: boolean, targetPercent: number): void {
    const target = Math.min(0.99, targetPercent / 100);
    const step = abandoned ? -this.feedbackGain : (this.feedbackGain * target) / (1 - target);
    this.pace = Math.min(PACE_MAX, Math.max(PACE_MIN, this.pace * Math.exp(step)));
  }

  /** A call handled by an agent of the campaign's queue ended its after-call work. */
  recordHandle(ms: number): void {
    this.meanHandleMs += 0.05 * (ms - this.meanHandleMs);
  }

  /** A dial was answered live this long after it was placed. */
  recordRingToLive(ms: number): void {
    this.meanRingToLiveMs += 0.05 * (ms - this.meanRingToLiveMs);
  }

  /** Decides how many calls to place at this tick. */
  decide(s: PacingSituation): PacingDecision {
    const finishSoon = s.mode === 'predictive' ? s.busyAgents * Math.min(1, this.meanRingToLiveMs / this.meanHandleMs) : 0;
    const effectiveIdleAgents = s.idleAgents + finishSoon;
    const p = this.connectRate;
    const wantedPerAgent = Math.min(s.maxCallsPerAgent, this.pace / p);
    const outstandingCap = Math.floor(s.maxCallsPerAgent * effectiveIdleAgents);
    const expectedLive = s.dialsInProgress * p + s.liveAnswersWaiting;
    let dials = Math.floor((effectiveIdleAgents * this.pace - expectedLive) / p);
    dials = Math.min(dials, outstandingCap - s.dialsInProgress);
    if (s.outboundLineCount > 0) dials = Math.min(dials, s.outboundLineCount - s.dialsInProgress);
    return { dials: Math.max(0, dials), effectiveIdleAgents, callsPerAgent: wantedPerAgent };
  }
}
