/**
 * GenesysClient: the GenesysPort over the Genesys Cloud Platform API.
 *
 * Create one client per warm Lambda container (with one TokenProvider); per invocation call
 * `client.withDeadline(deadline)` and hand the view to the controller. Views share the token,
 * service-level and settings caches and the concurrency limit, and refuse to start or retry
 * anything that would run past their deadline.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { KnobName } from '../config/schema.js';
import type {
  CampaignMinuteStats,
  CampaignPerformance,
  CampaignSnapshot,
  CampaignWindowStats,
  GenesysPort,
  OutboundSettings,
  QueueLiveState,
  QueueWindowStats,
  TimeInterval,
} from '../ports.js';
import {
  campaignAggregatesQuery,
  mapCampaignAggregates,
  mapCampaignMinuteAggregates,
  mapQueueAggregates,
  mapQueueObservations,
  queueAggregatesQuery,
  queueObservationQuery,
} from './analytics.js';
import { readInChunks, type ChunkedRead, type ChunkRead } from './batch.js';
import {
  CAMPAIGN_IDS_PER_REQUEST,
  PERFORMANCE_IDS_PER_REQUEST,
  campaignListingParams,
  campaignPatchBody,
  knobsHeld,
  knobValueProblem,
  readCampaignPage,
  readCampaignPerformance,
} from './campaigns.js';
import { GenesysBadRequestError, GenesysInvalidResponseError, isGenesysApiError, type GenesysErrorContext, type GenesysOperation } from './errors.js';
import { normalizeBaseUrl } from './http.js';
import { parseBody, ResponseShapeError, routingQueueSchema, type EntityPage } from './responses.js';
import { readOutboundSettings } from './settings.js';
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
const MINUTE_MS = 60_000;
/** Pages followed per chunk of ids before the listing is declared broken (one page is normal). */
const MAX_LISTING_PAGES = 5;
/** HTTP 414 URI Too Long: the campaign listing's query string of ids was longer than Genesys takes. */
const URI_TOO_LONG = 414;

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
  /**
   * Requests of batched reads in flight at once, across every view and read of the client.
   * Default 4 (Genesys allows ~300/min per token).
   */
  concurrency?: number;
  /** How long a queue's service-level threshold and the org's outbound settings are cached. Default 1 hour. */
  configCacheTtlMs?: number;
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

/** Values that rarely change, kept for a while by the client and shared by its views. */
class TtlCache<T> {
  readonly #entries = new Map<string, { value: T; fetchedAt: number }>();
  constructor(
    readonly ttlMs: number,
    readonly now: () => number,
  ) {}

  get(key: string): T | undefined {
    const entry = this.#entries.get(key);
    return entry && this.now() - entry.fetchedAt < this.ttlMs ? entry.value : undefined;
  }

  set(key: string, value: T): void {
    this.#entries.set(key, { value, fetchedAt: this.now() });
  }
}

interface Shared {
  transport: GenesysTransport;
  now: () => number;
  /** Bounds the requests of every batched read of the client and its views. */
  limit: LimitFunction;
  /** A failed chunk is tried again only with at least this much time left (the transport's own floor). */
  minAttemptMs: number;
  /** Service-level thresholds in ms, by queue id. */
  thresholds: TtlCache<number>;
  /** The org's outbound settings, under one key. */
  settings: TtlCache<OutboundSettings>;
  /** Ids per campaign listing request: {@link CAMPAIGN_IDS_PER_REQUEST}, halved for good after a 414. */
  campaignIdsPerRequest: number;
  rootStats: GenesysCallStats;
}

