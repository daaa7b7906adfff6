/**
 * Structured logs and EMF metrics for a tick. Names are what the stack's alarms and
 * dashboard read (namespace GenesysPacing, dimension service=pacing-controller).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { TickSummary } from './tick.js';

/** Per campaign (dimension campaignId): abandoned / live-answered over the regulatory window. */
export const COMPLIANCE_WINDOW_RATE_METRIC = 'ComplianceWindowAbandonRate';
/** Per campaign: abandons left before the window passes its limit (negative when over). */
export const COMPLIANCE_BUDGET_METRIC = 'ComplianceBudgetRemaining';
/** Per tick (service dimension only): campaigns whose window rate is at or above their warning level. */
export const COMPLIANCE_WARNINGS_METRIC = 'ComplianceWarnings';

/** Campaigns blind for at least their `blindTicksBeforeSafe` ticks; the stack alarms on it. */
export const BLIND_CAMPAIGNS_METRIC_NAME = 'BlindCampaigns';

/** How many campaigns of the tick reached their blind limit (and so fell back to their safe value). */
export function blindCampaigns(summary: TickSummary): number {
  return summary.campaigns.filter((c) => c.blind !== undefined && c.blind.ticks >= c.blind.limit).length;
}

/** Genesys request counters for the tick, from the client. */
export interface ApiCounters {
  errors: number;
  throttled: number;
}

/** Logs one line per campaign and publishes the tick's metrics. */
export function reportTick(logger: Logger, metrics: Metrics, summary: TickSummary, api: ApiCounters): void {
  for (const c of summary.campaigns) {
    // Powertools reserves "message" for the log line's own text and drops a field of that name.
    const { message: detail, ...report } = c;
    const line = { eventId: summary.eventId, tickTime: summary.tickTime, dryRun: summary.dryRun, ...report, ...(detail === undefined ? {} : { detail }) };
    if (c.outcome === 'error') logger.error('campaign tick failed', line);
    else if (c.auditFailed) logger.error('change not recorded in the audit trail', line);
    else if (c.reason === 'manual-change') logger.warn('knob changed by hand; continuing from the new value', line);
    else if (c.blind) logger.warn('campaign blind: its objective cannot be seen this tick', line);
    else if (c.compliance?.warning) logger.warn('abandon rate over the regulatory window is at or above the warning level', line);
    else logger.info('campaign tick', line);

    // One EMF record per campaign, every metric in it dimensioned by service and campaignId.
    // (A singleMetric() publishes at its first addMetric and drops campaignId from the rest.)
    metrics.addDimension('campaignId', c.campaignId);
    if (c.measured !== undefined) metrics.addMetric('MeasuredValue', MetricUnit.NoUnit, c.measured);
    metrics.addMetric('Setpoint', MetricUnit.NoUnit, c.setpoint);
    if (c.newValue !== undefined) metrics.addMetric('KnobValue', MetricUnit.NoUnit, c.newValue);
    metrics.addMetric('Written', MetricUnit.Count, c.outcome === 'written' ? 1 : 0);
    metrics.addMetric('Held', MetricUnit.Count, c.outcome === 'held' ? 1 : 0);
    metrics.addMetric('BlindTicks', MetricUnit.Count, c.blind?.ticks ?? 0);
    if (c.compliance) {
      // The dashboard draws the window rate against the cap; the warning alarm counts campaigns at their warning level.
      if (c.compliance.windowRate !== null) metrics.addMetric(COMPLIANCE_WINDOW_RATE_METRIC, MetricUnit.NoUnit, c.compliance.windowRate);
      metrics.addMetric(COMPLIANCE_BUDGET_METRIC, MetricUnit.Count, c.compliance.remainingAbandons);
    }
    metrics.publishStoredMetrics();
  }
  metrics.addMetric(COMPLIANCE_WARNINGS_METRIC, MetricUnit.Count, summary.campaigns.filter((c) => c.compliance?.warning).length);
  metrics.addMetric('Ticks', MetricUnit.Count, 1);
  metrics.addMetric('TickDurationMs', MetricUnit.Milliseconds, summary.durationMs);
  metrics.addMetric('CampaignsWritten', MetricUnit.Count, summary.counts.written);
  metrics.addMetric('CampaignsHeld', MetricUnit.Count, summary.counts.held + summary.counts['would-write']);
  metrics.addMetric('CampaignErrors', MetricUnit.Count, summary.counts.error);
  metrics.addMetric('WritesDeferred', MetricUnit.Count, summary.campaigns.filter((c) => c.reason === 'write-deferred').length);
  metrics.addMetric('AuditWriteFailures', MetricUnit.Count, summary.campaigns.filter((c) => c.auditFailed).length);
  metrics.addMetric(BLIND_CAMPAIGNS_METRIC_NAME, MetricUnit.Count, blindCampaigns(summary));
  metrics.addMetric('ApiErrors', MetricUnit.Count, api.errors);
  metrics.addMetric('GenesysThrottles', MetricUnit.Count, api.throttled);
  metrics.publishStoredMetrics();
  logger.info('tick done', { eventId: summary.eventId, tickTime: summary.tickTime, durationMs: summary.durationMs, counts: summary.counts });
}
