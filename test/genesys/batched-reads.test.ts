/**
 * Batched reads chunk by chunk: one failed chunk blinds only the ids it held, a chunk that failed
 * in a 5xx burst is tried once more while the deadline allows, failures that would only repeat
 * are not, every attempt is counted, and the requests of every read together stay within the
 * client's concurrency.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GenesysPermissionError, GenesysUnavailableError } from '../../lambda/genesys/errors.js';
import { BatchReadError } from '../../lambda/ports.js';
import { caught, example, startHarness, type Harness } from './harness.js';
import { errorReply, type RecordedRequest, type Reply } from './local-genesys.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const CAMPAIGNS = '/api/v2/outbound/campaigns';
const PERFORMANCE = '/api/v2/outbound/campaigns/performance/query';
const AGGREGATES = '/api/v2/analytics/conversations/aggregates/query';
const INTERVAL = { start: new Date('2026-05-14T09:45:00.000Z'), end: new Date('2026-05-14T10:00:00.000Z') };
const UNAVAILABLE = errorReply(503, 'service.unavailable', 'The service is currently unavailable');

/** 240 campaign ids: listing chunks of 100, 100 and 40. */
const IDS = Array.from({ length: 240 }, (_, i) => `5d1e4f3c-0000-4000-8000-${String(i).padStart(12, '0')}`);
const SECOND_CHUNK = IDS.slice(100, 200);

/** A listing answer holding every id the request asked for. */
function listingOf(req: RecordedRequest): Reply {
  const entities = req.query.getAll('id').map((id) => ({ ...example('constructed-campaign-get-response.json'), id }));
  return { body: { entities, pageCount: 1 } };
}

/** Answers the listing, except the first `times` requests for the second chunk, which get `failure`. */
function listingFailingSecondChunk(failure: Reply, times = Number.POSITIVE_INFINITY) {
  let failed = 0;
  return (req: RecordedRequest): Reply => (req.query.getAll('id').includes(SECOND_CHUNK[0]!) && failed++ < times ? failure : listingOf(req));
}

function apiRequests(harness: Harness) {
  return harness.server.requests.filter((r) => r.path !== '/oauth/token');
}

