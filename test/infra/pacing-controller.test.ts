import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { BLIND_OR_FAILED_QUERY, campaignOverTimeQuery } from '../../infra/log-queries.js';
import { PacingController, type PacingControllerProps } from '../../infra/pacing-controller.js';
import { CAMPAIGN_METRICS, FLEET_METRICS } from '../../lambda/observability.js';
import { asArray, exampleConfig, iamStatements, newApp } from './support.js';

function synth(props: Partial<PacingControllerProps> = {}, withTopic = false) {
  const stack = new Stack(newApp(), 'TestStack');
  const alarmTopic = withTopic ? new sns.Topic(stack, 'Alarms') : undefined;
  const controller = new PacingController(stack, 'Controller', {
    config: exampleConfig(),
    ...(alarmTopic ? { alarmTopic } : {}),
    ...props,
  });
  return { stack, controller, alarmTopic, template: Template.fromStack(stack) };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

describe('PacingController function', () => {
  it('runs on the newest Node.js runtime on arm64, with 512 MB', () => {
    // Prepare / Act
    const { template } = synth();

    // Assess: nodejs24.x, not 22.x: cdk-nag AwsSolutions-L1 requires the newest runtime aws-cdk-lib knows.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Handler: 'index.handler',
    });
  });

  it('takes more memory (and so more CPU) for many campaigns', () => {
    // Prepare / Act
    const { template } = synth({ memorySize: 1769 });

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 1769 });
  });

  it('finishes within the 1-minute tick and never runs two ticks at once', () => {
    // Prepare / Act
    const { template } = synth();

    // Assess
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fn?.Properties.Timeout).toBeLessThan(60);
    expect(fn?.Properties.ReservedConcurrentExecutions).toBe(1);
  });

  it('leaves concurrency unreserved when asked, for accounts whose quota is the unreserved minimum', () => {
    // Prepare / Act
    const { template } = synth({ reserveConcurrency: false });

    // Assess
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fn?.Properties).not.toHaveProperty('ReservedConcurrentExecutions');
  });

  it('gets the table names, the bundled config file name and the Powertools settings', () => {
    // Prepare / Act
    const { stack, controller, template } = synth();

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          STATE_TABLE_NAME: { Ref: logicalId(stack, controller.table) },
          AUDIT_TABLE_NAME: { Ref: logicalId(stack, controller.auditTable) },
          PACING_CONFIG_FILE: 'pacing.config.json',
          POWERTOOLS_SERVICE_NAME: 'pacing-controller',
          POWERTOOLS_METRICS_NAMESPACE: 'GenesysPacing',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  it('logs to its own log group kept for a year', () => {
    // Prepare / Act
    const { template } = synth();

    // Assess
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    const groups = Object.keys(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: groups[0] } } });
  });

  it('drops failed or stale async invocations instead of retrying them', () => {
    // Prepare / Act
    const { template } = synth();

    // Assess
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
      Qualifier: '$LATEST',
    });
  });
});

describe('PacingController schedule', () => {
  it('ticks every minute by default, with no target retries and a 60 s event age', () => {
    // Prepare / Act
    const { stack, controller, template } = synth();

    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Description: Match.stringLikeRegexp('measures .*dt'),
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [logicalId(stack, controller.fn), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        },
      ],
    });
  });

  it('takes another schedule', () => {
    // Prepare / Act
    const { template } = synth({ schedule: events.Schedule.rate(Duration.minutes(2)) });

    // Assess
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(2 minutes)' });
  });
});

