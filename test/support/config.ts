import { parsePacingConfig, type CampaignConfig, type PacingConfig } from '../../lambda/config/config.js';
import type { PacingConfigInput } from '../../lambda/config/schema.js';

export const QUEUE_ID = '5d1e4f3c-0000-4000-8000-00000000a001';
export const CAMPAIGN_ID = '5d1e4f3c-0000-4000-8000-00000000c001';

type CampaignInput = PacingConfigInput['campaigns'][number];

/** A valid configuration around the given campaigns (an inbound service-level campaign by default). */
export function configWith(campaigns: Partial<CampaignInput>[] = [{}], extra: Partial<PacingConfigInput> = {}): PacingConfig {
  return parsePacingConfig({
    genesys: { localBaseUrl: 'http://127.0.0.1:1' },
    secretName: 'genesys-pacing/test',
    ...extra,
    campaigns: campaigns.map((c, i) => ({
      campaignId: i === 0 ? CAMPAIGN_ID : `5d1e4f3c-0000-4000-8000-${String(i).padStart(12, '0')}`,
      objective: { kind: 'inboundServiceLevel', queueId: QUEUE_ID },
      setpoint: 0.8,
      ...c,
    })),
  });
}

/** One resolved campaign. */
export function campaignWith(overrides: Partial<CampaignInput> = {}): CampaignConfig {
  return configWith([overrides]).campaigns[0]!;
}
