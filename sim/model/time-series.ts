/**
 * Per-minute record of the simulated day, for reports and tests. Counts are events that happened in
 * the minute; agent and waiting figures are time averages over the minute (exact integrals, so
 * occupancy computed from them is exact); knob values are as they stood at the minute's end.
 */

/** One queue in one minute. */
export interface QueueMinute {
  offered: number;
  answered: number;
  answeredWithinThreshold: number;
  abandoned: number;
  /** Mean number of calls waiting. */
  waiting: number;
  /** Mean number of member agents logged in, idle, and busy (talking or after-call work). */
  agentsLoggedIn: number;
  agentsIdle: number;
  agentsBusy: number;
}

/** One campaign in one minute. */
export interface CampaignMinute {
  dialed: number;
  /** Live answers (nOutboundConnected). */
  liveAnswers: number;
  /** Live answers not connected to an agent within abandonSeconds (nOutboundAbandoned). */
  complianceAbandons: number;
  machines: number;
  /** Live people hung up on as machines: invisible to Genesys, counted by Ofcom. */
  amdFalsePositives: number;
  busySit: number;
  noAnswers: number;
  /** Mean idle and busy agents of the campaign's queue. */
  agentsIdle: number;
  agentsBusy: number;
  /** At the minute's end. */
  outstandingCalls: number;
  campaignStatus: string;
  abandonRate: number;
  maxCallsPerAgent: number;
  outboundLineCount: number;
  /** Internal state of the stand-in pacing: pace multiplier and connect-rate estimate. */
  dialerPace: number;
  dialerConnectRate: number;
}

/** One minute of the day. */
export interface MinuteSample {
  /** 0 for the first minute after the scenario start. */
  minute: number;
  /** ISO instant the minute starts. */
  start: string;
  queues: Record<string, QueueMinute>;
  campaigns: Record<string, CampaignMinute>;
}

/** Live gauges of a queue the recorder integrates over time. */
export interface QueueGauges {
  readonly loggedIn: number;
  readonly idle: number;
  readonly busy: number;
  readonly waitingCount: number;
}

/** What the recorder reads of a campaign at the end of each minute. */
export interface CampaignSnapshot {
  queueId: string;
  outstanding: number;
  campaignStatus: string;
  abandonRate: number;
  maxCallsPerAgent: number;
  outboundLineCount: number;
  pace: number;
  connectRate: number;
}

type Counts = Omit<CampaignMinute, 'agentsIdle' | 'agentsBusy' | 'outstandingCalls' | 'campaignStatus' | 'abandonRate' | 'maxCallsPerAgent' | 'outboundLineCount' | 'dialerPace' | 'dialerConnectRate'>;
type QueueCounts = Pick<QueueMinute, 'offered' | 'answered' | 'answeredWithinThreshold' | 'abandoned'>;
interface Areas {
  loggedIn: number;
  idle: number;
  busy: number;
  waiting: number;
}

const MINUTE_MS = 60_000;

function zeroCounts(): Counts {
  return { dialed: 0, liveAnswers: 0, complianceAbandons: 0, machines: 0, amdFalsePositives: 0, busySit: 0, noAnswers: 0 };
}

/** Accumulates the current minute and closes it into a sample at each minute boundary. */
export class MinuteRecorder {
  readonly samples: MinuteSample[] = [];
  private lastT = 0;
  private queueCounts = new Map<string, QueueCounts>();
  private areas = new Map<string, Areas>();
  private campaignCounts = new Map<string, Counts>();

  constructor(
    private readonly startEpochMs: number,
    private readonly queues: ReadonlyMap<string, QueueGauges>,
    private readonly campaignIds: readonly string[],
    private readonly snapshot: (campaignId: string) => CampaignSnapshot,
  ) {
    this.reset();
  }

  /**
   * Called before an event at virtual time t changes any gauge: closes the minutes that end by t
   * and integrates the gauges up to t.
   */
  beforeEventAt(t: number): void {
    this.closeMinutesUpTo(t);
    this.integrate(t);
  }

