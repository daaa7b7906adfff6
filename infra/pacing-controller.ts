import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aws, CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AUDIT_PARTITION_KEY, AUDIT_SORT_KEY, AUDIT_TTL_ATTRIBUTE } from '../lambda/audit/dynamodb-audit-log.js';
import { parsePacingConfig, type PacingConfig } from '../lambda/config/config.js';
import { PacingDashboard } from './dashboard.js';
import { BUNDLED_CONFIG_FILE, HANDLER_BUNDLING, HANDLER_ENTRY, HANDLER_ENVIRONMENT, REPO_ROOT } from './handler-bundle.js';
import { METRICS_NAMESPACE, SERVICE_NAME, TICKS_METRIC_NAME } from './metrics.js';
import { AUDIT_TABLE_ACTIONS } from '../lambda/audit/dynamodb-audit-log.js';
import { SECRET_ACTIONS, SECRET_ID_VARIABLE } from '../lambda/credentials.js';
import { BLIND_CAMPAIGNS_METRIC_NAME, COMPLIANCE_WARNINGS_METRIC } from '../lambda/observability.js';
import { STATE_TABLE_ACTIONS } from '../lambda/state/dynamodb-store.js';

export { METRICS_NAMESPACE, SERVICE_NAME, TICKS_METRIC_NAME } from './metrics.js';
export { BUNDLED_CONFIG_FILE } from './handler-bundle.js';

export interface PacingControllerProps {
  /**
   * The deployment's configuration, as parsed from pacing.config.json (the raw object, before defaults).
   *
   * It is validated here with `parsePacingConfig`, so a malformed configuration fails `cdk synth` with a
   * message naming each bad field and its fix. The raw JSON is shipped inside the Lambda bundle as
   * `pacing.config.json` (not in an environment variable: a deployment may list hundreds of campaigns).
   */
  readonly config: unknown;

  /**
   * An existing secret holding the Genesys OAuth client, `{"clientId":"...","clientSecret":"..."}`, used
   * instead of creating one: e.g. the secret a destroyed deployment left behind (the stack retains it), or
   * one managed elsewhere. The function reads only this secret. Give it here, or as the configuration's
   * `secretName`, not both. A secret encrypted with a customer managed key also needs `kms:Decrypt` for
   * `fn`'s role, which this construct does not grant.
   *
   * @default - the configuration's `secretName`, else a new secret (see {@link PacingController.secret})
   */
  readonly existingSecret?: secretsmanager.ISecret;

  /**
   * Where `config` came from, named in validation errors (e.g. the file path).
   *
   * @default 'PacingController config'
   */
  readonly configSource?: string;

  /**
   * How often the controller ticks. The controller measures the time between ticks, so any period works;
   * EventBridge's minimum is one minute. Operators may also edit the rule's schedule in the console.
   *
   * @default events.Schedule.rate(Duration.minutes(1))
   */
  readonly schedule?: events.Schedule;

  /**
   * Topic that receives the alarms' ALARM and OK notifications.
   *
   * @default - the alarms are created without actions
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * What happens to the controller state table when it leaves the stack. The table holds each campaign's
   * integrator and last output; losing it restarts every loop from scratch. Deletion protection is on unless
   * this is `RemovalPolicy.DESTROY` (with protection on, a DESTROY could never succeed).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly tableRemovalPolicy?: RemovalPolicy;

  /**
   * Thresholds of the alarms on the controller's own metrics.
   *
   * @default - see {@link AlarmThresholds}
   */
  readonly alarmThresholds?: AlarmThresholds;

  /**
   * Reserve one concurrent execution for the function, so that two ticks never run at once. Lambda keeps at
   * least 10 (on some accounts 100) executions unreserved, so an account whose concurrency quota is that
   * minimum (new accounts often have 10) cannot reserve any and the deployment fails with "decreases
   * account's UnreservedConcurrentExecution below its minimum value". Without the reservation two ticks may
   * overlap, and stay safe: each campaign's state is written conditionally on the version read and each
   * PATCH takes a lease, so the second tick skips the campaign (the fault suites run both at once).
   *
   * @default true
   */
  readonly reserveConcurrency?: boolean;

