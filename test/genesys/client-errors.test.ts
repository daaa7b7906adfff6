/**
 * Failures: status codes to typed errors, retries and their delays, timeouts, bad bodies,
 * redirects, the deadline, and that no secret or token ever leaks. ky waits on its own timers, so
 * delays are proven by the policy's options, by the deadline refusing them, or by short real waits.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GenesysClient } from '../../lambda/genesys/client.js';
import {
  GenesysAuthError,
  GenesysBadRequestError,
  GenesysDeadlineError,
  GenesysInvalidResponseError,
  GenesysNotFoundError,
  GenesysPermissionError,
  GenesysRejectedError,
  GenesysThrottledError,
  GenesysUnavailableError,
} from '../../lambda/genesys/errors.js';
import { DEFAULT_RETRY_POLICY, kyRetryOptions } from '../../lambda/genesys/transport.js';
import { BatchReadError, type GenesysPort } from '../../lambda/ports.js';
import {
  caught as caughtAny,
  CAMPAIGN_1,
  CLIENT_ID,
  CLIENT_SECRET,
  example,
  QUEUE_1,
  renderings,
  startHarness,
  TOKEN,
  type Harness,
} from './harness.js';
import { errorReply, LocalGenesys, tokenReply } from './local-genesys.js';

let h: Harness | undefined;
const extraServers: LocalGenesys[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const s of extraServers.splice(0)) await s.close();
});

const CAMPAIGN_PATH = `/api/v2/outbound/campaigns/${CAMPAIGN_1}`;
const OBSERVATIONS = '/api/v2/analytics/queues/observations/query';
const AGGREGATES = '/api/v2/analytics/conversations/aggregates/query';
const INTERVAL = { start: new Date('2026-05-14T09:45:00.000Z'), end: new Date('2026-05-14T10:00:00.000Z') };
const OK_OBSERVATIONS = { status: 200, body: { results: [] } };

/**
 * What `fn` threw, as the adapter's typed error: a batched read's BatchReadError is unwrapped to
 * its cause (batched-reads.test.ts checks the BatchReadError itself).
 */
async function caught(fn: () => Promise<unknown>): Promise<any> {
  const error = await caughtAny(fn);
  return error instanceof BatchReadError ? error.cause : error;
}

function apiRequests(harness: Harness) {
  return harness.server.requests.filter((r) => r.path !== '/oauth/token');
}

/** A fetch that notes when each API request leaves (performance.now), for tests of real waits. */
function timedFetch(): { fetch: typeof fetch; sentAt: number[] } {
  const sentAt: number[] = [];
  return {
    sentAt,
    fetch: (input, init) => {
      sentAt.push(performance.now());
      return fetch(input, init);
    },
  };
}

/** Milliseconds between consecutive sends. */
const gaps = (sentAt: number[]) => sentAt.slice(1).map((t, i) => t - sentAt[i]!);

function expectNoSecrets(error: unknown) {
  const text = renderings(error);
  expect(text).not.toContain(CLIENT_SECRET);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64'));
}

