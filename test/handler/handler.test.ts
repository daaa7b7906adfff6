/**
 * The handler's AWS calls, with aws-sdk-client-mock for DynamoDB (the document client the
 * state store sends through) and Secrets Manager and the
 * scripted Genesys on a local server.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as DynamoDbModule from '@aws-sdk/lib-dynamodb';
import type * as SecretsManagerModule from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { clearCaches } from '@aws-lambda-powertools/parameters';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TickSummary } from '../../lambda/tick.js';
import { CAMPAIGN_ID, QUEUE_ID } from '../support/config.js';
import { startFakeGenesys, type FakeGenesys } from '../support/fake-genesys.js';

const SECRET = 'genesys-pacing/oauth-client';
let genesys: FakeGenesys;
const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 50_000 } as Context;
const scheduled = { version: '0', id: 'evt-1', 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date().toISOString(), detail: {} };

function writeConfig(config: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pacing-')), 'pacing.config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/**
 * Loads a fresh handler module (a new container) with mocks on the SDK clients it will use.
 * The SDK modules are imported after the module reset so the mocks and the handler share them.
 */
async function loadHandler(config: unknown, arrange: (m: Mocks) => void = () => undefined) {
  vi.stubEnv('PACING_CONFIG_FILE', writeConfig(config));
  vi.resetModules();
  // Powertools keeps fetched secrets in a module-level cache that outlives the module reset.
  clearCaches();
  const ddb: typeof DynamoDbModule = await import('@aws-sdk/lib-dynamodb');
  const sm: typeof SecretsManagerModule = await import('@aws-sdk/client-secrets-manager');
  const mocks = { ddb, sm, dynamo: mockClient(ddb.DynamoDBDocumentClient), secrets: mockClient(sm.SecretsManagerClient) };
  mocks.secrets.on(sm.GetSecretValueCommand, { SecretId: SECRET }).resolves({ SecretString: JSON.stringify({ clientId: genesys.clientId, clientSecret: genesys.clientSecret }) });
  mocks.dynamo.on(ddb.BatchGetCommand).resolves({ Responses: { 'pacing-state': [] } });
  mocks.dynamo.on(ddb.PutCommand).resolves({});
  mocks.dynamo.on(ddb.UpdateCommand).resolves({});
  arrange(mocks);
  const { handler } = await import('../../lambda/handler.js');
  return { handler: handler as (event: unknown, context: Context) => Promise<TickSummary>, ...mocks };
}

interface Mocks {
  ddb: typeof DynamoDbModule;
  sm: typeof SecretsManagerModule;
  dynamo: AwsStub<DynamoDbModule.ServiceInputTypes, DynamoDbModule.ServiceOutputTypes, unknown>;
  secrets: AwsStub<SecretsManagerModule.ServiceInputTypes, SecretsManagerModule.ServiceOutputTypes, unknown>;
}

const goodConfig = () => ({
  genesys: { localBaseUrl: genesys.baseUrl },
  secretName: SECRET,
  campaigns: [{ campaignId: CAMPAIGN_ID, objective: { kind: 'inboundServiceLevel', queueId: QUEUE_ID }, setpoint: 0.8 }],
});

beforeAll(async () => {
  genesys = await startFakeGenesys();
  vi.stubEnv('STATE_TABLE_NAME', 'pacing-state');
  vi.stubEnv('AUDIT_TABLE_NAME', 'pacing-audit');
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await genesys.close();
});
beforeEach(() => {
  genesys.reset();
  genesys.campaigns.set(CAMPAIGN_ID, { id: CAMPAIGN_ID, campaignStatus: 'on', dialingMode: 'predictive', maxCallsPerAgent: 2, abandonRate: 2.5, outboundLineCount: 40, version: 1 });
  genesys.queueStats.set(QUEUE_ID, { offered: 100, within: 80 });
});

