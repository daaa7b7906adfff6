/**
 * The controller's CloudWatch dashboard: the loop's health first (alarms, tick duration, errors,
 * throttles), then every campaign at once through SEARCH expressions, then one graph per campaign
 * for the first campaigns of the configuration.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { CampaignConfig, PacingConfig } from '../lambda/config/config.js';
import { COMPLIANCE_WINDOW_RATE_METRIC } from '../lambda/observability.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from './metrics.js';

/** Most per-campaign graphs a dashboard gets; a dashboard holds at most 500 widgets. */
export const MAX_CAMPAIGN_GRAPHS = 200;

export interface PacingDashboardProps {
  config: PacingConfig;
  fn: lambda.Function;
  alarms: cloudwatch.IAlarm[];
  /** How many campaigns, from the first in the configuration, get their own graph. */
  campaignGraphs: number;
}

const MINUTE = Duration.minutes(1);

/** A controller metric with the `service` dimension only (tick totals). */
function tickMetric(metricName: string, statistic: string, label: string): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: SERVICE_NAME }, statistic, period: MINUTE, label });
}

/** A per-campaign metric (dimensions service and campaignId). */
function campaignMetric(campaign: CampaignConfig, metricName: string, label: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME, campaignId: campaign.campaignId },
    statistic: cloudwatch.Stats.AVERAGE,
    period: MINUTE,
    label,
  });
}

/** Every campaign's series of a per-campaign metric, however many campaigns there are (up to SEARCH's 500). */
function everyCampaign(metricName: string, statistic: 'Average' | 'Sum', label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},campaignId,service} MetricName="${metricName}" service="${SERVICE_NAME}"', '${statistic}', 60)`,
    label,
    period: MINUTE,
  });
}

const percent = (rate: number) => `${Number((rate * 100).toFixed(2))}%`;

/** The compliance limits and warning levels of these campaigns (one of each unless regimes differ). */
function abandonRateAnnotations(campaigns: readonly CampaignConfig[]): cloudwatch.HorizontalAnnotation[] {
  const limits = [...new Set(campaigns.map((c) => c.compliance.limit))];
  const warnings = [...new Set(campaigns.map((c) => c.compliance.warningRate))];
  return [
    ...limits.map((value) => ({ value, label: `limit ${percent(value)}`, color: cloudwatch.Color.RED })),
    ...warnings.map((value) => ({ value, label: `warning ${percent(value)}`, color: cloudwatch.Color.ORANGE })),
  ];
}

