/**
 * The contact-centre simulation: agents on shifts, inbound queues and outbound campaigns, advanced
 * event by event in virtual time. Pure computation: no clocks, no I/O. Same scenario + seed (and the
 * same campaign changes at the same virtual times) give the same day, event for event.
 *
 * Random streams are split per process (arrivals and customers per queue, and per campaign one stream
 * for each contact dialled), so two runs that differ only in pacing see the same inbound callers and
 * dial the same contacts: the n-th dial of a campaign answers, hits a machine, fools the AMD and talks
 * as long whatever the pace. Common random numbers make controller comparisons far less noisy; without
 * them the hindsight-best static is partly the luckiest draw of AMD false positives.
 */
import { AnalyticsLog, type Direction } from './analytics-log.js';
import { PredictivePacing } from './dialer.js';
import { EventQueue } from './event-queue.js';
import { RandomStream } from './random.js';
import { clockTimeToMs, scenarioDurationMs, type CampaignSpec, type QueueSpec, type Scenario } from './scenario.js';
import { compileDuration, compileSchedule, durationMeanMs, scheduleMax, type DurationSampler, type ScheduleFn } from './schedule.js';
import { MinuteRecorder, type MinuteSample } from './time-series.js';

export type DialingMode = 'agentless' | 'power' | 'predictive' | 'progressive';
export type CampaignStatus = 'on' | 'stopping' | 'off';
export type AgentState = 'offline' | 'idle' | 'talking' | 'acw';

/** The Genesys-visible configuration of a campaign; the emulator serves it, PATCH/PUT change it. */
export interface CampaignSettings {
  readonly id: string;
  name: string;
  version: number;
  /** Virtual ms of the last change (dates are derived from the scenario start). */
  modifiedAt: number;
  dialingMode: DialingMode;
  campaignStatus: CampaignStatus;
  /** Target compliance abandon rate, percent. */
  abandonRate: number;
  /** Decimal calls-per-agent cap (Genesys's maxCallsPerAgentDecimal). */
  maxCallsPerAgent: number;
  outboundLineCount: number;
  noAnswerTimeout: number;
  queueId: string;
  contactList: { id: string; name?: string | undefined };
  phoneColumns: Array<{ columnName: string; type: string }>;
  callerName: string;
  callerAddress: string;
  priority: number;
  dynamicLineBalancing: { enabled: boolean; relativeWeight: number };
}

/** Fields a campaign change may set (the model checks nothing: the emulator validates the API call). */
export type CampaignChange = Partial<Omit<CampaignSettings, 'id' | 'version' | 'modifiedAt'>>;

/** Live state of a queue, as the queue observations query reports it. */
export interface QueueObservation {
  queueId: string;
  memberUsers: number;
  /** Members logged in (on queue). */
  activeUsers: number;
  idleUsers: number;
  /** Members talking or in after-call work. */
  interactingUsers: number;
  offQueueUsers: number;
  waiting: number;
  /** Calls from this queue connected to agents. */
  interactingCalls: number;
  /** Age in ms of the longest-waiting call, if any waits. */
  longestWaitingMs: number | undefined;
  /** Ms since the longest-interacting call of this queue reached its agent, if any is connected. */
  longestInteractingMs: number | undefined;
}

/** Live dialer statistics of a campaign, as GET .../campaigns/{id}/stats reports them. */
export interface CampaignLiveStats {
  attempts: number;
  connects: number;
  idleAgents: number;
  effectiveIdleAgents: number;
  adjustedCallsPerAgent: number;
  outstandingCalls: number;
  /** Live answers that reached an agent. */
  rightPartyContacts: number;
  /** Attempts that reached a number (not busy/SIT). */
  validAttempts: number;
  assignedLines: number;
}

interface Agent {
  readonly queueIds: readonly string[];
  state: AgentState;
  /** Logs out when the current call's after-call work ends. */
  leaving: boolean;
  call: Call | undefined;
}

/** A call that waits in a queue or talks with an agent. */
interface Call {
  readonly direction: Direction;
  readonly queueId: string;
  readonly campaignId: string | undefined;
  /** Waits with patience (inbound and agentless transfers), or within the compliance window (dialer live answers). */
  readonly waitsWithPatience: boolean;
  readonly enqueuedAt: number;
  readonly talkMs: number;
  readonly acwMs: number;
  state: 'waiting' | 'connected' | 'abandoned';
  /** When an agent answered it. */
  connectedAt?: number;
}

