/**
 * GenesysClient: the GenesysPort over the Genesys Cloud Platform API.
 *
 * Create one client per warm Lambda container (with one TokenProvider); per invocation call
 * `client.withDeadline(deadline)` and hand the view to the controller. Views share the token and
 * service-level caches and refuse to start or retry anything that would run past their deadline.
 */
import type { KnobName } from '../config/schema.js';
import type {
  CampaignPerformance,
  CampaignSnapshot,
  CampaignWindowStats,
  GenesysPort,
  QueueLiveState,
  QueueWindowStats,
  TimeInterval,
} from '../ports.js';
import {
  campaignAggregatesQuery,
  mapCampaignAggregates,
  mapQueueAggregates,
  mapQueueObservations,
  queueAggregatesQuery,
  queueObservationQuery,
} from './analytics.js';
import {
  CAMPAIGN_IDS_PER_REQUEST,
  campaignListingParams,
  campaignPatchBody,
  knobValueProblem,
  mapCampaignPerformance,
  parseCampaignListing,
  toCampaignSnapshot,
} from './campaigns.js';
import { GenesysBadRequestError, GenesysInvalidResponseError, type GenesysOperation } from './errors.js';
import { normalizeBaseUrl } from './http.js';
import { parseBody, ResponseShapeError, routingQueueSchema } from './responses.js';
import type { TokenProvider } from './token.js';
import {
  DEFAULT_RETRY_POLICY,
  emptyStats,
  GenesysTransport,
  type CallScope,
  type GenesysCallStats,
  type RetryPolicy,
} from './transport.js';

/** Genesys's limit on predicates per analytics filter clause. */
export const ANALYTICS_IDS_PER_QUERY = 100;
/** Pages followed per chunk of ids before the listing is declared broken (one page is normal). */
const MAX_LISTING_PAGES = 5;

export interface GenesysClientOptions {
  /** e.g. https://api.mypurecloud.com (from the config's region), or the local twin's URL. */
  apiBaseUrl: string;
  /** Must be the TokenProvider's loginBaseUrl: a mismatch is a wiring bug and is refused. */
  loginBaseUrl: string;
  /** Longest time one HTTP attempt may take. */
  requestTimeoutMs: number;
  tokens: TokenProvider;
  fetch?: typeof fetch;
  /** Epoch ms. Default Date.now. */
  now?: () => number;
  /** [0, 1) for backoff jitter. Default Math.random. */
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Requests in flight at once for batched reads. Default 4 (Genesys allows ~300/min per token). */
  concurrency?: number;
  /** How long a queue's service-level threshold is cached. Default 1 hour. */
  thresholdCacheTtlMs?: number;
}

/** The port plus what the handler needs around it. */
export interface GenesysSession extends GenesysPort {
  /** Epoch ms after which nothing is started; Infinity on the client itself. */
  readonly deadlineEpochMs: number;
  /** Counters of this view's calls (the client's own counters include every view's). */
  readonly stats: GenesysCallStats;
  /** A view with an earlier (or equal) deadline, sharing the caches. */
  withDeadline(deadlineEpochMs: number): GenesysSession;
}

interface Shared {
  transport: GenesysTransport;
  now: () => number;
  concurrency: number;
  thresholdTtlMs: number;
  thresholds: Map<string, { ms: number; fetchedAt: number }>;
  rootStats: GenesysCallStats;
}

/** A deadline-bound view of a {@link GenesysClient}. */
export class GenesysClientView implements GenesysSession {
  readonly deadlineEpochMs: number;
  readonly stats: GenesysCallStats;
  readonly #shared: Shared;
  readonly #scope: CallScope;

  /** Use {@link GenesysClient} and {@link GenesysClient.withDeadline} rather than this constructor. */
  protected constructor(shared: Shared, deadlineEpochMs: number, stats: GenesysCallStats) {
    if (Number.isNaN(deadlineEpochMs)) throw new TypeError('deadlineEpochMs must be a number (epoch ms)');
    this.#shared = shared;
    this.deadlineEpochMs = deadlineEpochMs;
    this.stats = stats;
    this.#scope = { deadlineEpochMs, stats: stats === shared.rootStats ? [stats] : [stats, shared.rootStats] };
  }