describe('401', () => {
  it('retries once with a fresh token, at once', async () => {
    // Prepare: a backoff (10 s) would not fit before the deadline, so only an immediate retry succeeds
    h = await startHarness({ retry: { baseDelayMs: 20_000, maxDelayMs: 20_000 } });
    h.server.on('POST', '/oauth/token', tokenReply('first-token-xxxxxxxx'), tokenReply('second-token-xxxxxxx'));
    h.server.on('PATCH', CAMPAIGN_PATH, errorReply(401, 'bad.credentials', 'Invalid login credentials.'), { status: 204 });
    const view = h.client.withDeadline(h.clock.now + 5_000);

    // Act
    await view.patchCampaignKnobs(CAMPAIGN_1, { abandonRate: 2.5 });

    // Assess
    expect(apiRequests(h).map((r) => r.headers.authorization)).toEqual(['Bearer first-token-xxxxxxxx', 'Bearer second-token-xxxxxxx']);
    expect(h.server.to('/oauth/token')).toHaveLength(2);
    expect(h.client.stats).toEqual({ requests: 2, retries: 1, throttled: 0, errors: 0 });
  });

  it('gives an auth error after the second 401, without the token or secret', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('PATCH', CAMPAIGN_PATH, errorReply(401, 'bad.credentials', 'Invalid login credentials.'));

    // Act
    const error = await caught(() => h!.client.patchCampaignKnobs(CAMPAIGN_1, { abandonRate: 2.5 }));

    // Assess
    expect(error).toBeInstanceOf(GenesysAuthError);
    expect(error).toMatchObject({ kind: 'auth', status: 401, operation: 'patchOutboundCampaign', path: CAMPAIGN_PATH, genesysCode: 'bad.credentials', correlationId: 'corr-401', attempts: 2 });
    expect(error.message).toContain('even after a fresh token was fetched');
    expect(apiRequests(h)).toHaveLength(2);
    expect(h.client.stats.errors).toBe(1);
    expectNoSecrets(error);
  });

  it('says so when no retry is left for a fresh token', async () => {
    // Prepare
    h = await startHarness({ retry: { maxRetries: 0 } });
    h.server.on('PATCH', CAMPAIGN_PATH, errorReply(401, 'bad.credentials', 'Invalid login credentials.'));

    // Act
    const error = await caught(() => h!.client.patchCampaignKnobs(CAMPAIGN_1, { abandonRate: 2.5 }));

    // Assess
    expect(error).toBeInstanceOf(GenesysAuthError);
    expect(error).toMatchObject({ status: 401, attempts: 1 });
    expect(error.message).toContain('with no retry left to try a fresh one');
    expect(apiRequests(h)).toHaveLength(1);
  });
});

describe('403 names the permission the operation needs', () => {
  const cases: Array<[string, string, string | RegExp, (port: GenesysPort) => Promise<unknown>]> = [
    ['outbound:campaign:edit', 'PATCH', CAMPAIGN_PATH, (p) => p.patchCampaignKnobs(CAMPAIGN_1, { maxCallsPerAgent: 2 })],
    ['outbound:campaign:view', 'GET', '/api/v2/outbound/campaigns', (p) => p.getCampaigns([CAMPAIGN_1])],
    ['analytics:queueObservation:view', 'POST', OBSERVATIONS, (p) => p.getQueueLiveStates([QUEUE_1])],
    ['analytics:conversationAggregate:view', 'POST', AGGREGATES, (p) => p.getCampaignWindowStats([CAMPAIGN_1], INTERVAL)],
    ['analytics:conversationAggregate:view', 'POST', AGGREGATES, (p) => p.getQueueWindowStats([{ queueId: QUEUE_1, thresholdMs: 20_000 }], INTERVAL)],
    ['routing:queue:view', 'GET', `/api/v2/routing/queues/${QUEUE_1}`, (p) => p.getServiceLevelThresholdsMs([QUEUE_1])],
    ['outbound:settings:view', 'GET', '/api/v2/outbound/settings', (p) => p.getOutboundSettings()],
  ];
  it.each(cases)('%s for %s %s', async (permission, method, path, call) => {
    // Prepare
    h = await startHarness();
    h.server.on(method, path, errorReply(403, 'missing.any.permissions', `Unable to perform the requested action. You must have at least one of the following permissions assigned: [${permission}]`));

    // Act
    const error = await caught(() => call(h!.client));

    // Assess
    expect(error).toBeInstanceOf(GenesysPermissionError);
    expect(error.kind).toBe('permission');
    expect(error.permission).toBe(permission);
    expect(error.message).toContain(`add ${permission} to the role assigned to the OAuth client`);
    expect(apiRequests(h)).toHaveLength(1);
    expectNoSecrets(error);
  });
});

