/**
 * The request bodies the adapter builds, checked against the SDK-derived JSON schemas in
 * test/fixtures/genesys (tightened so a misspelt field fails), and the response mappers checked
 * on the fixture examples and on generated answers.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  answeredWithinViewName,
  campaignAggregatesQuery,
  mapCampaignAggregates,
  mapQueueAggregates,
  mapQueueObservations,
  queueAggregatesQuery,
  queueObservationQuery,
} from '../../lambda/genesys/analytics.js';
import { campaignPatchBody } from '../../lambda/genesys/campaigns.js';
import { ResponseShapeError } from '../../lambda/genesys/responses.js';
import { example, QUEUE_1, QUEUE_2 } from './harness.js';

type JsonSchema = { definitions: Record<string, Record<string, unknown>> };

function schemaFile(name: string): JsonSchema {
  return JSON.parse(readFileSync(new URL(`../fixtures/genesys/${name}`, import.meta.url), 'utf8')) as JsonSchema;
}

/** A validator for one definition, with additionalProperties: false on every object that lists its properties. */
function strictValidator(file: string, definition: string) {
  const schema = structuredClone(schemaFile(file));
  for (const def of Object.values(schema.definitions)) {
    if (def.type === 'object' && def.properties && def.additionalProperties === undefined) def.additionalProperties = false;
  }
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  return ajv.compile({ $ref: `#/definitions/${definition}`, definitions: schema.definitions });
}

const INTERVAL = { start: new Date('2026-05-14T09:45:00.000Z'), end: new Date('2026-05-14T10:00:00.000Z') };

