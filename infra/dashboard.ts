/**
 * The controller's CloudWatch dashboard: the loop's health first (alarms, tick duration, errors,
 * throttles), then the fleet (worst window abandon rate, least budget, campaign counts), then the
 * campaigns: with per-campaign metrics (`metrics.perCampaign`), every campaign through SEARCH
 * expressions and one metric graph per campaign; without them (the default), a Logs Insights table of
 * blind or failed campaigns and one Logs Insights graph per campaign, for the first campaigns.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { CampaignConfig, PacingConfig } from '../lambda/config/config.js';
import {
  BLIND_CAMPAIGNS_METRIC_NAME,
  CAMPAIGNS_BLIND_METRIC,
  COMPLIANCE_WARNINGS_METRIC,
  COMPLIANCE_WINDOW_RATE_METRIC,
  LEAST_COMPLIANCE_BUDGET_METRIC,
  WORST_COMPLIANCE_WINDOW_RATE_METRIC,
} from '../lambda/observability.js';
import { BLIND_OR_FAILED_QUERY, campaignOverTimeQuery } from './log-queries.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from './metrics.js';

/** Most per-campaign graphs a dashboard gets; a dashboard holds at most 500 widgets. */
export const MAX_CAMPAIGN_GRAPHS = 200;

export interface PacingDashboardProps {
  config: PacingConfig;
  fn: lambda.Function;
  /** The function's log group, which the Logs Insights widgets read. */
  logGroup: logs.ILogGroup;
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

/** A graph of every campaign's per-minute average of a per-campaign metric (SEARCH: up to 500 campaigns), legend hidden. */
function everyCampaignGraph(title: string, metricName: string, leftAnnotations?: cloudwatch.HorizontalAnnotation[]): cloudwatch.GraphWidget {
  const search = new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},campaignId,service} MetricName="${metricName}" service="${SERVICE_NAME}"', 'Average', 60)`,
    label: '',
    period: MINUTE,
  });
  return new cloudwatch.GraphWidget({
    title,
    width: 8,
    left: [search],
    ...(leftAnnotations ? { leftAnnotations } : {}),
    leftYAxis: { min: 0 },
    legendPosition: cloudwatch.LegendPosition.HIDDEN,
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
      throw new Error(`dashboardCampaignGraphs must be a whole number from 0 to ${MAX_CAMPAIGN_GRAPHS}, got ${props.campaignGraphs}: the fleet graphs cover every campaign anyway`);
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
          `Measured values are fractions (0.8 service level, 0.025 abandon rate). The fleet graphs cover every campaign; ` +
            `per-campaign graphs ${props.config.metrics.perCampaign ? 'from per-campaign metrics' : 'from the logs (Logs Insights)'}` +
            (graphed.length < campaigns.length ? ` for the first ${graphed.length}.` : '.'),
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
        title: 'Worst abandon rate over the regulatory window, any campaign',
        width: 8,
        left: [tickMetric(WORST_COMPLIANCE_WINDOW_RATE_METRIC, cloudwatch.Stats.MAXIMUM, 'worst window rate')],
        leftAnnotations: abandonRateAnnotations(campaigns),
        leftYAxis: { min: 0 },
      }),
      new cloudwatch.GraphWidget({
        title: 'Fewest abandons left in any campaign\'s window',
        width: 8,
        left: [tickMetric(LEAST_COMPLIANCE_BUDGET_METRIC, cloudwatch.Stats.MINIMUM, 'least budget left')],
        leftAnnotations: [{ value: 0, label: 'over the limit below this', color: cloudwatch.Color.RED }],
      }),
      new cloudwatch.GraphWidget({
        title: 'Campaigns per tick',
        width: 8,
        left: [
          tickMetric('CampaignsWritten', cloudwatch.Stats.MAXIMUM, 'written'),
          tickMetric('CampaignsHeld', cloudwatch.Stats.MAXIMUM, 'held'),
          tickMetric(CAMPAIGNS_BLIND_METRIC, cloudwatch.Stats.MAXIMUM, 'blind'),
          tickMetric(BLIND_CAMPAIGNS_METRIC_NAME, cloudwatch.Stats.MAXIMUM, 'blind, at safe value'),
          tickMetric(COMPLIANCE_WARNINGS_METRIC, cloudwatch.Stats.MAXIMUM, 'at compliance warning'),
          tickMetric('ComplianceGuardTrips', cloudwatch.Stats.MAXIMUM, 'short-window guard tripped'),
        ],
        leftYAxis: { min: 0 },
      }),
    );
    const perCampaignMetrics = props.config.metrics.perCampaign;
    if (perCampaignMetrics) {
      this.dashboard.addWidgets(
        everyCampaignGraph('Abandon rate over the regulatory window, every campaign', COMPLIANCE_WINDOW_RATE_METRIC, abandonRateAnnotations(campaigns)),
        everyCampaignGraph('Measured value, every campaign', 'MeasuredValue'),
        everyCampaignGraph('Knob value, every campaign', 'KnobValue'),
      );
    } else {
      this.dashboard.addWidgets(
        new cloudwatch.LogQueryWidget({
          title: 'Campaigns blind or failed in this range (from the logs)',
          width: 24,
          height: 6,
          logGroupNames: [props.logGroup.logGroupName],
          queryString: BLIND_OR_FAILED_QUERY,
          view: cloudwatch.LogQueryVisualizationType.TABLE,
        }),
      );
    }
    const perCampaign = graphed.map((c) => (perCampaignMetrics ? campaignMetricGraph(c) : campaignLogGraph(c, props.logGroup)));
    for (let i = 0; i < perCampaign.length; i += 3) this.dashboard.addWidgets(...perCampaign.slice(i, i + 3));
  }
}

/** A campaign's metrics: measured value against setpoint (and its window rate), its knob on the right axis. */
function campaignMetricGraph(c: CampaignConfig): cloudwatch.GraphWidget {
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
}

/** The same from the campaign's log lines (one axis: the knob shares it with the fractions). */
function campaignLogGraph(c: CampaignConfig, logGroup: logs.ILogGroup): cloudwatch.LogQueryWidget {
  return new cloudwatch.LogQueryWidget({
    title: `${c.name ?? c.campaignId}: measured, setpoint, ${c.knob.name} (knob), window rate`,
    width: 8,
    logGroupNames: [logGroup.logGroupName],
    queryString: campaignOverTimeQuery(c.campaignId),
    view: cloudwatch.LogQueryVisualizationType.LINE,
  });
}