/** The dashboard; see the module comment for its layout. */
export class PacingDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PacingDashboardProps) {
    super(scope, id);
    if (!Number.isInteger(props.campaignGraphs) || props.campaignGraphs < 0 || props.campaignGraphs > MAX_CAMPAIGN_GRAPHS) {
      throw new Error(`dashboardCampaignGraphs must be a whole number from 0 to ${MAX_CAMPAIGN_GRAPHS}, got ${props.campaignGraphs}: the all-campaign graphs show every campaign anyway`);
    }
    const campaigns = props.config.campaigns;
    const graphed = campaigns.slice(0, props.campaignGraphs);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        width: 24,
        height: 2,
        markdown: [
          `# Genesys pacing controller (${campaigns.length} campaign${campaigns.length === 1 ? '' : 's'})`,
          `Measured values are fractions (0.8 service level, 0.025 abandon rate), averaged per minute. ` +
            (graphed.length < campaigns.length
              ? `Per-campaign graphs for the first ${graphed.length}; the all-campaign graphs show every one.`
              : 'Per-campaign graphs below the all-campaign ones.'),
        ].join('\n\n'),
      }),
    );
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24, height: 3 }));
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Tick duration (ms)',
        width: 8,
        left: [tickMetric('TickDurationMs', cloudwatch.Stats.AVERAGE, 'average'), tickMetric('TickDurationMs', cloudwatch.Stats.MAXIMUM, 'maximum')],
        leftAnnotations: [{ value: props.fn.timeout!.toMilliseconds(), label: 'Lambda timeout', color: cloudwatch.Color.RED }],
        leftYAxis: { min: 0 },
      }),
      new cloudwatch.GraphWidget({
        title: 'Errors per minute',
        width: 8,
        left: [
          tickMetric('CampaignErrors', cloudwatch.Stats.SUM, 'campaign errors'),
          tickMetric('ApiErrors', cloudwatch.Stats.SUM, 'Genesys API errors'),
          tickMetric('AuditWriteFailures', cloudwatch.Stats.SUM, 'audit write failures'),
          tickMetric('TickFailures', cloudwatch.Stats.SUM, 'failed ticks'),
          props.fn.metricErrors({ period: MINUTE, statistic: cloudwatch.Stats.SUM, label: 'Lambda errors' }),
        ],
        leftYAxis: { min: 0 },
      }),
      new cloudwatch.GraphWidget({
        title: 'Throttles and deferred writes per minute',
        width: 8,
        left: [
          tickMetric('GenesysThrottles', cloudwatch.Stats.SUM, 'Genesys 429s'),
          tickMetric('WritesDeferred', cloudwatch.Stats.SUM, 'writes deferred (request budget)'),
          props.fn.metricThrottles({ period: MINUTE, statistic: cloudwatch.Stats.SUM, label: 'Lambda throttles' }),
        ],
        leftYAxis: { min: 0 },
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Abandon rate over the regulatory window, every campaign',
        width: 12,
        left: [everyCampaign(COMPLIANCE_WINDOW_RATE_METRIC, 'Average', '')],
        leftAnnotations: abandonRateAnnotations(campaigns),
        leftYAxis: { min: 0 },
        legendPosition: cloudwatch.LegendPosition.HIDDEN,
      }),
      new cloudwatch.GraphWidget({
        title: 'Measured value, every campaign',
        width: 12,
        left: [everyCampaign('MeasuredValue', 'Average', '')],
        leftYAxis: { min: 0 },
        legendPosition: cloudwatch.LegendPosition.HIDDEN,
      }),
      new cloudwatch.GraphWidget({
        title: 'Knob value, every campaign',
        width: 12,
        left: [everyCampaign('KnobValue', 'Average', '')],
        leftYAxis: { min: 0 },
        legendPosition: cloudwatch.LegendPosition.HIDDEN,
      }),
      new cloudwatch.GraphWidget({
        title: 'Campaigns written and held per tick',
        width: 12,
        left: [tickMetric('CampaignsWritten', cloudwatch.Stats.SUM, 'written'), tickMetric('CampaignsHeld', cloudwatch.Stats.SUM, 'held')],
        leftYAxis: { min: 0 },
      }),
    );
    const perCampaign = graphed.map((c) => {
      const abandon = c.objective.kind === 'abandonRate';
      return new cloudwatch.GraphWidget({
        title: `${c.name ?? c.campaignId}: ${abandon ? 'abandon rate' : 'service level'} and ${c.knob.name}`,
        width: 8,
        left: [
          campaignMetric(c, 'MeasuredValue', abandon ? 'abandon rate' : 'service level'),
          campaignMetric(c, 'Setpoint', 'setpoint'),
          ...(abandon ? [campaignMetric(c, COMPLIANCE_WINDOW_RATE_METRIC, 'abandon rate, regulatory window')] : []),
        ],
        right: [campaignMetric(c, 'KnobValue', c.knob.name)],
        ...(abandon ? { leftAnnotations: abandonRateAnnotations([c]) } : {}),
        leftYAxis: { min: 0, ...(abandon ? {} : { max: 1 }) },
        rightYAxis: { min: 0, label: c.knob.name },
      });
    });
    for (let i = 0; i < perCampaign.length; i += 3) this.dashboard.addWidgets(...perCampaign.slice(i, i + 3));
  }
}