  /**
   * The function's memory in MB, which also sets its CPU share (a full vCPU at 1769 MB). A tick's CPU grows
   * with the number of campaigns (docs/scale.md): 512 MB serves 500 campaigns well within the timeout; give
   * it more for a thousand or more.
   *
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * How many campaigns (the first ones in the configuration) get their own dashboard graphs. Every campaign
   * appears in the dashboard's all-campaign graphs whatever this is; a dashboard holds at most 500 widgets.
   *
   * @default 24
   */
  readonly dashboardCampaignGraphs?: number;
}

/** Alarm thresholds; each alarm looks at 5-minute periods. */
export interface AlarmThresholds {
  /**
   * Genesys calls that failed for good (after retries) in 5 minutes.
   *
   * @default 5
   */
  readonly apiErrors?: number;
  /**
   * Genesys 429 answers in 5 minutes: the OAuth client is near its rate limit.
   *
   * @default 5
   */
  readonly genesysThrottles?: number;
}

const DEFAULT_THRESHOLDS: Required<AlarmThresholds> = { apiErrors: 5, genesysThrottles: 5 };

/**
 * The closed-loop pacing controller: a scheduled Lambda that reads campaign statistics from Genesys Cloud,
 * runs one controller step per campaign and writes the pacing knob back, with its state in DynamoDB, its
 * Genesys OAuth client in Secrets Manager and alarms for errors, throttles and missing ticks.
 */
export class PacingController extends Construct {
  /** Controller state, one item per campaign (partition key `campaignId`). */
  public readonly table: dynamodb.TableV2;
  /**
   * Audit trail: every knob value written and every manual change detected (partition key `campaignId`,
   * sort key `sk` = `<ISO time>#<event id>#<knob>`), expired by DynamoDB TTL after the configured retention.
   */
  public readonly auditTable: dynamodb.TableV2;
  /** Per-campaign measured value against setpoint, knob, abandon rate, errors, throttles and tick duration. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The tick handler. */
  public readonly fn: nodejs.NodejsFunction;
  /**
   * Genesys OAuth client credentials, `{"clientId":"...","clientSecret":"..."}`, filled in by the operator:
   * the one given (`existingSecret`, or the configuration's `secretName`), else one this construct creates
   * empty, with a name CloudFormation generates and kept when the stack is deleted.
   */
  public readonly secret: secretsmanager.ISecret;
  /** The schedule that invokes `fn`. */
  public readonly rule: events.Rule;
  /** The validated configuration, with every default filled in. */
  public readonly config: PacingConfig;
  /**
   * Alarms: function errors and throttles, ticks stopped, the compliance warning, Genesys API
   * errors and throttling, audit entries that could not be written, and campaigns paced blind.
   */
  public readonly alarms: {
    errors: cloudwatch.Alarm;
    throttles: cloudwatch.Alarm;
    ticksStopped: cloudwatch.Alarm;
    complianceWarning: cloudwatch.Alarm;
    apiErrors: cloudwatch.Alarm;
    genesysThrottles: cloudwatch.Alarm;
    auditWriteFailures: cloudwatch.Alarm;
    blind: cloudwatch.Alarm;
  };

