/**
 * The campaign performance query (live dialer figures, 50 campaigns per request) and the
 * multi-knob PATCH, against a local server. The example response is CONSTRUCTED to match the
 * SDK-derived CampaignPerformanceDataListing schema (test/fixtures/genesys); it was not captured
 * from a live org.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readCampaignPerformance } from '../../lambda/genesys/campaigns.js';
import { GenesysBadRequestError, GenesysInvalidResponseError } from '../../lambda/genesys/errors.js';
import { BatchReadError } from '../../lambda/ports.js';
import { schemaErrors } from '../sim/genesys-schemas.js';
import { caught, CAMPAIGN_1, CAMPAIGN_2, example, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const PERFORMANCE = '/api/v2/outbound/campaigns/performance/query';
const EXAMPLE = 'constructed-campaign-performance-response.json';

describe('the constructed performance example', () => {
  it('conforms to CampaignPerformanceDataListing', () => {
    expect(schemaErrors('outbound-campaigns.schema.json', 'CampaignPerformanceDataListing', example(EXAMPLE))).toEqual([]);
  });
});

describe('GenesysClient.getCampaignPerformance', () => {
  it('posts the ids as a JSON array and reads the figures, leaving out what Genesys did not report', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('POST', PERFORMANCE, { body: example(EXAMPLE) });

    // Act
    const figures = await h.client.getCampaignPerformance([CAMPAIGN_1, CAMPAIGN_2, CAMPAIGN_1]);

    // Assess
    const reqs = h.server.to(PERFORMANCE, 'POST');
    expect(reqs).toHaveLength(1);
    expect(reqs[0]!.json).toEqual([CAMPAIGN_1, CAMPAIGN_2]);
    expect(figures).toEqual(
      new Map([
        [CAMPAIGN_1, { campaignId: CAMPAIGN_1, connectRatio: 0.2239, idleAgents: 3, effectiveIdleAgents: 4.6, adjustedCallsPerAgent: 2.1, outstandingCalls: 9 }],
        [CAMPAIGN_2, { campaignId: CAMPAIGN_2, outstandingCalls: 0 }],
      ]),
    );
  });

  it('asks for at most 50 campaigns per request', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('POST', PERFORMANCE, { body: { entities: [] } });
    const ids = Array.from({ length: 120 }, (_, i) => `c-${i}`);

    // Act
    const figures = await h.client.getCampaignPerformance(ids);

    // Assess
    const sizes = h.server.to(PERFORMANCE).map((r) => (r.json as string[]).length);
    expect(sizes.sort((a, b) => a - b)).toEqual([20, 50, 50]);
    expect(figures.size).toBe(0);
  });

  it('when one campaign\'s figure is not a number, names that campaign, the field and the value, and returns the others', async () => {
    // Prepare
    h = await startHarness();
    const bad = example(EXAMPLE);
    bad.entities[0].idleAgents = 'three';
    h.server.on('POST', PERFORMANCE, { body: bad });

    // Act
    const error = await caught(() => h!.client.getCampaignPerformance([CAMPAIGN_1, CAMPAIGN_2]));

    // Assess
    expect(error).toBeInstanceOf(BatchReadError);
    expect([...error.failedIds]).toEqual([CAMPAIGN_1]);
    expect([...error.partial.keys()]).toEqual([CAMPAIGN_2]);
    expect(error.message).toContain(`campaign ${CAMPAIGN_1}: field "idleAgents" must be a finite number but is the string "three"`);
    expect(error.cause).toBeInstanceOf(GenesysInvalidResponseError);
    expect(error.cause.field).toBe('entities[0].idleAgents');
  });

  it('fails the whole answer when an entity\'s campaign id cannot be read: which campaign it is cannot be told', async () => {
    // Prepare
    h = await startHarness();
    const bad = example(EXAMPLE);
    delete bad.entities[1].campaign.id;
    h.server.on('POST', PERFORMANCE, { body: bad });

    // Act
    const error = await caught(() => h!.client.getCampaignPerformance([CAMPAIGN_1, CAMPAIGN_2]));

    // Assess
    expect([...error.failedIds]).toEqual([CAMPAIGN_1, CAMPAIGN_2]);
    expect(error.partial.size).toBe(0);
    expect(error.cause.field).toBe('entities[1].campaign.id');
  });
});

describe('readCampaignPerformance', () => {
  it('ignores campaigns that were not asked for, and an answer with no entities', () => {
    expect([...readCampaignPerformance(example(EXAMPLE), [CAMPAIGN_2]).usable.keys()]).toEqual([CAMPAIGN_2]);
    expect(readCampaignPerformance({}, [CAMPAIGN_1]).usable.size).toBe(0);
  });
});

describe('GenesysClient.patchCampaignKnobs', () => {
  it('moves two knobs in one PATCH carrying only their fields', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('PATCH', `/api/v2/outbound/campaigns/${CAMPAIGN_1}`, { status: 204 });

    // Act
    await h.client.patchCampaignKnobs(CAMPAIGN_1, { outboundLineCount: 12, abandonRate: 2.4 });

    // Assess
    const reqs = h.server.requests.filter((r) => r.method === 'PATCH');
    expect(reqs).toHaveLength(1);
    expect(reqs[0]!.json).toEqual({ outboundLineCount: 12, abandonRate: 2.4 });
  });

  it('returns the values an answering Campaign says it holds, for the knobs sent, the decimal field first', async () => {
    // Prepare: Genesys rounded maxCallsPerAgent and clamped outboundLineCount
    h = await startHarness();
    const campaign = { ...example('constructed-campaign-get-response.json'), maxCallsPerAgent: 2, maxCallsPerAgentDecimal: 2.3, outboundLineCount: 30, abandonRate: 3 };
    h.server.on('PATCH', `/api/v2/outbound/campaigns/${CAMPAIGN_1}`, { status: 200, body: campaign });

    // Act
    const held = await h.client.patchCampaignKnobs(CAMPAIGN_1, { maxCallsPerAgent: 2.25, outboundLineCount: 45 });

    // Assess
    expect(held).toEqual({ maxCallsPerAgent: 2.3, outboundLineCount: 30 });
  });

  it('confirms nothing from an answer that is not JSON, or whose knob fields are unusable: the write was applied', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('PATCH', `/api/v2/outbound/campaigns/${CAMPAIGN_1}`, { status: 200, body: 'OK' }, { status: 200, body: { maxCallsPerAgentDecimal: 'two', maxCallsPerAgent: 2, abandonRate: -1 } });

    // Act
    const notJson = await h.client.patchCampaignKnobs(CAMPAIGN_1, { abandonRate: 2 });
    const unusable = await h.client.patchCampaignKnobs(CAMPAIGN_1, { maxCallsPerAgent: 2, abandonRate: 2 });

    // Assess
    expect(notJson).toEqual({});
    expect(unusable).toEqual({ maxCallsPerAgent: 2 });
    expect(h.client.stats).toEqual({ requests: 2, retries: 0, throttled: 0, errors: 0 });
  });

  it('refuses an empty PATCH, or any bad value, before sending', async () => {
    // Prepare
    h = await startHarness();

    // Act
    const empty = await caught(() => h!.client.patchCampaignKnobs(CAMPAIGN_1, {}));
    const fractional = await caught(() => h!.client.patchCampaignKnobs(CAMPAIGN_1, { abandonRate: 2, outboundLineCount: 2.5 }));

    // Assess
    expect(empty).toBeInstanceOf(GenesysBadRequestError);
    expect(fractional).toBeInstanceOf(GenesysBadRequestError);
    expect(fractional.field).toBe('outboundLineCount');
    expect(h.server.requests).toHaveLength(0);
  });
});