type DialOutcome = 'live' | 'machine' | 'amdFalsePositive' | 'busySit' | 'noAnswer';

interface QueueRuntime {
  readonly spec: QueueSpec;
  readonly members: Agent[];
  /** Waiting calls in arrival order; abandoned ones are skipped lazily. */
  readonly patientWaiting: Call[];
  patientHead: number;
  readonly dialerWaiting: Call[];
  dialerHead: number;
  waitingCount: number;
  interactingCalls: number;
  loggedIn: number;
  idle: number;
  busy: number;
  readonly arrivals: RandomStream;
  readonly customers: RandomStream;
  readonly arrivalRate: ScheduleFn;
  readonly arrivalRateMax: number;
  readonly patience: DurationSampler | undefined;
  readonly talk: DurationSampler | undefined;
  readonly acw: DurationSampler | undefined;
  /** Campaigns routing to this queue, for pumping progressive/agentless dialing. */
  readonly campaigns: CampaignRuntime[];
}

interface CampaignRuntime {
  readonly settings: CampaignSettings;
  /** Names the campaign's contact streams: the n-th dial draws from `new RandomStream(seed, label, n)`. */
  readonly contactLabel: string;
  readonly pLiveAnswer: ScheduleFn;
  readonly pMachine: ScheduleFn;
  readonly pBusySit: ScheduleFn;
  readonly pAmdFalsePositive: ScheduleFn;
  readonly ring: DurationSampler;
  readonly busySitTone: DurationSampler;
  readonly amdDecision: DurationSampler;
  readonly talk: DurationSampler;
  readonly acw: DurationSampler;
  readonly pacing: PredictivePacing;
  dialsInProgress: number;
  liveAnswersWaiting: number;
  attempts: number;
  connects: number;
  rightPartyContacts: number;
  validAttempts: number;
  effectiveIdleAgents: number;
  adjustedCallsPerAgent: number;
}

type SimEvent =
  | { kind: 'arrival'; queue: QueueRuntime }
  | { kind: 'patienceEnds'; call: Call }
  | { kind: 'complianceWindowEnds'; call: Call }
  | { kind: 'talkEnds'; agent: Agent }
  | { kind: 'acwEnds'; agent: Agent }
  | { kind: 'login'; agent: Agent }
  | { kind: 'logout'; agent: Agent }
  | { kind: 'dialResolves'; campaign: CampaignRuntime; outcome: DialOutcome; dialedAt: number; contact: RandomStream }
  | { kind: 'dialerTick' };

const DIALER_TICK_MS = 1000;

/** A seeded, event-driven simulation of one contact-centre day. */
export class ContactCentreSimulation {
  /** Analytics facts in time order, read by the aggregates query. */
  readonly analytics = new AnalyticsLog();
  readonly startEpochMs: number;
  readonly durationMs: number;
  private clock = 0;
  private readonly events = new EventQueue<SimEvent>();
  private readonly agents: Agent[] = [];
  /** Idle agents, longest idle first (routing picks the longest-idle member). */
  private readonly idleAgents: Agent[] = [];
  private readonly queues = new Map<string, QueueRuntime>();
  private readonly campaignsById = new Map<string, CampaignRuntime>();
  private readonly recorder: MinuteRecorder;

