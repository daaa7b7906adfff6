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
import { METRICS_NAMESPACE } from './metrics.js';

/** Most per-campaign graphs a dashboard gets; a dashboard holds at most 500 widgets. */
export const MAX_CAMPAIGN_GRAPHS = 200;

/** A shard as the dashboard shows it: its name, its metrics' service name and its function. */
export interface DashboardShard {
  name: string;
  service: string;
  fn: lambda.Function;
  campaignIds: readonly string[];
}

export interface PacingDashboardProps {
  config: PacingConfig;
  /** One line per shard on every tick graph (one shard without `shards`). */
  shards: readonly DashboardShard[];
  /** The function's log group, which the Logs Insights widgets read. */
  logGroup: logs.ILogGroup;
  alarms: cloudwatch.IAlarm[];
  /** How many campaigns, from the first in the configuration, get their own graph. */
  campaignGraphs: number;
}

const MINUTE = Duration.minutes(1);

/** A controller metric with the `service` dimension only (tick totals): one per shard, labelled with the shard when there are several. */
function tickMetrics(shards: readonly DashboardShard[], metricName: string, statistic: string, label: string): cloudwatch.Metric[] {
  return shards.map(
    ({ name, service }) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service }, statistic, period: MINUTE, label: shards.length > 1 ? `${label}, ${name}` : label }),
  );
}

/** A function metric of every shard, labelled the same way. */
function functionMetrics(shards: readonly DashboardShard[], metric: (fn: lambda.Function, label: string) => cloudwatch.IMetric, label: string): cloudwatch.IMetric[] {
  return shards.map(({ name, fn }) => metric(fn, shards.length > 1 ? `${label}, ${name}` : label));
}

/** The SEARCH filter of the shards' service names. */
function serviceFilter(shards: readonly DashboardShard[]): string {
  const terms = shards.map((s) => `service="${s.service}"`);
  return terms.length === 1 ? terms[0]! : `(${terms.join(' OR ')})`;
}

/** A per-campaign metric (dimensions service and campaignId). */
function campaignMetric(campaign: CampaignConfig, service: string, metricName: string, label: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service, campaignId: campaign.campaignId },
    statistic: cloudwatch.Stats.AVERAGE,
    period: MINUTE,
    label,
  });
}