  /**
   * A view whose requests all end before `deadlineEpochMs` (the Lambda's remaining time minus a
   * safety margin). It counts its own stats and shares the token and threshold caches.
   */
  withDeadline(deadlineEpochMs: number): GenesysSession {
    return new GenesysClientView(this.#shared, Math.min(deadlineEpochMs, this.deadlineEpochMs), emptyStats());
  }

  /**
   * Campaigns by id via GET /api/v2/outbound/campaigns?id=..&id=..&pageSize=..&pageNumber=..,
   * at most 50 ids per request. A campaign missing from the map does not exist (any more).
   */
  async getCampaigns(campaignIds: readonly string[]): Promise<Map<string, CampaignSnapshot>> {
    const ids = distinctIds(campaignIds, 'getOutboundCampaigns', '/api/v2/outbound/campaigns');
    const out = new Map<string, CampaignSnapshot>();
    await this.#forChunks(ids, CAMPAIGN_IDS_PER_REQUEST, async (chunk) => {
      const wanted = new Set(chunk);
      const found = new Set<string>();
      for (let page = 1; ; page += 1) {
        if (page > MAX_LISTING_PAGES) {
          throw new GenesysInvalidResponseError(
            `Genesys Cloud's campaign listing did not end after ${MAX_LISTING_PAGES} pages for ${chunk.length} ids; not trusting it.`,
            { operation: 'getOutboundCampaigns', method: 'GET', path: '/api/v2/outbound/campaigns' },
            'pageCount',
          );
        }
        const listing = await this.#shared.transport.send(
          {
            operation: 'getOutboundCampaigns',
            method: 'GET',
            path: '/api/v2/outbound/campaigns',
            searchParams: campaignListingParams(chunk, chunk.length, page),
            parse: parseCampaignListing,
            subject: 'campaigns',
          },
          this.#scope,
        );
        const entities = listing.entities ?? [];
        for (const entity of entities) {
          // Ignore anything we did not ask for, should the id filter ever be ignored.
          if (!wanted.has(entity.id)) continue;
          out.set(entity.id, toCampaignSnapshot(entity));
          found.add(entity.id);
        }
        const more =
          listing.pageCount !== undefined && listing.pageCount !== null ? page < listing.pageCount : entities.length >= chunk.length;
        if (found.size >= wanted.size || entities.length === 0 || !more) break;
      }
    });
    return out;
  }

  /**
   * The queue's service-level threshold (GET /api/v2/routing/queues/{id} ->
   * mediaSettings.call.serviceLevel.durationMs), cached for an hour: it rarely changes.
   */
  async getServiceLevelThresholdMs(queueId: string): Promise<number> {
    const path = `/api/v2/routing/queues/${encodeURIComponent(requireId(queueId, 'getRoutingQueue', '/api/v2/routing/queues/{queueId}'))}`;
    const cached = this.#shared.thresholds.get(queueId);
    if (cached && this.#shared.now() - cached.fetchedAt < this.#shared.thresholdTtlMs) return cached.ms;
    const ms = await this.#shared.transport.send(
      {
        operation: 'getRoutingQueue',
        method: 'GET',
        path,
        subject: `queue ${queueId}`,
        parse: (body) => {
          const queue = parseBody(routingQueueSchema, body);
          const duration = queue.mediaSettings?.call?.serviceLevel?.durationMs;
          if (duration === undefined || duration === null) {
            throw new ResponseShapeError(
              'mediaSettings.call.serviceLevel.durationMs',
              `is absent: set a call service level on queue ${queueId} in Genesys, or serviceLevelThresholdSeconds in the configuration`,
            );
          }
          return duration;
        },
      },
      this.#scope,
    );
    this.#shared.thresholds.set(queueId, { ms, fetchedAt: this.#shared.now() });
    return ms;
  }

  /** Live queue states: one POST /api/v2/analytics/queues/observations/query per 100 queues. */
  async getQueueLiveStates(queueIds: readonly string[]): Promise<Map<string, QueueLiveState>> {
    const path = '/api/v2/analytics/queues/observations/query';
    const ids = distinctIds(queueIds, 'postAnalyticsQueuesObservationsQuery', path);
    const out = new Map<string, QueueLiveState>();
    await this.#forChunks(ids, ANALYTICS_IDS_PER_QUERY, async (chunk) => {
      const states = await this.#shared.transport.send(
        {
          operation: 'postAnalyticsQueuesObservationsQuery',
          method: 'POST',
          path,
          json: queueObservationQuery(chunk),
          subject: 'the queues',
          parse: (body) => mapQueueObservations(body, chunk),
        },
        this.#scope,
      );
      for (const [id, state] of states) out.set(id, state);
    });
    return out;
  }

  /** Windowed queue stats: one POST /api/v2/analytics/conversations/aggregates/query per 100 queues. */
  async getQueueWindowStats(
    queues: ReadonlyArray<{ queueId: string; thresholdMs: number }>,
    interval: TimeInterval,
  ): Promise<Map<string, QueueWindowStats>> {
    const path = '/api/v2/analytics/conversations/aggregates/query';
    checkInterval(interval, path);
    const byId = new Map<string, { queueId: string; thresholdMs: number }>();
    for (const q of queues) {
      requireId(q.queueId, 'postAnalyticsConversationsAggregatesQuery', path);
      if (typeof q.thresholdMs !== 'number' || !Number.isFinite(q.thresholdMs) || q.thresholdMs <= 0) {
        throw localBadRequest(`the service-level threshold of queue ${q.queueId} must be a positive number of ms, got ${String(q.thresholdMs)}`, 'postAnalyticsConversationsAggregatesQuery', 'POST', path, 'thresholdMs', q.thresholdMs);
      }
      if (!byId.has(q.queueId)) byId.set(q.queueId, { queueId: q.queueId, thresholdMs: q.thresholdMs });
    }
    const out = new Map<string, QueueWindowStats>();
    await this.#forChunks([...byId.values()], ANALYTICS_IDS_PER_QUERY, async (chunk) => {
      const stats = await this.#shared.transport.send(
        {
          operation: 'postAnalyticsConversationsAggregatesQuery',
          method: 'POST',
          path,
          json: queueAggregatesQuery(chunk, interval),
          subject: 'the queues',
          parse: (body) => mapQueueAggregates(body, chunk),
        },
        this.#scope,
      );
      for (const [id, s] of stats) out.set(id, s);
    });
    return out;
  }

  /** Windowed outbound stats by campaign: one aggregates query per 100 campaigns. */
  async getCampaignWindowStats(campaignIds: readonly string[], interval: TimeInterval): Promise<Map<string, CampaignWindowStats>> {
    const path = '/api/v2/analytics/conversations/aggregates/query';
    checkInterval(interval, path);
    const ids = distinctIds(campaignIds, 'postAnalyticsConversationsAggregatesQuery', path);
    const out = new Map<string, CampaignWindowStats>();
    await this.#forChunks(ids, ANALYTICS_IDS_PER_QUERY, async (chunk) => {
      const stats = await this.#shared.transport.send(
        {
          operation: 'postAnalyticsConversationsAggregatesQuery',
          method: 'POST',
          path,
          json: campaignAggregatesQuery(chunk, interval),
          subject: 'the campaigns',
          parse: (body) => mapCampaignAggregates(body, chunk),
        },
        this.#scope,
      );
      for (const [id, s] of stats) out.set(id, s);
    });
    return out;
  }

  /**
   * Live dialer figures (connect ratio, idle agents, outstanding calls) via
   * POST /api/v2/outbound/campaigns/performance/query, 50 campaign ids per request. A campaign
   * Genesys does not report is absent from the map.
   */
  async getCampaignPerformance(campaignIds: readonly string[]): Promise<Map<string, CampaignPerformance>> {
    const path = '/api/v2/outbound/campaigns/performance/query';
    const ids = distinctIds(campaignIds, 'postOutboundCampaignsPerformanceQuery', path);
    const out = new Map<string, CampaignPerformance>();
    await this.#forChunks(ids, CAMPAIGN_IDS_PER_REQUEST, async (chunk) => {
      const figures = await this.#shared.transport.send(
        {
          operation: 'postOutboundCampaignsPerformanceQuery',
          method: 'POST',
          path,
          json: chunk,
          subject: 'the campaigns',
          parse: (body) => mapCampaignPerformance(body, chunk),
        },
        this.#scope,
      );
      for (const [id, f] of figures) out.set(id, f);
    });
    return out;
  }

  /**
   * One PATCH /api/v2/outbound/campaigns/{id} carrying only these knobs' fields. Refuses, before
   * sending, values Genesys cannot take (non-finite, negative, or a fractional outboundLineCount).
   *
   * @throws GenesysBadRequestError naming the first field and value at fault, locally or from Genesys's 400
   */
  async patchCampaignKnobs(campaignId: string, values: Partial<Record<KnobName, number>>): Promise<void> {
    const path = `/api/v2/outbound/campaigns/${encodeURIComponent(requireId(campaignId, 'patchOutboundCampaign', '/api/v2/outbound/campaigns/{campaignId}'))}`;
    const entries = Object.entries(values) as Array<[KnobName, number]>;
    if (entries.length === 0) throw localBadRequest(`Not sending an empty PATCH to campaign ${campaignId}: name at least one knob.`, 'patchOutboundCampaign', 'PATCH', path);
    for (const [knob, value] of entries) {
      const problem = knobValueProblem(knob, value);
      if (problem) {
        throw localBadRequest(`Not sending ${knob}=${String(value)} to campaign ${campaignId}: ${problem}.`, 'patchOutboundCampaign', 'PATCH', path, knob, value);
      }
    }
    // A 400 names what was sent: the one field, or every field of a multi-knob PATCH.
    const sentField = entries.length === 1 ? { field: entries[0]![0], value: entries[0]![1] } : { field: entries.map(([k]) => k).join(', '), value: values };
    await this.#shared.transport.send(
      {
        operation: 'patchOutboundCampaign',
        method: 'PATCH',
        path,
        json: campaignPatchBody(values),
        subject: `campaign ${campaignId}`,
        sentField,
      },
      this.#scope,
    );
  }

  /** Runs `task` over chunks with bounded concurrency; stops starting new chunks after a failure. */
  async #forChunks<T>(items: readonly T[], size: number, task: (chunk: T[]) => Promise<void>): Promise<void> {
    const chunks: T[][] = [];
    for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < chunks.length) {
        const chunk = chunks[next++]!;
        try {
          await task(chunk);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    const workers = Array.from({ length: Math.min(this.#shared.concurrency, chunks.length) }, worker);
    const results = await Promise.allSettled(workers);
    const rejection = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejection) throw rejection.reason;
  }
}

/**
 * The Genesys Cloud adapter. Itself a view without a deadline, whose `stats` count every call
 * made through it and through its views.
 */
export class GenesysClient extends GenesysClientView {
  constructor(options: GenesysClientOptions) {
    const shared = GenesysClient.#shared(options);
    super(shared, Number.POSITIVE_INFINITY, shared.rootStats);
  }

  static #shared(options: GenesysClientOptions): Shared {
    const apiBaseUrl = normalizeBaseUrl(options.apiBaseUrl, 'apiBaseUrl');
    const loginBaseUrl = normalizeBaseUrl(options.loginBaseUrl, 'loginBaseUrl');
    if (loginBaseUrl !== options.tokens.loginBaseUrl) {
      throw new TypeError(`loginBaseUrl ${loginBaseUrl} differs from the TokenProvider's ${options.tokens.loginBaseUrl}: build both from the same configuration`);
    }
    if (!(options.requestTimeoutMs > 0)) throw new TypeError('requestTimeoutMs must be above 0');
    const now = options.now ?? (() => Date.now());
    const transport = new GenesysTransport({
      apiBaseUrl,
      tokens: options.tokens,
      requestTimeoutMs: options.requestTimeoutMs,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      now,
      random: options.random ?? Math.random,
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    });
    return {
      transport,
      now,
      concurrency: Math.max(1, Math.floor(options.concurrency ?? 4)),
      thresholdTtlMs: options.thresholdCacheTtlMs ?? 60 * 60_000,
      thresholds: new Map(),
      rootStats: emptyStats(),
    };
  }
}

function localBadRequest(message: string, operation: GenesysOperation, method: string, path: string, field?: string, value?: unknown): GenesysBadRequestError {
  return new GenesysBadRequestError(message, { operation, method, path, attempts: 0 }, field, value);
}

function requireId(id: string, operation: GenesysOperation, path: string): string {
  // '.' and '..' would survive encodeURIComponent and be resolved away by URL normalisation.
  if (typeof id !== 'string' || id.trim() === '' || id === '.' || id === '..') {
    const method = operation === 'patchOutboundCampaign' ? 'PATCH' : operation.startsWith('post') ? 'POST' : 'GET';
    throw localBadRequest(`Not calling ${operation}: an id is empty, not a string, or a dot segment.`, operation, method, path, 'id', id);
  }
  return id;
}

function distinctIds(ids: readonly string[], operation: GenesysOperation, path: string): string[] {
  return [...new Set(ids.map((id) => requireId(id, operation, path)))];
}

function checkInterval(interval: TimeInterval, path: string): void {
  const start = interval?.start?.getTime?.();
  const end = interval?.end?.getTime?.();
  if (start === undefined || end === undefined || !Number.isFinite(start) || !Number.isFinite(end) || start >= end) {
    throw localBadRequest('Not querying aggregates: the interval must have valid start and end dates, start before end.', 'postAnalyticsConversationsAggregatesQuery', 'POST', path, 'interval', undefined);
  }
}