  /**
   * @param scenario a validated scenario (see parseScenario)
   * @param seed any integer; all randomness derives from it
   */
  constructor(
    readonly scenario: Scenario,
    readonly seed: number,
  ) {
    this.startEpochMs = Date.parse(scenario.startTime);
    this.durationMs = scenarioDurationMs(scenario);
    for (const spec of scenario.queues) this.queues.set(spec.id, this.createQueue(spec));
    for (const spec of scenario.campaigns) {
      const campaign = this.createCampaign(spec);
      this.campaignsById.set(spec.id, campaign);
      this.queues.get(spec.queueId)!.campaigns.push(campaign);
    }
    for (const group of scenario.agentGroups) {
      for (let i = 0; i < group.count; i++) {
        const agent: Agent = { queueIds: group.queueIds, state: 'offline', leaving: false, call: undefined };
        this.agents.push(agent);
        for (const q of group.queueIds) this.queues.get(q)!.members.push(agent);
        for (const shift of group.shifts) {
          this.events.push(clockTimeToMs(shift.start), { kind: 'login', agent });
          this.events.push(clockTimeToMs(shift.end), { kind: 'logout', agent });
        }
      }
    }
    for (const queue of this.queues.values()) this.scheduleNextArrival(queue, 0);
    this.recorder = new MinuteRecorder(this.startEpochMs, this.queues, [...this.campaignsById.keys()], (id) => {
      const c = this.campaignsById.get(id)!;
      const s = c.settings;
      return {
        queueId: s.queueId,
        outstanding: this.outstanding(c),
        campaignStatus: s.campaignStatus,
        abandonRate: s.abandonRate,
        maxCallsPerAgent: s.maxCallsPerAgent,
        outboundLineCount: s.outboundLineCount,
        pace: c.pacing.pace,
        connectRate: c.pacing.connectRate,
      };
    });
    this.events.push(0, { kind: 'dialerTick' });
  }

  /** Current virtual time, ms since the scenario start. */
  get now(): number {
    return this.clock;
  }

  /**
   * Runs every event up to and including virtual time `t` and leaves the clock at `t`.
   * @throws RangeError when t is earlier than now
   */
  advanceTo(t: number): void {
    if (t < this.clock) throw new RangeError(`cannot go back in time from ${this.clock} to ${t}`);
    while (this.events.peekTime() <= t) {
      const { t: at, event } = this.events.pop();
      this.recorder.beforeEventAt(at);
      this.clock = at;
      this.handle(event);
    }
    this.recorder.closeMinutesUpTo(t);
    this.clock = t;
  }

  /** Completed one-minute samples so far, oldest first. */
  get timeSeries(): readonly MinuteSample[] {
    return this.recorder.samples;
  }

  /** Ids of the scenario's queues and campaigns. */
  get ids(): { queues: string[]; campaigns: string[] } {
    return { queues: [...this.queues.keys()], campaigns: [...this.campaignsById.keys()] };
  }

  /** The scenario's definition of a queue, or undefined for an unknown id. */
  queueSpec(queueId: string): QueueSpec | undefined {
    return this.queues.get(queueId)?.spec;
  }

  /** Campaign configuration in scenario order. */
  campaigns(): readonly CampaignSettings[] {
    return [...this.campaignsById.values()].map((c) => c.settings);
  }

  /** A campaign's current configuration, or undefined for an unknown id. */
  campaign(campaignId: string): CampaignSettings | undefined {
    return this.campaignsById.get(campaignId)?.settings;
  }

  /**
   * Applies a configuration change now (PATCH/PUT): bumps the version and lets the dialer act on it
   * at once. Turning a campaign off stops new dials; it is "stopping" until its calls in flight end.
   */
  updateCampaign(campaignId: string, change: CampaignChange): CampaignSettings {
    const campaign = this.campaignsById.get(campaignId);
    if (!campaign) throw new RangeError(`no campaign ${campaignId}`);
    const s = campaign.settings;
    if (change.queueId !== undefined && change.queueId !== s.queueId) {
      const from = this.queues.get(s.queueId)!;
      from.campaigns.splice(from.campaigns.indexOf(campaign), 1);
      this.queues.get(change.queueId)!.campaigns.push(campaign);
    }
    Object.assign(s, change);
    if (s.campaignStatus === 'off' && this.outstanding(campaign) > 0) s.campaignStatus = 'stopping';
    s.version++;
    s.modifiedAt = this.clock;
    this.pump(campaign);
    return s;
  }

