/** The construct with `shards`: a function, rule, secret and alarms per shard, refused when a shard is wrong. */
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { PacingController } from '../../infra/pacing-controller.js';
import { asArray, exampleConfig, iamStatements, newApp } from './support.js';

const id = (i: number) => `5d1e4f3c-0000-4000-8000-${String(i).padStart(12, '0')}`;
const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => id(from + i));

/** The example configuration with `n` abandon-rate campaigns split into `shards`. */
function shardedConfig(n: number, shards: unknown[]): any {
  const config = exampleConfig();
  delete config.secretName;
  config.campaigns = Array.from({ length: n }, (_, i) => ({ campaignId: id(i), objective: { kind: 'abandonRate' }, setpoint: 0.025 }));
  config.shards = shards;
  return config;
}

function synth(config: unknown) {
  const stack = new Stack(newApp(), 'TestStack');
  const controller = new PacingController(stack, 'Controller', { config, configSource: 'test.json' });
  return { stack, controller, template: Template.fromStack(stack) };
}

const threeShards = () =>
  shardedConfig(6, [
    { name: 'east', campaignIds: ids(0, 2) },
    { name: 'west', secretName: 'genesys/west', schedule: 'rate(2 minutes)', campaignIds: ids(2, 4) },
    { name: 'south', secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys/south-AbC123', campaignIds: ids(4, 6) },
  ]);

describe('PacingController with shards', () => {
  it('gives each shard its own function with reserved concurrency 1, its own rule naming the shard, and its own secret', () => {
    // Prepare / Act
    const { template, controller } = synth(threeShards());

    // Assess
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(3);
    expect(functions.map((f) => f.Properties.ReservedConcurrentExecutions)).toEqual([1, 1, 1]);
    expect(functions.map((f) => f.Properties.Environment.Variables.PACING_SHARD)).toEqual(['east', 'west', 'south']);
    expect(functions.map((f) => f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME)).toEqual([
      'pacing-controller-east',
      'pacing-controller-west',
      'pacing-controller-south',
    ]);
    const secretIds = functions.map((f) => JSON.stringify(f.Properties.Environment.Variables.GENESYS_SECRET_ID));
    expect(new Set(secretIds).size).toBe(3);
    expect(secretIds[2]).toContain('genesys/south-AbC123');
    // One secret created (east's), retained; west's and south's exist already.
    expect(Object.values(template.findResources('AWS::SecretsManager::Secret')).map((r) => r.DeletionPolicy)).toEqual(['Retain']);
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules.map((r) => r.Properties.ScheduleExpression)).toEqual(['rate(1 minute)', 'rate(2 minutes)', 'rate(1 minute)']);
    const inputs = rules.map((r) => r.Properties.Targets[0].InputTransformer);
    expect(inputs.map((t) => JSON.parse(t.InputTemplate.replace(/<[^>]+>/g, '"x"')).detail)).toEqual([{ shard: 'east' }, { shard: 'west' }, { shard: 'south' }]);
    expect(inputs[0].InputPathsMap).toEqual({ id: '$.id', 'detail-type': '$.detail-type', source: '$.source', time: '$.time' });
    expect(controller.shards.map((s) => s.name)).toEqual(['east', 'west', 'south']);
  });

  it('lets each shard\'s function read only its own shard\'s secret', () => {
    // Prepare / Act
    const { template } = synth(threeShards());

    // Assess
    const secretReads = iamStatements(template.toJSON().Resources).filter((s) => asArray(s.Action).includes('secretsmanager:GetSecretValue'));
    expect(secretReads).toHaveLength(3);
    expect(secretReads.every((s) => asArray(s.Resource).length === 1)).toBe(true);
    expect(JSON.stringify(secretReads[1]!.Resource)).toContain('secret:genesys/west-??????');
    expect(JSON.stringify(secretReads[2]!.Resource)).toContain('genesys/south-AbC123');
  });

  it('alarms on each shard\'s own metrics and function, and shows every shard on the dashboard', () => {
    // Prepare / Act
    const { template } = synth(threeShards());

    // Assess
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(3 * 8);
    const ticksStopped = alarms.filter((a) => a.Properties.MetricName === 'Ticks');
    expect(ticksStopped.map((a) => a.Properties.Dimensions)).toEqual(
      ['east', 'west', 'south'].map((s) => [{ Name: 'service', Value: `pacing-controller-${s}` }]),
    );
    expect(ticksStopped[1]!.Properties.AlarmDescription).toMatch(/^Pacing controller shard west: no completed tick/);
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const s of ['east', 'west', 'south']) {
      expect(body).toContain(`pacing-controller-${s}`);
      expect(body).toContain(`Genesys 429s, ${s}`);
      expect(body).toContain(`writes deferred (request budget), ${s}`);
    }
  });

  it('refuses at synth a campaign in two shards, naming both shards and the fix', () => {
    // Prepare
    const config = shardedConfig(2, [{ name: 'a', campaignIds: ids(0, 2) }, { name: 'b', campaignIds: [id(1)] }]);

    // Act / Assess
    expect(() => synth(config)).toThrow(`shards[1].campaignIds[0]: campaign ${id(1)} is in shard "a" and in shard "b": keep it in one of them`);
  });

  it('refuses at synth a shard over what its client\'s budget serves, naming the shard and how many to move', () => {
    // Prepare: 517 abandon-rate campaigns need 12 reads and a PATCH for half of them, 12 + 259 = 271 > 270
    const config = shardedConfig(518, [{ name: 'small', campaignIds: [id(517)] }, { name: 'big', campaignIds: ids(0, 517) }]);

    // Act / Assess
    expect(() => synth(config)).toThrow(/shards\[1\] \("big"\): 517 campaigns need 12 reads and 259 PATCHes a tick \(a write for each within 2 ticks\), over the 270 requests .* serves at most 516 of them; move 1 to another shard/);
  });

  it('refuses one secret passed in for several shards', () => {
    // Prepare
    const stack = new Stack(newApp(), 'TestStack');
    const existing = secretsmanager.Secret.fromSecretNameV2(stack, 'Kept', 'genesys/kept');

    // Act / Assess
    expect(() => new PacingController(stack, 'Controller', { config: threeShards(), configSource: 'test.json', existingSecret: existing })).toThrow(
      /test\.json has shards, each with its own OAuth client: give each shard's secret as shards\[\]\.secretName or secretArn/,
    );
  });

  it('keeps a configuration without shards deployable at any size, with a synth warning when its writes will wait a tick', () => {
    // Prepare
    const config = exampleConfig();
    config.campaigns = Array.from({ length: 600 }, (_, i) => ({ campaignId: id(i), objective: { kind: 'abandonRate' }, setpoint: 0.025 }));

    // Act
    const { stack, template } = synth(config);

    // Assess: the same single function as before shards; the warning says how many one client serves
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toHaveLength(1);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('campaigns: 600 campaigns need .* serves at most 516 of them'));
    expect(warnings).toHaveLength(1);
  });
});
