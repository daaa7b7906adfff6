/**
 * Every command line of the README's code blocks, run by this file: the list below is checked
 * against the README both ways, so a command cannot be added, changed or left behind untested.
 * Day one runs as written in a fresh directory (on the port the twin picked). Commands that cannot
 * run as written here say what runs instead: `npx cdk deploy` and `npx cdk bootstrap` would need
 * an AWS account, so deploy runs as `npx cdk synth` (the same app, config validation and cdk-nag)
 * and bootstrap as `--help`; `discover --region` runs against the twin (`--base-url`) with the
 * twin's client for the placeholders; `npm ci` runs with `--dry-run` on a copy of package.json and
 * the lock file (a real one would replace this checkout's node_modules); `npm test` is the command
 * that runs this file.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../infra/support.js';
import { readmeCommands } from '../support/readme.js';
import { runCli, scriptFiles, startCli, type CliResult } from './run-cli.js';

/** Quick start. */
const NPM_CI = 'npm ci';
const NPM_START = 'npm start';
const NPM_TEST = 'npm test';

/** Day one, port 8787 as printed there. */
const DAY_ONE = [
  'npm run twin',
  'GENESYS_CLIENT_ID=twin-client GENESYS_CLIENT_SECRET=twin-secret npm run discover -- --base-url http://127.0.0.1:8787 --write my.pacing.json --campaigns "Collections Predictive"',
  'npm run try -- --config my.pacing.json --base-url http://127.0.0.1:8787',
  'npm run audit -- --local',
  'GENESYS_CLIENT_ID=twin-client GENESYS_CLIENT_SECRET=twin-secret npm run invoke -- --event events/console-dry-run-one.json --config my.pacing.json --local-aws',
];

/** Deploying. */
const CDK_BOOTSTRAP = 'npx cdk bootstrap';
const DISCOVER_ORG = 'GENESYS_CLIENT_ID=<client id> GENESYS_CLIENT_SECRET=<client secret> npm run discover -- --region mypurecloud.ie --write pacing.config.json --force --campaigns "<names or ids>"';
const CDK_SYNTH = 'npx cdk synth';
const CDK_DEPLOY = 'npx cdk deploy';

/** Every command line of the README's code blocks, in order. */
const README_COMMANDS = [NPM_CI, NPM_START, NPM_TEST, ...DAY_ONE, CDK_BOOTSTRAP, DISCOVER_ORG, CDK_SYNTH, CDK_DEPLOY];

/** How the Deploying discover line runs against the twin instead of an org: each placeholder's twin value. */
const ORG_TO_TWIN: ReadonlyArray<[string, string]> = [
  ['--region mypurecloud.ie', '--base-url http://127.0.0.1:8787'],
  ['<client id>', 'twin-client'],
  ['<client secret>', 'twin-secret'],
  ['<names or ids>', 'Collections Predictive'],
];

const CDK = join(REPO_ROOT, 'node_modules', '.bin', 'cdk');

/** Runs a command that is not a tsx script (npm, cdk); resolves whatever the exit code. */
async function runTool(file: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<CliResult> {
  return promisify(execFile)(file, args, { cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } })
    .then(({ stdout, stderr }) => ({ stdout, stderr, code: 0 }))
    .catch((err: { stdout: string; stderr: string; code: number }) => ({ stdout: err.stdout, stderr: err.stderr, code: Number(err.code) }));
}

const scripts = scriptFiles();
const cwd = mkdtempSync(join(tmpdir(), 'pacing-day-one-'));
let twin: ChildProcess;
let port: string;

/** A README command line as argv and environment, on the twin's real port. */
function parse(line: string): { script: string; args: string[]; env: Record<string, string> } {
  const words = line.replaceAll('8787', port).match(/"[^"]*"|\S+/g)!.map((w) => w.replace(/^"|"$/g, ''));
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0]!)) {
    const [key, value] = words.shift()!.split('=') as [string, string];
    env[key] = value;
  }
  // npm start [-- <args>] or npm run <name> [-- <args>]
  const [, verb, ...rest] = words;
  const name = verb === 'start' ? 'start' : rest.shift()!;
  if (rest[0] === '--') rest.shift();
  return { script: scripts[name]!, args: rest, env };
}

beforeAll(async () => {
  symlinkSync(join(REPO_ROOT, 'events'), join(cwd, 'events'));
  const started = await startCli(scripts.twin!, ['--port', '0'], 'Ctrl-C to stop.');
  twin = started.child;
  port = /base URL +http:\/\/127\.0\.0\.1:(\d+)/.exec(started.output())![1]!;
});
afterAll(() => {
  twin?.kill('SIGINT');
});