  /** What the queue observations query reports for a queue right now. */
  observeQueue(queueId: string): QueueObservation | undefined {
    const q = this.queues.get(queueId);
    if (!q) return undefined;
    let oldest = Infinity;
    const heads: Array<[Call[], number]> = [
      [q.patientWaiting, q.patientHead],
      [q.dialerWaiting, q.dialerHead],
    ];
    for (const [list, head] of heads) {
      for (let i = head; i < list.length; i++) {
        if (list[i]!.state === 'waiting') {
          oldest = Math.min(oldest, list[i]!.enqueuedAt);
          break;
        }
      }
    }
    let longestConnected = Infinity;
    for (const agent of q.members) {
      // Talking only: the twin's oInteracting leaves out after-call work.
      const since = agent.state === 'talking' && agent.call?.queueId === queueId ? agent.call.connectedAt : undefined;
      if (since !== undefined) longestConnected = Math.min(longestConnected, since);
    }
    return {
      queueId,
      memberUsers: q.members.length,
      activeUsers: q.loggedIn,
      idleUsers: q.idle,
      interactingUsers: q.busy,
      offQueueUsers: q.members.length - q.loggedIn,
      waiting: q.waitingCount,
      interactingCalls: q.interactingCalls,
      longestWaitingMs: oldest === Infinity ? undefined : this.clock - oldest,
      longestInteractingMs: longestConnected === Infinity ? undefined : this.clock - longestConnected,
    };
  }

  /** Live dialer statistics of a campaign. */
  campaignStats(campaignId: string): CampaignLiveStats | undefined {
    const c = this.campaignsById.get(campaignId);
    if (!c) return undefined;
    return {
      attempts: c.attempts,
      connects: c.connects,
      idleAgents: this.queues.get(c.settings.queueId)!.idle,
      effectiveIdleAgents: c.effectiveIdleAgents,
      adjustedCallsPerAgent: c.adjustedCallsPerAgent,
      outstandingCalls: this.outstanding(c),
      rightPartyContacts: c.rightPartyContacts,
      validAttempts: c.validAttempts,
      assignedLines: c.settings.outboundLineCount,
    };
  }

  // ---------------------------------------------------------------- construction

  private createQueue(spec: QueueSpec): QueueRuntime {
    return {
      spec,
      members: [],
      patientWaiting: [],
      patientHead: 0,
      dialerWaiting: [],
      dialerHead: 0,
      waitingCount: 0,
      interactingCalls: 0,
      loggedIn: 0,
      idle: 0,
      busy: 0,
      arrivals: new RandomStream(this.seed, `arrivals:${spec.id}`),
      customers: new RandomStream(this.seed, `customers:${spec.id}`),
      arrivalRate: spec.inbound ? compileSchedule(spec.inbound.arrivalsPerHour) : () => 0,
      arrivalRateMax: spec.inbound ? scheduleMax(spec.inbound.arrivalsPerHour) : 0,
      patience: spec.patience ? compileDuration(spec.patience) : undefined,
      talk: spec.inbound ? compileDuration(spec.inbound.talkTime) : undefined,
      acw: spec.inbound ? compileDuration(spec.inbound.acw) : undefined,
      campaigns: [],
    };
  }

  private createCampaign(spec: CampaignSpec): CampaignRuntime {
    const settings: CampaignSettings = {
      id: spec.id,
      name: spec.name,
      version: 1,
      modifiedAt: 0,
      dialingMode: spec.dialingMode as DialingMode,
      campaignStatus: spec.campaignStatus,
      abandonRate: spec.abandonRate,
      maxCallsPerAgent: spec.maxCallsPerAgent,
      outboundLineCount: spec.outboundLineCount,
      noAnswerTimeout: spec.noAnswerTimeout,
      queueId: spec.queueId,
      contactList: { ...spec.contactList },
      phoneColumns: spec.phoneColumns.map((p) => ({ ...p })),
      callerName: spec.callerName,
      callerAddress: spec.callerAddress,
      priority: spec.priority,
      dynamicLineBalancing: { enabled: false, relativeWeight: 50 },
    };
    const initialHandle = durationMeanMs(spec.talkTime, 0) + durationMeanMs(spec.acw, 0);
    const initialRing = durationMeanMs(spec.ringTime, 0);
    return {
      settings,
      contactLabel: `dials:${spec.id}`,
      pLiveAnswer: compileSchedule(spec.dialOutcomes.liveAnswer),
      pMachine: compileSchedule(spec.dialOutcomes.machine),
      pBusySit: compileSchedule(spec.dialOutcomes.busySit),
      pAmdFalsePositive: compileSchedule(spec.amd.falsePositiveRate),
      ring: compileDuration(spec.ringTime),
      busySitTone: compileDuration(spec.busySitTime),
      amdDecision: compileDuration(spec.amd.decisionTime),
      talk: compileDuration(spec.talkTime),
      acw: compileDuration(spec.acw),
      pacing: new PredictivePacing(spec.dialer.connectRateWindowDials, spec.dialer.abandonFeedbackGain, initialHandle, initialRing),
      dialsInProgress: 0,
      liveAnswersWaiting: 0,
      attempts: 0,
      connects: 0,
      rightPartyContacts: 0,
      validAttempts: 0,
      effectiveIdleAgents: 0,
      adjustedCallsPerAgent: 0,
    };
  }

