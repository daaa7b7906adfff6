/**
 * Every `reason` a campaign's tick report can carry, as a value: the README's troubleshooting
 * table is checked against this list, so a new reason cannot ship unexplained. The type
 * `CampaignReport['reason']` in tick.ts must stay equal to {@link CampaignReason} (checked in
 * test/readme/readme.test.ts) until tick.ts takes its union from here.
 */
export const CAMPAIGN_REASONS = [
  'pid',
  'override',
  'compliance',
  'blind-safe-value',
  'initialised',
  'manual-change',
  'restart-after-gap',
  'restart-after-blind',
  'dead-band',
  'unchanged',
  'sample-too-small',
  'no-data',
  'stale-data',
  'campaign-not-on',
  'knob-missing',
  'knob-outside-bounds',
  'out-of-order',
  'write-deferred',
  'duplicate-event',
  'older-than-stored-tick',
  'concurrent-invocation',
  'event-in-future',
  'campaign-not-found',
  'read-failed',
  'write-failed',
  'state-save-failed',
] as const;

/** Why a campaign's tick wrote, held, skipped or failed. */
export type CampaignReason = (typeof CAMPAIGN_REASONS)[number];