describe('the README commands', () => {
  it('are the command lines of the README code blocks, no more and no fewer', () => {
    // Act
    const shown = readmeCommands();

    // Assess
    expect(shown).toEqual(README_COMMANDS);
  });

  it('run in order against a live twin and succeed', async () => {
    // Act
    const discover = await runCli(parse(DAY_ONE[1]!).script, parse(DAY_ONE[1]!).args, { cwd, env: parse(DAY_ONE[1]!).env });
    // One tick: the loop's minute-long waits are tested in simulated time (try.test.ts).
    const tried = await runCli(parse(DAY_ONE[2]!).script, [...parse(DAY_ONE[2]!).args, '--ticks', '1'], { cwd });
    const audit = await runCli(parse(DAY_ONE[3]!).script, parse(DAY_ONE[3]!).args, { cwd });
    const invoke = await runCli(parse(DAY_ONE[4]!).script, parse(DAY_ONE[4]!).args, { cwd, env: parse(DAY_ONE[4]!).env });

    // Assess
    expect(discover.stderr).toBe('');
    expect(discover.stdout).toContain('Wrote my.pacing.json: every campaign in dry run.');
    expect(tried.code).toBe(0);
    expect(tried.stdout).toMatch(/Tick 1 at .*\ncampaign +knob/);
    expect(audit.code).toBe(0);
    expect(invoke.code).toBe(0);
    const summary = JSON.parse(invoke.stdout) as { dryRun: boolean; campaigns: Array<{ campaignId: string; outcome: string }> };
    expect(summary.dryRun).toBe(true);
    expect(summary.campaigns.map((c) => c.campaignId)).toEqual(['5d1e4f3c-0000-4000-8000-00000000c001']);
    expect(summary.campaigns[0]!.outcome).not.toBe('error');
  }, 120_000);

  it('invoke exits 1 when every campaign failed', async () => {
    // Prepare: the configuration points at a port where nothing listens
    const { args, env } = parse(DAY_ONE[4]!);
    const broken = join(cwd, 'broken.pacing.json');
    const campaigns = [{ campaignId: '5d1e4f3c-0000-4000-8000-00000000c001', objective: { kind: 'abandonRate' }, setpoint: 0.025 }];
    writeFileSync(broken, JSON.stringify({ genesys: { localBaseUrl: 'http://127.0.0.1:9', requestTimeoutSeconds: 2 }, secretName: 'genesys-pacing/oauth-client', campaigns }));

    // Act
    const r = await runCli(scripts.invoke!, args.map((a) => (a === 'my.pacing.json' ? broken : a)), { cwd, env });

    // Assess
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^npm run invoke failed: every campaign failed \(1\); the first: 5d1e4f3c-0000-4000-8000-00000000c001 read-failed/m);
  }, 120_000);

  it(`${NPM_CI}: package.json and package-lock.json agree, as npm ci requires (dry run on a copy)`, async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'pacing-npm-ci-'));
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(REPO_ROOT, file), join(dir, file));

    // Act
    const r = await runTool('npm', [...NPM_CI.split(' ').slice(1), '--dry-run', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], dir, 120_000);

    // Assess
    expect(r.stderr).not.toMatch(/npm error/);
    expect(r.code).toBe(0);
  }, 120_000);

  it(`${NPM_TEST}: is the type-check and the vitest run this file belongs to, and CI runs it`, () => {
    // Prepare
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const ci = readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8');

    // Assess
    expect(pkg.scripts.test).toBe('tsc --noEmit && vitest run');
    expect(ci).toMatch(/^npm test$/m);
    expect(ci).toMatch(/^npm ci\b/m);
  });

  it(`${NPM_START}: paces the default day, prints the verdict and writes the report`, async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'pacing-start-'));
    const { script, args } = parse(NPM_START);

    // Act
    const r = await runCli(script, args, { cwd: dir, timeoutMs: 240_000 });

    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Verdict\n- Collections Predictive: /m);
    expect(existsSync(join(dir, 'out', 'blended-surge-on-seed1.html'))).toBe(true);
  }, 240_000);

  it(`${CDK_BOOTSTRAP}: as --help (bootstrapping needs an AWS account)`, async () => {
    // Act
    const r = await runTool(CDK, [...CDK_BOOTSTRAP.split(' ').slice(2), '--help'], REPO_ROOT, 60_000);

    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cdk bootstrap');
  }, 60_000);

  it('discover --region: against the twin with its client, over the shipped example config (hence --force)', async () => {
    // Prepare: a fresh clone's directory, holding the shipped example pacing.config.json
    const dir = mkdtempSync(join(tmpdir(), 'pacing-discover-org-'));
    copyFileSync(join(REPO_ROOT, 'pacing.config.json'), join(dir, 'pacing.config.json'));
    const line = ORG_TO_TWIN.reduce((l, [from, to]) => {
      expect(l).toContain(from);
      return l.replace(from, to);
    }, DISCOVER_ORG);
    const { script, args, env } = parse(line);

    // Act
    const r = await runCli(script, args, { cwd: dir, env });

    // Assess
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const written = JSON.parse(readFileSync(join(dir, 'pacing.config.json'), 'utf8')) as { campaigns: Array<{ campaignId: string; dryRun: boolean }> };
    expect(written.campaigns.map((c) => [c.campaignId, c.dryRun])).toEqual([['5d1e4f3c-0000-4000-8000-00000000c001', true]]);
  }, 60_000);

  it(`${CDK_SYNTH}, and ${CDK_DEPLOY} as synth (deploying needs an AWS account): the app synthesises with the shipped config`, async () => {
    // Prepare: the output outside the checkout; -q keeps the template off stdout
    const out = mkdtempSync(join(tmpdir(), 'pacing-readme-synth-'));

    // Act
    const r = await runTool(CDK, [...CDK_SYNTH.split(' ').slice(2), '-q', '--no-notices', '--output', out], REPO_ROOT, 180_000);

    // Assess
    expect(r.stderr).not.toMatch(/AwsSolutions-|Error/);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'GenesysPacingController.template.json'))).toBe(true);
  }, 180_000);
});