  // ---------------------------------------------------------------- event handling

  private handle(e: SimEvent): void {
    switch (e.kind) {
      case 'arrival':
        return this.onArrival(e.queue);
      case 'patienceEnds':
        return this.onPatienceEnds(e.call);
      case 'complianceWindowEnds':
        return this.onComplianceWindowEnds(e.call);
      case 'talkEnds':
        return this.onTalkEnds(e.agent);
      case 'acwEnds':
        return this.onAcwEnds(e.agent);
      case 'login':
        return this.onLogin(e.agent);
      case 'logout':
        return this.onLogout(e.agent);
      case 'dialResolves':
        return this.onDialResolves(e.campaign, e.outcome, e.dialedAt, e.contact);
      case 'dialerTick':
        return this.onDialerTick();
    }
  }

  /** Non-homogeneous Poisson arrivals by thinning: candidates at the peak rate, kept with probability rate(t)/peak. */
  private scheduleNextArrival(q: QueueRuntime, from: number): void {
    if (q.arrivalRateMax <= 0) return;
    const meanGapMs = 3_600_000 / q.arrivalRateMax;
    let t = from;
    for (;;) {
      t += q.arrivals.exponential(meanGapMs);
      if (t >= this.durationMs) return;
      if (q.arrivals.next() * q.arrivalRateMax < q.arrivalRate(t)) break;
    }
    this.events.push(t, { kind: 'arrival', queue: q });
  }

  private onArrival(q: QueueRuntime): void {
    const now = this.clock;
    // Draw everything about the caller at arrival, from the queue's own stream, so the caller
    // population is identical whatever the outbound side does.
    const patienceMs = q.patience ? q.patience(now, q.customers) : Infinity;
    const call: Call = {
      direction: 'inbound',
      queueId: q.spec.id,
      campaignId: undefined,
      waitsWithPatience: true,
      enqueuedAt: now,
      talkMs: q.talk!(now, q.customers),
      acwMs: q.acw!(now, q.customers),
      state: 'waiting',
    };
    this.scheduleNextArrival(q, now);
    this.offerToQueue(call, patienceMs);
  }

  /** A call enters its queue: straight to the longest-idle member, else it waits. */
  private offerToQueue(call: Call, patienceMs: number): void {
    const q = this.queues.get(call.queueId)!;
    this.analytics.record(this.clock, 'nOffered', 1, call.queueId, call.campaignId, call.direction);
    this.recorder.queueOffered(call.queueId);
    const agent = this.longestIdleMemberOf(call.queueId);
    if (agent) {
      this.connect(call, agent);
      return;
    }
    if (call.waitsWithPatience) {
      q.patientWaiting.push(call);
      if (patienceMs !== Infinity) this.events.push(this.clock + patienceMs, { kind: 'patienceEnds', call });
    } else {
      q.dialerWaiting.push(call);
      this.events.push(this.clock + this.scenario.organization.abandonSeconds * 1000, { kind: 'complianceWindowEnds', call });
    }
    q.waitingCount++;
  }

  private longestIdleMemberOf(queueId: string): Agent | undefined {
    for (const agent of this.idleAgents) if (agent.queueIds.includes(queueId)) return agent;
    return undefined;
  }

  private onPatienceEnds(call: Call): void {
    if (call.state !== 'waiting') return;
    this.abandon(call);
  }