describe('handler', () => {
  it('reads the secret once, loads state from the table, and saves one conditional put per campaign', async () => {
    // Prepare
    const { handler, dynamo, secrets, ddb, sm } = await loadHandler(goodConfig());
    // Act
    const summary = await handler(scheduled, context);
    await handler({ dryRun: true }, context);
    // Assess
    expect(summary.campaigns[0]).toMatchObject({ outcome: 'held', reason: 'initialised' });
    expect(secrets).toHaveReceivedCommandTimes(sm.GetSecretValueCommand, 1);
    expect(dynamo).toHaveReceivedCommandWith(ddb.BatchGetCommand, { RequestItems: { 'pacing-state': { Keys: [{ campaignId: CAMPAIGN_ID }], ConsistentRead: true } } });
    expect(dynamo).toHaveReceivedCommandTimes(ddb.PutCommand, 1);
    const put = dynamo.commandCalls(ddb.PutCommand)[0]!.args[0].input;
    expect(put.TableName).toBe('pacing-state');
    expect(put.ConditionExpression).toContain('attribute_not_exists(version)');
  });

  it('fails at cold start on a malformed config, naming the field and the fix', async () => {
    const { handler } = await loadHandler({ ...goodConfig(), campaigns: [{ campaignId: CAMPAIGN_ID, objective: { kind: 'abandonRate' }, setpoint: 3 }] });
    await expect(handler(scheduled, context)).rejects.toThrow(/campaigns\[0\]\.setpoint: must be below 1.*write 0\.8 for 80%/);
  });

  it('says which secret is missing and what it must hold, and writes nothing', async () => {
    const { handler, dynamo, ddb } = await loadHandler(goodConfig(), ({ secrets, sm }) => {
      secrets.reset();
      secrets.on(sm.GetSecretValueCommand).rejects(new sm.ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    });
    const summary = await handler(scheduled, context);
    expect(summary.campaigns[0]).toMatchObject({ outcome: 'error', reason: 'read-failed' });
    expect(summary.campaigns[0]!.message).toMatch(/cannot read secret "genesys-pacing\/oauth-client".*clientId/);
    expect(dynamo).not.toHaveReceivedCommand(ddb.PutCommand);
    expect(genesys.patches()).toHaveLength(0);
  });

  it('rejects a malformed secret without ever echoing its content', async () => {
    const { handler } = await loadHandler(goodConfig(), ({ secrets, sm }) => {
      secrets.reset();
      secrets.on(sm.GetSecretValueCommand).resolves({ SecretString: '{"clientId": "abc", "client_secret": "hunter2-very-secret"}' });
    });
    const summary = await handler(scheduled, context);
    const text = JSON.stringify(summary);
    expect(text).toMatch(/lacks clientSecret/);
    expect(text).not.toContain('hunter2');
  });

  it('reports each campaign whose state cannot be read as an error, writing nothing to Genesys or the table', async () => {
    // Prepare
    const { handler, dynamo, ddb } = await loadHandler(goodConfig(), ({ dynamo, ddb }) => {
      dynamo.on(ddb.BatchGetCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }));
    });
    // Act
    const summary = await handler(scheduled, context);
    // Assess
    expect(summary.campaigns.every((c) => c.outcome === 'error' && c.reason === 'state-unreadable' && /Rate exceeded/.test(c.message ?? ''))).toBe(true);
    expect(genesys.requests).toHaveLength(0);
    expect(dynamo).not.toHaveReceivedCommand(ddb.PutCommand);
  });

  it('reports a lost conditional write as a concurrent invocation, not an error', async () => {
    const { handler } = await loadHandler(goodConfig(), ({ dynamo, ddb }) => {
      dynamo.on(ddb.PutCommand).rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));
    });
    const summary = await handler(scheduled, context);
    expect(summary.campaigns[0]).toMatchObject({ outcome: 'skipped', reason: 'concurrent-invocation' });
  });

  it('reports a throttled or unavailable table on save as a campaign error, leaving Genesys untouched', async () => {
    const { handler } = await loadHandler(goodConfig(), ({ dynamo, ddb }) => {
      dynamo.on(ddb.PutCommand).rejects(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }));
    });
    const summary = await handler(scheduled, context);
    expect(summary.campaigns[0]).toMatchObject({ outcome: 'error', reason: 'state-save-failed' });
    expect(genesys.patches()).toHaveLength(0);
  });

  it('ticks only the shard its event names, with that shard\'s secret, and refuses another shard\'s event on a shard\'s function', async () => {
    // Prepare: two shards, one campaign each, each with its own secret; Genesys knows the first campaign only
    const other = '5d1e4f3c-0000-4000-8000-00000000c0ff';
    const config = {
      genesys: { localBaseUrl: genesys.baseUrl },
      campaigns: [goodConfig().campaigns[0], { campaignId: other, objective: { kind: 'abandonRate' }, setpoint: 0.025 }],
      shards: [
        { name: 'east', secretName: 'genesys/east', campaignIds: [CAMPAIGN_ID] },
        { name: 'west', secretName: 'genesys/west', campaignIds: [other] },
      ],
    };
    const { handler, secrets, sm } = await loadHandler(config, ({ secrets, sm }) => {
      secrets.on(sm.GetSecretValueCommand, { SecretId: 'genesys/east' }).resolves({ SecretString: JSON.stringify({ clientId: genesys.clientId, clientSecret: genesys.clientSecret }) });
    });

    // Act
    const east = await handler({ ...scheduled, detail: { shard: 'east' } }, context);
    const unnamed = handler(scheduled, context);
    const outside = handler({ dryRun: true, shard: 'east', campaignIds: [other] }, context);
    vi.stubEnv('PACING_SHARD', 'west');
    const misrouted = handler({ ...scheduled, detail: { shard: 'east' } }, context);

    // Assess
    expect(east.campaigns.map((c) => c.campaignId)).toEqual([CAMPAIGN_ID]);
    expect(secrets).toHaveReceivedCommandWith(sm.GetSecretValueCommand, { SecretId: 'genesys/east' });
    expect(secrets).not.toHaveReceivedCommandWith(sm.GetSecretValueCommand, { SecretId: 'genesys/west' });
    await expect(unnamed).rejects.toThrow('the event names no shard and the configuration has several (east, west): add "shard": "<name>" to the event');
    await expect(outside).rejects.toThrow(`campaignIds ${other} not in the configuration's campaigns of this shard`);
    await expect(misrouted).rejects.toThrow('the event is for shard "east" but this function ticks shard "west"');
    vi.stubEnv('PACING_SHARD', '');
  });
});