describe('other 4xx', () => {
  it('400 on PATCH names the field, the value and what Genesys said, and is not retried', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('PATCH', CAMPAIGN_PATH, errorReply(400, 'invalid.property', 'maxCallsPerAgent exceeds the maximum configurable calls per agent (15)'));

    // Act
    const error = await caught(() => h!.client.patchCampaignKnobs(CAMPAIGN_1, { maxCallsPerAgent: 16 }));

    // Assess
    expect(error).toBeInstanceOf(GenesysBadRequestError);
    expect(error).toMatchObject({ kind: 'badRequest', status: 400, field: 'maxCallsPerAgent', value: 16, genesysCode: 'invalid.property' });
    expect(error.message).toContain(`maxCallsPerAgent=16 for campaign ${CAMPAIGN_1}`);
    expect(error.message).toContain('exceeds the maximum configurable calls per agent');
    expect(apiRequests(h)).toHaveLength(1);
  });

  it('404 is notFound and 409 is rejected, neither retried', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('GET', `/api/v2/routing/queues/${QUEUE_1}`, errorReply(404, 'not.found', 'The requested queue was not found.'));
    h.server.on('PATCH', CAMPAIGN_PATH, errorReply(409, 'conflict', 'Conflict'));

    // Act
    const notFound = await caught(() => h!.client.getServiceLevelThresholdsMs([QUEUE_1]));
    const rejected = await caught(() => h!.client.patchCampaignKnobs(CAMPAIGN_1, { abandonRate: 2 }));

    // Assess
    expect(notFound).toBeInstanceOf(GenesysNotFoundError);
    expect(notFound.message).toContain(`queue ${QUEUE_1}`);
    expect(rejected).toBeInstanceOf(GenesysRejectedError);
    expect(apiRequests(h)).toHaveLength(2);
  });

  it('redacts a token or secret that a server echoes into its error message', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('PATCH', CAMPAIGN_PATH, (req) => errorReply(400, 'bad', `rejected request with header ${String(req.headers.authorization)}, token ${TOKEN}, secret ${CLIENT_SECRET}`));

    // Act
    const error = await caught(() => h!.client.patchCampaignKnobs(CAMPAIGN_1, { abandonRate: 2 }));

    // Assess
    expect(error).toBeInstanceOf(GenesysBadRequestError);
    expect(error.message).toContain('[redacted]');
    expectNoSecrets(error);
  });
});

describe('429', () => {
  it('waits the Retry-After seconds, not the backoff, then succeeds', async () => {
    // Prepare: a short Retry-After, so the wait is real; the harness's backoff is 1 ms
    const timed = timedFetch();
    h = await startHarness({ fetch: timed.fetch });
    const { body } = genesys429Example();
    h.server.on('POST', OBSERVATIONS, { status: 429, headers: { 'retry-after': '0.3' }, body }, OK_OBSERVATIONS);

    // Act
    await h.client.getQueueLiveStates([QUEUE_1]);

    // Assess
    expect(gaps(timed.sentAt)[0]).toBeGreaterThanOrEqual(295);
    expect(apiRequests(h)).toHaveLength(2);
    expect(h.client.stats).toEqual({ requests: 2, retries: 1, throttled: 1, errors: 0 });
  });

  it('gives up at once when Retry-After exceeds 180 s', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('POST', OBSERVATIONS, errorReply(429, 'too.many.requests.retry.after', 'Rate limit exceeded', { 'retry-after': '181' }));

    // Act
    const error = await caught(() => h!.client.getQueueLiveStates([QUEUE_1]));

    // Assess
    expect(error).toBeInstanceOf(GenesysThrottledError);
    expect(error).toMatchObject({ kind: 'throttled', retryAfterSeconds: 181, status: 429 });
    expect(error.message).toMatch(/Retry-After 181 s exceeds the 180 s/);
    expect(apiRequests(h)).toHaveLength(1);
  });

  it('gives up at once when the Retry-After of the Genesys 429 example exceeds the time left before the deadline', async () => {
    // Prepare
    h = await startHarness();
    const { retryAfter, body } = genesys429Example();
    h.server.on('POST', OBSERVATIONS, { status: 429, headers: { 'retry-after': retryAfter }, body });
    const view = h.client.withDeadline(h.clock.now + 10_000);

    // Act
    const error = await caught(() => view.getQueueLiveStates([QUEUE_1]));

    // Assess
    expect(retryAfter).toBe('42');
    expect(error).toBeInstanceOf(GenesysThrottledError);
    expect(error).toMatchObject({ retryAfterSeconds: 42, genesysCode: 'too.many.requests.retry.after' });
    expect(error.message).toMatch(/Retry-After 42 s exceeds the 10 s left before the invocation deadline/);
    expect(view.stats).toEqual({ requests: 1, retries: 0, throttled: 1, errors: 1 });
    expect(h.client.stats).toEqual({ requests: 1, retries: 0, throttled: 1, errors: 1 });
  });
});