  private onComplianceWindowEnds(call: Call): void {
    if (call.state !== 'waiting') return;
    this.abandon(call);
    const campaign = this.campaignsById.get(call.campaignId!)!;
    campaign.liveAnswersWaiting--;
    campaign.pacing.recordLiveAnswerFate(true, campaign.settings.abandonRate);
    this.analytics.record(this.clock, 'nOutboundAbandoned', 1, call.queueId, call.campaignId, 'outbound');
    this.recorder.campaignComplianceAbandon(campaign.settings.id);
    this.settleStopping(campaign);
  }

  private abandon(call: Call): void {
    const q = this.queues.get(call.queueId)!;
    call.state = 'abandoned';
    q.waitingCount--;
    const waitMs = this.clock - call.enqueuedAt;
    const dims = [call.queueId, call.campaignId, call.direction] as const;
    this.analytics.record(this.clock, 'tAbandon', waitMs, ...dims);
    if (waitMs < this.scenario.organization.shortAbandonSeconds * 1000) this.analytics.record(this.clock, 'tShortAbandon', waitMs, ...dims);
    if (waitMs > q.spec.serviceLevel.durationMs) this.analytics.record(this.clock, 'nOverSla', 1, ...dims);
    this.analytics.record(this.clock, 'tWait', waitMs, ...dims);
    this.recorder.queueAbandoned(call.queueId);
  }

  private connect(call: Call, agent: Agent): void {
    const q = this.queues.get(call.queueId)!;
    const waitMs = this.clock - call.enqueuedAt;
    call.state = 'connected';
    call.connectedAt = this.clock;
    const dims = [call.queueId, call.campaignId, call.direction] as const;
    this.analytics.record(this.clock, 'tAnswered', waitMs, ...dims);
    this.analytics.record(this.clock, 'tWait', waitMs, ...dims);
    if (waitMs > q.spec.serviceLevel.durationMs) this.analytics.record(this.clock, 'nOverSla', 1, ...dims);
    this.recorder.queueAnswered(call.queueId, waitMs <= q.spec.serviceLevel.durationMs);
    q.interactingCalls++;
    if (call.campaignId !== undefined) {
      const campaign = this.campaignsById.get(call.campaignId)!;
      campaign.rightPartyContacts++;
      if (!call.waitsWithPatience) campaign.pacing.recordLiveAnswerFate(false, campaign.settings.abandonRate);
    }
    this.setAgentState(agent, 'talking');
    agent.call = call;
    this.events.push(this.clock + call.talkMs, { kind: 'talkEnds', agent });
  }

  private onTalkEnds(agent: Agent): void {
    const call = agent.call!;
    this.queues.get(call.queueId)!.interactingCalls--;
    this.analytics.record(this.clock, 'tTalk', call.talkMs, call.queueId, call.campaignId, call.direction);
    this.setAgentState(agent, 'acw');
    this.events.push(this.clock + call.acwMs, { kind: 'acwEnds', agent });
  }

  private onAcwEnds(agent: Agent): void {
    const call = agent.call!;
    const dims = [call.queueId, call.campaignId, call.direction] as const;
    this.analytics.record(this.clock, 'tAcw', call.acwMs, ...dims);
    this.analytics.record(this.clock, 'tHandle', call.talkMs + call.acwMs, ...dims);
    for (const campaign of this.queues.get(call.queueId)!.campaigns) campaign.pacing.recordHandle(call.talkMs + call.acwMs);
    agent.call = undefined;
    if (agent.leaving) {
      agent.leaving = false;
      this.setAgentState(agent, 'offline');
      return;
    }
    this.becomeAvailable(agent);
  }

  private onLogin(agent: Agent): void {
    agent.leaving = false;
    if (agent.state === 'offline') this.becomeAvailable(agent);
  }

  private onLogout(agent: Agent): void {
    if (agent.state === 'idle') this.setAgentState(agent, 'offline');
    else if (agent.state !== 'offline') agent.leaving = true;
  }