  /**
   * Closes every minute that ends at or before t. Gauges are integrated only up to event times and
   * minute boundaries, never to arbitrary stopping points, so the floating-point sums (and the
   * samples) are identical however the run is split into advanceTo calls.
   */
  closeMinutesUpTo(t: number): void {
    let boundary = (this.samples.length + 1) * MINUTE_MS;
    while (boundary <= t) {
      this.integrate(boundary);
      this.close();
      boundary += MINUTE_MS;
    }
  }

  /** A call entered the queue. */
  queueOffered(queueId: string): void {
    this.queueCounts.get(queueId)!.offered++;
  }

  /** A waiting call reached an agent. */
  queueAnswered(queueId: string, withinThreshold: boolean): void {
    const c = this.queueCounts.get(queueId)!;
    c.answered++;
    if (withinThreshold) c.answeredWithinThreshold++;
  }

  /** A waiting call hung up or ran out of its compliance window. */
  queueAbandoned(queueId: string): void {
    this.queueCounts.get(queueId)!.abandoned++;
  }

  /** A dial was placed. */
  campaignDialed(campaignId: string): void {
    this.campaignCounts.get(campaignId)!.dialed++;
  }

  /** A live answer was not connected within abandonSeconds. */
  campaignComplianceAbandon(campaignId: string): void {
    this.campaignCounts.get(campaignId)!.complianceAbandons++;
  }

  /** A dial's outcome became known. */
  campaignOutcome(campaignId: string, outcome: 'live' | 'machine' | 'amdFalsePositive' | 'busySit' | 'noAnswer'): void {
    const c = this.campaignCounts.get(campaignId)!;
    if (outcome === 'live') c.liveAnswers++;
    else if (outcome === 'machine') c.machines++;
    else if (outcome === 'amdFalsePositive') c.amdFalsePositives++;
    else if (outcome === 'busySit') c.busySit++;
    else c.noAnswers++;
  }

  private integrate(t: number): void {
    const dt = t - this.lastT;
    if (dt <= 0) return;
    for (const [id, g] of this.queues) {
      const a = this.areas.get(id)!;
      a.loggedIn += g.loggedIn * dt;
      a.idle += g.idle * dt;
      a.busy += g.busy * dt;
      a.waiting += g.waitingCount * dt;
    }
    this.lastT = t;
  }

  private close(): void {
    const minute = this.samples.length;
    const queues: Record<string, QueueMinute> = {};
    for (const [id, counts] of this.queueCounts) {
      const a = this.areas.get(id)!;
      queues[id] = {
        ...counts,
        waiting: a.waiting / MINUTE_MS,
        agentsLoggedIn: a.loggedIn / MINUTE_MS,
        agentsIdle: a.idle / MINUTE_MS,
        agentsBusy: a.busy / MINUTE_MS,
      };
    }
    const campaigns: Record<string, CampaignMinute> = {};
    for (const [id, counts] of this.campaignCounts) {
      const s = this.snapshot(id);
      const agents = queues[s.queueId]!;
      campaigns[id] = {
        ...counts,
        agentsIdle: agents.agentsIdle,
        agentsBusy: agents.agentsBusy,
        outstandingCalls: s.outstanding,
        campaignStatus: s.campaignStatus,
        abandonRate: s.abandonRate,
        maxCallsPerAgent: s.maxCallsPerAgent,
        outboundLineCount: s.outboundLineCount,
        dialerPace: s.pace,
        dialerConnectRate: s.connectRate,
      };
    }
    this.samples.push({ minute, start: new Date(this.startEpochMs + minute * MINUTE_MS).toISOString(), queues, campaigns });
    this.reset();
  }

  private reset(): void {
    for (const id of this.queues.keys()) {
      this.queueCounts.set(id, { offered: 0, answered: 0, answeredWithinThreshold: 0, abandoned: 0 });
      this.areas.set(id, { loggedIn: 0, idle: 0, busy: 0, waiting: 0 });
    }
    for (const id of this.campaignIds) this.campaignCounts.set(id, zeroCounts());
  }
}
