import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
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
});
