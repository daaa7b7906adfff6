/**
 * The scripted Genesys of the whole-tick tests (test/support/fake-genesys.ts), read through the
 * adapter: its outbound settings, and a knob it stores as told (clamped, as a Genesys that did would).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GenesysClient, TokenProvider } from '../../lambda/genesys/index.js';
import { startFakeGenesys, type FakeGenesys } from '../support/fake-genesys.js';

const CAMPAIGN = 'c-1';
let fake: FakeGenesys | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function adapterFor(f: FakeGenesys): GenesysClient {
  const tokens = new TokenProvider({ loginBaseUrl: f.baseUrl, credentials: async () => ({ clientId: f.clientId, clientSecret: f.clientSecret }), requestTimeoutMs: 2_000 });
  return new GenesysClient({ apiBaseUrl: f.baseUrl, loginBaseUrl: f.baseUrl, requestTimeoutMs: 2_000, tokens });
}

describe('the whole-tick fake', () => {
  it('serves outbound settings a test can change, and restores them on reset', async () => {
    // Prepare
    fake = await startFakeGenesys();
    fake.outboundSettings.abandonSeconds = 3;

    // Act
    const changed = await adapterFor(fake).getOutboundSettings();
    fake.reset();
    const restored = await adapterFor(fake).getOutboundSettings();

    // Assess
    expect(changed).toMatchObject({ abandonSeconds: 3, maxCallsPerAgent: 15, complianceAbandonRateDenominator: 'ALL_CALLS' });
    expect(restored.abandonSeconds).toBe(2);
  });

  it('stores a PATCHed knob clamped when told to, and answers 204', async () => {
    // Prepare
    fake = await startFakeGenesys();
    fake.campaigns.set(CAMPAIGN, { id: CAMPAIGN, campaignStatus: 'on', dialingMode: 'predictive', maxCallsPerAgent: 2, abandonRate: 3, outboundLineCount: 30, version: 1 });
    fake.knobStorage = { maxCallsPerAgent: { max: 2.5 } };
    const genesys = adapterFor(fake);

    // Act
    const held = await genesys.patchCampaignKnobs(CAMPAIGN, { maxCallsPerAgent: 3 });
    const read = await genesys.getCampaigns([CAMPAIGN]);

    // Assess
    expect(held).toEqual({});
    expect(read.get(CAMPAIGN)!.knobs.maxCallsPerAgent).toBe(2.5);
  });
});
