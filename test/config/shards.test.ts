import { describe, expect, it } from 'vitest';
import { ConfigError, parsePacingConfig } from '../../lambda/config/config.js';
import { shardCapacity, steadyReadsPerTick, tickRequestBudget } from '../../lambda/config/shards.js';
import { scaleControllerCampaigns } from '../../bench/scale-scenario.js';
import { configWith } from '../support/config.js';

const id = (i: number) => `5d1e4f3c-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** `n` abandon-rate campaigns (ids id(0)..id(n-1)) split into the given shards. */
function sharded(n: number, shards: unknown[] | undefined, extra: Record<string, unknown> = {}) {
  return {
    genesys: { localBaseUrl: 'http://127.0.0.1:1' },
    ...extra,
    campaigns: Array.from({ length: n }, (_, i) => ({ campaignId: id(i), objective: { kind: 'abandonRate' }, setpoint: 0.025 })),
    ...(shards ? { shards } : {}),
  };
}

const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => id(from + i));

/** The problems a configuration is refused with. */
function problems(raw: unknown): string[] {
  try {
    parsePacingConfig(raw, 'test');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('the configuration was accepted');
}

describe('shards in the configuration', () => {
  it('makes a configuration without shards one default shard of every campaign, with the top-level secret', () => {
    // Act
    const config = configWith([{}, {}], { secretName: 'genesys/one' });

    // Assess
    expect(config.shards).toEqual([
      { name: 'default', declared: false, secretName: 'genesys/one', schedule: 'rate(1 minute)', campaignIds: config.campaigns.map((c) => c.campaignId) },
    ]);
  });

  it('resolves declared shards with their secrets and schedules', () => {
    // Prepare
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys/west-AbC123';

    // Act
    const config = parsePacingConfig(
      sharded(4, [
        { name: 'east', secretName: 'genesys/east', campaignIds: ids(0, 2) },
        { name: 'west', secretArn: arn, schedule: 'rate(2 minutes)', campaignIds: ids(2, 4) },
      ]),
    );

    // Assess
    expect(config.shards).toEqual([
      { name: 'east', declared: true, secretName: 'genesys/east', schedule: 'rate(1 minute)', campaignIds: ids(0, 2) },
      { name: 'west', declared: true, secretArn: arn, schedule: 'rate(2 minutes)', campaignIds: ids(2, 4) },
    ]);
  });

  it('refuses a campaign in two shards, naming both and the fix', () => {
    // Act
    const found = problems(sharded(2, [{ name: 'a', campaignIds: ids(0, 2) }, { name: 'b', campaignIds: [id(1)] }]));

    // Assess
    expect(found).toEqual([`shards[1].campaignIds[0]: campaign ${id(1)} is in shard "a" and in shard "b": keep it in one of them (two functions would pace it at once)`]);
  });

  it('refuses a shard listing a campaign that is not configured, and a campaign in no shard', () => {
    // Act
    const found = problems(sharded(2, [{ name: 'a', campaignIds: [id(0), id(7)] }]));

    // Assess
    expect(found).toEqual([
      `shards[0].campaignIds[1]: shard "a" lists campaign ${id(7)}, which is not in "campaigns": configure it there or remove it from the shard`,
      `shards: campaign(s) ${id(1)} are in no shard, so nothing would pace them: add each to one shard's campaignIds`,
    ]);
  });

  it('refuses shards sharing a name or a secret, a top-level secretName beside shards, and a bad name or schedule', () => {
    // Act
    const found = problems(
      sharded(
        3,
        [
          { name: 'a', secretName: 's', campaignIds: [id(0)] },
          { name: 'a', secretName: 's', campaignIds: [id(1)] },
          { name: 'East_1', schedule: 'every minute', campaignIds: [id(2)] },
        ],
        { secretName: 'top' },
      ),
    );

    // Assess
    expect(found).toEqual([
      'shards[2].name: must be 1 to 24 lower-case letters, digits and hyphens, starting with a letter or digit, e.g. "east"',
      'shards[2].schedule: must be an EventBridge schedule expression: "rate(1 minute)", "rate(2 minutes)" or "cron(...)"',
      'secretName: cannot be used with "shards": each shard has its own OAuth client; give it as shards[].secretName (or leave it out for a new secret)',
      'shards[1].name: "a" is also the name of shards[0]: give each shard its own name',
      'shards[1]: shard "a" uses the secret of shard "a" (s): shards sharing an OAuth client share its rate limit; give each shard its own client and secret',
    ]);
  });

  it('counts a tick\'s reads as the scale benchmark measured them: 12 at 500 campaigns on 20 queues', () => {
    // Prepare: the benchmark's own configuration (docs/scale.md, "Shards": reads later max 12 at 500 campaigns)
    const config = parsePacingConfig({
      genesys: { localBaseUrl: 'http://127.0.0.1:1' },
      defaults: { windowMinutes: 15, minSample: 10, deadBand: 0.002 },
      campaigns: scaleControllerCampaigns(500),
    });

    // Act / Assess
    // 5 campaign pages of 100, 5 per-minute aggregates queries, 1 queue window query, 1 observations
    // query; no dialer figures, as no campaign paces lines or feeds forward from the dialer.
    expect(steadyReadsPerTick(config.campaigns)).toBe(12);
    expect(steadyReadsPerTick(config.campaigns.slice(0, 100))).toBe(4);
    // With no per-minute query, one query per window length per 100 campaigns: 26
    expect(steadyReadsPerTick(config.campaigns, 0)).toBe(26);
  });

  it('refuses a shard whose reads and a PATCH for half its campaigns exceed one client\'s tick budget, naming the shard and how many it serves', () => {
    // Prepare: 300 requests a minute leave 270 a tick; 516 abandon-rate campaigns need 12 reads, 12 + 516 / 2 = 270
    const fits = sharded(518, [{ name: 'big', campaignIds: ids(0, 516) }, { name: 'rest', campaignIds: ids(516, 518) }]);
    const over = sharded(518, [{ name: 'rest', campaignIds: ids(517, 518) }, { name: 'big', campaignIds: ids(0, 517) }]);

    // Act
    const accepted = parsePacingConfig(fits);
    const found = problems(over);

    // Assess
    expect(tickRequestBudget(300)).toBe(270);
    expect(shardCapacity(accepted.campaigns, 300)).toBe(516);
    expect(found).toEqual([
      'shards[1] ("big"): 517 campaigns need 12 reads and 259 PATCHes a tick (a write for each within 2 ticks), over the 270 requests one OAuth client may send a tick ' +
        '(90% of genesys.requestsPerMinute, 300): one shard serves at most 516 of them; move 1 to another shard with its own OAuth client (docs/scale.md, "Shards")',
    ]);
  });

  it('keeps a configuration without shards valid whatever its size: its writes beyond the budget wait a tick, as before', () => {
    // Act / Assess
    expect(parsePacingConfig(sharded(600, undefined)).shards[0]!.campaignIds).toHaveLength(600);
  });
});
