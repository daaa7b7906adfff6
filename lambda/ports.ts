/**
 * The controller's ports: what one tick needs from Genesys Cloud, its state store and its audit trail.
 * Adapters (lambda/genesys, lambda/state, lambda/audit) implement them; tests and the twin swap them freely.
 */
import type { KnobName, ObjectiveKind } from './config/schema.js';

export type CampaignStatus = 'on' | 'stopping' | 'off' | 'complete' | 'invalid' | 'forced_off' | 'forced_stopping';
export type DialingMode = 'agentless' | 'preview' | 'power' | 'predictive' | 'progressive' | 'external';

/** A campaign as GET /api/v2/outbound/campaigns returns it, reduced to what pacing needs. */
export interface CampaignSnapshot {
  campaignId: string;
  name?: string;
  status: CampaignStatus;
  dialingMode: DialingMode;
  /** Current knob values in Genesys units; absent when the campaign does not carry that field. */
  knobs: Partial<Record<KnobName, number>>;
  /** The queue the campaign's calls route to, when it has one. */
  queueId?: string;
}

/** Live state of a queue from the queue observations query. */
export interface QueueLiveState {
  queueId: string;
  /** Conversations waiting in queue (oWaiting, voice). */
  waiting: number;
  /** On-queue agents idle (oOnQueueUsers qualifier IDLE). */
  idleAgents: number;
  /** On-queue agents in total (sum of oOnQueueUsers qualifiers). */
  onQueueAgents: number;
  /** Voice conversations of the queue connected to agents (oInteracting). */
  interacting: number;
  /** Ms the longest of those has been connected (oLongestInteracting), when any is. */
  longestInteractingMs?: number;
}

/** Half-open time interval [start, end) for windowed aggregates. */
export interface TimeInterval {
  start: Date;
  end: Date;
}

/** Windowed inbound statistics of one queue, from conversation aggregates. */
export interface QueueWindowStats {
  queueId: string;
  /** Conversations offered to the queue (nOffered). */
  offered: number;
  /** Conversations answered (tAnswered count). */
  answered: number;
  /** Answered within the service-level threshold (a rangeBound view on tAnswered). */
  answeredWithinThreshold: number;
  /** Abandoned in queue (tAbandon count). */
  abandoned: number;
  /** Conversations whose handling (talk, hold, after-call work) ended (tHandle count). */
  handled: number;
  /** Their total handle time in ms (tHandle sum). */
  handleMs: number;
}

/** Windowed outbound statistics of one campaign, from conversation aggregates. */
export interface CampaignWindowStats {
  campaignId: string;
  attempted: number;
  /** Calls answered live (nOutboundConnected): the abandon-rate denominator. */
  connected: number;
  abandoned: number;
}

/** One campaign's outbound stats minute by minute: each minute with calls, keyed by its start (epoch ms). */
export interface CampaignMinuteStats {
  campaignId: string;
  minutes: Map<number, Omit<CampaignWindowStats, 'campaignId'>>;
}

/** A campaign's live dialer figures from POST /api/v2/outbound/campaigns/performance/query. */
export interface CampaignPerformance {
  campaignId: string;
  /** Live connects / attempts as the dialer reports it; undefined when Genesys leaves it out. */
  connectRatio?: number;
  /** Agents available to the campaign and not on a call. */
  idleAgents?: number;
  /** Idle agents plus those the dialer expects free soon. */
  effectiveIdleAgents?: number;
  /** Calls per agent the dialer uses after its own pacing. */
  adjustedCallsPerAgent?: number;
  /** Campaign calls in progress. */
  outstandingCalls?: number;
}

/**
 * The organisation's outbound rules (GET /api/v2/outbound/settings), as far as pacing needs them.
 * Every field is optional: Genesys leaves out what the org never set.
 */