describe('PacingController state table', () => {
  it('is an on-demand global table with point-in-time recovery, retained and protected', () => {
    // Prepare / Act
    const { stack, controller, template } = synth();

    // Assess
    const state = template.toJSON().Resources[logicalId(stack, controller.table)];
    expect(state).toMatchObject({
      Type: 'AWS::DynamoDB::GlobalTable',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'campaignId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'campaignId', AttributeType: 'S' }],
        Replicas: [
          expect.objectContaining({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        ],
      },
    });
  });

  it('can be destroyed with the stack when asked, and then is not deletion-protected', () => {
    // Prepare / Act
    const { stack, controller, template } = synth({ tableRemovalPolicy: RemovalPolicy.DESTROY });

    // Assess
    expect(template.toJSON().Resources[logicalId(stack, controller.table)]).toMatchObject({
      DeletionPolicy: 'Delete',
      Properties: { Replicas: [expect.objectContaining({ DeletionProtectionEnabled: false })] },
    });
  });
});

describe('PacingController secret', () => {
  /** The function's environment variables. */
  const environmentOf = (template: Template) => Object.values(template.findResources('AWS::Lambda::Function'))[0]!.Properties.Environment.Variables;
  /** The function's secretsmanager statements. */
  const secretStatements = (template: Template) =>
    iamStatements(template.toJSON().Resources).filter((s) => asArray(s.Action).some((a) => a.startsWith('secretsmanager:')));

  it('is created without a value or a fixed name, kept when the stack goes, and handed to the function by ARN', () => {
    // Prepare / Act
    const { template } = synth();

    // Assess: no value CloudFormation could ever write over the operator's, no name a redeploy could collide with
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secrets)).toHaveLength(1);
    const [id, secret] = Object.entries(secrets)[0]!;
    expect(secret).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(Object.keys(secret.Properties)).toEqual(['Description']);
    expect(environmentOf(template).GENESYS_SECRET_ID).toEqual({ Ref: id });
    expect(secretStatements(template)).toEqual([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: id } }]);
    const outputs = JSON.stringify(template.findOutputs('*'));
    expect(outputs).toContain('aws secretsmanager put-secret-value');
    expect(outputs).toContain(`--secret-id \",{\"Ref\":\"${id}\"},\" --secret-string '{\\\"clientId\\\":\\\"...\\\",\\\"clientSecret\\\":\\\"...\\\"}'`);
  });

  it.each([
    ['the existingSecret prop', (stack: Stack) => ({ existingSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Kept', 'genesys-pacing/kept') }), {}],
    ['the configuration\'s secretName', () => ({}), { secretName: 'genesys-pacing/kept' }],
  ])('uses an existing secret given by %s: creates none, and the function reads that one', (_how, props, configFields) => {
    // Prepare
    const stack = new Stack(newApp(), 'TestStack');

    // Act
    new PacingController(stack, 'Controller', { config: { ...exampleConfig(), ...configFields }, ...props(stack) });

    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(environmentOf(template).GENESYS_SECRET_ID).toBe('genesys-pacing/kept');
    const [statement] = secretStatements(template);
    expect(statement!.Action).toBe('secretsmanager:GetSecretValue');
    expect(JSON.stringify(statement!.Resource)).toMatch(/:secretsmanager:.*:secret:genesys-pacing\/kept-\?\?\?\?\?\?"/);
  });

  it('uses a secret given by its complete ARN under that ARN', () => {
    // Prepare
    const stack = new Stack(newApp(), 'TestStack');
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys-pacing/kept-AbC123';

    // Act
    new PacingController(stack, 'Controller', { config: exampleConfig(), existingSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Kept', arn) });

    // Assess
    const template = Template.fromStack(stack);
    expect(environmentOf(template).GENESYS_SECRET_ID).toBe(arn);
    expect(secretStatements(template)).toEqual([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: arn }]);
  });

  it('refuses a secret given twice, naming both places', () => {
    // Prepare
    const stack = new Stack(newApp(), 'TestStack');
    const config = { ...exampleConfig(), secretName: 'genesys-pacing/a' };

    // Act
    const act = () => new PacingController(stack, 'Controller', { config, configSource: 'my.config.json', existingSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'B', 'genesys-pacing/b') });

    // Assess
    expect(act).toThrow(/The Genesys secret is given twice: secretName "genesys-pacing\/a" in my\.config\.json, and as a secret passed in .*: keep one/);
  });
});

describe('PacingController IAM', () => {
  it('reads only its secret, writes only its tables and its log group, and has no wildcard resource', () => {
    // Prepare
    const { stack, controller, template } = synth();
    const secretRef = { Ref: Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0] };
    const tableArn = { 'Fn::GetAtt': [logicalId(stack, controller.table), 'Arn'] };
    const auditTableArn = { 'Fn::GetAtt': [logicalId(stack, controller.auditTable), 'Arn'] };
    const logGroupArn = { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::Logs::LogGroup'))[0], 'Arn'] };

    // Act
    const statements = iamStatements(template.toJSON().Resources);

    // Assess
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      const actions = asArray(s.Action);
      const resources = asArray(s.Resource);
      expect(resources, `statement ${JSON.stringify(s)}`).not.toContain('*');
      for (const action of actions) {
        const service = action.split(':')[0];
        const allowed =
          service === 'secretsmanager' ? [secretRef]
          : action === 'dynamodb:PutItem' ? [tableArn, auditTableArn]
          : service === 'dynamodb' ? [tableArn]
          : service === 'logs' ? [logGroupArn]
          : [];
        expect(allowed, `unexpected action ${action}`).not.toEqual([]);
        for (const r of resources) expect(allowed, `${action} on ${JSON.stringify(r)}`).toContainEqual(r);
      }
    }
    const actionsOf = (service: string) => new Set(statements.flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith(`${service}:`)));
    // Exactly what the handler calls: Powertools getSecret, the store's BatchGet and conditional Put/Update,
    // the audit trail's conditional Put, its own log stream.
    expect(actionsOf('secretsmanager')).toEqual(new Set(['secretsmanager:GetSecretValue']));
    expect(actionsOf('dynamodb')).toEqual(new Set(['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']));
    expect(actionsOf('logs')).toEqual(new Set(['logs:CreateLogStream', 'logs:PutLogEvents']));
  });

  it('has only Allow statements, no wildcard action, and nothing on IAM, STS or KMS', () => {
    // Prepare / Act
    const { template } = synth();
    const statements = iamStatements(template.toJSON().Resources);

    // Assess
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      for (const action of asArray(s.Action)) {
        expect(action, 'a wildcard action').not.toMatch(/\*/);
        expect(action.split(':')[0], 'IAM, STS or KMS access').not.toMatch(/^(iam|sts|kms)$/);
      }
    }
  });

  it('lets only the Lambda service assume the function role', () => {
    // Prepare / Act
    const { template } = synth();

    // Assess
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    const statements = roles.flatMap((r) => r.Properties.AssumeRolePolicyDocument.Statement);
    expect(statements).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }]);
  });

  it('uses no managed policy (AWSLambdaBasicExecutionRole would grant logs on every log group)', () => {
    // Prepare / Act
    const { template } = synth();

    // Assess
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
    }
  });
});

