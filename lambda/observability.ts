/**
 * Structured logs and EMF metrics for a tick. Names are what the stack's alarms and
 * dashboard read (namespace GenesysPacing, dimension service=pacing-controller).
 *
 * By default every metric is fleet-level (dimension service only): a fixed number of metrics
 * however many campaigns there are. Each campaign's detail is in its log line, which Logs
 * Insights reads (infra/log-queries.ts); per-campaign metrics are opt-in (`metrics.perCampaign`),
 * at 8 metrics per campaign.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { CampaignReport, TickSummary } from './tick.js';

/** Per campaign (dimension campaignId): abandoned / live-answered over the regulatory window. */
export const COMPLIANCE_WINDOW_RATE_METRIC = 'ComplianceWindowAbandonRate';
/** Per campaign: abandons left before the window passes its limit (negative when over). */
export const COMPLIANCE_BUDGET_METRIC = 'ComplianceBudgetRemaining';
/** Per tick (service dimension only): campaigns whose window rate is at or above their warning level. */
export const COMPLIANCE_WARNINGS_METRIC = 'ComplianceWarnings';
/** Per tick: the highest window abandon rate of any campaign (absent when no campaign has one yet). */
export const WORST_COMPLIANCE_WINDOW_RATE_METRIC = 'WorstComplianceWindowAbandonRate';
/** Per tick: the fewest abandons any campaign has left in its window (negative: a campaign is over). */
export const LEAST_COMPLIANCE_BUDGET_METRIC = 'LeastComplianceBudgetRemaining';

/** Campaigns blind for at least their `blindTicksBeforeSafe` ticks; the stack alarms on it. */
export const BLIND_CAMPAIGNS_METRIC_NAME = 'BlindCampaigns';
/** Campaigns blind this tick, however many ticks in a row (BlindCampaigns counts those at their limit). */
export const CAMPAIGNS_BLIND_METRIC = 'CampaignsBlind';

/** Every metric a tick publishes with the service dimension only, whatever `metrics.perCampaign` says. */
export const FLEET_METRICS = [
  'Ticks',
  'TickDurationMs',
  'CampaignsWritten',
  'CampaignsHeld',
  'CampaignErrors',
  'WritesDeferred',
  'AuditWriteFailures',
  CAMPAIGNS_BLIND_METRIC,
  BLIND_CAMPAIGNS_METRIC_NAME,
  COMPLIANCE_WARNINGS_METRIC,
  'ComplianceGuardTrips',
  WORST_COMPLIANCE_WINDOW_RATE_METRIC,
  LEAST_COMPLIANCE_BUDGET_METRIC,
  'ApiErrors',
  'GenesysThrottles',
] as const;

/** The metrics each campaign gets (dimensions service and campaignId) when `metrics.perCampaign` is on. */
export const CAMPAIGN_METRICS = [
  'MeasuredValue',
  'Setpoint',
  'KnobValue',
  'Written',
  'Held',
  'BlindTicks',
  COMPLIANCE_WINDOW_RATE_METRIC,
  COMPLIANCE_BUDGET_METRIC,
] as const;

/** How many campaigns of the tick reached their blind limit (and so fell back to their safe value). */
export function blindCampaigns(summary: TickSummary): number {
  return summary.campaigns.filter((c) => c.blind !== undefined && c.blind.ticks >= c.blind.limit).length;
}

/** Genesys request counters for the tick, from the client. */
export interface ApiCounters {
  errors: number;
  throttled: number;
}

/** What reportTick publishes beyond the fleet-level metrics: the configuration's `metrics`. */
export interface ReportOptions {
  /** Also publish {@link CAMPAIGN_METRICS} for every campaign (8 custom metrics each). */
  perCampaign?: boolean;
}