describe('the login host', () => {
  it('is waited for as its 429 asks: too long for the deadline gives up at once', async () => {
    // Prepare: the harness's backoff (1 ms) would retry at once; the Retry-After does not fit
    h = await startHarness();
    h.server.on('POST', '/oauth/token', { status: 429, headers: { 'retry-after': '42' }, body: { message: 'slow down' } }, tokenReply(TOKEN));
    h.server.on('POST', OBSERVATIONS, OK_OBSERVATIONS);
    const view = h.client.withDeadline(h.clock.now + 10_000);

    // Act
    const error = await caught(() => view.getQueueLiveStates([QUEUE_1]));

    // Assess
    expect(error).toBeInstanceOf(GenesysThrottledError);
    expect(error).toMatchObject({ operation: 'postAnalyticsQueuesObservationsQuery', retryAfterSeconds: 42, attempts: 0 });
    expect(error.message).toMatch(/getting an access token failed: .*Retry-After 42 s exceeds the 10 s left before the invocation deadline/);
    expect(h.server.to('/oauth/token')).toHaveLength(1);
    expect(view.stats).toEqual({ requests: 0, retries: 0, throttled: 1, errors: 1 });
  });
});

describe('5xx, timeouts and network errors', () => {
  it('backs off exponentially with full jitter, the ceiling capped before the jitter', () => {
    // Prepare
    const waits: number[] = [];
    const retry = kyRetryOptions({ ...DEFAULT_RETRY_POLICY, maxRetries: 6 }, () => 0.5, {
      shouldRetry: () => undefined,
      waitFor: (backoffMs) => (waits.push(backoffMs), backoffMs),
    });
    const jitter = retry.jitter as (ceiling: number) => number;

    // Act
    const chosen = [1, 2, 3, 7].map((n) => jitter(retry.delay!(n)));

    // Assess: random() = 0.5 of the 250, 500, 1000 ms ceilings, and of the 8 000 ms cap (not of 16 000)
    expect(chosen).toEqual([125, 250, 500, 4_000]);
    expect(waits).toEqual(chosen);
    expect(retry).toMatchObject({ limit: 6, methods: ['get', 'post', 'patch'], statusCodes: [429, 502, 503, 504], retryOnTimeout: true });
  });

  it('retries 502, 503 and 504, waiting the jittered backoff', async () => {
    // Prepare
    const timed = timedFetch();
    h = await startHarness({ fetch: timed.fetch, retry: { baseDelayMs: 40 } });
    h.server.on('POST', OBSERVATIONS, { status: 502, body: 'Bad Gateway' }, errorReply(503, 'service.unavailable', 'try later'), { status: 504, body: '' }, OK_OBSERVATIONS);

    // Act
    await h.client.getQueueLiveStates([QUEUE_1]);

    // Assess: random() = 0.5 of the 40, 80, 160 ms ceilings
    gaps(timed.sentAt).forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual([20, 40, 80][i]! - 2));
    expect(apiRequests(h)).toHaveLength(4);
    expect(h.client.stats).toEqual({ requests: 4, retries: 3, throttled: 0, errors: 0 });
  });

  it('retries a PATCH too: it sets absolute values, so sending it again is safe', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('PATCH', CAMPAIGN_PATH, errorReply(503, 'service.unavailable', 'try later'), { status: 204 });

    // Act
    await h.client.patchCampaignKnobs(CAMPAIGN_1, { abandonRate: 2.5 });

    // Assess
    expect(apiRequests(h).map((r) => r.json)).toEqual([{ abandonRate: 2.5 }, { abandonRate: 2.5 }]);
    expect(h.client.stats).toEqual({ requests: 2, retries: 1, throttled: 0, errors: 0 });
  });

  it('gives up as unavailable when the retries are used up', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('POST', AGGREGATES, errorReply(503, 'service.unavailable', 'The service is currently unavailable'));

    // Act
    const error = await caught(() => h!.client.getCampaignWindowStats([CAMPAIGN_1], INTERVAL));

    // Assess
    expect(error).toBeInstanceOf(GenesysUnavailableError);
    expect(error).toMatchObject({ kind: 'unavailable', status: 503, attempts: 4 });
    expect(error.message).toMatch(/gave up after 4 attempts/);
    // Four attempts, then the batch's one more try of the chunk, four attempts again.
    expect(apiRequests(h)).toHaveLength(8);
    expectNoSecrets(error);
  });

  it('does not retry a 500 within a request (the batch tries its chunk once more)', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('POST', AGGREGATES, errorReply(500, 'internal.server.error', 'boom'));

    // Act
    const error = await caught(() => h!.client.getCampaignWindowStats([CAMPAIGN_1], INTERVAL));

    // Assess
    expect(error).toBeInstanceOf(GenesysUnavailableError);
    expect(apiRequests(h)).toHaveLength(2);
    // The chunk's second try is the only retry: none within a request.
    expect(h.client.stats).toMatchObject({ requests: 2, retries: 1 });
  });

  it('times out a server that never answers, retries, then reports unavailable', async () => {
    // Prepare
    h = await startHarness({ requestTimeoutMs: 50, retry: { maxRetries: 1 } });
    h.server.on('GET', `/api/v2/routing/queues/${QUEUE_1}`, { hang: true });

    // Act
    const error = await caught(() => h!.client.getServiceLevelThresholdsMs([QUEUE_1]));

    // Assess
    expect(error).toBeInstanceOf(GenesysUnavailableError);
    expect(error.message).toMatch(/no complete answer within 50 ms/);
    expectNoSecrets(error);
    // Two attempts from the client's side; on a loaded machine the second may time out before
    // the server even logs it, so the server's count is only a lower bound.
    expect((error as GenesysUnavailableError).attempts).toBe(2);
    expect(apiRequests(h).length).toBeGreaterThanOrEqual(1);
    // Two attempts (one backoff) in each of the two tries of the chunk.
    expect(h.client.stats).toMatchObject({ requests: 4, retries: 3 });
  });

  it('retries a failed token request inside the API call', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('POST', '/oauth/token', { status: 503, body: { message: 'login down' } }, tokenReply(TOKEN));
    h.server.on('POST', OBSERVATIONS, OK_OBSERVATIONS);

    // Act
    await h.client.getQueueLiveStates([QUEUE_1]);

    // Assess
    expect(h.server.to('/oauth/token')).toHaveLength(2);
    expect(apiRequests(h)).toHaveLength(1);
    expect(h.client.stats).toEqual({ requests: 1, retries: 1, throttled: 0, errors: 0 });
  });

  it('times out a body that stalls after the headers, as a failed attempt that is retried', async () => {
    // Prepare: an API host that sends the headers and the start of the body, then nothing
    h = await startHarness();
    const stalling = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"results": [');
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(stalling.address() as AddressInfo).port}`;
    const client = new GenesysClient({ apiBaseUrl: url, loginBaseUrl: h.server.url, requestTimeoutMs: 50, tokens: h.tokens, now: () => h!.clock.now, retry: { maxRetries: 1, baseDelayMs: 2 } });

    // Act
    const error = await caught(() => client.getQueueLiveStates([QUEUE_1])).finally(() => {
      stalling.closeAllConnections();
      stalling.close();
    });

    // Assess
    expect(error).toBeInstanceOf(GenesysUnavailableError);
    expect(error).toMatchObject({ attempts: 2 });
    expect(error.message).toMatch(/no complete answer within 50 ms\); gave up after 2 attempts/);
    // Two attempts in each of the batch's two tries of the chunk.
    expect(client.stats).toEqual({ requests: 4, retries: 3, throttled: 0, errors: 2 });
  });

  it('reports a network failure (connection refused) as unavailable', async () => {
    // Prepare
    h = await startHarness({ retry: { maxRetries: 1 } });
    const dead = await LocalGenesys.start();
    const url = dead.url;
    await dead.close();
    const client = new GenesysClient({ apiBaseUrl: url, loginBaseUrl: h.server.url, requestTimeoutMs: 1_000, tokens: h.tokens, retry: { maxRetries: 1, baseDelayMs: 2 } });

    // Act
    const error = await caught(() => client.getQueueLiveStates([QUEUE_1]));

    // Assess
    expect(error).toBeInstanceOf(GenesysUnavailableError);
    expect(error.message).toMatch(/network error \(ECONNREFUSED\)/);
    // Two attempts, then the batch's one more try of the chunk: two attempts again.
    expect(client.stats).toEqual({ requests: 4, retries: 3, throttled: 0, errors: 2 });
  });
});

describe('unusable answers', () => {
  it('malformed JSON is invalidResponse', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('POST', OBSERVATIONS, { status: 200, headers: { 'content-type': 'application/json' }, body: '{"results": [' });

    // Act
    const error = await caught(() => h!.client.getQueueLiveStates([QUEUE_1]));

    // Assess
    expect(error).toBeInstanceOf(GenesysInvalidResponseError);
    expect(error.message).toMatch(/not valid JSON/);
    expectNoSecrets(error);
    expect(apiRequests(h)).toHaveLength(1);
  });

  it('a count of the wrong type is invalidResponse naming the field, never a NaN', async () => {
    // Prepare
    h = await startHarness();
    const body = example('constructed-queue-observations-response.json');
    body.results[0].data[2].stats.count = '3';
    h.server.on('POST', OBSERVATIONS, { body });

    // Act
    const error = await caught(() => h!.client.getQueueLiveStates([QUEUE_1]));

    // Assess
    expect(error).toBeInstanceOf(GenesysInvalidResponseError);
    expect(error.field).toBe('results[0].data[2].stats.count');
    expect(error.message).toContain('field "results[0].data[2].stats.count" must be a finite number but is the string "3"');
  });

  it('a number too large for a double (1e999) is invalidResponse, not Infinity', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('POST', AGGREGATES, {
      body: `{"results":[{"group":{"outboundCampaignId":"${CAMPAIGN_1}"},"data":[{"metrics":[{"metric":"nOutboundConnected","stats":{"count":1e999}}]}]}]}`,
    });

    // Act
    const error = await caught(() => h!.client.getCampaignWindowStats([CAMPAIGN_1], INTERVAL));

    // Assess
    expect(error).toBeInstanceOf(GenesysInvalidResponseError);
    expect(error.field).toBe('results[0].data[0].metrics[0].stats.count');
  });

  it('a used metric without a count is invalidResponse', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('POST', AGGREGATES, { body: { results: [{ group: { queueId: QUEUE_1 }, data: [{ metrics: [{ metric: 'nOffered', stats: {} }] }] }] } });

    // Act
    const error = await caught(() => h!.client.getQueueWindowStats([{ queueId: QUEUE_1, thresholdMs: 20_000 }], INTERVAL));

    // Assess
    expect(error.field).toBe('results[0].data[0].metrics[0].stats.count');
  });

  it('an unknown campaign status names the field and value', async () => {
    // Prepare
    h = await startHarness();
    const campaign = { ...example('constructed-campaign-get-response.json'), campaignStatus: 'paused' };
    h.server.on('GET', '/api/v2/outbound/campaigns', { body: { entities: [campaign], pageCount: 1 } });

    // Act
    const error = await caught(() => h!.client.getCampaigns([CAMPAIGN_1]));

    // Assess
    expect(error.kind).toBe('invalidResponse');
    expect(error.field).toBe('entities[0].campaignStatus');
    expect(error.message).toContain('but is "paused"');
  });

  it('a redirect is never followed, to another host or at all', async () => {
    // Prepare
    h = await startHarness();
    const elsewhere = await LocalGenesys.start();
    extraServers.push(elsewhere);
    elsewhere.on('POST', OBSERVATIONS, OK_OBSERVATIONS);
    h.server.on('POST', OBSERVATIONS, { status: 307, headers: { location: `${elsewhere.url}${OBSERVATIONS}` } });

    // Act
    const error = await caught(() => h!.client.getQueueLiveStates([QUEUE_1]));

    // Assess
    expect(error).toBeInstanceOf(GenesysInvalidResponseError);
    expect(error.message).toMatch(/redirect, which is never followed/);
    expectNoSecrets(error);
    expect(elsewhere.requests).toHaveLength(0);
    expect(apiRequests(h)).toHaveLength(1);
  });
});

describe('deadline', () => {
  it('starts nothing when too little time is left', async () => {
    // Prepare
    h = await startHarness();
    const view = h.client.withDeadline(h.clock.now + 50);

    // Act
    const error = await caught(() => view.patchCampaignKnobs(CAMPAIGN_1, { abandonRate: 2 }));

    // Assess
    expect(error).toBeInstanceOf(GenesysDeadlineError);
    expect(error.kind).toBe('deadline');
    expectNoSecrets(error);
    expect(h.server.requests).toHaveLength(0);
  });

  it('does not retry when the backoff would pass the deadline', async () => {
    // Prepare
    h = await startHarness({ retry: { baseDelayMs: 4_000 } });
    h.server.on('PATCH', CAMPAIGN_PATH, errorReply(503, 'service.unavailable', 'later'), { status: 204 });
    const view = h.client.withDeadline(h.clock.now + 2_000);

    // Act
    const error = await caught(() => view.patchCampaignKnobs(CAMPAIGN_1, { abandonRate: 2 }));

    // Assess
    expect(error).toBeInstanceOf(GenesysUnavailableError);
    expect(error.message).toMatch(/a retry in 2000 ms would pass the invocation deadline/);
    expect(apiRequests(h)).toHaveLength(1);
  });

  it('cuts a request\'s timeout to the time left', async () => {
    // Prepare: the default backoff (125 ms) plus the shortest attempt does not fit in the 150 ms left, so one attempt only
    h = await startHarness({ requestTimeoutMs: 10_000, retry: { baseDelayMs: DEFAULT_RETRY_POLICY.baseDelayMs } });
    h.server.on('GET', '/api/v2/outbound/settings', { hang: true });
    await h.tokens.getToken();
    const view = h.client.withDeadline(h.clock.now + 150);

    // Act
    const error = await caught(() => view.getOutboundSettings());

    // Assess
    expect(error.kind).toBe('unavailable');
    expect(error.message).toMatch(/no complete answer within 150 ms/);
    expect(apiRequests(h)).toHaveLength(1);
  });

  it('a view never extends its parent\'s deadline and counts its own stats', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('POST', OBSERVATIONS, OK_OBSERVATIONS);
    const outer = h.client.withDeadline(h.clock.now + 1_000);
    const inner = outer.withDeadline(h.clock.now + 60_000);

    // Act
    await outer.getQueueLiveStates([QUEUE_1]);
    await h.client.getQueueLiveStates([QUEUE_1]);

    // Assess
    expect(inner.deadlineEpochMs).toBe(h.clock.now + 1_000);
    expect(outer.stats.requests).toBe(1);
    expect(inner.stats.requests).toBe(0);
    expect(h.client.stats.requests).toBe(2);
  });
});

/** Header and body of test/fixtures/genesys/examples/constructed-429-response.txt. */
function genesys429Example(): { retryAfter: string; body: string } {
  const text = readFileSync(new URL('../fixtures/genesys/examples/constructed-429-response.txt', import.meta.url), 'utf8');
  return { retryAfter: /^Retry-After: (\d+)$/m.exec(text)![1]!, body: text.slice(text.indexOf('{')).trim() };
}