describe('PacingController alarms', () => {
  it('alarms on any function error in 5 minutes', () => {
    // Prepare / Act
    const { stack, controller, template } = synth();

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack, controller.fn) } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    });
  });

  it('alarms on any throttle in 5 minutes', () => {
    // Prepare / Act
    const { template } = synth();

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms when ticks stop, treating no data as breaching', () => {
    // Prepare / Act
    const { template } = synth();

    // Assess: the handler must emit exactly this metric (Powertools adds the service dimension).
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'GenesysPacing',
      MetricName: 'Ticks',
      Dimensions: [{ Name: 'service', Value: 'pacing-controller' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'breaching',
    });
  });

  it('alarms within a minute when a campaign reached its blind limit and fell back to its safe value', () => {
    // Prepare / Act
    const { template } = synth();

    // Assess: the handler emits BlindCampaigns on every tick (see lambda/observability.ts).
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'GenesysPacing',
      MetricName: 'BlindCampaigns',
      Dimensions: [{ Name: 'service', Value: 'pacing-controller' }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmDescription: Match.stringLikeRegexp('blind.*safe value'),
    });
  });

  it('alarms when any campaign\'s abandon rate over its regulatory window reaches its warning level', () => {
    // Prepare / Act
    const { template } = synth();

    // Assess: the metric the handler publishes once per tick, with the service dimension only
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'GenesysPacing',
      MetricName: 'ComplianceWarnings',
      Dimensions: [{ Name: 'service', Value: 'pacing-controller' }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('has no actions without a topic', () => {
    // Prepare / Act
    const { template } = synth();

    // Assess
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(8);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toBeUndefined();
  });

  it('notifies the topic on alarm and on recovery when one is given', () => {
    // Prepare / Act
    const { stack, alarmTopic, template } = synth({}, true);

    // Assess
    const topicRef = { Ref: stack.getLogicalId(alarmTopic!.node.defaultChild as never) };
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(8);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
      expect(alarm.Properties.OKActions).toEqual([topicRef]);
    }
  });
});

