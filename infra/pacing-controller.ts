import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, CfnOutput, Duration, RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
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
import { parsePacingConfig, type PacingConfig } from '../lambda/config/config.js';
import { COMPLIANCE_WARNINGS_METRIC } from '../lambda/observability.js';

/** Repository root (this file lives in infra/). */
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** CloudWatch namespace the handler's Powertools Metrics write to (POWERTOOLS_METRICS_NAMESPACE). */
export const METRICS_NAMESPACE = 'GenesysPacing';
/** Powertools service name; Powertools Metrics adds it as the `service` dimension on every metric. */
export const SERVICE_NAME = 'pacing-controller';
/** Metric the handler emits once per completed tick (value 1, unit Count, dimension service only). */
export const TICKS_METRIC_NAME = 'Ticks';
/** Name of the configuration file inside the Lambda bundle, relative to LAMBDA_TASK_ROOT. */
export const BUNDLED_CONFIG_FILE = 'pacing.config.json';

/**
 * The value the secret is created with: the shape to fill in, with empty values that nobody can mistake for
 * a credential and that the handler's credential check rejects ("lacks clientId, clientSecret") until the
 * operator runs `put-secret-value`. Never change this string: CloudFormation would write it again over the
 * real value on the next deploy.
 */
const SECRET_PLACEHOLDER = JSON.stringify({ clientId: '', clientSecret: '' });

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
}

/**
 * The closed-loop pacing controller: a scheduled Lambda that reads campaign statistics from Genesys Cloud,
 * runs one controller step per campaign and writes the pacing knob back, with its state in DynamoDB, its
 * Genesys OAuth client in Secrets Manager and alarms for errors, throttles and missing ticks.
 */
export class PacingController extends Construct {
  /** Controller state, one item per campaign (partition key `campaignId`). */
  public readonly table: dynamodb.TableV2;
  /** The tick handler. */
  public readonly fn: nodejs.NodejsFunction;
  /** Genesys OAuth client credentials, `{"clientId":"...","clientSecret":"..."}`, filled in by the operator. */
  public readonly secret: secretsmanager.Secret;
  /** The schedule that invokes `fn`. */
  public readonly rule: events.Rule;
  /** The validated configuration, with every default filled in. */
  public readonly config: PacingConfig;
  /** Alarms: function errors, function throttles, ticks stopped, and a campaign's abandon rate at its warning level. */
  public readonly alarms: { errors: cloudwatch.Alarm; throttles: cloudwatch.Alarm; ticksStopped: cloudwatch.Alarm; complianceWarning: cloudwatch.Alarm };

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

