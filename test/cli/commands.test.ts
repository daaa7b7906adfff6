/**
 * Every command of package.json as a real process: --help with usage and an example, unknown
 * options named with the valid ones, one-line errors without stacks (stacks with --debug), no
 * hang on bad input, and no AWS SDK Node-version warning.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { runCli, scriptFiles } from './run-cli.js';

const scripts = scriptFiles();
const limit = pLimit(2);
const dir = mkdtempSync(join(tmpdir(), 'pacing-cli-'));
const STACK_LINE = /^\s+at /m;

describe('every command', () => {
  it('covers the commands the README and the issue list', () => {
    // Assess
    for (const name of ['start', 'twin', 'invoke', 'audit', 'bench', 'bench:sim', 'bench:scale', 'bench:cold-start', 'soak', 'bench:static-days', 'try', 'discover']) {
      expect(scripts[name], name).toBeDefined();
    }
  });

  it('prints --help with usage and an example, and exits 0', async () => {
    // Act
    const results = await Promise.all(Object.entries(scripts).map(([name, file]) => limit(async () => ({ name, ...(await runCli(file, ['--help'])) }))));

    // Assess
    for (const r of results) {
      expect(r.code, r.name).toBe(0);
      expect(r.stdout, r.name).toMatch(/^Usage: npm (start|run \S+) -- \[options\]/);
      expect(r.stdout, r.name).toMatch(/\nExamples?:\n {2}(\S.* )?npm (start|run \S+)/);
      expect(r.stderr, r.name).toBe('');
    }
  }, 240_000);

  it('names an unknown option and the valid ones, on one line, exit 1', async () => {
    // Act
    const results = await Promise.all(Object.entries(scripts).map(([name, file]) => limit(async () => ({ name, ...(await runCli(file, ['--speeed', '60'])) }))));

    // Assess
    for (const r of results) {
      expect(r.code, r.name).toBe(1);
      expect(r.stderr, r.name).toMatch(/^npm (start|run \S+): unknown option '--speeed'.*; valid options: --debug, .*--help \(npm .* --help for details\)\n$/);
      expect(r.stderr, r.name).not.toMatch(STACK_LINE);
    }
  }, 240_000);

  it('npm run twin -- --speeed 60 suggests --speed', async () => {
    // Act
    const r = await runCli(scripts.twin!, ['--speeed', '60']);

    // Assess
    expect(r.stderr).toContain("unknown option '--speeed' (did you mean --speed?); valid options: --debug, --start, --port, --scenario, --seed, --speed, --help");
  });

  it('names a bad option value and the form it takes', async () => {
    // Act
    const r = await runCli(scripts.start!, ['--seed', 'x']);

    // Assess
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("npm start: option '--seed <n>' argument 'x' is invalid. must be a whole number from 0 to 2147483647, e.g. --seed 7 (npm start -- --help for details)\n");
  });
});

describe('npm start on bad input', () => {
  it('prints the controller config error and exits (it used to hang with the twin listening)', async () => {
    // Prepare
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ campaigns: [{ campaignId: '5d1e4f3c-0000-4000-8000-00000000c001', objective: { kind: 'abandonRate' }, setPoint: 0.02 }] }));

    // Act
    const r = await runCli(scripts.start!, ['--controller-config', bad], { timeoutMs: 30_000 });

    // Assess
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`npm start failed: Invalid pacing configuration in ${bad}:`);
    expect(r.stderr).toContain('campaigns[0]: unknown field(s) "setPoint": remove them or check the spelling');
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('checks the scenario before looking for a controller config', async () => {
    // Prepare
    const scenario = join(dir, 'bad-scenario.json');
    writeFileSync(scenario, JSON.stringify({ name: 'x', startTime: 'tomorrow', duration: '01:00', queues: [], agentGroups: [] }));

    // Act
    const r = await runCli(scripts.start!, ['--scenario', scenario, '--controller-config', join(dir, 'missing.json')], { timeoutMs: 30_000 });

    // Assess
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not a valid scenario:\n {2}startTime: must be an ISO-8601 UTC instant/);
    expect(r.stderr).not.toContain('missing.json');
  });

  it('prints the stack trace only with --debug', async () => {
    // Act
    const plain = await runCli(scripts.start!, ['--controller-config', join(dir, 'missing.json')], { timeoutMs: 30_000 });
    const debug = await runCli(scripts.start!, ['--controller-config', join(dir, 'missing.json'), '--debug'], { timeoutMs: 30_000 });

    // Assess
    expect(plain.stderr).not.toMatch(STACK_LINE);
    expect(plain.stderr).toContain('no such file: check the --controller-config path');
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(STACK_LINE);
  });
});

describe('quiet output', () => {
  it('prints no AWS SDK Node-version warning when a command builds SDK clients', async () => {
    // Act: audit builds a DynamoDB client and reaches nothing (no region)
    const r = await runCli(scripts.audit!, ['--table', 'x'], { env: { AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_CONFIG_FILE: join(dir, 'none'), AWS_PROFILE: '' } });

    // Assess
    expect(r.stderr).not.toContain('NodeVersionSupportWarning');
    expect(r.stderr).toBe('npm run audit: no AWS region: set AWS_REGION (the region the stack is deployed in) or a profile with a region (AWS_PROFILE), or read the local store with --local\n');
  });
});