describe('PacingController configuration', () => {
  it('exposes the validated config with defaults filled in', () => {
    // Prepare / Act
    const { controller } = synth();

    // Assess
    expect(controller.config.campaigns).toHaveLength(3);
    expect(controller.config.campaigns.every((c) => c.dryRun)).toBe(true);
    expect(controller.config.genesys.apiBaseUrl).toBe('https://api.mypurecloud.com');
  });

  it.each([
    ['a setpoint written as a percentage', (c: any) => { c.campaigns[0].setpoint = 80; }, /campaigns\[0\]\.setpoint: must be below 1.*0\.8/],
    ['an unknown field', (c: any) => { c.campaigns[1].gain = { kp: 1 }; }, /campaigns\[1\]: unknown field\(s\) "gain"/],
    ['a region that is not a Genesys host', (c: any) => { c.genesys.region = 'api.mypurecloud.com'; }, /genesys\.region: must be one of mypurecloud\.com/],
    ['a secret name Secrets Manager would refuse', (c: any) => { c.secretName = 'genesys pacing'; }, /secretName: must be a Secrets Manager name/],
  ])('fails synth on %s, naming the field', (_what, breakIt, message) => {
    // Prepare
    const config = exampleConfig();
    breakIt(config);
    const stack = new Stack(newApp(), 'TestStack');

    // Act
    let error: unknown;
    try {
      new PacingController(stack, 'Controller', { config, configSource: 'my.config.json' });
    } catch (err) {
      error = err;
    }

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/^Invalid pacing configuration in my\.config\.json/);
  });
});