  /**
   * An agent is free: blended agents take waiting inbound (and agentless) callers first, oldest
   * first across their queues, then dialer live answers still inside the compliance window.
   */
  private becomeAvailable(agent: Agent): void {
    const next = this.oldestWaiting(agent, true) ?? this.oldestWaiting(agent, false);
    if (next) {
      const q = this.queues.get(next.queueId)!;
      q.waitingCount--;
      if (!next.waitsWithPatience) this.campaignsById.get(next.campaignId!)!.liveAnswersWaiting--;
      this.connect(next, agent);
      return;
    }
    this.setAgentState(agent, 'idle');
    for (const queueId of agent.queueIds) {
      for (const campaign of this.queues.get(queueId)!.campaigns) if (campaign.settings.dialingMode === 'progressive') this.pump(campaign);
    }
  }

  private oldestWaiting(agent: Agent, patient: boolean): Call | undefined {
    let best: Call | undefined;
    let bestQueue: QueueRuntime | undefined;
    for (const queueId of agent.queueIds) {
      const q = this.queues.get(queueId)!;
      const list = patient ? q.patientWaiting : q.dialerWaiting;
      let head = patient ? q.patientHead : q.dialerHead;
      while (head < list.length && list[head]!.state !== 'waiting') head++;
      if (patient) q.patientHead = head;
      else q.dialerHead = head;
      const call = list[head];
      if (call && (!best || call.enqueuedAt < best.enqueuedAt)) {
        best = call;
        bestQueue = q;
      }
    }
    if (best && bestQueue) {
      if (patient) bestQueue.patientHead++;
      else bestQueue.dialerHead++;
      compact(bestQueue);
    }
    return best;
  }

  private setAgentState(agent: Agent, state: AgentState): void {
    const before = agent.state;
    if (before === state) return;
    if (before === 'idle') this.idleAgents.splice(this.idleAgents.indexOf(agent), 1);
    if (state === 'idle') this.idleAgents.push(agent);
    const wasBusy = before === 'talking' || before === 'acw';
    const isBusy = state === 'talking' || state === 'acw';
    for (const queueId of agent.queueIds) {
      const q = this.queues.get(queueId)!;
      q.loggedIn += (state !== 'offline' ? 1 : 0) - (before !== 'offline' ? 1 : 0);
      q.idle += (state === 'idle' ? 1 : 0) - (before === 'idle' ? 1 : 0);
      q.busy += (isBusy ? 1 : 0) - (wasBusy ? 1 : 0);
    }
    agent.state = state;
  }

  // ---------------------------------------------------------------- dialing

  private outstanding(c: CampaignRuntime): number {
    return c.dialsInProgress + c.liveAnswersWaiting;
  }

  private onDialerTick(): void {
    for (const campaign of this.campaignsById.values()) this.pump(campaign);
    this.events.push(this.clock + DIALER_TICK_MS, { kind: 'dialerTick' });
  }

  /** Places whatever dials the campaign's mode calls for right now. */
  private pump(c: CampaignRuntime): void {
    const s = c.settings;
    // The scenario's day is the contact list's callable window: nothing is dialed after it.
    if (s.campaignStatus !== 'on' || this.clock >= this.durationMs) return;
    const q = this.queues.get(s.queueId)!;
    let dials: number;
    switch (s.dialingMode) {
      case 'progressive':
        // One call per idle agent; the line count caps it when set.
        dials = q.idle - this.outstanding(c);
        if (s.outboundLineCount > 0) dials = Math.min(dials, s.outboundLineCount - c.dialsInProgress);
        c.effectiveIdleAgents = q.idle;
        c.adjustedCallsPerAgent = 1;
        break;
      case 'agentless':
        dials = s.outboundLineCount - c.dialsInProgress;
        c.effectiveIdleAgents = 0;
        c.adjustedCallsPerAgent = 0;
        break;
      case 'power':
      case 'predictive': {
        if (q.loggedIn === 0) {
          dials = 0;
          c.effectiveIdleAgents = 0;
          break;
        }
        const decision = c.pacing.decide({
          mode: s.dialingMode,
          idleAgents: q.idle,
          busyAgents: q.busy,
          dialsInProgress: c.dialsInProgress,
          liveAnswersWaiting: c.liveAnswersWaiting,
          maxCallsPerAgent: s.maxCallsPerAgent,
          outboundLineCount: s.outboundLineCount,
        });
        dials = decision.dials;
        c.effectiveIdleAgents = decision.effectiveIdleAgents;
        c.adjustedCallsPerAgent = decision.callsPerAgent;
        break;
      }
    }
    for (let i = 0; i < dials; i++) this.dial(c);
  }

