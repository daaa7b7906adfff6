import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PacingControllerStack } from '../../infra/stack.js';
import { exampleConfig, newApp } from './support.js';

/** The app as infra/app.ts builds it: the stack plus cdk-nag's AwsSolutions pack as a validation plugin. */
function nagApp(context: Record<string, unknown> = {}): { app: App; stack: PacingControllerStack } {
  const app = newApp(context);
  const stack = new PacingControllerStack(app, 'GenesysPacingController');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

interface ValidationReport {
  pluginReports: { pluginName: string; violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[] }[];
}

function awsSolutionsFindings(report: ValidationReport): string[] {
  return report.pluginReports
    .filter((r) => r.pluginName === 'AwsSolutions')
    .flatMap((r) => r.violations)
    .map((v) => `${v.severity} ${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`);
}

describe('PacingControllerStack', () => {
  it('reads pacing.config.json from the repository root by default and has no alarm topic', () => {
    // Prepare
    const app = newApp();

    // Act
    const stack = new PacingControllerStack(app, 'Pacing');

    // Assess
    const template = Template.fromStack(stack);
    expect(stack.controller.config.secretName).toBeUndefined();
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(stack.resolve(stack.account)).toEqual({ Ref: 'AWS::AccountId' }); // environment-agnostic
  });

  it('reserves concurrency unless -c reserveConcurrency=false, and names the context in a bad value\'s error', () => {
    // Prepare / Act
    const reserved = Template.fromStack(new PacingControllerStack(newApp(), 'Pacing'));
    const unreserved = Template.fromStack(new PacingControllerStack(newApp({ reserveConcurrency: 'false' }), 'Pacing'));
    const bad = () => new PacingControllerStack(newApp({ reserveConcurrency: 'no' }), 'Pacing');

    // Assess
    const reservation = (t: Template) => Object.values(t.findResources('AWS::Lambda::Function'))[0]?.Properties.ReservedConcurrentExecutions;
    expect(reservation(reserved)).toBe(1);
    expect(reservation(unreserved)).toBeUndefined();
    expect(bad).toThrow('Context reserveConcurrency must be true or false (got "no"): pass -c reserveConcurrency=false or leave it out');
  });

  it.each([
    ['genesysSecretName', 'genesys-pacing/kept', 'genesys-pacing/kept'],
    ['genesysSecretArn', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys-pacing/kept-AbC123', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys-pacing/kept-AbC123'],
  ])('with -c %s, uses that secret (a redeploy after cdk destroy) and creates none', (context, value, secretId) => {
    // Prepare
    const app = newApp({ [context]: value });

    // Act
    const stack = new PacingControllerStack(app, 'Pacing');

    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ GENESYS_SECRET_ID: secretId }) } });
  });

  it.each([
    [{ genesysSecretName: 'a', genesysSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:a-AbC123' }, 'Give the existing Genesys secret once: -c genesysSecretArn=... or -c genesysSecretName=..., not both'],
    [{ genesysSecretArn: 'genesys-pacing/kept' }, /genesysSecretArn must be a secret's complete ARN, .* \(got "genesys-pacing\/kept"\): copy it from the SecretId output/],
    [{ genesysSecretName: true }, 'Context genesysSecretName must be a non-empty string (got true): pass -c genesysSecretName=<value> or leave it out'],
  ])('refuses the secret context %j, saying what to pass', (context, message) => {
    // Act
    const act = () => new PacingControllerStack(newApp(context), 'Pacing');

    // Assess
    expect(act).toThrow(message);
  });

  it('with an alarm email, creates an encrypted SSL-only topic CloudWatch can publish to, wired to every alarm', () => {
    // Prepare
    const app = newApp({ alarmEmail: 'pacing-oncall@example.com' });

    // Act
    const stack = new PacingControllerStack(app, 'Pacing');

    // Assess
    const template = Template.fromStack(stack);
    const topicId = stack.getLogicalId(stack.alarmTopic!.node.defaultChild as never);
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0]!;
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'pacing-oncall@example.com',
      TopicArn: { Ref: topicId },
    });
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    }
  });

  describe('with context pacingConfigFile', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'pacing-stack-test-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('uses that file, and the existing secret it names', () => {
      // Prepare
      const file = join(dir, 'other.json');
      const config = exampleConfig();
      config.secretName = 'other/secret';
      writeFileSync(file, JSON.stringify(config));

      // Act
      const stack = new PacingControllerStack(newApp({ pacingConfigFile: file }), 'Pacing');

      // Assess
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ GENESYS_SECRET_ID: 'other/secret' }) } });
    });

    it('refuses a secret named both in that file and on the command line', () => {
      // Prepare
      const file = join(dir, 'named.json');
      writeFileSync(file, JSON.stringify({ ...exampleConfig(), secretName: 'other/secret' }));

      // Act
      const act = () => new PacingControllerStack(newApp({ pacingConfigFile: file, genesysSecretName: 'genesys-pacing/kept' }), 'Pacing');

      // Assess
      expect(act).toThrow(`The Genesys secret is given twice: secretName "other/secret" in ${file}`);
    });

    it('fails naming the file and the field when the file does not validate', () => {
      // Prepare
      const file = join(dir, 'bad.json');
      const config = exampleConfig();
      config.campaigns[2].setpoint = 80;
      writeFileSync(file, JSON.stringify(config));

      // Act
      const act = () => new PacingControllerStack(newApp({ pacingConfigFile: file }), 'Pacing');

      // Assess
      expect(act).toThrow(`Invalid pacing configuration in ${file}`);
      expect(act).toThrow(/campaigns\[2\]\.setpoint: must be below 1/);
    });

    it('fails naming the file when it is missing or not JSON', () => {
      // Prepare
      const missing = join(dir, 'missing.json');
      const notJson = join(dir, 'broken.json');
      writeFileSync(notJson, '{ "genesys": ');

      // Act
      const actMissing = () => new PacingControllerStack(newApp({ pacingConfigFile: missing }), 'Pacing');
      const actNotJson = () => new PacingControllerStack(newApp({ pacingConfigFile: notJson }), 'Pacing');

      // Assess
      expect(actMissing).toThrow(`Cannot read the pacing configuration ${missing} (ENOENT)`);
      expect(actNotJson).toThrow(`The pacing configuration ${notJson} is not valid JSON`);
    });
  });
});

