/**
 * Structured logs and EMF metrics for a tick. Names are what the stack's alarms and
 * dashboard read (namespace GenesysPacing, dimension service=pacing-controller).
 */

/** Per campaign (dimension campaignId): abandoned / live-answered over the regulatory window. */
export const COMPLIANCE_WINDOW_RATE_METRIC = 'ComplianceWindowAbandonRate';
/** Per campaign: abandons left before the window passes its limit (negative when over). */
export const COMPLIANCE_BUDGET_METRIC = 'ComplianceBudgetRemaining';
/** Per tick (service dimension only): campaigns whose window rate is at or above their warning level. */
export const COMPLIANCE_WARNINGS_METRIC = 'ComplianceWarnings';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { TickSummary } from './tick.js';

/** Genesys request counters for the tick, from the client. */
export interface ApiCounters {
  errors: number;
  throttled: number;
}

/** Logs one line per campaign and publishes the tick's metrics. */
export function reportTick(logger: Logger, metrics: Metrics, summary: TickSummary, api: ApiCounters): void {
  for (const c of summary.campaigns) {
    const line = { eventId: summary.eventId, tickTime: summary.tickTime, dryRun: summary.dryRun, ...c };
    if (c.outcome === 'error') logger.error('campaign tick failed', line);
    else if (c.reason === 'manual-change') logger.warn('knob changed by hand; continuing from the new value', line);
    else if (c.compliance?.warning) logger.warn('abandon rate over the regulatory window is at or above the warning level', line);
    else logger.info('campaign tick', line);

    const single = metrics.singleMetric();
    single.addDimension('campaignId', c.campaignId);
    if (c.measured !== undefined) single.addMetric('MeasuredValue', MetricUnit.NoUnit, c.measured);
    single.addMetric('Setpoint', MetricUnit.NoUnit, c.setpoint);
    if (c.newValue !== undefined) single.addMetric('KnobValue', MetricUnit.NoUnit, c.newValue);
    single.addMetric('Written', MetricUnit.Count, c.outcome === 'written' ? 1 : 0);
    single.addMetric('Held', MetricUnit.Count, c.outcome === 'held' ? 1 : 0);
    if (c.compliance) {
      if (c.compliance.windowRate !== null) single.addMetric(COMPLIANCE_WINDOW_RATE_METRIC, MetricUnit.NoUnit, c.compliance.windowRate);
      single.addMetric(COMPLIANCE_BUDGET_METRIC, MetricUnit.Count, c.compliance.remainingAbandons);
    }
  }
  metrics.addMetric(COMPLIANCE_WARNINGS_METRIC, MetricUnit.Count, summary.campaigns.filter((c) => c.compliance?.warning).length);
  metrics.addMetric('Ticks', MetricUnit.Count, 1);
  metrics.addMetric('TickDurationMs', MetricUnit.Milliseconds, summary.durationMs);
  metrics.addMetric('CampaignsWritten', MetricUnit.Count, summary.counts.written);
  metrics.addMetric('CampaignsHeld', MetricUnit.Count, summary.counts.held + summary.counts['would-write']);
  metrics.addMetric('CampaignErrors', MetricUnit.Count, summary.counts.error);
  metrics.addMetric('ApiErrors', MetricUnit.Count, api.errors);
  metrics.addMetric('GenesysThrottles', MetricUnit.Count, api.throttled);
  metrics.publishStoredMetrics();
  logger.info('tick done', { eventId: summary.eventId, tickTime: summary.tickTime, durationMs: summary.durationMs, counts: summary.counts });
}