describe('PacingController audit table', () => {
  it('keys entries by campaign and time, expires them by TTL, has point-in-time recovery and is retained and protected', () => {
    // Prepare / Act
    const { stack, controller, template } = synth({ tableRemovalPolicy: RemovalPolicy.DESTROY });

    // Assess: retained even when the state table may be destroyed
    expect(template.toJSON().Resources[logicalId(stack, controller.auditTable)]).toMatchObject({
      Type: 'AWS::DynamoDB::GlobalTable',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'campaignId', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        Replicas: [
          expect.objectContaining({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        ],
      },
    });
  });

  it('lets the function put entries and nothing else (no batch write, update, delete or read), and names it in the outputs', () => {
    // Prepare
    const { stack, controller, template } = synth();
    const auditTableArn = { 'Fn::GetAtt': [logicalId(stack, controller.auditTable), 'Arn'] };

    // Act: every action of every statement naming the audit table
    const onAudit = iamStatements(template.toJSON().Resources).filter((s) => JSON.stringify(s.Resource).includes(logicalId(stack, controller.auditTable)));
    const actions = new Set(onAudit.flatMap((s) => asArray(s.Action)));

    // Assess: PutItem only, which the adapter makes conditional on the key being free (IAM cannot require that)
    expect(actions).toEqual(new Set(['dynamodb:PutItem']));
    for (const s of onAudit) expect(asArray(s.Resource)).toContainEqual(auditTableArn);
    expect(JSON.stringify(template.findOutputs('*'))).toContain('npm run audit -- --table');
  });
});

/** The dashboard body with CloudFormation tokens replaced by "TOKEN", parsed. */
function dashboardBody(template: Template): { widgets: Array<{ type: string; properties: any }> } {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const body = dashboard!.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return JSON.parse(text);
}

/** A configuration of n abandon-rate campaigns. */
function manyCampaigns(n: number) {
  const config = exampleConfig();
  config.campaigns = Array.from({ length: n }, (_, i) => ({
    campaignId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    objective: { kind: 'abandonRate' },
    setpoint: 0.025,
  }));
  return config;
}

/** The example configuration with per-campaign metrics turned on. */
function perCampaignConfig() {
  return { ...exampleConfig(), metrics: { perCampaign: true } };
}

/** The GenesysPacing metric names a dashboard body's graphs read. */
function dashboardMetricNames(template: Template): Set<string> {
  const names = new Set<string>();
  for (const w of dashboardBody(template).widgets) {
    for (const m of w.properties.metrics ?? []) if (m[0] === 'GenesysPacing') names.add(m[1]);
  }
  return names;
}

describe('PacingController dashboard', () => {
  it('by default reads only the fleet-level metrics the handler publishes, and each campaign from its log lines', () => {
    // Prepare / Act
    const { template } = synth();

    // Assess: nothing the dashboard or an alarm reads is a metric the handler no longer publishes
    const published = new Set<string>([...FLEET_METRICS, 'TickFailures']);
    for (const name of dashboardMetricNames(template)) expect(published, `dashboard metric ${name}`).toContain(name);
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      if (alarm.Properties.Namespace === 'GenesysPacing') expect(published, `alarm metric ${alarm.Properties.MetricName}`).toContain(alarm.Properties.MetricName);
    }
    const body = JSON.stringify(dashboardBody(template));
    expect(body).not.toContain('SEARCH(');
    expect(body).not.toContain('"campaignId"');
    const logWidgets = dashboardBody(template).widgets.filter((w) => w.type === 'log');
    for (const c of exampleConfig().campaigns as Array<{ campaignId: string }>) {
      expect(logWidgets.some((w) => w.properties.query.includes(campaignOverTimeQuery(c.campaignId)))).toBe(true);
    }
    expect(logWidgets.some((w) => w.properties.query.includes(BLIND_OR_FAILED_QUERY))).toBe(true);
    for (const w of logWidgets) expect(w.properties.query).toMatch(/^SOURCE 'TOKEN' \| /);
  });

  it('draws the fleet: worst window abandon rate against the limits, least budget, and campaigns written, held, blind and warned', () => {
    // Prepare / Act
    const { template } = synth();

    // Assess
    const graphs = dashboardBody(template).widgets.filter((w) => w.type === 'metric');
    const worst = graphs.find((w) => JSON.stringify(w.properties.metrics).includes('WorstComplianceWindowAbandonRate'))!;
    expect(worst.properties.annotations.horizontal).toEqual(
      expect.arrayContaining([expect.objectContaining({ value: 0.03, label: 'limit 3%' }), expect.objectContaining({ value: 0.027, label: 'warning 2.7%' })]),
    );
    for (const name of ['LeastComplianceBudgetRemaining', 'CampaignsWritten', 'CampaignsHeld', 'CampaignsBlind', 'BlindCampaigns', 'ComplianceWarnings', 'ComplianceGuardTrips']) {
      expect(dashboardMetricNames(template)).toContain(name);
    }
  });

  it('with per-campaign metrics, graphs each campaign\'s measured value against setpoint and its knob, with the compliance limit and warning level on abandon-rate campaigns', () => {
    // Prepare / Act
    const { template } = synth({ config: perCampaignConfig() });

    // Assess
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const graphs = dashboardBody(template).widgets.filter((w) => w.type === 'metric');
    const [sl, abandon, agentless] = exampleConfig().campaigns.map((c: { campaignId: string }) =>
      graphs.find((w) => JSON.stringify(w.properties.metrics).includes(c.campaignId))!,
    );
    for (const g of [sl, abandon, agentless]) {
      const metrics = JSON.stringify(g.properties.metrics);
      for (const name of ['MeasuredValue', 'Setpoint', 'KnobValue']) expect(metrics).toContain(`"GenesysPacing","${name}","campaignId"`);
      expect(metrics).toContain('"service","pacing-controller"');
      expect(metrics).toContain('"yAxis":"right"');
    }
    expect(abandon.properties.annotations.horizontal).toEqual(
      expect.arrayContaining([expect.objectContaining({ value: 0.03, label: 'limit 3%' }), expect.objectContaining({ value: 0.027, label: 'warning 2.7%' })]),
    );
    expect(sl.properties.annotations).toBeUndefined();
    expect(sl.properties.title).toContain('EXAMPLE blended sales');
    const published = new Set<string>([...FLEET_METRICS, ...CAMPAIGN_METRICS, 'TickFailures']);
    for (const name of dashboardMetricNames(template)) expect(published, `dashboard metric ${name}`).toContain(name);
  });

  it('with per-campaign metrics, shows every campaign through SEARCH; always the loop\'s errors, throttles and tick duration, and the alarms', () => {
    // Prepare / Act
    const { template } = synth({ config: perCampaignConfig() });

    // Assess
    const body = JSON.stringify(dashboardBody(template));
    for (const metric of ['ComplianceWindowAbandonRate', 'MeasuredValue', 'KnobValue']) {
      expect(body).toContain(`SEARCH('{GenesysPacing,campaignId,service} MetricName=\\"${metric}\\" service=\\"pacing-controller\\"', 'Average', 60)`);
    }
    for (const metric of ['TickDurationMs', 'CampaignErrors', 'ApiErrors', 'GenesysThrottles', 'WritesDeferred', 'AuditWriteFailures']) {
      expect(body).toContain(`"GenesysPacing","${metric}","service","pacing-controller"`);
    }
    const alarmWidget = dashboardBody(template).widgets.find((w) => w.type === 'alarm')!;
    expect(alarmWidget.properties.alarms).toHaveLength(8);
  });

  it('gives the first 24 campaigns their own graph and leaves the rest to the fleet graphs', () => {
    // Prepare / Act
    const { template } = synth({ config: manyCampaigns(500) });

    // Assess
    const widgets = dashboardBody(template).widgets;
    const perCampaign = widgets.filter((w) => w.type === 'log' && w.properties.query.includes('campaignId = "0000'));
    expect(perCampaign).toHaveLength(24);
    expect(widgets.length).toBeLessThanOrEqual(500);
    expect(JSON.stringify(widgets)).toContain('per-campaign graphs from the logs (Logs Insights) for the first 24.');
  });

  it('refuses a number of per-campaign graphs a dashboard cannot hold', () => {
    expect(() => synth({ dashboardCampaignGraphs: 600 })).toThrow(/dashboardCampaignGraphs must be a whole number from 0 to 200, got 600/);
  });
});

describe('PacingController alarms on the loop', () => {
  it.each([
    ['ApiErrors', 5],
    ['GenesysThrottles', 5],
    ['AuditWriteFailures', 1],
  ])('alarms on %s summed over 5 minutes at %d or more', (metricName, threshold) => {
    // Prepare / Act
    const { template } = synth();

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'GenesysPacing',
      MetricName: metricName,
      Dimensions: [{ Name: 'service', Value: 'pacing-controller' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('takes other thresholds', () => {
    // Prepare / Act
    const { template } = synth({ alarmThresholds: { apiErrors: 10, genesysThrottles: 20 } });

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApiErrors', Threshold: 10 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'GenesysThrottles', Threshold: 20 });
  });
});
