/**
 * The README's "Day one" commands, run as written (the twin's port is the one it picked), in a
 * fresh directory: a live twin, discover, try, audit --local, invoke --local-aws with the example
 * event. The README must show each command this test runs.
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../infra/support.js';
import { runCli, scriptFiles, startCli } from './run-cli.js';

/** The commands of the README's Day one section, port 8787 as printed there. */
const README_COMMANDS = [
  'npm run twin',
  'GENESYS_CLIENT_ID=twin-client GENESYS_CLIENT_SECRET=twin-secret npm run discover -- --base-url http://127.0.0.1:8787 --write my.pacing.json --campaigns "Collections Predictive"',
  'npm run try -- --config my.pacing.json --base-url http://127.0.0.1:8787',
  'npm run audit -- --local',
  'GENESYS_CLIENT_ID=twin-client GENESYS_CLIENT_SECRET=twin-secret npm run invoke -- --event events/console-dry-run-one.json --config my.pacing.json --local-aws',
];

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
  // npm run <name> -- <args>
  const [, , name, , ...args] = words;
  return { script: scripts[name!]!, args, env };
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

describe('the README Day one commands', () => {
  it('are in the README as this test runs them', () => {
    // Prepare
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').replace(/ \\\n\s+/g, ' ');

    // Assess
    for (const line of README_COMMANDS) expect(readme).toContain(line);
  });

  it('run in order against a live twin and succeed', async () => {
    // Act
    const discover = await runCli(parse(README_COMMANDS[1]!).script, parse(README_COMMANDS[1]!).args, { cwd, env: parse(README_COMMANDS[1]!).env });
    // One tick: the loop's minute-long waits are tested in simulated time (try.test.ts).
    const tried = await runCli(parse(README_COMMANDS[2]!).script, [...parse(README_COMMANDS[2]!).args, '--ticks', '1'], { cwd });
    const audit = await runCli(parse(README_COMMANDS[3]!).script, parse(README_COMMANDS[3]!).args, { cwd });
    const invoke = await runCli(parse(README_COMMANDS[4]!).script, parse(README_COMMANDS[4]!).args, { cwd, env: parse(README_COMMANDS[4]!).env });

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
    const { args, env } = parse(README_COMMANDS[4]!);
    const broken = join(cwd, 'broken.pacing.json');
    const campaigns = [{ campaignId: '5d1e4f3c-0000-4000-8000-00000000c001', objective: { kind: 'abandonRate' }, setpoint: 0.025 }];
    writeFileSync(broken, JSON.stringify({ genesys: { localBaseUrl: 'http://127.0.0.1:9', requestTimeoutSeconds: 2 }, secretName: 'genesys-pacing/oauth-client', campaigns }));

    // Act
    const r = await runCli(scripts.invoke!, args.map((a) => (a === 'my.pacing.json' ? broken : a)), { cwd, env });

    // Assess
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^npm run invoke failed: every campaign failed \(1\); the first: 5d1e4f3c-0000-4000-8000-00000000c001 read-failed/m);
  }, 120_000);
});
