import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuditTable, createStateTable, LOCAL_AWS, startLocalDynamoDb } from '../../sim/local-aws/dynamodb.js';
import { startLocalSecretsManager } from '../../sim/local-aws/secrets-manager.js';
import { CAMPAIGN_ID } from '../support/config.js';
import { startFakeGenesys } from '../support/fake-genesys.js';
import { exampleConfig, REPO_ROOT } from './support.js';

const run = promisify(execFile);

describe('npx cdk synth', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'pacing-cdk-out-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  // One real synth, bundling included (esbuild takes well under a second; the app itself ~10 s): it proves
  // cdk.json, tsx, cdk-nag and the config-in-the-bundle hook all work together, offline and account-free.
  it('synthesises the app with the repository pacing.config.json, the config file inside the Lambda asset', async () => {
    // Prepare
    const args = ['cdk', 'synth', '--quiet', '--no-notices', '--output', outdir];

    // Act
    const result = await run('npx', args, {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((err: { code?: number; stdout?: string; stderr?: string }) => {
      throw new Error(`cdk synth exited ${err.code}:\n${err.stderr}\n${err.stdout}`);
    });

    // Assess
    expect(result.stderr).not.toMatch(/AwsSolutions-/);
    expect(existsSync(join(outdir, 'GenesysPacingController.template.json'))).toBe(true);
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.') && existsSync(join(outdir, d, 'index.mjs')));
    expect(assets).toHaveLength(1);
    const asset = join(outdir, assets[0]!);
    expect(existsSync(join(asset, 'index.mjs.map'))).toBe(true);
    expect(JSON.parse(readFileSync(join(asset, 'pacing.config.json'), 'utf8'))).toEqual(exampleConfig());
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    expect(JSON.stringify(report.pluginReports)).not.toMatch(/AwsSolutions-/);
  }, 180_000);

  it('runs a tick from the Lambda asset alone, reading the secret the stack names: the AWS SDK and every other dependency are inside the bundle', async () => {
    // Prepare: the asset of the synth above, outside the repository (no node_modules to fall back on)
    const asset = readdirSync(outdir).find((d) => d.startsWith('asset.') && existsSync(join(outdir, d, 'index.mjs')));
    expect(asset, 'the synth test above must have produced the asset').toBeDefined();
    const [db, genesys] = await Promise.all([startLocalDynamoDb(), startFakeGenesys()]);
    const secrets = await startLocalSecretsManager({ 'genesys-pacing/asset': JSON.stringify({ clientId: genesys.clientId, clientSecret: genesys.clientSecret }) });
    try {
      await createStateTable(db.client, 'pacing-state');
      await createAuditTable(db.client, 'pacing-audit');
      genesys.campaigns.set(CAMPAIGN_ID, { id: CAMPAIGN_ID, campaignStatus: 'on', dialingMode: 'predictive', maxCallsPerAgent: 2, abandonRate: 2.5, outboundLineCount: 40, version: 1 });
      genesys.campaignStats.set(CAMPAIGN_ID, { connected: 200, abandoned: 4 });
      const configFile = join(mkdtempSync(join(tmpdir(), 'pacing-asset-')), 'pacing.config.json');
      // No secretName: as deployed, the function reads the secret the stack names in GENESYS_SECRET_ID.
      writeFileSync(configFile, JSON.stringify({ genesys: { localBaseUrl: genesys.baseUrl }, campaigns: [{ campaignId: CAMPAIGN_ID, objective: { kind: 'abandonRate' }, setpoint: 0.025 }] }));
      const code = `const { handler } = await import(${JSON.stringify(pathToFileURL(join(outdir, asset!, 'index.mjs')).href)});
        const summary = await handler({ dryRun: true }, { awsRequestId: 'asset-test', getRemainingTimeInMillis: () => 50000 });
        process.stdout.write(JSON.stringify(summary));`;
      const env = {
        PATH: process.env.PATH,
        NODE_OPTIONS: '--enable-source-maps',
        NODE_NO_WARNINGS: '1',
        PACING_CONFIG_FILE: configFile,
        STATE_TABLE_NAME: 'pacing-state',
        AUDIT_TABLE_NAME: 'pacing-audit',
        GENESYS_SECRET_ID: 'genesys-pacing/asset',
        AWS_REGION: LOCAL_AWS.region,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        POWERTOOLS_METRICS_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      };

      // Act
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: tmpdir(), env, timeout: 60_000 });

      // Assess
      const summary = JSON.parse(stdout);
      expect(summary.campaigns).toEqual([expect.objectContaining({ campaignId: CAMPAIGN_ID, outcome: 'held', reason: 'initialised', measured: 0.02 })]);
      expect(genesys.requests.map((r) => r.path.split('?')[0])).toContain('/api/v2/outbound/campaigns');
    } finally {
      await Promise.all([db.close(), secrets.close(), genesys.close()]);
    }
  }, 60_000);
});
