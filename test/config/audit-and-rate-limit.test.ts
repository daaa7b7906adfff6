import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lambda/config/config.js';
import { configWith } from '../support/config.js';

describe('audit retention and Genesys rate limit in the configuration', () => {
  it('defaults to five years of audit entries (the US Telemarketing Sales Rule) and Genesys\'s 300 requests per minute', () => {
    // Act
    const config = configWith();

    // Assess: 1827 days reach the fifth anniversary of any day, leap days included
    expect(config.auditRetentionDays).toBe(1827);
    for (const start of ['2024-10-15', '2027-03-01', '2028-02-29', '2031-12-31']) {
      const fifthAnniversary = new Date(`${start}T00:00:00Z`);
      fifthAnniversary.setUTCFullYear(fifthAnniversary.getUTCFullYear() + 5);
      const kept = Date.parse(`${start}T00:00:00Z`) + config.auditRetentionDays * 86_400_000;
      expect(kept, `an entry of ${start}`).toBeGreaterThanOrEqual(fifthAnniversary.getTime());
    }
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
    [{ auditRetentionDays: 730.5 }, /auditRetentionDays: must be a whole number of days, e.g. 1827 for five years/],
    [{ auditRetentionDays: 3654 }, /auditRetentionDays: must be at most 3653 days \(ten years\)/],
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