  constructor(scope: Construct, id: string, props: PacingControllerProps) {
    super(scope, id);

    // Validate first: a malformed config must stop synth before anything else happens.
    this.config = parsePacingConfig(props.config, props.configSource ?? 'PacingController config');
    const schedule = props.schedule ?? events.Schedule.rate(Duration.minutes(1));
    const tableRemovalPolicy = props.tableRemovalPolicy ?? RemovalPolicy.RETAIN;

    this.table = new dynamodb.TableV2(this, 'State', {
      partitionKey: { name: 'campaignId', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: tableRemovalPolicy !== RemovalPolicy.DESTROY,
      removalPolicy: tableRemovalPolicy,
    });

    // The compliance record: always retained and protected, whatever happens to the state table.
    this.auditTable = new dynamodb.TableV2(this, 'Audit', {
      partitionKey: { name: AUDIT_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: AUDIT_SORT_KEY, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: AUDIT_TTL_ATTRIBUTE,
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.secret = this.genesysSecret(props.existingSecret, props.configSource ?? 'PacingController config');
    // What the function reads: a full ARN when there is one, else the name (a name-only ARN is ambiguous).
    const secretId = this.secret.secretFullArn ?? this.secret.secretName;

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });

    // An explicit role instead of AWSLambdaBasicExecutionRole: that managed policy grants logs:* on '*',
    // while the function only ever writes to its own log group.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Genesys pacing controller: its log group, its state table, appends to its audit table and its Genesys client secret, nothing else',
    });
    logGroup.grantWrite(role);

    // The raw config goes into the bundle as a file; afterBundling copies it next to index.mjs. The temp
    // directory only has to live while the asset is staged, which happens inside the NodejsFunction constructor.
    const configDir = mkdtempSync(join(tmpdir(), 'pacing-config-'));
    const configFile = join(configDir, BUNDLED_CONFIG_FILE);
    writeFileSync(configFile, `${JSON.stringify(props.config, null, 2)}\n`);
    try {
      this.fn = new nodejs.NodejsFunction(this, 'Handler', {
        entry: HANDLER_ENTRY,
        handler: 'handler',
        projectRoot: REPO_ROOT,
        depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
        description: 'Genesys Cloud outbound pacing controller: one control step per campaign per tick',
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: props.memorySize ?? 512,
        // Below the 1-minute schedule period, so one tick finishes before the next is due.
        timeout: Duration.seconds(50),
        // One tick at a time where the account allows it; overlapping ticks are safe, only wasteful.
        ...(props.reserveConcurrency === false ? {} : { reservedConcurrentExecutions: 1 }),
        // A stale tick is worse than a skipped one: no async retries, drop events older than a minute.
        retryAttempts: 0,
        maxEventAge: Duration.seconds(60),
        role,
        logGroup,
        environment: {
          STATE_TABLE_NAME: this.table.tableName,
          AUDIT_TABLE_NAME: this.auditTable.tableName,
          [SECRET_ID_VARIABLE]: secretId,
          ...HANDLER_ENVIRONMENT,
        },
        bundling: {
          forceDockerBundling: false,
          ...HANDLER_BUNDLING,
          mainFields: [...HANDLER_BUNDLING.mainFields],
          format: nodejs.OutputFormat.ESM,
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (_inputDir: string, outputDir: string) => [
              `cp ${shellQuote(configFile)} ${shellQuote(join(outputDir, BUNDLED_CONFIG_FILE))}`,
            ],
          },
        },
      });
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }

    // Exactly the calls the handler makes, not the broader grantRead/grantReadWriteData sets
    // (DescribeSecret, Scan, Query, DeleteItem... are never needed).
    // A secret known by name only: its ARN ends in "-" and six characters Secrets Manager chose.
    const secretArn = this.secret.secretFullArn ?? `${this.secret.secretArn}-??????`;
    iam.Grant.addToPrincipal({ grantee: this.fn, actions: [...SECRET_ACTIONS], resourceArns: [secretArn] });
    this.table.grant(this.fn, ...STATE_TABLE_ACTIONS);
    // Append only: the function never reads, updates or deletes audit entries (the TTL expires them).
    this.auditTable.grant(this.fn, ...AUDIT_TABLE_ACTIONS);

    this.rule = new events.Rule(this, 'Tick', {
      schedule,
      description:
        'Genesys pacing controller tick. The controller measures the time between ticks (dt), so any period works; 1 minute is the EventBridge minimum. The "ticks stopped" alarm expects at least one tick per 5 minutes. Disable this rule to stop pacing changes.',
      targets: [new targets.LambdaFunction(this.fn, { retryAttempts: 0, maxEventAge: Duration.seconds(60) })],
    });