export interface OutboundSettings {
  /** Seconds after the greeting within which a call not connected to an agent counts as abandoned. */
  abandonSeconds?: number;
  /**
   * Which calls the org's compliance abandon rate divides by. The SDK-derived schema
   * (test/fixtures/genesys/outbound-campaigns.schema.json, OutboundSettings) lists `ALL_CALLS` and
   * `CALLS_THAT_REACHED_QUEUE`; the JavaScript SDK's typings (purecloud-platform-client-v2 262.0.0,
   * index.d.ts) declare a plain string, so any other string Genesys adds is passed on as it is.
   */
  complianceAbandonRateDenominator?: string;
  /** Highest calls per agent any campaign may place (the decimal field when Genesys gives it). */
  maxCallsPerAgent?: number;
  /** Highest calls per agent a campaign may be configured with. */
  maxConfigurableCallsPerAgent?: number;
  /** Highest share of the org's lines outbound may use, 0..1. */
  maxLineUtilization?: number;
}

/**
 * Raised by a batched read when some ids could not be read: their request failed after its
 * retries, or their own record was unusable. `partial` holds what was read; `failedIds` names the
 * ids that were not, so only those campaigns (or queues) go blind. Raised even when every id
 * failed (`partial` empty): `cause` is then, as always, the first failure (for the Genesys adapter a
 * GenesysApiError whose `kind` says auth, permission, unavailable, ...).
 */
