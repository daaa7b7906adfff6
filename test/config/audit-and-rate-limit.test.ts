import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lambda/config/config.js';
import { configWith } from '../support/config.js';

describe('audit retention and Genesys rate limit in the configuration', () => {
  it('defaults to 24 months of audit entries and Genesys\'s 300 requests per minute', () => {
    // Act
    const config = configWith();

    // Assess
    expect(config.auditRetentionDays).toBe(730);
    expect(config.genesys.requestsPerMinute).toBe(300);
  });

  it('takes other values', () => {
    // Act
    const config = configWith([{}], { auditRetentionDays: 1095, genesys: { localBaseUrl: 'http://127.0.0.1:1', requestsPerMinute: 600 } });

    // Assess
    expect(config.auditRetentionDays).toBe(1095);
    expect(config.genesys.requestsPerMinute).toBe(600);
  });

  it.each([
    [{ auditRetentionDays: 7 }, /auditRetentionDays: must be at least 30 days/],
    [{ auditRetentionDays: 730.5 }, /auditRetentionDays: must be a whole number of days, e.g. 730/],
    [{ auditRetentionDays: '24 months' }, /auditRetentionDays: must be how many days audit entries are kept/],
    [{ genesys: { localBaseUrl: 'http://127.0.0.1:1', requestsPerMinute: 10 } }, /genesys\.requestsPerMinute: must be at least 30/],
  ])('refuses %j, naming the field and the fix', (extra, message) => {
    // Act
    const attempt = () => configWith([{}], extra as never);

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });
});