describe('a batched read with a failed chunk', () => {
  it('reads every other chunk and names only the campaigns of the failed one', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('GET', CAMPAIGNS, listingFailingSecondChunk(UNAVAILABLE));

    // Act
    const error = await caught(() => h!.client.getCampaigns(IDS));

    // Assess
    expect(error).toBeInstanceOf(BatchReadError);
    expect([...error.failedIds]).toEqual(SECOND_CHUNK);
    expect([...error.partial.keys()].sort()).toEqual([...IDS.slice(0, 100), ...IDS.slice(200)].sort());
    expect(error.message).toMatch(/^getOutboundCampaigns: 100 of 240 campaigns could not be read; first: Genesys Cloud did not serve getOutboundCampaigns .*HTTP 503/);
    expect(error.cause).toBeInstanceOf(GenesysUnavailableError);
    expect(error.reasons.get(SECOND_CHUNK[0]!)).toBe(error.cause.message);
    // The failed chunk: four attempts, then one more try of four; the others once each.
    expect(apiRequests(h)).toHaveLength(2 + 8);
  });

  it('tries a chunk that failed in a 5xx burst once more, and then has every campaign', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('GET', CAMPAIGNS, listingFailingSecondChunk(UNAVAILABLE, 4));

    // Act
    const campaigns = await h.client.getCampaigns(IDS);

    // Assess
    expect([...campaigns.keys()].sort()).toEqual([...IDS].sort());
    // Every attempt is counted: 1 + 1 for the good chunks, 4 + 1 for the failed one; 3 retries in the
    // transport and the chunk's one more try; the chunk's first try ended in an error.
    expect(h.client.stats).toEqual({ requests: 7, retries: 4, throttled: 0, errors: 1 });
  });

  it('does not try a failed chunk again when the deadline leaves no time for it', async () => {
    // Prepare: each answer takes 300 ms of the injected clock; no retries within a request
    h = await startHarness({ retry: { maxRetries: 0 } });
    const slow = (reply: Reply) => () => {
      h!.advance(300);
      return reply;
    };
    h.server.on('POST', PERFORMANCE, slow(UNAVAILABLE));
    const tight = h.client.withDeadline(h.clock.now + 350);
    const roomy = h.client.withDeadline(h.clock.now + 10_000);

    // Act
    const withoutTime = await caught(() => tight.getCampaignPerformance([IDS[0]!]));
    const withTime = await caught(() => roomy.getCampaignPerformance([IDS[0]!]));

    // Assess
    expect([...withoutTime.failedIds, ...withTime.failedIds]).toEqual([IDS[0], IDS[0]]);
    expect(tight.stats.requests).toBe(1);
    expect(roomy.stats.requests).toBe(2);
  });

  it('does not try again a chunk refused for lack of permission, and names its campaigns', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('GET', CAMPAIGNS, listingFailingSecondChunk(errorReply(403, 'missing.any.permissions', 'Unable to perform the requested action.')));

    // Act
    const error = await caught(() => h!.client.getCampaigns(IDS));

    // Assess
    expect(error.failedIds.size).toBe(100);
    expect(error.cause).toBeInstanceOf(GenesysPermissionError);
    expect(error.message).toContain('outbound:campaign:view');
    expect(apiRequests(h)).toHaveLength(3);
  });

  it('does not try again a chunk Genesys refused as a bad request', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('POST', AGGREGATES, errorReply(400, 'bad.request', 'Invalid query'));

    // Act
    const error = await caught(() => h!.client.getCampaignWindowStats(IDS.slice(0, 3), INTERVAL));

    // Assess
    expect(error.cause.kind).toBe('badRequest');
    expect(apiRequests(h)).toHaveLength(1);
  });

  it('does not try again a chunk still rate-limited (429) or whose fresh token was refused too (401)', async () => {
    // Prepare: a Retry-After above the 180 s cap ends the 429 at once; a 401 gets one fresh token, then ends
    h = await startHarness();
    h.server.on('POST', AGGREGATES, errorReply(429, 'too.many.requests.retry.after', 'Rate limit exceeded', { 'retry-after': '181' }));
    h.server.on('POST', PERFORMANCE, errorReply(401, 'bad.credentials', 'Invalid login credentials.'));

    // Act
    const throttled = await caught(() => h!.client.getCampaignWindowStats(IDS.slice(0, 3), INTERVAL));
    const rejected = await caught(() => h!.client.getCampaignPerformance(IDS.slice(0, 3)));

    // Assess
    expect(throttled.cause.kind).toBe('throttled');
    expect(rejected.cause.kind).toBe('auth');
    expect(h.server.to(AGGREGATES)).toHaveLength(1);
    expect(h.server.to(PERFORMANCE)).toHaveLength(2);
  });

  it('raises a BatchReadError with nothing read when every chunk failed, its cause the first chunk\'s error', async () => {
    // Prepare
    h = await startHarness({ retry: { maxRetries: 0 } });
    h.server.on('POST', AGGREGATES, (req) => {
      const first = (req.json as { filter: { predicates: Array<{ value: string }> } }).filter.predicates[0]!.value === IDS[0];
      return first ? errorReply(502, 'bad.gateway', 'first chunk down') : errorReply(504, 'gateway.timeout', 'second chunk down');
    });

    // Act
    const error = await caught(() => h!.client.getCampaignWindowStats(IDS, INTERVAL));

    // Assess
    expect(error).toBeInstanceOf(BatchReadError);
    expect(error.partial.size).toBe(0);
    expect(error.failedIds.size).toBe(240);
    expect(error.cause.status).toBe(502);
    expect(error.message).toMatch(/^postAnalyticsConversationsAggregatesQuery: 240 of 240 campaigns could not be read; first: .*HTTP 502/);
    expect(error.reasons.get(IDS[239]!)).toMatch(/HTTP 504/);
  });

  it('names the queues of a failed live-state query and a failed window query', async () => {
    // Prepare
    h = await startHarness({ retry: { maxRetries: 0 } });
    const queues = Array.from({ length: 150 }, (_, i) => `q-${i}`);
    const failSecond = (req: RecordedRequest): Reply => {
      const body = req.json as { filter: { predicates?: Array<{ value: string }>; clauses?: Array<{ predicates: Array<{ value: string }> }> } };
      const predicates = body.filter.clauses?.[0]?.predicates ?? body.filter.predicates ?? [];
      return predicates[0]!.value === 'q-100' ? UNAVAILABLE : { body: { results: [] } };
    };
    h.server.on('POST', '/api/v2/analytics/queues/observations/query', failSecond);
    h.server.on('POST', AGGREGATES, failSecond);

    // Act
    const live = await caught(() => h!.client.getQueueLiveStates(queues));
    const windows = await caught(() => h!.client.getQueueWindowStats(queues.map((queueId) => ({ queueId, thresholdMs: 20_000 })), INTERVAL));

    // Assess
    expect([...live.failedIds]).toEqual(queues.slice(100));
    expect(live.message).toMatch(/^postAnalyticsQueuesObservationsQuery: 50 of 150 queues could not be read/);
    expect([...windows.failedIds]).toEqual(queues.slice(100));
    expect(windows.partial.size).toBe(100);
  });
});

describe('the client\'s concurrency', () => {
  it('bounds the requests of every batched read together, thresholds included', async () => {
    // Prepare: answers are held until two requests are in flight (or every request has arrived)
    h = await startHarness({ concurrency: 2 });
    await h.tokens.getToken();
    const queues = Array.from({ length: 6 }, (_, i) => `q-${i}`);
    const total = queues.length + 3; // 120 campaigns: 3 performance queries of 50
    let inFlight = 0;
    let arrived = 0;
    let most = 0;
    let waiting: Array<() => void> = [];
    const hold = (reply: Reply) => async (): Promise<Reply> => {
      inFlight += 1;
      arrived += 1;
      most = Math.max(most, inFlight);
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (inFlight >= 2 || arrived === total) {
          for (const release of waiting) release();
          waiting = [];
        }
      });
      inFlight -= 1;
      return reply;
    };
    h.server.on('GET', /^\/api\/v2\/routing\/queues\//, hold({ body: { mediaSettings: { call: { serviceLevel: { durationMs: 20_000 } } } } }));
    h.server.on('POST', PERFORMANCE, hold({ body: { entities: [] } }));

    // Act
    const [thresholds] = await Promise.all([h.client.getServiceLevelThresholdsMs(queues), h.client.withDeadline(h.clock.now + 60_000).getCampaignPerformance(IDS.slice(0, 120))]);

    // Assess
    expect(thresholds.size).toBe(6);
    expect(arrived).toBe(total);
    expect(most).toBe(2);
  });
});