  /** Places one call: draws its fate now from the contact's stream and schedules when it is known. */
  private dial(c: CampaignRuntime): void {
    const now = this.clock;
    c.dialsInProgress++;
    c.attempts++;
    const rng = new RandomStream(this.seed, c.contactLabel, c.attempts);
    this.analytics.record(now, 'nOutboundAttempted', 1, c.settings.queueId, c.settings.id, 'outbound');
    this.recorder.campaignDialed(c.settings.id);
    const noAnswerMs = c.settings.noAnswerTimeout * 1000;
    const u = rng.next();
    const pLive = c.pLiveAnswer(now);
    const pMachine = c.pMachine(now);
    const pBusy = c.pBusySit(now);
    const ringMs = c.ring(now, rng);
    const amdMs = c.amdDecision(now, rng);
    const falsePositive = rng.chance(c.pAmdFalsePositive(now));
    let outcome: DialOutcome;
    let after: number;
    if (u < pBusy) {
      outcome = 'busySit';
      after = c.busySitTone(now, rng);
    } else if (u < pBusy + pLive + pMachine && ringMs > noAnswerMs) {
      // Would have answered, but the campaign gives up ringing first.
      outcome = 'noAnswer';
      after = noAnswerMs;
    } else if (u < pBusy + pLive) {
      outcome = falsePositive ? 'amdFalsePositive' : 'live';
      after = falsePositive ? ringMs + amdMs : ringMs;
    } else if (u < pBusy + pLive + pMachine) {
      outcome = 'machine';
      after = ringMs + amdMs;
    } else {
      outcome = 'noAnswer';
      after = noAnswerMs;
    }
    this.events.push(now + after, { kind: 'dialResolves', campaign: c, outcome, dialedAt: now, contact: rng });
  }

  private onDialResolves(c: CampaignRuntime, outcome: DialOutcome, dialedAt: number, contact: RandomStream): void {
    c.dialsInProgress--;
    if (outcome !== 'busySit') c.validAttempts++;
    // The dialer sees an AMD false positive as a machine, like Genesys does.
    c.pacing.recordDialResolved(outcome === 'live');
    this.recorder.campaignOutcome(c.settings.id, outcome);
    if (outcome === 'live') {
      c.connects++;
      c.pacing.recordRingToLive(this.clock - dialedAt);
      const queueId = c.settings.queueId;
      this.analytics.record(this.clock, 'nOutboundConnected', 1, queueId, c.settings.id, 'outbound');
      const agentless = c.settings.dialingMode === 'agentless';
      const q = this.queues.get(queueId)!;
      const call: Call = {
        direction: 'outbound',
        queueId,
        campaignId: c.settings.id,
        waitsWithPatience: agentless,
        enqueuedAt: this.clock,
        talkMs: c.talk(this.clock, contact),
        acwMs: c.acw(this.clock, contact),
        state: 'waiting',
      };
      const patienceMs = agentless && q.patience ? q.patience(this.clock, contact) : Infinity;
      if (!agentless) c.liveAnswersWaiting++;
      this.offerToQueue(call, patienceMs);
      if (!agentless && call.state === 'connected') c.liveAnswersWaiting--;
    }
    this.settleStopping(c);
    if (c.settings.dialingMode === 'progressive' || c.settings.dialingMode === 'agentless') this.pump(c);
  }

  /** A stopping campaign turns off once nothing is in flight. */
  private settleStopping(c: CampaignRuntime): void {
    if (c.settings.campaignStatus === 'stopping' && this.outstanding(c) === 0) c.settings.campaignStatus = 'off';
  }
}

/** Drops the consumed head of a queue's waiting lists once it grows, so memory stays flat. */
function compact(q: QueueRuntime): void {
  if (q.patientHead > 1024 && q.patientHead * 2 > q.patientWaiting.length) {
    q.patientWaiting.splice(0, q.patientHead);
    q.patientHead = 0;
  }
  if (q.dialerHead > 1024 && q.dialerHead * 2 > q.dialerWaiting.length) {
    q.dialerWaiting.splice(0, q.dialerHead);
    q.dialerHead = 0;
  }
}