export class BatchReadError<T> extends Error {
  override readonly name = 'BatchReadError';
  /** Why each failed id could not be read (its request's error message, or what is wrong with its record). */
  readonly reasons: ReadonlyMap<string, string>;
  constructor(
    readonly partial: Map<string, T>,
    readonly failedIds: ReadonlySet<string>,
    message: string,
    options?: { cause?: unknown; reasons?: ReadonlyMap<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reasons = options?.reasons ?? new Map();
  }
}

/** What the controller reads from and writes to Genesys Cloud. */
export interface GenesysPort {
  /**
   * Campaigns by id, batched; a campaign missing from the map no longer exists.
   * @throws BatchReadError when some chunks (or some campaigns' own records) could not be read
   */
  getCampaigns(campaignIds: readonly string[]): Promise<Map<string, CampaignSnapshot>>;
  /**
   * Each queue's configured service-level threshold in ms (GET /api/v2/routing/queues/{id}, one
   * per queue, within the client's concurrency, cached).
   * @throws BatchReadError naming the queues that could not be read
   */
  getServiceLevelThresholdsMs(queueIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * The org's outbound settings (cached for an hour).
   * @throws the adapter's own error when it cannot be read (the Genesys adapter's 403 names outbound:settings:view)
   */
  getOutboundSettings(): Promise<OutboundSettings>;
  /**
   * Live queue state, one observations query per 100 queues.
   * @throws BatchReadError naming the queues of the queries that failed
   */
  getQueueLiveStates(queueIds: readonly string[]): Promise<Map<string, QueueLiveState>>;
  /**
   * Windowed queue statistics, one aggregates query per 100 queues.
   * @throws BatchReadError naming the queues of the chunks that failed
   */
  getQueueWindowStats(
    queues: ReadonlyArray<{ queueId: string; thresholdMs: number }>,
    interval: TimeInterval,
  ): Promise<Map<string, QueueWindowStats>>;
  /**
   * Windowed outbound statistics grouped by outboundCampaignId, one aggregates query per 100 campaigns.
   * @throws BatchReadError naming the campaigns of the chunks that failed
   */
  getCampaignWindowStats(campaignIds: readonly string[], interval: TimeInterval): Promise<Map<string, CampaignWindowStats>>;
  /**
   * Outbound statistics minute by minute (granularity PT1M), one aggregates query per 100 campaigns:
   * one read serves every window a tick needs within the interval. The interval starts and ends on
   * a minute.
   * @throws BatchReadError naming the campaigns of the chunks that failed
   */
  getCampaignMinuteStats(campaignIds: readonly string[], interval: TimeInterval): Promise<Map<string, CampaignMinuteStats>>;
  /**
   * Live dialer figures of up to any number of campaigns, 50 per request.
   * @throws BatchReadError naming the campaigns of the requests that failed, or whose figures were unusable
   */
  getCampaignPerformance(campaignIds: readonly string[]): Promise<Map<string, CampaignPerformance>>;
  /**
   * One PATCH /api/v2/outbound/campaigns/{id} with only these knobs' fields.
   * @returns the values of those knobs that Genesys's answer says it holds now (empty when the answer carries none)
   */
  patchCampaignKnobs(campaignId: string, values: Partial<Record<KnobName, number>>): Promise<Partial<Record<KnobName, number>>>;
}

/** The state of one PID loop between ticks (see lambda/control/pid.ts). */
export interface LoopState {
  integral: number;
  previousError: number;
  /** Filtered measurement, for the derivative on measurement; absent until a valid sample arrives. */
  previousMeasurement?: number;
  /** Unrounded controller output of the last tick. */
  lastOutput: number;
  /** Last value PATCHed to (or, before any write, read from) Genesys. */
  lastWritten: number;
  /** Virtual or real epoch ms of the last tick that advanced this state. */
  lastTickTime: number;
}

/** A campaign's abandon counts over its regulatory window, and the compliance loop's own state. */
export interface ComplianceState {
  /** Start of the first period (periods windows); epoch ms. */
  anchor: number;
  /** Every fact before this instant is counted; epoch ms. */
  countedUntil: number;
  buckets: Array<{ start: number; abandoned: number; live: number }>;
  /** The compliance loop, when it has run. */
  loop?: LoopState;
}

/**
 * A PATCH the controller sent (or is about to send) whose outcome is not yet confirmed. It is stored
 * with the lease before the PATCH, so a lost answer or a failed state save never leaves the next
 * tick guessing: it reconciles the knob it reads against these values (applied, not applied, or
 * changed by someone since) instead of taking its own write for a person's.
 */
export interface PendingWrite {
  /** The tick that sent it. */
  eventId: string;
  /** When it was sent, epoch ms. */
  at: number;
  /** The values sent. */
  values: Partial<Record<KnobName, number>>;
  /** Genesys's values of the same knobs before it. */
  before: Partial<Record<KnobName, number>>;
  /** The audit entries the write calls for, recorded (idempotently) once it is known to have landed. */
  audit: AuditEntry[];
}

/**
 * The PID state the design card keeps in DynamoDB, one item per campaign, with the campaign's
 * compliance counts alongside: one conditional write saves both, so they never disagree.
 */
export interface ControllerState extends LoopState {
  campaignId: string;
  lastEventId: string;
  /** Consecutive ticks that could not see the objective (metrics unreadable or stale); 0 when the last tick could. */
  blindTicks: number;
  /** Optimistic-locking counter; incremented by every save. */
  version: number;
  /** Absent in items written before compliance counting existed. */
  compliance?: ComplianceState;
  /** A write whose landing the next read must confirm (its answer was lost, or carried no values). */
  pending?: PendingWrite;
  /** Epoch ms of the first tick of the campaign's current spell of being `on`; absent while it is not on (control/start.ts). */
  onSince?: number;
  /** The last tick's change waited for the request budget: this tick's goes before other rises (tick/defer.ts). */
  writeDeferred?: boolean;
}

/** What a state read found: each campaign's state, or why its item could not be read. */
export interface LoadedStates {
  states: Map<string, ControllerState>;
  /**
   * Writes in flight for campaigns that have no saved state yet (a first write whose answer was
   * lost); a campaign with saved state carries its pending write in the state.
   */
  firstWrites: Map<string, PendingWrite>;
  /** Campaigns whose item is corrupt or whose read failed, with the reason; the others are unaffected. */
  unreadable: Map<string, string>;
}

/** A lease that lets exactly one invocation PATCH a campaign for a given tick. */
export interface Lease {
  /**
   * The invocation holding it. Per invocation, not per event: the same event delivered to two
   * containers at once must not let both through.
   */
  owner: string;
  /** Epoch ms after which another invocation may take the campaign over. */
  until: number;
}

/** Raised when a conditional write loses to another invocation or a newer tick. */
export class StateConflictError extends Error {
  override readonly name = 'StateConflictError';
  constructor(readonly campaignId: string) {
    super(`state of campaign ${campaignId} was changed by another invocation`);
  }
}

/** Persistence of per-campaign controller state with optimistic concurrency. */
export interface StateStore {
  /**
   * Strongly consistent reads, batched; campaigns with no state are absent. Never throws for one
   * campaign's sake: a corrupt item or a failed batch lands in `unreadable` for its campaigns only.
   */
  loadMany(campaignIds: readonly string[]): Promise<LoadedStates>;
  /**
   * Takes the campaign's lease for this tick and records the write about to be sent. Succeeds only
   * if the stored version is still `expectedVersion` (undefined: no item yet) and no other live
   * lease exists.
   * @throws StateConflictError otherwise
   */
  acquireLease(campaignId: string, expectedVersion: number | undefined, lease: Lease, now: number, pending: PendingWrite): Promise<void>;
  /**
   * Writes the new state (version = expectedVersion + 1), replacing any pending write with the
   * state's own, and clears any lease `leaseOwner` holds.
   * @throws StateConflictError when the version moved or another invocation holds a live lease
   */
  save(state: Omit<ControllerState, 'version'>, expectedVersion: number | undefined, leaseOwner: string, now: number): Promise<void>;
}

/** What an audit entry records: a knob the controller wrote, or one a person changed in Genesys. */
export type AuditKind = 'change' | 'manual-change';

/** One change to a campaign's pacing knob, kept for the compliance record. */
export interface AuditEntry {
  campaignId: string;
  /** When the controller wrote the change or detected the manual one, ISO-8601 UTC with ms. */
  at: string;
  /** The tick (scheduled event id, or `console:<request id>`) that wrote or detected it. */
  eventId: string;
  kind: AuditKind;
  knob: KnobName;
  /** The value before: Genesys's before a write, the controller's last written one before a manual change. */
  oldValue: number;
  newValue: number;
  /** The windowed measurement of the objective at that tick, when there was one. */
  measured?: number;
  setpoint: number;
  objective: ObjectiveKind;
  /** The tick's reason (`pid`, `state-save-failed` for a write whose state save failed, `manual-change`). */
  reason: string;
  /** For a manual change: the previous tick's time; the person changed the knob after it. */
  changedAfter?: string;
  /** For a change Genesys rounded or clamped: the value the controller sent (`newValue` is what Genesys holds). */
  requested?: number;
}

/** A time range of audit entries; either end may be open. `until` is exclusive. */
export interface AuditRange {
  since?: Date;
  until?: Date;
}

/** Raised when some audit entries could not be stored; the others were. */
export class AuditWriteError extends Error {
  override readonly name = 'AuditWriteError';
  constructor(
    /** Campaigns whose entries are missing from the audit trail. */
    readonly campaignIds: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

/** The audit trail of pacing changes, by campaign and time: append only, an entry once stored is never changed. */
export interface AuditLog {
  /**
   * Appends the entries. Never overwrites: recording an entry that is already stored (a retry) stores
   * nothing more and is not an error; an entry that differs in any field is stored beside the others.
   * @throws AuditWriteError naming the campaigns whose entries were not stored (the others were)
   */
  record(entries: readonly AuditEntry[]): Promise<void>;
  /** A campaign's entries in the range, oldest first. */
  query(campaignId: string, range?: AuditRange): Promise<AuditEntry[]>;
}
