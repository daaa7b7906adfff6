/**
 * CloudWatch Logs Insights queries over the function's log group: each campaign's detail without a
 * custom metric per campaign. Every campaign's tick is one JSON log line carrying its report
 * (lambda/observability.ts), so these read what the per-campaign metrics would have held, and more.
 * The README lists them; the dashboard draws the first two.
 */

/** A campaign's measurement, setpoint, knob and regulatory-window abandon rate over time, averaged per 5 minutes. */
export function campaignOverTimeQuery(campaignId: string): string {
  return [
    `filter campaignId = "${campaignId}"`,
    '| stats avg(measured) as measured, avg(setpoint) as setpoint, avg(newValue) as knob, avg(compliance.windowRate) as windowRate by bin(5m)',
  ].join('\n');
}

/** Campaigns that were blind or failed in the range: how many ticks, the longest blind run, the last reason and error. */
export const BLIND_OR_FAILED_QUERY = [
  'filter outcome = "error" or blind.ticks > 0',
  '| stats count(*) as ticks, max(blind.ticks) as longestBlindRun, latest(reason) as lastReason, latest(detail) as lastError by campaignId',
  '| sort ticks desc',
].join('\n');

/** Every value written to a campaign (and, in dry run, every value it would have written), oldest first. */
export function campaignWritesQuery(campaignId: string): string {
  return [
    `filter campaignId = "${campaignId}" and (outcome = "written" or outcome = "would-write")`,
    '| fields @timestamp, eventId, outcome, reason, knob, previousValue, newValue, measured, setpoint, dryRun',
    '| sort @timestamp asc',
  ].join('\n');
}
