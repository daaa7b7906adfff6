/**
 * Contract tests: the official Genesys JavaScript SDK (purecloud-platform-client-v2), pointed at the
 * twin, logs in with client credentials and calls every operation the controller needs. Every JSON
 * answer must conform to the SDK-derived schemas in test/fixtures/genesys (tightened: no unknown fields).
 */
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type Twin } from '../../sim/emulator/server.js';
import { fixtureExample, schemaErrors } from './genesys-schemas.js';

const CAMPAIGN = '5d1e4f3c-0000-4000-8000-00000000c001';
const OUTBOUND_QUEUE = '5d1e4f3c-0000-4000-8000-00000000a001';
const INBOUND_QUEUE = '5d1e4f3c-0000-4000-8000-00000000a002';
const SCENARIO = new URL('../../sim/scenarios/blended-surge.json', import.meta.url).pathname;

const OUTBOUND = 'outbound-campaigns.schema.json';
const AGGREGATES = 'analytics-conversation-aggregates.schema.json';
const OBSERVATIONS = 'analytics-queue-observations.schema.json';

// The SDK's types declare only ApiClient on the module; the API classes exist at run time.
type Sdk = {
  ApiClient: { instance: SdkClient };
  OutboundApi: new () => Record<string, (...args: unknown[]) => Promise<unknown>>;
  AnalyticsApi: new () => Record<string, (...args: unknown[]) => Promise<unknown>>;
  RoutingApi: new () => Record<string, (...args: unknown[]) => Promise<unknown>>;
};
type SdkClient = {
  setGateway(g: { host: string; protocol: string; port: number }): void;
  loginClientCredentialsGrant(id: string, secret: string): Promise<{ accessToken: string }>;
};
const sdk = platformClient as unknown as Sdk;

let twin: Twin;
let outbound: Record<string, (...args: unknown[]) => Promise<unknown>>;
let analytics: Record<string, (...args: unknown[]) => Promise<unknown>>;
let routing: Record<string, (...args: unknown[]) => Promise<unknown>>;

beforeAll(async () => {
  twin = await startTwin({ scenario: SCENARIO, seed: 7 });
  // Two simulated hours, so every metric has data.
  twin.advanceTo(2 * 3_600_000);
  const url = new URL(twin.baseUrl);
  const client = sdk.ApiClient.instance;
  client.setGateway({ host: url.hostname, protocol: 'http', port: Number(url.port) });
  await client.loginClientCredentialsGrant(twin.clientId, twin.clientSecret);
  outbound = new sdk.OutboundApi();
  analytics = new sdk.AnalyticsApi();
  routing = new sdk.RoutingApi();
});

afterAll(async () => {
  await twin.close();
});

