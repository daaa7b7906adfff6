/**
 * The campaign performance query (live dialer figures, 50 campaigns per request) and the
 * multi-knob PATCH, against a local server. The example response is CONSTRUCTED to match the
 * SDK-derived CampaignPerformanceDataListing schema (test/fixtures/genesys); it was not captured
 * from a live org.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mapCampaignPerformance } from '../../lambda/genesys/campaigns.js';
import { GenesysBadRequestError, GenesysInvalidResponseError } from '../../lambda/genesys/errors.js';
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

  it('names the field when a figure is not a number', async () => {
    // Prepare
    h = await startHarness();
    const bad = example(EXAMPLE);
    bad.entities[0].idleAgents = 'three';
    h.server.on('POST', PERFORMANCE, { body: bad });

    // Act
    const error = await caught(() => h!.client.getCampaignPerformance([CAMPAIGN_1]));

    // Assess
    expect(error).toBeInstanceOf(GenesysInvalidResponseError);
    expect(error.message).toMatch(/entities\[0\]\.idleAgents/);
  });
});

describe('mapCampaignPerformance', () => {
  it('ignores campaigns that were not asked for, and an answer with no entities', () => {
    expect([...mapCampaignPerformance(example(EXAMPLE), [CAMPAIGN_2]).keys()]).toEqual([CAMPAIGN_2]);
    expect(mapCampaignPerformance({}, [CAMPAIGN_1]).size).toBe(0);
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