    const fiveMinutes = Duration.minutes(5);
    const thresholds = { ...DEFAULT_THRESHOLDS, ...props.alarmThresholds };
    const controllerMetric = (metricName: string, statistic: string = cloudwatch.Stats.SUM, period = fiveMinutes) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: SERVICE_NAME }, statistic, period });
    /** An alarm on one period of `metric`: at or above `threshold` (below it with `below`); missing data breaches only with `missingBreaches`. */
    const alarm = (id: string, alarmDescription: string, metric: cloudwatch.IMetric, options: { threshold?: number; below?: boolean; missingBreaches?: boolean } = {}) =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription,
        metric,
        threshold: options.threshold ?? 1,
        comparisonOperator: options.below ? cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD : cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: options.missingBreaches ? cloudwatch.TreatMissingData.BREACHING : cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const errors = alarm(
      'ErrorsAlarm',
      'Pacing controller: the Lambda failed at least once in 5 minutes. Check its log group.',
      this.fn.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
    );
    const throttles = alarm(
      'ThrottlesAlarm',
      'Pacing controller: the Lambda was throttled (a tick overlapped the previous one, or the account ran out of concurrency).',
      this.fn.metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
    );
    const ticksStopped = alarm(
      'TicksStoppedAlarm',
      'Pacing controller: no completed tick in 5 minutes (metric GenesysPacing/Ticks). The schedule may be disabled, or every tick is failing: campaigns are no longer paced.',
      controllerMetric(TICKS_METRIC_NAME),
      // No data means no ticks: that is exactly the failure this alarm exists for.
      { below: true, missingBreaches: true },
    );
    // One alarm for every campaign, at each campaign's own warning level (compliance.warningRate in
    // the configuration, which knows each campaign's regime), on a fleet-level count; the log line
    // names the campaign. No ticks is the ticks-stopped alarm's business, here and below.
    const complianceWarning = alarm(
      'ComplianceWarningAlarm',
      'Pacing controller: a campaign\'s abandon rate over its regulatory window reached its warning level (compliance.warningRate). The controller is already pacing it down; find the campaign in the log line "abandon rate over the regulatory window is at or above the warning level" or on the dashboard\'s worst window abandon rate graph.',
      controllerMetric(COMPLIANCE_WARNINGS_METRIC, cloudwatch.Stats.MAXIMUM),
    );
    const apiErrors = alarm(
      'ApiErrorsAlarm',
      `Pacing controller: ${thresholds.apiErrors} or more Genesys calls failed after retries in 5 minutes (metric ApiErrors). Affected campaigns hold their pacing; the log says which calls failed.`,
      controllerMetric('ApiErrors'),
      { threshold: thresholds.apiErrors },
    );
    const genesysThrottles = alarm(
      'GenesysThrottlesAlarm',
      `Pacing controller: Genesys answered 429 (rate limit) ${thresholds.genesysThrottles} or more times in 5 minutes (metric GenesysThrottles). Another user of the OAuth client, or genesys.requestsPerMinute set above the real limit.`,
      controllerMetric('GenesysThrottles'),
      { threshold: thresholds.genesysThrottles },
    );
    const auditWriteFailures = alarm(
      'AuditWriteFailuresAlarm',
      'Pacing controller: a pacing change or manual change could not be written to the audit table (metric AuditWriteFailures). The change itself happened; the log line "change not recorded in the audit trail" holds its details.',
      controllerMetric('AuditWriteFailures'),
    );
    const blind = alarm(
      'BlindAlarm',
      'Pacing controller: at least one campaign has been blind (its metrics unreadable or stale) for blindTicksBeforeSafe ticks in a row, so its pacing was stepped down to its safe value. The logs name the campaign and the failed read (reason read-failed or stale-data).',
      // One period per tick: the blind limit already waited, the alarm should not wait again.
      controllerMetric(BLIND_CAMPAIGNS_METRIC_NAME, cloudwatch.Stats.MAXIMUM, Duration.minutes(1)),
    );
    this.alarms = { errors, throttles, ticksStopped, complianceWarning, apiErrors, genesysThrottles, auditWriteFailures, blind };

    if (props.alarmTopic) {
      const action = new cloudwatchActions.SnsAction(props.alarmTopic);
      for (const alarm of Object.values(this.alarms)) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }

    this.dashboard = new PacingDashboard(this, 'Dashboard', {
      config: this.config,
      fn: this.fn,
      logGroup,
      alarms: Object.values(this.alarms),
      campaignGraphs: props.dashboardCampaignGraphs ?? 24,
    }).dashboard;

    new CfnOutput(this, 'SecretId', {
      description: 'Secrets Manager secret holding the Genesys OAuth client (pass it as -c genesysSecretArn=... to a redeploy after cdk destroy)',
      value: secretId,
    });
    new CfnOutput(this, 'FillSecretCommand', {
      description: 'Run once after the first deploy, with the Genesys OAuth client id and secret',
      value: `aws secretsmanager put-secret-value --region ${Aws.REGION} --secret-id ${secretId} --secret-string '{"clientId":"...","clientSecret":"..."}'`,
    });
    new CfnOutput(this, 'StateTableName', { value: this.table.tableName });
    new CfnOutput(this, 'AuditTableName', {
      description: 'Audit trail of pacing changes: npm run audit -- --table <this> --campaign <id> [--since <ISO time>]',
      value: this.auditTable.tableName,
    });
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboardName });
    new CfnOutput(this, 'FunctionName', { value: this.fn.functionName });
    new CfnOutput(this, 'LogGroupName', {
      description: 'The function\'s log group: one JSON line per campaign per tick, for Logs Insights (README: per-campaign detail from the logs)',
      value: logGroup.logGroupName,
    });
    new CfnOutput(this, 'ScheduleRuleName', {
      description: 'EventBridge rule that ticks the controller (edit its schedule or disable it in the console)',
      value: this.rule.ruleName,
    });
  }

  /** The secret given (prop or configuration, never both), else a new one the stack never writes a value to. */
  private genesysSecret(existing: secretsmanager.ISecret | undefined, configSource: string): secretsmanager.ISecret {
    const configured = this.config.secretName;
    if (existing && configured) {
      throw new Error(
        `The Genesys secret is given twice: secretName "${configured}" in ${configSource}, and as a secret passed in ` +
          '(-c genesysSecretArn / -c genesysSecretName, or the existingSecret prop): keep one',
      );
    }
    if (existing) return existing;
    if (configured) return secretsmanager.Secret.fromSecretNameV2(this, 'GenesysClient', configured);
    // CfnSecret, not Secret: Secret with no value puts a GenerateSecretString in the template, and a
    // change to that (or to a SecretString) makes CloudFormation write a new value over the operator's.
    // With neither, CloudFormation creates the secret without a value, and no later deploy writes one.
    // No Name: CloudFormation generates one, so a redeploy after `cdk destroy` (which keeps the secret)
    // never collides with the retained secret. The function is told the ARN (SECRET_ID_VARIABLE).
    const created = new secretsmanager.CfnSecret(this, 'GenesysClient', {
      description:
        'Genesys Cloud OAuth client (client credentials grant) for the pacing controller: {"clientId":"...","clientSecret":"..."}. Created empty; fill it with put-secret-value (the stack output FillSecretCommand). Kept when the stack is deleted.',
    });
    created.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Validations.of(created).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret is a Genesys Cloud OAuth client secret. It is issued and rotated in Genesys Cloud (Admin > OAuth), not by a rotation Lambda; the operator writes the new value with put-secret-value and the controller re-reads it.',
    });
    // Ref of AWS::SecretsManager::Secret is its full ARN.
    return secretsmanager.Secret.fromSecretCompleteArn(this, 'GenesysClientSecret', created.ref);
  }
}

/** Single-quotes a path for the bundling shell (bash on Linux and macOS). */
function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}