/** Logs one line per campaign and publishes the tick's metrics: fleet-level, and per campaign when asked. */
export function reportTick(logger: Logger, metrics: Metrics, summary: TickSummary, api: ApiCounters, options: ReportOptions = {}): void {
  for (const c of summary.campaigns) {
    logCampaign(logger, summary, c);
    if (options.perCampaign) publishCampaign(metrics, c);
  }
  const withCompliance = summary.campaigns.flatMap((c) => (c.compliance ? [c.compliance] : []));
  const windowRates = withCompliance.flatMap((c) => (c.windowRate === null ? [] : [c.windowRate]));
  metrics.addMetric('Ticks', MetricUnit.Count, 1);
  metrics.addMetric('TickDurationMs', MetricUnit.Milliseconds, summary.durationMs);
  metrics.addMetric('CampaignsWritten', MetricUnit.Count, summary.counts.written);
  metrics.addMetric('CampaignsHeld', MetricUnit.Count, summary.counts.held + summary.counts['would-write']);
  metrics.addMetric('CampaignErrors', MetricUnit.Count, summary.counts.error);
  metrics.addMetric('WritesDeferred', MetricUnit.Count, summary.campaigns.filter((c) => c.reason === 'write-deferred').length);
  metrics.addMetric('AuditWriteFailures', MetricUnit.Count, summary.campaigns.filter((c) => c.auditFailed).length);
  metrics.addMetric(CAMPAIGNS_BLIND_METRIC, MetricUnit.Count, summary.campaigns.filter((c) => c.blind).length);
  metrics.addMetric(BLIND_CAMPAIGNS_METRIC_NAME, MetricUnit.Count, blindCampaigns(summary));
  metrics.addMetric(COMPLIANCE_WARNINGS_METRIC, MetricUnit.Count, withCompliance.filter((c) => c.warning).length);
  metrics.addMetric('ComplianceGuardTrips', MetricUnit.Count, withCompliance.filter((c) => c.guardTripped).length);
  // No campaign with a window rate (or a budget) yet: no data point rather than a made-up 0.
  if (windowRates.length > 0) metrics.addMetric(WORST_COMPLIANCE_WINDOW_RATE_METRIC, MetricUnit.NoUnit, Math.max(...windowRates));
  if (withCompliance.length > 0) {
    metrics.addMetric(LEAST_COMPLIANCE_BUDGET_METRIC, MetricUnit.Count, Math.min(...withCompliance.map((c) => c.remainingAbandons)));
  }
  metrics.addMetric('ApiErrors', MetricUnit.Count, api.errors);
  metrics.addMetric('GenesysThrottles', MetricUnit.Count, api.throttled);
  metrics.publishStoredMetrics();
  for (const warning of summary.warnings ?? []) logger.warn('tick warning', { eventId: summary.eventId, tickTime: summary.tickTime, warning });
  logger.info('tick done', { eventId: summary.eventId, tickTime: summary.tickTime, durationMs: summary.durationMs, counts: summary.counts });
}

/** The campaign's log line: every field of its report, at a level that says how it went. */
function logCampaign(logger: Logger, summary: TickSummary, c: CampaignReport): void {
  // Powertools reserves "message" for the log line's own text and drops a field of that name.
  const { message: detail, ...report } = c;
  const line = { eventId: summary.eventId, tickTime: summary.tickTime, dryRun: summary.dryRun, ...report, ...(detail === undefined ? {} : { detail }) };
  if (c.outcome === 'error') logger.error('campaign tick failed', line);
  else if (c.auditFailed) logger.error('change not recorded in the audit trail', line);
  else if (c.reason === 'manual-change') logger.warn('knob changed by hand; continuing from the new value', line);
  else if (c.blind) logger.warn('campaign blind: its objective cannot be seen this tick', line);
  else if (c.compliance?.warning) logger.warn('abandon rate over the regulatory window is at or above the warning level', line);
  else logger.info('campaign tick', line);
}

/** One EMF record of {@link CAMPAIGN_METRICS}, every metric in it dimensioned by service and campaignId. */
function publishCampaign(metrics: Metrics, c: CampaignReport): void {
  // (A singleMetric() publishes at its first addMetric and drops campaignId from the rest.)
  metrics.addDimension('campaignId', c.campaignId);
  if (c.measured !== undefined) metrics.addMetric('MeasuredValue', MetricUnit.NoUnit, c.measured);
  metrics.addMetric('Setpoint', MetricUnit.NoUnit, c.setpoint);
  if (c.newValue !== undefined) metrics.addMetric('KnobValue', MetricUnit.NoUnit, c.newValue);
  metrics.addMetric('Written', MetricUnit.Count, c.outcome === 'written' ? 1 : 0);
  metrics.addMetric('Held', MetricUnit.Count, c.outcome === 'held' ? 1 : 0);
  metrics.addMetric('BlindTicks', MetricUnit.Count, c.blind?.ticks ?? 0);
  if (c.compliance) {
    if (c.compliance.windowRate !== null) metrics.addMetric(COMPLIANCE_WINDOW_RATE_METRIC, MetricUnit.NoUnit, c.compliance.windowRate);
    metrics.addMetric(COMPLIANCE_BUDGET_METRIC, MetricUnit.Count, c.compliance.remainingAbandons);
  }
  metrics.publishStoredMetrics();
}
