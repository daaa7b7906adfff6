import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lambda/config/config.js';
import { configWith } from '../support/config.js';

describe('metrics in the configuration', () => {
  it('publishes fleet-level metrics only unless per-campaign metrics are asked for', () => {
    // Act
    const byDefault = configWith();
    const perCampaign = configWith([{}], { metrics: { perCampaign: true } });

    // Assess
    expect(byDefault.metrics).toEqual({ perCampaign: false });
    expect(perCampaign.metrics).toEqual({ perCampaign: true });
  });

  it.each([
    [{ metrics: { perCampaign: 'yes' } }, /metrics\.perCampaign: must be true \(8 CloudWatch metrics per campaign, billed each\) or false/],
    [{ metrics: { perCampaing: true } }, /metrics: unknown field\(s\) "perCampaing"/],
  ])('refuses %j, naming the field and the fix', (extra, message) => {
    // Act
    const attempt = () => configWith([{}], extra as never);

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });
});