const SETTINGS_PATH = '/api/v2/outbound/settings';
const CAMPAIGNS_OPERATION = 'getOutboundCampaigns';
const CAMPAIGNS_PATH = '/api/v2/outbound/campaigns';
const QUEUE_PATH = '/api/v2/routing/queues/{queueId}';

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
   * safety margin). It counts its own stats and shares the token, threshold and settings caches.
   */
  withDeadline(deadlineEpochMs: number): GenesysSession {
    return new GenesysClientView(this.#shared, Math.min(deadlineEpochMs, this.deadlineEpochMs), emptyStats());
  }

  /**
   * Campaigns by id via GET /api/v2/outbound/campaigns?id=..&id=..&pageSize=..&pageNumber=..,
   * at most 100 ids per request (fewer after Genesys refused a URL as too long). A campaign missing
   * from the map does not exist (any more); one whose own record pacing cannot use (say, an unknown
   * campaignStatus) is named in the error.
   *
   * @throws BatchReadError naming the campaigns of the requests that failed and those whose records are unusable
   */
  async getCampaigns(campaignIds: readonly string[]): Promise<Map<string, CampaignSnapshot>> {
    const ids = distinctIds(campaignIds, CAMPAIGNS_OPERATION, CAMPAIGNS_PATH);
    return this.#readInChunks<string, CampaignSnapshot>({
      operation: CAMPAIGNS_OPERATION,
      noun: 'campaigns',
      items: ids,
      idOf: (id) => id,
      chunkSize: this.#shared.campaignIdsPerRequest,
      read: (chunk) => this.#readCampaignChunk(chunk),
    });
  }

  /**
   * One chunk of the campaign listing, every page of it. A chunk whose URL Genesys refuses as too
   * long (414) is read as two halves, and the client asks for no more ids per request after that.
   */
  async #readCampaignChunk(chunk: string[]): Promise<ChunkRead<CampaignSnapshot>> {
    try {
      return await this.#readCampaignPages(chunk);
    } catch (error) {
      if (!(isGenesysApiError(error) && error.status === URI_TOO_LONG && chunk.length > 1)) throw error;
      const half = Math.ceil(chunk.length / 2);
      this.#shared.campaignIdsPerRequest = Math.min(this.#shared.campaignIdsPerRequest, half);
      const reads = await Promise.all([chunk.slice(0, half), chunk.slice(half)].map((part) => this.#readCampaignChunk(part)));
      return {
        values: new Map(reads.flatMap((r) => [...r.values])),
        unusable: new Map(reads.flatMap((r) => [...(r.unusable ?? [])])),
      };
    }
  }

  async #readCampaignPages(chunk: string[]): Promise<ChunkRead<CampaignSnapshot>> {
    const operation = CAMPAIGNS_OPERATION;
    const path = CAMPAIGNS_PATH;
    const wanted = new Set(chunk);
    const found = new Set<string>();
    const read = { values: new Map<string, CampaignSnapshot>(), unusable: new Map<string, Error>() };
    for (let page = 1; ; page += 1) {
      if (page > MAX_LISTING_PAGES) {
        throw new GenesysInvalidResponseError(
          `Genesys Cloud's campaign listing did not end after ${MAX_LISTING_PAGES} pages for ${chunk.length} ids; not trusting it.`,
          { operation, method: 'GET', path },
          'pageCount',
        );
      }
      const listing = await this.#shared.transport.send(
        {
          operation,
          method: 'GET',
          path,
          searchParams: campaignListingParams(chunk, chunk.length, page),
          parse: (body) => readCampaignPage(body, wanted),
          subject: 'campaigns',
        },
        this.#scope,
      );
      for (const [id, snapshot] of listing.usable) read.values.set(id, snapshot);
      addUnusable(read.unusable, listing.unusable, { operation, method: 'GET', path });
      for (const id of listing.seen) found.add(id);
      const more = listing.pageCount !== undefined ? page < listing.pageCount : listing.entityCount >= chunk.length;
      if (found.size >= wanted.size || listing.entityCount === 0 || !more) return read;
    }
  }

  /**
   * Each queue's service-level threshold (GET /api/v2/routing/queues/{id} ->
   * mediaSettings.call.serviceLevel.durationMs), one request per queue within the client's
   * concurrency, each cached for an hour: it rarely changes.
   *
   * @throws BatchReadError naming the queues that could not be read (a queue with no call service level among them)
   */
  async getServiceLevelThresholdsMs(queueIds: readonly string[]): Promise<Map<string, number>> {
    const operation = 'getRoutingQueue';
    const known = new Map<string, number>();
    const missing: string[] = [];
    for (const queueId of distinctIds(queueIds, operation, QUEUE_PATH)) {
      const cached = this.#shared.thresholds.get(queueId);
      if (cached === undefined) missing.push(queueId);
      else known.set(queueId, cached);
    }
    return this.#readInChunks<string, number>({
      operation,
      noun: 'queues',
      items: missing,
      idOf: (id) => id,
      chunkSize: 1,
      known,
      read: async ([queueId]) => {
        const ms = await this.#shared.transport.send(
          {
            operation,
            method: 'GET',
            path: `/api/v2/routing/queues/${encodeURIComponent(queueId!)}`,
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
        this.#shared.thresholds.set(queueId!, ms);
        return { values: new Map([[queueId!, ms]]) };
      },
    });
  }

  /**
   * The org's outbound settings (GET /api/v2/outbound/settings; permission outbound:settings:view),
   * cached for an hour.
   *
   * @throws GenesysApiError of the kind that describes the failure (a 403 names outbound:settings:view)
   */
  async getOutboundSettings(): Promise<OutboundSettings> {
    const cached = this.#shared.settings.get(SETTINGS_PATH);
    if (cached) return { ...cached };
    const settings = await this.#shared.transport.send(
      { operation: 'getOutboundSettings', method: 'GET', path: SETTINGS_PATH, subject: "the organisation's outbound settings", parse: readOutboundSettings },
      this.#scope,
    );
    this.#shared.settings.set(SETTINGS_PATH, settings);
    return { ...settings };
  }

  /**
   * Live queue states: one POST /api/v2/analytics/queues/observations/query per 100 queues.
   *
   * @throws BatchReadError naming the queues of the queries that failed
   */
  async getQueueLiveStates(queueIds: readonly string[]): Promise<Map<string, QueueLiveState>> {
    const operation = 'postAnalyticsQueuesObservationsQuery';
    const path = '/api/v2/analytics/queues/observations/query';
    return this.#readInChunks<string, QueueLiveState>({
      operation,
      noun: 'queues',
      items: distinctIds(queueIds, operation, path),
      idOf: (id) => id,
      chunkSize: ANALYTICS_IDS_PER_QUERY,
      read: async (chunk) => ({
        values: await this.#shared.transport.send(
          { operation, method: 'POST', path, json: queueObservationQuery(chunk), subject: 'the queues', parse: (body) => mapQueueObservations(body, chunk) },
          this.#scope,
        ),
      }),
    });
  }

  /**
   * Windowed queue stats: one POST /api/v2/analytics/conversations/aggregates/query per 100 queues.
   *
   * @throws BatchReadError naming the queues of the queries that failed
   */
  async getQueueWindowStats(
    queues: ReadonlyArray<{ queueId: string; thresholdMs: number }>,
    interval: TimeInterval,
  ): Promise<Map<string, QueueWindowStats>> {
    const operation = 'postAnalyticsConversationsAggregatesQuery';
    const path = '/api/v2/analytics/conversations/aggregates/query';
    checkInterval(interval, path);
    const byId = new Map<string, { queueId: string; thresholdMs: number }>();
    for (const q of queues) {
      requireId(q.queueId, operation, path);
      if (typeof q.thresholdMs !== 'number' || !Number.isFinite(q.thresholdMs) || q.thresholdMs <= 0) {
        throw localBadRequest(`the service-level threshold of queue ${q.queueId} must be a positive number of ms, got ${String(q.thresholdMs)}`, operation, 'POST', path, 'thresholdMs', q.thresholdMs);
      }
      if (!byId.has(q.queueId)) byId.set(q.queueId, { queueId: q.queueId, thresholdMs: q.thresholdMs });
    }
    return this.#readInChunks<{ queueId: string; thresholdMs: number }, QueueWindowStats>({
      operation,
      noun: 'queues',
      items: [...byId.values()],
      idOf: (q) => q.queueId,
      chunkSize: ANALYTICS_IDS_PER_QUERY,
      read: async (chunk) => ({
        values: await this.#shared.transport.send(
          { operation, method: 'POST', path, json: queueAggregatesQuery(chunk, interval), subject: 'the queues', parse: (body) => mapQueueAggregates(body, chunk) },
          this.#scope,
        ),
      }),
    });
  }

  /**
   * Windowed outbound stats by campaign: one aggregates query per 100 campaigns.
   *
   * @throws BatchReadError naming the campaigns of the queries that failed
   */
  async getCampaignWindowStats(campaignIds: readonly string[], interval: TimeInterval): Promise<Map<string, CampaignWindowStats>> {
    return this.#campaignAggregates(campaignIds, interval, undefined, (body, chunk) => mapCampaignAggregates(body, chunk));
  }

  /**
   * Outbound stats by campaign and minute (granularity PT1M): one aggregates query per 100 campaigns.
   *
   * @throws BatchReadError naming the campaigns of the queries that failed
   */
  async getCampaignMinuteStats(campaignIds: readonly string[], interval: TimeInterval): Promise<Map<string, CampaignMinuteStats>> {
    return this.#campaignAggregates(campaignIds, interval, 'PT1M', (body, chunk) => mapCampaignMinuteAggregates(body, chunk));
  }

  async #campaignAggregates<V>(
    campaignIds: readonly string[],
    interval: TimeInterval,
    granularity: 'PT1M' | undefined,
    parse: (body: unknown, chunk: readonly string[]) => Map<string, V>,
  ): Promise<Map<string, V>> {
    const operation = 'postAnalyticsConversationsAggregatesQuery';
    const path = '/api/v2/analytics/conversations/aggregates/query';
    checkInterval(interval, path);
    if (granularity === 'PT1M' && (interval.start.getTime() % MINUTE_MS !== 0 || interval.end.getTime() % MINUTE_MS !== 0)) {
      throw localBadRequest('Not querying aggregates by minute: the interval must start and end on a minute.', operation, 'POST', path, 'interval', undefined);
    }
    return this.#readInChunks<string, V>({
      operation,
      noun: 'campaigns',
      items: distinctIds(campaignIds, operation, path),
      idOf: (id) => id,
      chunkSize: ANALYTICS_IDS_PER_QUERY,
      read: async (chunk) => ({
        values: await this.#shared.transport.send(
          { operation, method: 'POST', path, json: campaignAggregatesQuery(chunk, interval, granularity), subject: 'the campaigns', parse: (body) => parse(body, chunk) },
          this.#scope,
        ),
      }),
    });
  }

  /**
   * Live dialer figures (connect ratio, idle agents, outstanding calls) via
   * POST /api/v2/outbound/campaigns/performance/query, 50 campaign ids per request. A campaign
   * Genesys does not report is absent from the map.
   *
   * @throws BatchReadError naming the campaigns of the requests that failed and those whose figures are unusable
   */
  async getCampaignPerformance(campaignIds: readonly string[]): Promise<Map<string, CampaignPerformance>> {
    const operation = 'postOutboundCampaignsPerformanceQuery';
    const path = '/api/v2/outbound/campaigns/performance/query';
    return this.#readInChunks<string, CampaignPerformance>({
      operation,
      noun: 'campaigns',
      items: distinctIds(campaignIds, operation, path),
      idOf: (id) => id,
      chunkSize: PERFORMANCE_IDS_PER_REQUEST,
      read: async (chunk) => {
        const page = await this.#shared.transport.send(
          { operation, method: 'POST', path, json: chunk, subject: 'the campaigns', parse: (body) => readCampaignPerformance(body, chunk) },
          this.#scope,
        );
        return { values: page.usable, unusable: addUnusable(new Map(), page.unusable, { operation, method: 'POST', path }) };
      },
    });
  }

  /**
   * One PATCH /api/v2/outbound/campaigns/{id} carrying only these knobs' fields. Refuses, before
   * sending, values Genesys cannot take (non-finite, negative, or a fractional outboundLineCount).
   *
   * @returns the values of the knobs sent that Genesys's answer says the campaign holds; empty when
   *   it answers 204 with no body, as its SDK documents (the next read then confirms)
   * @throws GenesysBadRequestError naming the first field and value at fault, locally or from Genesys's 400
   */
  async patchCampaignKnobs(campaignId: string, values: Partial<Record<KnobName, number>>): Promise<Partial<Record<KnobName, number>>> {
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
    return this.#shared.transport.send(
      {
        operation: 'patchOutboundCampaign',
        method: 'PATCH',
        path,
        json: campaignPatchBody(values),
        subject: `campaign ${campaignId}`,
        sentField,
        bodyOptional: true,
        parse: (body) => knobsHeld(body, entries.map(([knob]) => knob)),
      },
      this.#scope,
    );
  }

  /**
   * A batched read over the client's shared concurrency. A chunk that failed with a 5xx, timeout
   * or network error (the transport's retries used up: a burst) is tried once more after the
   * others, if the deadline leaves time for an attempt. Auth, permission, bad-request, not-found,
   * bad-body, deadline and throttling failures are not: repeating them at once would fail the
   * same way, or add to the rate limit Genesys asked us to respect.
   */
  #readInChunks<I, T>(spec: Omit<ChunkedRead<I, T>, 'operation' | 'limit' | 'retryable' | 'onRetry'> & { operation: GenesysOperation }): Promise<Map<string, T>> {
    return readInChunks({
      ...spec,
      limit: this.#shared.limit,
      retryable: (error) => isGenesysApiError(error, 'unavailable') && this.deadlineEpochMs - this.#shared.now() >= this.#shared.minAttemptMs,
      onRetry: () => {
        for (const stats of this.#scope.stats) stats.retries += 1;
      },
    });
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
    const retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    const transport = new GenesysTransport({
      apiBaseUrl,
      tokens: options.tokens,
      requestTimeoutMs: options.requestTimeoutMs,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      now,
      random: options.random ?? Math.random,
      retry,
    });
    const ttlMs = options.configCacheTtlMs ?? 60 * 60_000;
    return {
      transport,
      now,
      limit: pLimit(Math.max(1, Math.floor(options.concurrency ?? 4))),
      minAttemptMs: retry.minAttemptMs,
      thresholds: new TtlCache(ttlMs, now),
      settings: new TtlCache(ttlMs, now),
      campaignIdsPerRequest: CAMPAIGN_IDS_PER_REQUEST,
      rootStats: emptyStats(),
    };
  }
}

/** Turns the records parseEntities found unusable into typed errors, so a BatchReadError's cause is a GenesysApiError too. */
function addUnusable(into: Map<string, Error>, unusable: EntityPage<unknown>['unusable'], context: GenesysErrorContext): Map<string, Error> {
  for (const [id, { message, field }] of unusable) {
    into.set(id, new GenesysInvalidResponseError(`Genesys Cloud answered ${context.operation} (${context.method} ${context.path}) with a record pacing cannot use: ${message}.`, context, field));
  }
  return into;
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