describe('the official SDK against the twin', () => {
  it('lists campaigns by id as a CampaignEntityListing', async () => {
    // Act
    const listing = (await outbound.getOutboundCampaigns!({ id: [CAMPAIGN], pageSize: 25, pageNumber: 1 })) as { entities: Array<{ id: string }>; total: number };

    // Assess
    expect(schemaErrors(OUTBOUND, 'CampaignEntityListing', listing)).toEqual([]);
    expect(listing.total).toBe(1);
    expect(listing.entities[0]!.id).toBe(CAMPAIGN);
  });

  it('gets a campaign, PATCHes a knob (204, version bumped) and sees the new value', async () => {
    // Prepare
    const before = (await outbound.getOutboundCampaign!(CAMPAIGN)) as { version: number };

    // Act
    const patched = await outbound.patchOutboundCampaign!(CAMPAIGN, { maxCallsPerAgent: 1.75 });
    const after = (await outbound.getOutboundCampaign!(CAMPAIGN)) as { version: number; maxCallsPerAgentDecimal: number; maxCallsPerAgent: number };

    // Assess
    expect(schemaErrors(OUTBOUND, 'Campaign', before)).toEqual([]);
    expect(schemaErrors(OUTBOUND, 'Campaign', after)).toEqual([]);
    expect(patched).toBeFalsy();
    expect(after.version).toBe(before.version + 1);
    expect(after.maxCallsPerAgentDecimal).toBe(1.75);
    expect(after.maxCallsPerAgent).toBe(1);
    expect(twin.sim.campaign(CAMPAIGN)!.maxCallsPerAgent).toBe(1.75);
  });

  it('rejects a PUT with a stale version with 409 and an ErrorBody, and accepts the current one', async () => {
    // Prepare
    const current = (await outbound.getOutboundCampaign!(CAMPAIGN)) as Record<string, unknown> & { version: number };

    // Act
    const stale = await outbound.putOutboundCampaign!(CAMPAIGN, { ...current, version: current.version - 1 }).catch((e: unknown) => e);
    const updated = (await outbound.putOutboundCampaign!(CAMPAIGN, { ...current, abandonRate: 2.5 })) as { version: number; abandonRate: number };

    // Assess
    expect(stale).toMatchObject({ status: 409 });
    expect(schemaErrors(OUTBOUND, 'ErrorBody', stale)).toEqual([]);
    expect(schemaErrors(OUTBOUND, 'Campaign', updated)).toEqual([]);
    expect(updated.version).toBe(current.version + 1);
    expect(updated.abandonRate).toBe(2.5);
  });

  it('gets campaign stats and the batched performance query', async () => {
    // Act
    const stats = (await outbound.getOutboundCampaignStats!(CAMPAIGN)) as { contactRate: { attempts: number; connects: number } };
    const performance = (await outbound.postOutboundCampaignsPerformanceQuery!([CAMPAIGN])) as { entities: Array<{ campaign: { id: string } }> };

    // Assess
    expect(schemaErrors(OUTBOUND, 'CampaignStats', stats)).toEqual([]);
    expect(schemaErrors(OUTBOUND, 'CampaignPerformanceDataListing', performance)).toEqual([]);
    expect(stats.contactRate.attempts).toBeGreaterThan(stats.contactRate.connects);
    expect(performance.entities.map((e) => e.campaign.id)).toEqual([CAMPAIGN]);
  });

  it('gets the line distribution and the organisation outbound settings', async () => {
    // Act
    const lines = (await outbound.getOutboundCampaignLinedistribution!(CAMPAIGN)) as { maxOutboundLineCount: number; reservedLines: number };
    const settings = (await outbound.getOutboundSettings!()) as { maxConfigurableCallsPerAgent: number; abandonSeconds: number };

    // Assess
    expect(schemaErrors(OUTBOUND, 'CampaignOutboundLinesDistribution', lines)).toEqual([]);
    expect(schemaErrors(OUTBOUND, 'OutboundSettings', settings)).toEqual([]);
    expect(lines).toMatchObject({ maxOutboundLineCount: 300, reservedLines: 40 });
    expect(settings).toMatchObject({ maxConfigurableCallsPerAgent: 15, abandonSeconds: 2, maxLineUtilization: 1, complianceAbandonRateDenominator: 'ALL_CALLS' });
  });

  it('gets a routing queue with its call service level', async () => {
    // Act
    const queue = (await routing.getRoutingQueue!(INBOUND_QUEUE)) as { mediaSettings: { call: { serviceLevel: unknown } } };

    // Assess
    expect(schemaErrors('routing-queue.schema.json', 'Queue', queue)).toEqual([]);
    expect(queue.mediaSettings.call.serviceLevel).toEqual({ percentage: 0.8, durationMs: 20_000 });
  });

  it('answers the queue observations query of the fixture example', async () => {
    // Prepare
    const query = JSON.parse(fixtureExample('constructed-queue-observations-request.json')) as unknown;

    // Act
    const answer = (await analytics.postAnalyticsQueuesObservationsQuery!(query)) as { results: Array<{ group: Record<string, string> }> };

    // Assess
    expect(schemaErrors(OBSERVATIONS, 'QueueObservationQuery', query)).toEqual([]);
    expect(schemaErrors(OBSERVATIONS, 'QueueObservationQueryResponse', answer)).toEqual([]);
    expect(answer.results.map((r) => r.group)).toEqual([
      { queueId: OUTBOUND_QUEUE },
      { queueId: OUTBOUND_QUEUE, mediaType: 'voice' },
      { queueId: INBOUND_QUEUE },
      { queueId: INBOUND_QUEUE, mediaType: 'voice' },
    ]);
  });

  it('answers the conversation aggregates query of the fixture example, with a rangeBound view', async () => {
    // Prepare: the example's query, moved onto the simulated day and given a view.
    const query = JSON.parse(fixtureExample('constructed-conversation-aggregates-request.json')) as Record<string, unknown>;
    query.interval = '2026-05-14T08:00:00.000Z/2026-05-14T10:00:00.000Z';
    query.groupBy = ['queueId', 'outboundCampaignId'];
    query.filter = {
      type: 'or',
      predicates: [
        { type: 'dimension', dimension: 'queueId', operator: 'matches', value: INBOUND_QUEUE },
        { type: 'dimension', dimension: 'outboundCampaignId', operator: 'matches', value: CAMPAIGN },
      ],
    };
    query.views = [{ target: 'tAnswered', name: 'answeredWithin20s', function: 'rangeBound', range: { lt: 20_000 } }];

    // Act
    const answer = (await analytics.postAnalyticsConversationsAggregatesQuery!(query)) as {
      results: Array<{ group: Record<string, string>; data: Array<{ metrics: Array<{ metric: string }>; views?: Array<{ name: string }> }> }>;
    };

    // Assess
    expect(schemaErrors(AGGREGATES, 'ConversationAggregationQuery', query)).toEqual([]);
    expect(schemaErrors(AGGREGATES, 'ConversationAggregateQueryResponse', answer)).toEqual([]);
    const inbound = answer.results.find((r) => r.group.queueId === INBOUND_QUEUE && !r.group.outboundCampaignId)!;
    const campaign = answer.results.find((r) => r.group.outboundCampaignId === CAMPAIGN)!;
    expect(inbound.data).toHaveLength(8);
    expect(inbound.data[0]!.metrics.map((m) => m.metric)).toEqual(expect.arrayContaining(['nOffered', 'tAnswered', 'oServiceLevel', 'tHandle']));
    expect(inbound.data[0]!.metrics.map((m) => m.metric)).not.toContain('nOutboundAttempted');
    expect(inbound.data[0]!.views?.[0]?.name).toBe('answeredWithin20s');
    expect(campaign.data[0]!.metrics.map((m) => m.metric)).toEqual(expect.arrayContaining(['nOutboundAttempted', 'nOutboundConnected']));
  });

  it('answers an unknown campaign with 404 and an ErrorBody', async () => {
    // Act
    const error = await outbound.getOutboundCampaign!('5d1e4f3c-0000-4000-8000-0000000000ff').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ status: 404, code: 'not.found' });
    expect(schemaErrors(OUTBOUND, 'ErrorBody', error)).toEqual([]);
  });
});