describe('cdk-nag AwsSolutions', () => {
  // cdk-nag 3 is a policy validation plugin: it adds no annotations (Annotations.fromStack sees nothing).
  // Findings go into the cloud assembly's validation-report.json; an unacknowledged error makes app.synth()
  // throw "Validation failed"; warnings are only reported. So: synth, then read the report.
  it.each([
    ['without an alarm topic', {}],
    ['with an alarm topic', { alarmEmail: 'pacing-oncall@example.com' }],
    ['with an existing secret (its ARN a wildcard on the name)', { genesysSecretName: 'genesys-pacing/kept' }],
  ])('finds no unacknowledged error or warning %s', (_what, context) => {
    // Prepare
    const { app, stack } = nagApp(context);

    // Act
    const assembly = app.synth();

    // Assess
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as ValidationReport;
    expect(awsSolutionsFindings(report)).toEqual([]);
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('would fail synth on an unacknowledged finding (so the check above is not vacuous)', () => {
    // Prepare
    const { app, stack } = nagApp();
    new sns.Topic(stack, 'PlainTopic'); // not encrypted, no SSL enforcement

    // Act
    const act = () => app.synth();

    // Assess
    expect(act).toThrow(/AwsSolutions-SNS3/); // in-memory apps throw the report itself
    expect(new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-SNS3']),
    );
  });

  it('acknowledges only SMG4 (rotation happens in Genesys), with a reason', () => {
    // Prepare
    const { app } = nagApp({ alarmEmail: 'pacing-oncall@example.com' });

    // Act
    const acknowledged: { path: string; rules: Record<string, string> }[] = [];
    const visit = (c: import('constructs').IConstruct) => {
      for (const m of c.node.metadata) {
        if (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) acknowledged.push({ path: c.node.path, rules: m.data as Record<string, string> });
      }
      c.node.children.forEach(visit);
    };
    visit(app);

    // Assess
    expect(acknowledged).toHaveLength(1);
    expect(acknowledged[0]!.path).toBe('GenesysPacingController/Controller/GenesysClient');
    const [[id, reason]] = Object.entries(acknowledged[0]!.rules) as [[string, string]];
    expect(id).toMatch(/AwsSolutions-SMG4$/);
    expect(reason).toMatch(/rotated in Genesys Cloud/);
  });
});
