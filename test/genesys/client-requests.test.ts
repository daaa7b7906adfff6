/**
 * What the client sends and how it reads the answers: exact paths, query strings, bodies and
 * headers against a local server, and the example responses from test/fixtures/genesys/examples.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GenesysBadRequestError } from '../../lambda/genesys/errors.js';
import { BatchReadError } from '../../lambda/ports.js';
import {
  caught,
  CAMPAIGN_1,
  CAMPAIGN_2,
  example,
  QUEUE_1,
  QUEUE_2,
  startHarness,
  TOKEN,
  type Harness,
} from './harness.js';
import { errorReply, LocalGenesys } from './local-genesys.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const CAMPAIGNS = '/api/v2/outbound/campaigns';
const OBSERVATIONS = '/api/v2/analytics/queues/observations/query';
const AGGREGATES = '/api/v2/analytics/conversations/aggregates/query';
const INTERVAL = { start: new Date('2026-05-14T09:45:00.000Z'), end: new Date('2026-05-14T10:00:00.000Z') };

function listing(entities: unknown[], extra: Record<string, unknown> = {}) {
  return { entities, pageSize: 25, pageNumber: 1, total: entities.length, pageCount: 1, ...extra };
}

describe('GenesysClient.getCampaigns', () => {
  it('asks for the ids in one listing call with a bearer token and maps the example campaign', async () => {
    // Prepare
    h = await startHarness();
    const campaign = example('constructed-campaign-get-response.json');
    campaign.maxCallsPerAgentDecimal = 2.35;
    h.server.on('GET', CAMPAIGNS, { body: listing([campaign]) });

    // Act
    const result = await h.client.getCampaigns([CAMPAIGN_1, CAMPAIGN_2, CAMPAIGN_1]);

    // Assess
    const [req] = h.server.to(CAMPAIGNS);
    expect(h.server.to(CAMPAIGNS)).toHaveLength(1);
    expect(req!.url).toBe(`${CAMPAIGNS}?id=${CAMPAIGN_1}&id=${CAMPAIGN_2}&pageSize=2&pageNumber=1`);
    expect(req!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(result).toEqual(
      new Map([
        [
          CAMPAIGN_1,
          {
            campaignId: CAMPAIGN_1,
            name: 'Collections Predictive',
            status: 'on',
            dialingMode: 'predictive',
            knobs: { maxCallsPerAgent: 2.35, abandonRate: 3, outboundLineCount: 40 },
            queueId: QUEUE_1,
          },
        ],
      ]),
    );
    expect(h.client.stats).toEqual({ requests: 1, retries: 0, throttled: 0, errors: 0 });
  });

  it('falls back to the integer maxCallsPerAgent and leaves absent knobs out', async () => {
    // Prepare
    h = await startHarness();
    const campaign = example('constructed-campaign-get-response.json');
    delete campaign.maxCallsPerAgentDecimal;
    delete campaign.outboundLineCount;
    campaign.maxCallsPerAgent = 2;
    h.server.on('GET', CAMPAIGNS, { body: listing([campaign]) });

    // Act
    const result = await h.client.getCampaigns([CAMPAIGN_1]);

    // Assess
    expect(result.get(CAMPAIGN_1)!.knobs).toEqual({ maxCallsPerAgent: 2, abandonRate: 3 });
  });

  it('sends at most 100 ids per request, the most Genesys pages at once', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('GET', CAMPAIGNS, { body: listing([]) });
    const ids = Array.from({ length: 120 }, (_, i) => `5d1e4f3c-0000-4000-8000-${String(i).padStart(12, '0')}`);

    // Act
    const result = await h.client.getCampaigns(ids);

    // Assess
    const sent = h.server.to(CAMPAIGNS).map((r) => r.query.getAll('id'));
    expect(sent.map((s) => s.length).sort((a, b) => a - b)).toEqual([20, 100]);
    expect(sent.flat().sort()).toEqual([...ids].sort());
    expect(result.size).toBe(0);
  });

  it('splits a request Genesys refuses as too long (414) in halves, and asks for no more after', async () => {
    // Prepare
    h = await startHarness();
    const ids = Array.from({ length: 100 }, (_, i) => `5d1e4f3c-0000-4000-8000-${String(i).padStart(12, '0')}`);
    h.server.on('GET', CAMPAIGNS, (req) => {
      const asked = req.query.getAll('id');
      if (asked.length > 50) return errorReply(414, 'request.uri.too.long', 'URI Too Long');
      return { body: listing(asked.map((id) => ({ ...(example('constructed-campaign-get-response.json') as object), id }))) };
    });

    // Act
    const first = await h.client.getCampaigns(ids);
    const sentFirst = h.server.to(CAMPAIGNS).map((r) => r.query.getAll('id').length);
    const second = await h.client.getCampaigns(ids);

    // Assess
    expect([...first.keys()].sort()).toEqual([...ids].sort());
    expect(sentFirst).toEqual([100, 50, 50]);
    expect([...second.keys()].sort()).toEqual([...ids].sort());
    expect(h.server.to(CAMPAIGNS).map((r) => r.query.getAll('id').length).slice(3)).toEqual([50, 50]);
  });

  it('follows pages by pageNumber on the same path, never by the nextUri in the body', async () => {
    // Prepare
    h = await startHarness();
    const elsewhere = await LocalGenesys.start();
    try {
      const second = { ...example('constructed-campaign-get-response.json'), id: CAMPAIGN_2 };
      const first = example('constructed-campaign-get-response.json');
      const nextUri = `${elsewhere.url}/api/v2/outbound/campaigns?pageNumber=2`;
      h.server.on(
        'GET',
        CAMPAIGNS,
        { body: listing([first], { pageSize: 1, pageCount: 2, nextUri, selfUri: nextUri, lastUri: nextUri }) },
        { body: listing([second], { pageSize: 1, pageNumber: 2, pageCount: 2, nextUri }) },
      );

      // Act
      const result = await h.client.getCampaigns([CAMPAIGN_1, CAMPAIGN_2]);

      // Assess
      expect([...result.keys()]).toEqual([CAMPAIGN_1, CAMPAIGN_2]);
      expect(h.server.requests.filter((r) => r.path !== '/oauth/token').map((r) => r.url)).toEqual([
        `${CAMPAIGNS}?id=${CAMPAIGN_1}&id=${CAMPAIGN_2}&pageSize=2&pageNumber=1`,
        `${CAMPAIGNS}?id=${CAMPAIGN_1}&id=${CAMPAIGN_2}&pageSize=2&pageNumber=2`,
      ]);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('ignores campaigns it did not ask for', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('GET', CAMPAIGNS, { body: listing([{ ...example<Record<string, unknown>>('constructed-campaign-get-response.json'), id: 'someone-else' }]) });

    // Act
    const result = await h.client.getCampaigns([CAMPAIGN_1]);

    // Assess
    expect(result.size).toBe(0);
  });

  it('makes no request for an empty list', async () => {
    // Prepare
    h = await startHarness();

    // Act
    const result = await h.client.getCampaigns([]);

    // Assess
    expect(result.size).toBe(0);
    expect(h.server.requests).toHaveLength(0);
  });
});

describe('GenesysClient.getServiceLevelThresholdsMs', () => {
  it('reads mediaSettings.call.serviceLevel.durationMs and caches it for an hour', async () => {
    // Prepare
    h = await startHarness();
    const odd = 'queue/with?odd#chars';
    h.server.on('GET', /^\/api\/v2\/routing\/queues\//, {
      body: { id: QUEUE_1, name: 'Outbound Collections', mediaSettings: { call: { serviceLevel: { percentage: 0.8, durationMs: 20_000 }, alertingTimeoutSeconds: 8 } } },
    });

    // Act
    const first = await h.client.getServiceLevelThresholdsMs([odd]);
    h.advance(59 * 60_000);
    const cached = await h.client.withDeadline(h.clock.now + 10_000).getServiceLevelThresholdsMs([odd]);
    h.advance(2 * 60_000);
    const refetched = await h.client.getServiceLevelThresholdsMs([odd]);

    // Assess
    expect([first, cached, refetched]).toEqual([new Map([[odd, 20_000]]), new Map([[odd, 20_000]]), new Map([[odd, 20_000]])]);
    const requests = h.server.requests.filter((r) => r.path !== '/oauth/token');
    expect(requests.map((r) => r.url)).toEqual([`/api/v2/routing/queues/${encodeURIComponent(odd)}`, `/api/v2/routing/queues/${encodeURIComponent(odd)}`]);
  });

  it('reads each queue once, however often it is named, and only the queues not cached', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('GET', /^\/api\/v2\/routing\/queues\//, (req) => ({
      body: { mediaSettings: { call: { serviceLevel: { durationMs: req.path.endsWith(QUEUE_1) ? 20_000 : 30_000 } } } },
    }));
    await h.client.getServiceLevelThresholdsMs([QUEUE_1]);

    // Act
    const thresholds = await h.client.getServiceLevelThresholdsMs([QUEUE_1, QUEUE_2, QUEUE_2]);

    // Assess
    expect(thresholds).toEqual(new Map([[QUEUE_1, 20_000], [QUEUE_2, 30_000]]));
    expect(h.server.requests.filter((r) => r.path !== '/oauth/token').map((r) => r.path)).toEqual([`/api/v2/routing/queues/${QUEUE_1}`, `/api/v2/routing/queues/${QUEUE_2}`]);
  });

  it('names the queue and the field when a queue has no call service level, and returns the others', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('GET', `/api/v2/routing/queues/${QUEUE_1}`, { body: { id: QUEUE_1, mediaSettings: { chat: {} } } });
    h.server.on('GET', `/api/v2/routing/queues/${QUEUE_2}`, { body: { id: QUEUE_2, mediaSettings: { call: { serviceLevel: { durationMs: 30_000 } } } } });
    h.server.on('GET', '/api/v2/routing/queues/q-cached', { body: { mediaSettings: { call: { serviceLevel: { durationMs: 10_000 } } } } });
    await h.client.getServiceLevelThresholdsMs(['q-cached']);

    // Act
    const error = await caught(() => h!.client.getServiceLevelThresholdsMs([QUEUE_1, QUEUE_2, 'q-cached']));

    // Assess
    expect(error).toBeInstanceOf(BatchReadError);
    expect([...error.failedIds]).toEqual([QUEUE_1]);
    expect(error.partial).toEqual(new Map([['q-cached', 10_000], [QUEUE_2, 30_000]]));
    expect(error.cause.kind).toBe('invalidResponse');
    expect(error.cause.field).toBe('mediaSettings.call.serviceLevel.durationMs');
    expect(error.message).toMatch(/^getRoutingQueue: 1 of 3 queues could not be read; first: .*mediaSettings\.call\.serviceLevel\.durationMs.*set a call service level on queue /);
    expect(error.reasons.get(QUEUE_1)).toContain(`queue ${QUEUE_1}`);
  });
});

describe('GenesysClient.getQueueLiveStates', () => {
  it('sends one observations query with an or-filter of queueId predicates and reads the constructed example', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('POST', OBSERVATIONS, { body: example('constructed-queue-observations-response.json') });

    // Act
    const states = await h.client.getQueueLiveStates([QUEUE_1, QUEUE_2]);

    // Assess
    const reqs = h.server.to(OBSERVATIONS);
    expect(reqs).toHaveLength(1);
    expect(reqs[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(reqs[0]!.headers['content-type']).toMatch(/^application\/json/);
    expect(reqs[0]!.json).toEqual({
      filter: {
        type: 'or',
        predicates: [
          { type: 'dimension', dimension: 'queueId', operator: 'matches', value: QUEUE_1 },
          { type: 'dimension', dimension: 'queueId', operator: 'matches', value: QUEUE_2 },
        ],
      },
      metrics: ['oWaiting', 'oOnQueueUsers', 'oInteracting', 'oLongestInteracting'],
    });
    // Queue 2 was not in the answer: absent, not invented zeros.
    expect(states).toEqual(new Map([[QUEUE_1, { queueId: QUEUE_1, waiting: 2, idleAgents: 3, onQueueAgents: 15, interacting: 12 }]]));
  });

  it('reads the official example: metrics a queue did not report count zero', async () => {
    // Prepare
    h = await startHarness();
    const queue = '1d1af111-b11c-11f1-b111-1cf1c11111fc';
    h.server.on('POST', OBSERVATIONS, { body: example('official-queue-observations-response.json') });

    // Act
    const states = await h.client.getQueueLiveStates([queue]);

    // Assess
    expect(states.get(queue)).toEqual({ queueId: queue, waiting: 0, idleAgents: 0, onQueueAgents: 0, interacting: 1 });
  });

  it('splits more than 100 queues into queries of at most 100', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('POST', OBSERVATIONS, { body: { results: [] } });
    const ids = Array.from({ length: 250 }, (_, i) => `q-${i}`);

    // Act
    await h.client.getQueueLiveStates(ids);

    // Assess
    const sizes = h.server.to(OBSERVATIONS).map((r) => (r.json as { filter: { predicates: unknown[] } }).filter.predicates.length);
    expect(sizes.sort((a, b) => a - b)).toEqual([50, 100, 100]);
  });
});

describe('GenesysClient.getQueueWindowStats', () => {
  it('sends one aggregates query with interval, voice and queue filters, and one rangeBound view per threshold', async () => {
    // Prepare
    h = await startHarness();
    const response = example('constructed-conversation-aggregates-response.json');
    response.results[0].data[0].views = [
      { name: 'tAnsweredWithin20000ms', stats: { count: 86 } },
      { name: 'tAnsweredWithin30000ms', stats: { count: 90 } },
    ];
    h.server.on('POST', AGGREGATES, { body: response });

    // Act
    const stats = await h.client.getQueueWindowStats(
      [
        { queueId: QUEUE_1, thresholdMs: 20_000 },
        { queueId: QUEUE_2, thresholdMs: 30_000 },
      ],
      INTERVAL,
    );

    // Assess
    const reqs = h.server.to(AGGREGATES);
    expect(reqs).toHaveLength(1);
    expect(reqs[0]!.json).toEqual({
      interval: '2026-05-14T09:45:00.000Z/2026-05-14T10:00:00.000Z',
      groupBy: ['queueId'],
      filter: {
        type: 'and',
        predicates: [{ type: 'dimension', dimension: 'mediaType', operator: 'matches', value: 'voice' }],
        clauses: [
          {
            type: 'or',
            predicates: [
              { type: 'dimension', dimension: 'queueId', operator: 'matches', value: QUEUE_1 },
              { type: 'dimension', dimension: 'queueId', operator: 'matches', value: QUEUE_2 },
            ],
          },
        ],
      },
      metrics: ['nOffered', 'tAnswered', 'tAbandon', 'tHandle'],
      views: [
        { target: 'tAnswered', name: 'tAnsweredWithin20000ms', function: 'rangeBound', range: { lt: 20_000 } },
        { target: 'tAnswered', name: 'tAnsweredWithin30000ms', function: 'rangeBound', range: { lt: 30_000 } },
      ],
    });
    expect(reqs[0]!.json).not.toHaveProperty('granularity');
    expect(stats).toEqual(
      new Map([
        [QUEUE_1, { queueId: QUEUE_1, offered: 96, answered: 92, answeredWithinThreshold: 86, abandoned: 4, handled: 88, handleMs: 19_360_000 }],
        [QUEUE_2, { queueId: QUEUE_2, offered: 0, answered: 0, answeredWithinThreshold: 0, abandoned: 0, handled: 0, handleMs: 0 }],
      ]),
    );
  });

  it('sums several buckets of one queue', async () => {
    // Prepare
    h = await startHarness();
    const bucket = (offered: number, within: number) => ({
      interval: 'x',
      metrics: [{ metric: 'nOffered', stats: { count: offered } }, { metric: 'tAnswered', stats: { count: offered - 1, sum: 1, max: 1, min: 1 } }],
      views: [{ name: 'tAnsweredWithin15000ms', stats: { count: within } }],
    });
    h.server.on('POST', AGGREGATES, { body: { results: [{ group: { queueId: QUEUE_1 }, data: [bucket(10, 7), bucket(5, 3)] }] } });

    // Act
    const stats = await h.client.getQueueWindowStats([{ queueId: QUEUE_1, thresholdMs: 15_000 }], INTERVAL);

    // Assess
    expect(stats.get(QUEUE_1)).toEqual({ queueId: QUEUE_1, offered: 15, answered: 13, answeredWithinThreshold: 10, abandoned: 0, handled: 0, handleMs: 0 });
  });

  it('reads the official example (a chat group is not counted as voice) and Genesys\'s empty answer', async () => {
    // Prepare
    h = await startHarness();
    const queue = 'c6fc6f57-4c1e-4812-980a-5154f500b5c6';
    const official = example('official-conversation-aggregates-response.json');
    const asVoice = example('official-conversation-aggregates-response.json');
    asVoice.results[0].group.mediaType = 'voice';
    h.server.on('POST', AGGREGATES, { body: official }, { body: asVoice }, { body: {} });
    const queues = [{ queueId: queue, thresholdMs: 20_000 }];

    // Act
    const chat = await h.client.getQueueWindowStats(queues, INTERVAL);
    const voice = await h.client.getQueueWindowStats(queues, INTERVAL);
    const empty = await h.client.getQueueWindowStats(queues, INTERVAL);

    // Assess
    expect(chat.get(queue)).toMatchObject({ offered: 0, answered: 0 });
    expect(voice.get(queue)).toMatchObject({ queueId: queue, offered: 5, answered: 5, answeredWithinThreshold: 0, abandoned: 0 });
    expect(empty.get(queue)).toEqual({ queueId: queue, offered: 0, answered: 0, answeredWithinThreshold: 0, abandoned: 0, handled: 0, handleMs: 0 });
  });

  it('refuses a bad interval or threshold before sending', async () => {
    // Prepare
    h = await startHarness();

    // Act
    const backwards = await caught(() => h!.client.getQueueWindowStats([{ queueId: QUEUE_1, thresholdMs: 20_000 }], { start: INTERVAL.end, end: INTERVAL.start }));
    const nan = await caught(() => h!.client.getQueueWindowStats([{ queueId: QUEUE_1, thresholdMs: Number.NaN }], INTERVAL));

    // Assess
    expect(backwards).toBeInstanceOf(GenesysBadRequestError);
    expect(nan).toBeInstanceOf(GenesysBadRequestError);
    expect(nan.field).toBe('thresholdMs');
    expect(h.server.requests).toHaveLength(0);
  });
});

describe('GenesysClient.getCampaignMinuteStats', () => {
  it('asks for PT1M buckets, and refuses an interval off the minute before sending anything', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('POST', AGGREGATES, { body: { results: [{ group: { outboundCampaignId: CAMPAIGN_1 }, data: [{ interval: '2026-05-14T09:59:00.000Z/2026-05-14T10:00:00.000Z', metrics: [{ metric: 'nOutboundConnected', stats: { count: 4 } }] }] }] } });

    // Act
    const stats = await h.client.getCampaignMinuteStats([CAMPAIGN_1], INTERVAL);
    const offMinute = h.client.getCampaignMinuteStats([CAMPAIGN_1], { start: new Date(INTERVAL.start.getTime() + 1_000), end: INTERVAL.end });

    // Assess
    expect(h.server.to(AGGREGATES)[0]!.json).toMatchObject({ granularity: 'PT1M' });
    expect(stats.get(CAMPAIGN_1)!.minutes.get(Date.parse('2026-05-14T09:59:00Z'))).toEqual({ attempted: 0, connected: 4, abandoned: 0 });
    await expect(offMinute).rejects.toThrow(/must start and end on a minute/);
    expect(h.server.to(AGGREGATES)).toHaveLength(1);
  });
});

describe('GenesysClient.getCampaignWindowStats', () => {
  it('groups by outboundCampaignId with an or-filter and reads the outbound counts', async () => {
    // Prepare
    h = await startHarness();
    const metrics = example('constructed-conversation-aggregates-response.json').results[0].data[0].metrics;
    h.server.on('POST', AGGREGATES, { body: { results: [{ group: { outboundCampaignId: CAMPAIGN_1 }, data: [{ interval: 'x', metrics }] }] } });

    // Act
    const stats = await h.client.getCampaignWindowStats([CAMPAIGN_1, CAMPAIGN_2], INTERVAL);

    // Assess
    expect(h.server.to(AGGREGATES)[0]!.json).toEqual({
      interval: '2026-05-14T09:45:00.000Z/2026-05-14T10:00:00.000Z',
      groupBy: ['outboundCampaignId'],
      filter: {
        type: 'or',
        predicates: [
          { type: 'dimension', dimension: 'outboundCampaignId', operator: 'matches', value: CAMPAIGN_1 },
          { type: 'dimension', dimension: 'outboundCampaignId', operator: 'matches', value: CAMPAIGN_2 },
        ],
      },
      metrics: ['nOutboundAttempted', 'nOutboundConnected', 'nOutboundAbandoned'],
    });
    expect(stats).toEqual(
      new Map([
        [CAMPAIGN_1, { campaignId: CAMPAIGN_1, attempted: 410, connected: 96, abandoned: 3 }],
        [CAMPAIGN_2, { campaignId: CAMPAIGN_2, attempted: 0, connected: 0, abandoned: 0 }],
      ]),
    );
  });
});

describe('GenesysClient.patchCampaignKnobs with one knob', () => {
  it('PATCHes exactly one field and accepts a 204 with no body, which confirms no value', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('PATCH', `${CAMPAIGNS}/${CAMPAIGN_1}`, { status: 204 });

    // Act
    const held = await h.client.patchCampaignKnobs(CAMPAIGN_1, { maxCallsPerAgent: 2.5 });

    // Assess
    expect(held).toEqual({});
    const [req] = h.server.to(`${CAMPAIGNS}/${CAMPAIGN_1}`, 'PATCH');
    expect(req!.body).toBe('{"maxCallsPerAgent":2.5}');
    expect(Object.keys(req!.json as object)).toEqual(['maxCallsPerAgent']);
    expect(req!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req!.headers['content-type']).toMatch(/^application\/json/);
  });

  it('accepts a 200, even one with a body holding no knob, and encodes the id in the path', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('PATCH', /^\/api\/v2\/outbound\/campaigns\//, { status: 200, body: { anything: true } });

    // Act
    const held = [await h.client.patchCampaignKnobs('a/b', { outboundLineCount: 30 }), await h.client.patchCampaignKnobs('c', { abandonRate: 2.75 })];

    // Assess
    expect(held).toEqual([{}, {}]);
    const patches = h.server.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => [r.url, r.body])).toEqual([
      [`${CAMPAIGNS}/a%2Fb`, '{"outboundLineCount":30}'],
      [`${CAMPAIGNS}/c`, '{"abandonRate":2.75}'],
    ]);
  });

  it('refuses a fractional outboundLineCount, a non-finite value and a dot-segment id before sending', async () => {
    // Prepare
    h = await startHarness();

    // Act
    const fractional = await caught(() => h!.client.patchCampaignKnobs(CAMPAIGN_1, { outboundLineCount: 30.5 }));
    const nan = await caught(() => h!.client.patchCampaignKnobs(CAMPAIGN_1, { maxCallsPerAgent: Number.NaN }));
    const dotSegment = await caught(() => h!.client.patchCampaignKnobs('..', { maxCallsPerAgent: 2 }));

    // Assess
    expect(fractional).toBeInstanceOf(GenesysBadRequestError);
    expect(fractional.field).toBe('outboundLineCount');
    expect(fractional.value).toBe(30.5);
    expect(fractional.message).toMatch(/outboundLineCount must be a whole number of lines, got 30.5/);
    expect(nan).toBeInstanceOf(GenesysBadRequestError);
    expect(dotSegment).toBeInstanceOf(GenesysBadRequestError);
    expect(h.server.requests).toHaveLength(0);
  });
});