describe('request bodies match the Genesys schemas', () => {
  it('the queue observations query is a valid QueueObservationQuery', () => {
    // Prepare
    const validate = strictValidator('analytics-queue-observations.schema.json', 'QueueObservationQuery');

    // Act
    const ok = validate(queueObservationQuery([QUEUE_1, QUEUE_2]));

    // Assess
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('both aggregates queries are valid ConversationAggregationQuery bodies', () => {
    // Prepare
    const validate = strictValidator('analytics-conversation-aggregates.schema.json', 'ConversationAggregationQuery');
    const queues = queueAggregatesQuery(
      [
        { queueId: QUEUE_1, thresholdMs: 20_000 },
        { queueId: QUEUE_2, thresholdMs: 12_500.5 },
      ],
      INTERVAL,
    );
    const campaigns = campaignAggregatesQuery(['c1', 'c2'], INTERVAL);

    // Act
    const results = [validate(queues) ? [] : validate.errors, validate(campaigns) ? [] : validate.errors];

    // Assess
    expect(results).toEqual([[], []]);
  });

  it('the constructed example requests validate too (the validator is not vacuous)', () => {
    // Prepare
    const aggregates = strictValidator('analytics-conversation-aggregates.schema.json', 'ConversationAggregationQuery');
    const observations = strictValidator('analytics-queue-observations.schema.json', 'QueueObservationQuery');

    // Act
    const good = [aggregates(example('constructed-conversation-aggregates-request.json')), observations(example('constructed-queue-observations-request.json'))];
    const misspelt = aggregates({ interval: 'a/b', metrics: ['nOffered'], groupby: ['queueId'] });
    const badMetric = observations({ filter: { type: 'or' }, metrics: ['oWaitingg'] });

    // Assess
    expect(good).toEqual([true, true]);
    expect([misspelt, badMetric]).toEqual([false, false]);
  });

  it('every PATCH body is a valid CampaignPatchRequest with only the knobs asked for', () => {
    // Prepare
    const validate = strictValidator('outbound-campaigns.schema.json', 'CampaignPatchRequest');

    // Act
    const single = [campaignPatchBody({ maxCallsPerAgent: 2.5 }), campaignPatchBody({ abandonRate: 3 }), campaignPatchBody({ outboundLineCount: 30 })];
    const both = campaignPatchBody({ outboundLineCount: 12, abandonRate: 2.4 });

    // Assess
    for (const body of single) {
      expect(validate(body)).toBe(true);
      expect(Object.keys(body)).toHaveLength(1);
    }
    expect(validate(both)).toBe(true);
    expect(both).toEqual({ outboundLineCount: 12, abandonRate: 2.4 });
  });

  it('view names are unique per threshold and free of dots', () => {
    // Prepare
    const thresholds = [20_000, 20_000.5, 30_000];

    // Act
    const names = thresholds.map(answeredWithinViewName);

    // Assess
    expect(new Set(names).size).toBe(3);
    expect(names.every((n) => /^tAnsweredWithin[0-9_]+ms$/.test(n))).toBe(true);
  });
});

describe('response mappers', () => {
  it('read the constructed and official observation examples', () => {
    // Prepare
    const constructed = example('constructed-queue-observations-response.json');
    const official = example('official-queue-observations-response.json');

    // Act
    const a = mapQueueObservations(constructed, [QUEUE_1]);
    const b = mapQueueObservations(official, ['1d1af111-b11c-11f1-b111-1cf1c11111fc']);

    // Assess
    expect(a.get(QUEUE_1)).toEqual({ queueId: QUEUE_1, waiting: 2, idleAgents: 3, onQueueAgents: 15, interacting: 12 });
    // One voice conversation interacting; the chat one is not counted.
    expect(b.get('1d1af111-b11c-11f1-b111-1cf1c11111fc')).toEqual({ queueId: '1d1af111-b11c-11f1-b111-1cf1c11111fc', waiting: 0, idleAgents: 0, onQueueAgents: 0, interacting: 1 });
  });

  it("read oLongestInteracting's calculatedMetricValue as the longest-connected call's time, and leave it out when Genesys gives none or one no call's time can be", () => {
    // Prepare
    const body = (stats: Record<string, number>) => ({
      results: [{ group: { queueId: QUEUE_1, mediaType: 'voice' }, data: [{ metric: 'oInteracting', stats: { count: 3 } }, { metric: 'oLongestInteracting', stats }] }],
    });

    const without = { queueId: QUEUE_1, waiting: 0, idleAgents: 0, onQueueAgents: 0, interacting: 3 };

    // Act
    const given = mapQueueObservations(body({ count: 3, calculatedMetricValue: 720_000 }), [QUEUE_1]).get(QUEUE_1);
    const absent = mapQueueObservations(body({ count: 3 }), [QUEUE_1]).get(QUEUE_1);
    // Values no call's time can be: the rest of the answer still reads.
    const implausible = [-5, 0, Date.parse('2026-12-07T10:00:00Z')].map((ms) => mapQueueObservations(body({ count: 3, calculatedMetricValue: ms }), [QUEUE_1]).get(QUEUE_1));

    // Assess
    expect(given).toEqual({ ...without, longestInteractingMs: 720_000 });
    expect(absent).toEqual(without);
    expect(implausible).toEqual([without, without, without]);
  });

  it('sum generated buckets exactly and never produce NaN', () => {
    const count = fc.nat({ max: 10_000 });
    const bucket = fc.record({
      offered: fc.option(count, { nil: undefined }),
      answered: fc.option(count, { nil: undefined }),
      abandoned: fc.option(count, { nil: undefined }),
      within: fc.option(count, { nil: undefined }),
      handled: fc.option(count, { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(bucket, { maxLength: 6 }), fc.integer({ min: 1, max: 60_000 }), (buckets, thresholdMs) => {
        // Prepare
        const view = answeredWithinViewName(thresholdMs);
        const metric = (name: string, n: number | undefined) => (n === undefined ? [] : [{ metric: name, stats: { count: n, sum: n * 10 } }]);
        const body = {
          results: [
            {
              group: { queueId: QUEUE_1, mediaType: 'voice' },
              data: buckets.map((b) => ({
                interval: 'x',
                metrics: [...metric('nOffered', b.offered), ...metric('tAnswered', b.answered), ...metric('tAbandon', b.abandoned), ...metric('tHandle', b.handled)],
                views: b.within === undefined ? [] : [{ name: view, stats: { count: b.within } }],
              })),
            },
          ],
        };
        const sum = (k: keyof (typeof buckets)[number]) => buckets.reduce((acc, b) => acc + (b[k] ?? 0), 0);

        // Act
        const stats = mapQueueAggregates(body, [{ queueId: QUEUE_1, thresholdMs }]).get(QUEUE_1)!;

        // Assess
        expect(stats).toEqual({ queueId: QUEUE_1, offered: sum('offered'), answered: sum('answered'), answeredWithinThreshold: sum('within'), abandoned: sum('abandoned'), handled: sum('handled'), handleMs: 10 * sum('handled') });
        expect(Object.values(stats).every((v) => typeof v === 'string' || Number.isFinite(v))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('reject any non-count where a count is used, naming the field', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constant(null), fc.constant(-1), fc.boolean(), fc.constant({}), fc.constant([1])),
        (bad) => {
          // Prepare
          const body = { results: [{ group: { outboundCampaignId: 'c1' }, data: [{ metrics: [{ metric: 'nOutboundConnected', stats: { count: bad } }] }] }] };

          // Act
          let thrown: unknown;
          try {
            mapCampaignAggregates(body, ['c1']);
          } catch (error) {
            thrown = error;
          }

          // Assess
          expect(thrown).toBeInstanceOf(ResponseShapeError);
          expect((thrown as ResponseShapeError).field).toBe('results[0].data[0].metrics[0].stats.count');
        },
      ),
      { numRuns: 50 },
    );
  });
});
