/** `npx cdk synth` with a typo in the configuration: the message alone, no stack, exit 1. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../infra/support.js';

describe('npx cdk synth with a bad pacing.config.json', () => {
  it('prints the configuration error without the stack and fails', async () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'pacing-synth-')), 'typo.json');
    writeFileSync(file, readFileSync(join(REPO_ROOT, 'pacing.config.json'), 'utf8').replace('"setpoint": 0.8,', '"setPoint": 0.8,'));

    // Act
    const r = await promisify(execFile)(join(REPO_ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '-q', '-c', `pacingConfigFile=${file}`], { cwd: REPO_ROOT, timeout: 120_000 })
      .then(() => ({ code: 0, stderr: '' }))
      .catch((err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }));

    // Assess
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Invalid pacing configuration in ${file}:\n  - campaigns[0].setpoint: is required\n  - campaigns[0]: unknown field(s) "setPoint": remove them or check the spelling\n`);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }, 150_000);
});