    this.secret = new secretsmanager.Secret(this, 'GenesysClient', {
      secretName: this.config.secretName,
      description:
        'Genesys Cloud OAuth client (client credentials grant) for the pacing controller: {"clientId":"...","clientSecret":"..."}. Created with a placeholder; fill it in with put-secret-value.',
      secretStringValue: SecretValue.unsafePlainText(SECRET_PLACEHOLDER),
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret is a Genesys Cloud OAuth client secret. It is issued and rotated in Genesys Cloud (Admin > OAuth), not by a rotation Lambda; the operator writes the new value with put-secret-value and the controller re-reads it.',
    });

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });

    // An explicit role instead of AWSLambdaBasicExecutionRole: that managed policy grants logs:* on '*',
    // while the function only ever writes to its own log group.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Genesys pacing controller: its log group, its state table and its Genesys client secret, nothing else',
    });
    logGroup.grantWrite(role);

    // The raw config goes into the bundle as a file; afterBundling copies it next to index.mjs. The temp
    // directory only has to live while the asset is staged, which happens inside the NodejsFunction constructor.
    const configDir = mkdtempSync(join(tmpdir(), 'pacing-config-'));
    const configFile = join(configDir, BUNDLED_CONFIG_FILE);
    writeFileSync(configFile, `${JSON.stringify(props.config, null, 2)}\n`);
    try {
      this.fn = new nodejs.NodejsFunction(this, 'Handler', {
        entry: join(REPO_ROOT, 'lambda', 'handler.ts'),
        handler: 'handler',
        projectRoot: REPO_ROOT,
        depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
        description: 'Genesys Cloud outbound pacing controller: one control step per campaign per tick',
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 512,
        // Below the 1-minute schedule period, so one tick finishes before the next is due.
        timeout: Duration.seconds(50),
        // One tick at a time: two concurrent ticks would both read and write the same campaign state.
        reservedConcurrentExecutions: 1,
        // A stale tick is worse than a skipped one: no async retries, drop events older than a minute.
        retryAttempts: 0,
        maxEventAge: Duration.seconds(60),
        role,
        logGroup,
        environment: {
          STATE_TABLE_NAME: this.table.tableName,
          PACING_CONFIG_FILE: BUNDLED_CONFIG_FILE,
          POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        },
        bundling: {
          forceDockerBundling: false,
          minify: true,
          sourceMap: true,
          format: nodejs.OutputFormat.ESM,
          target: 'node22',
          mainFields: ['module', 'main'],
          // Some CommonJS dependencies call require(); ESM output has none unless we make one.
          banner:
            "import { createRequire as __pacingCreateRequire } from 'node:module'; const require = __pacingCreateRequire(import.meta.url);",
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

    this.secret.grantRead(this.fn);
    this.table.grantReadWriteData(this.fn);

    this.rule = new events.Rule(this, 'Tick', {
      schedule,
      description:
        'Genesys pacing controller tick. The controller measures the time between ticks (dt), so any period works; 1 minute is the EventBridge minimum. The "ticks stopped" alarm expects at least one tick per 5 minutes. Disable this rule to stop pacing changes.',
      targets: [new targets.LambdaFunction(this.fn, { retryAttempts: 0, maxEventAge: Duration.seconds(60) })],
    });

    const fiveMinutes = Duration.minutes(5);
    const errors = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: 'Pacing controller: the Lambda failed at least once in 5 minutes. Check its log group.',
      metric: this.fn.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const throttles = new cloudwatch.Alarm(this, 'ThrottlesAlarm', {
      alarmDescription:
        'Pacing controller: the Lambda was throttled (a tick overlapped the previous one, or the account ran out of concurrency).',
      metric: this.fn.metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const ticksStopped = new cloudwatch.Alarm(this, 'TicksStoppedAlarm', {
      alarmDescription:
        'Pacing controller: no completed tick in 5 minutes (metric GenesysPacing/Ticks). The schedule may be disabled, or every tick is failing: campaigns are no longer paced.',
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: TICKS_METRIC_NAME,
        dimensionsMap: { service: SERVICE_NAME },
        statistic: cloudwatch.Stats.SUM,
        period: fiveMinutes,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No data means no ticks: that is exactly the failure this alarm exists for.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    // One alarm for every campaign: the log line and the per-campaign ComplianceWindowAbandonRate
    // metric name the campaign (an alarm per campaign would not scale to thousands of campaigns).
    const complianceWarning = new cloudwatch.Alarm(this, 'ComplianceWarningAlarm', {
      alarmDescription:
        'Pacing controller: a campaign\'s abandon rate over its regulatory window reached its warning level (compliance.warningRate). The controller is already pacing it down; find the campaign in the log line "abandon rate over the regulatory window is at or above the warning level" or the ComplianceWindowAbandonRate metric.',
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: COMPLIANCE_WARNINGS_METRIC,
        dimensionsMap: { service: SERVICE_NAME },
        statistic: cloudwatch.Stats.MAXIMUM,
        period: fiveMinutes,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // No ticks is the ticks-stopped alarm's business.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarms = { errors, throttles, ticksStopped, complianceWarning };

    if (props.alarmTopic) {
      const action = new cloudwatchActions.SnsAction(props.alarmTopic);
      for (const alarm of [errors, throttles, ticksStopped, complianceWarning]) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }

    new CfnOutput(this, 'SecretName', {
      description: 'Secrets Manager secret holding the Genesys OAuth client',
      value: this.config.secretName,
    });
    new CfnOutput(this, 'SecretArn', { value: this.secret.secretArn });
    new CfnOutput(this, 'FillSecretCommand', {
      description: 'Run once after the first deploy, with the Genesys OAuth client id and secret',
      value: `aws secretsmanager put-secret-value --region ${Aws.REGION} --secret-id ${this.config.secretName} --secret-string '{"clientId":"...","clientSecret":"..."}'`,
    });
    new CfnOutput(this, 'StateTableName', { value: this.table.tableName });
    new CfnOutput(this, 'FunctionName', { value: this.fn.functionName });
    new CfnOutput(this, 'ScheduleRuleName', {
      description: 'EventBridge rule that ticks the controller (edit its schedule or disable it in the console)',
      value: this.rule.ruleName,
    });
  }
}

/** Single-quotes a path for the bundling shell (bash on Linux and macOS). */
function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}