/** A graph of every campaign's per-minute average of a per-campaign metric (SEARCH: up to 500 campaigns), legend hidden. */
function everyCampaignGraph(shards: readonly DashboardShard[], title: string, metricName: string, leftAnnotations?: cloudwatch.HorizontalAnnotation[]): cloudwatch.GraphWidget {
  const search = new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},campaignId,service} MetricName="${metricName}" ${serviceFilter(shards)}', 'Average', 60)`,
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
    const shards = props.shards;
    const serviceOf = new Map(shards.flatMap((s) => s.campaignIds.map((id) => [id, s.service] as const)));
    const graphed = campaigns.slice(0, props.campaignGraphs);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        width: 24,
        height: 2,
        markdown: [
          `# Genesys pacing controller (${campaigns.length} campaign${campaigns.length === 1 ? '' : 's'}` +
            (props.shards.length > 1 ? ` in ${props.shards.length} shards: ${props.shards.map((s) => s.name).join(', ')})` : ')'),
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
        left: [...tickMetrics(shards, 'TickDurationMs', cloudwatch.Stats.AVERAGE, 'average'), ...tickMetrics(shards, 'TickDurationMs', cloudwatch.Stats.MAXIMUM, 'maximum')],
        leftAnnotations: [{ value: shards[0]!.fn.timeout!.toMilliseconds(), label: 'Lambda timeout', color: cloudwatch.Color.RED }],
        leftYAxis: { min: 0 },
      }),
      new cloudwatch.GraphWidget({
        title: 'Errors per minute',
        width: 8,
        left: [
          ...tickMetrics(shards, 'CampaignErrors', cloudwatch.Stats.SUM, 'campaign errors'),
          ...tickMetrics(shards, 'ApiErrors', cloudwatch.Stats.SUM, 'Genesys API errors'),
          ...tickMetrics(shards, 'AuditWriteFailures', cloudwatch.Stats.SUM, 'audit write failures'),
          ...tickMetrics(shards, 'TickFailures', cloudwatch.Stats.SUM, 'failed ticks'),
          ...functionMetrics(shards, (fn, label) => fn.metricErrors({ period: MINUTE, statistic: cloudwatch.Stats.SUM, label }), 'Lambda errors'),
        ],
        leftYAxis: { min: 0 },
      }),
      new cloudwatch.GraphWidget({
        title: 'Throttles and deferred writes per minute',
        width: 8,
        left: [
          ...tickMetrics(shards, 'GenesysThrottles', cloudwatch.Stats.SUM, 'Genesys 429s'),
          ...tickMetrics(shards, 'WritesDeferred', cloudwatch.Stats.SUM, 'writes deferred (request budget)'),
          ...functionMetrics(shards, (fn, label) => fn.metricThrottles({ period: MINUTE, statistic: cloudwatch.Stats.SUM, label }), 'Lambda throttles'),
        ],
        leftYAxis: { min: 0 },
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Worst abandon rate over the regulatory window, any campaign',
        width: 8,
        left: [...tickMetrics(shards, WORST_COMPLIANCE_WINDOW_RATE_METRIC, cloudwatch.Stats.MAXIMUM, 'worst window rate')],
        leftAnnotations: abandonRateAnnotations(campaigns),
        leftYAxis: { min: 0 },
      }),
      new cloudwatch.GraphWidget({
        title: 'Fewest abandons left in any campaign\'s window',
        width: 8,
        left: [...tickMetrics(shards, LEAST_COMPLIANCE_BUDGET_METRIC, cloudwatch.Stats.MINIMUM, 'least budget left')],
        leftAnnotations: [{ value: 0, label: 'over the limit below this', color: cloudwatch.Color.RED }],
      }),
      new cloudwatch.GraphWidget({
        title: 'Campaigns per tick',
        width: 8,
        left: [
          ...tickMetrics(shards, 'CampaignsWritten', cloudwatch.Stats.MAXIMUM, 'written'),
          ...tickMetrics(shards, 'CampaignsHeld', cloudwatch.Stats.MAXIMUM, 'held'),
          ...tickMetrics(shards, CAMPAIGNS_BLIND_METRIC, cloudwatch.Stats.MAXIMUM, 'blind'),
          ...tickMetrics(shards, BLIND_CAMPAIGNS_METRIC_NAME, cloudwatch.Stats.MAXIMUM, 'blind, at safe value'),
          ...tickMetrics(shards, COMPLIANCE_WARNINGS_METRIC, cloudwatch.Stats.MAXIMUM, 'at compliance warning'),
          ...tickMetrics(shards, 'ComplianceGuardTrips', cloudwatch.Stats.MAXIMUM, 'short-window guard tripped'),
        ],
        leftYAxis: { min: 0 },
      }),
    );
    const perCampaignMetrics = props.config.metrics.perCampaign;
    if (perCampaignMetrics) {
      this.dashboard.addWidgets(
        everyCampaignGraph(shards, 'Abandon rate over the regulatory window, every campaign', COMPLIANCE_WINDOW_RATE_METRIC, abandonRateAnnotations(campaigns)),
        everyCampaignGraph(shards, 'Measured value, every campaign', 'MeasuredValue'),
        everyCampaignGraph(shards, 'Knob value, every campaign', 'KnobValue'),
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
    const perCampaign = graphed.map((c) => (perCampaignMetrics ? campaignMetricGraph(c, serviceOf.get(c.campaignId)!) : campaignLogGraph(c, props.logGroup)));
    for (let i = 0; i < perCampaign.length; i += 3) this.dashboard.addWidgets(...perCampaign.slice(i, i + 3));
  }
}

/** A campaign's metrics: measured value against setpoint (and its window rate), its knob on the right axis. */
function campaignMetricGraph(c: CampaignConfig, service: string): cloudwatch.GraphWidget {
  const abandon = c.objective.kind === 'abandonRate';
  return new cloudwatch.GraphWidget({
    title: `${c.name ?? c.campaignId}: ${abandon ? 'abandon rate' : 'service level'} and ${c.knob.name}`,
    width: 8,
    left: [
      campaignMetric(c, service, 'MeasuredValue', abandon ? 'abandon rate' : 'service level'),
      campaignMetric(c, service, 'Setpoint', 'setpoint'),
      ...(abandon ? [campaignMetric(c, service, COMPLIANCE_WINDOW_RATE_METRIC, 'abandon rate, regulatory window')] : []),
    ],
    right: [campaignMetric(c, service, 'KnobValue', c.knob.name)],
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
