/**
 * Each campaign of a listing page is validated on its own, and only in the fields pacing uses: a
 * campaign whose status, dialing mode or knob pacing cannot read is named alone, the rest of its
 * page is used, and unknown values of fields pacing does not read pass.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GenesysInvalidResponseError } from '../../lambda/genesys/errors.js';
import { BatchReadError } from '../../lambda/ports.js';
import { caught, CAMPAIGN_1, CAMPAIGN_2, example, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const CAMPAIGNS = '/api/v2/outbound/campaigns';
const CAMPAIGN_3 = '5d1e4f3c-0000-4000-8000-00000000c003';
const CAMPAIGN_4 = '5d1e4f3c-0000-4000-8000-00000000c004';
const CAMPAIGN_5 = '5d1e4f3c-0000-4000-8000-00000000c005';

function campaign(id: string, changes: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...example('constructed-campaign-get-response.json'), id, ...changes };
}

describe('GenesysClient.getCampaigns, one campaign at a time', () => {
  it('names only the campaigns whose used fields are unusable, and uses the rest of the page', async () => {
    // Prepare
    h = await startHarness();
    const entities = [
      campaign(CAMPAIGN_1),
      campaign(CAMPAIGN_2, { campaignStatus: 'paused' }),
      campaign(CAMPAIGN_3, { dialingMode: 'hyperdrive' }),
      campaign(CAMPAIGN_4, { maxCallsPerAgentDecimal: '2.5' }),
      // Values pacing does not read: a new phone column type, a new sort direction, a numeric name.
      campaign(CAMPAIGN_5, { phoneColumns: [{ columnName: 'Sat', type: 'satellite' }], contactSorts: [{ fieldName: 'x', direction: 'SIDEWAYS' }], name: 42 }),
    ];
    h.server.on('GET', CAMPAIGNS, { body: { entities, pageCount: 1 } });
    const ids = [CAMPAIGN_1, CAMPAIGN_2, CAMPAIGN_3, CAMPAIGN_4, CAMPAIGN_5];

    // Act
    const error = await caught(() => h!.client.getCampaigns(ids));

    // Assess
    expect(error).toBeInstanceOf(BatchReadError);
    expect([...error.partial.keys()]).toEqual([CAMPAIGN_1, CAMPAIGN_5]);
    expect(error.partial.get(CAMPAIGN_5)).toEqual({ campaignId: CAMPAIGN_5, status: 'on', dialingMode: 'predictive', knobs: { maxCallsPerAgent: 3, abandonRate: 3, outboundLineCount: 40 }, queueId: '5d1e4f3c-0000-4000-8000-00000000a001' });
    expect([...error.failedIds]).toEqual([CAMPAIGN_2, CAMPAIGN_3, CAMPAIGN_4]);
    expect(error.reasons.get(CAMPAIGN_2)).toContain(`campaign ${CAMPAIGN_2}: field "campaignStatus" must be one of "on", "stopping", "off"`);
    expect(error.reasons.get(CAMPAIGN_2)).toContain('but is "paused"');
    expect(error.reasons.get(CAMPAIGN_3)).toContain(`campaign ${CAMPAIGN_3}: field "dialingMode"`);
    expect(error.reasons.get(CAMPAIGN_3)).toContain('but is "hyperdrive"');
    expect(error.reasons.get(CAMPAIGN_4)).toContain(`campaign ${CAMPAIGN_4}: field "maxCallsPerAgentDecimal" must be a finite number but is the string "2.5"`);
    expect(error.message).toMatch(new RegExp(`^getOutboundCampaigns: 3 of 5 campaigns could not be read; first: .*campaign ${CAMPAIGN_2}: field "campaignStatus"`));
    expect(error.cause).toBeInstanceOf(GenesysInvalidResponseError);
    expect(error.cause.field).toBe('entities[1].campaignStatus');
    expect(h.server.to(CAMPAIGNS)).toHaveLength(1);
  });

  it('keeps paging while a page held only unusable campaigns, and does not take them for deleted', async () => {
    // Prepare
    h = await startHarness();
    h.server.on(
      'GET',
      CAMPAIGNS,
      { body: { entities: [campaign(CAMPAIGN_1, { campaignStatus: 'paused' })], pageSize: 1, pageCount: 2 } },
      { body: { entities: [campaign(CAMPAIGN_2)], pageSize: 1, pageNumber: 2, pageCount: 2 } },
    );

    // Act
    const error = await caught(() => h!.client.getCampaigns([CAMPAIGN_1, CAMPAIGN_2]));

    // Assess
    expect([...error.partial.keys()]).toEqual([CAMPAIGN_2]);
    expect([...error.failedIds]).toEqual([CAMPAIGN_1]);
    expect(h.server.to(CAMPAIGNS)).toHaveLength(2);
  });

  it('fails the whole page when a campaign\'s id cannot be read: which campaign it is cannot be told', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('GET', CAMPAIGNS, { body: { entities: [campaign(CAMPAIGN_1), campaign(CAMPAIGN_2, { id: 7 })], pageCount: 1 } });

    // Act
    const error = await caught(() => h!.client.getCampaigns([CAMPAIGN_1, CAMPAIGN_2]));

    // Assess
    expect([...error.failedIds]).toEqual([CAMPAIGN_1, CAMPAIGN_2]);
    expect(error.partial.size).toBe(0);
    expect(error.cause.field).toBe('entities[1].id');
    expect(error.message).toContain('field "entities[1].id" must be a campaign id but is the number 7');
  });
});
