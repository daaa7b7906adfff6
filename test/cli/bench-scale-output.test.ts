/** `npm run bench:scale` output: tables within 100 columns, the handler's JSON log lines in a file. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('npm run bench:scale', () => {
  it('prints tables within 100 columns and sends the log lines to the file', async () => {
    // Prepare
    const log = join(mkdtempSync(join(tmpdir(), 'pacing-scale-')), 'handler.log');

    // Act
    const r = await runCli('bench/scale.ts', ['--campaigns', '1', '--ticks', '2', '--log', log], { timeoutMs: 120_000 });

    // Assess
    expect(r.code).toBe(0);
    expect(`${r.stdout}${r.stderr}`).not.toContain('"level"');
    expect(r.stdout.split('\n').every((line) => line.length <= 100)).toBe(true);
    expect(r.stdout).toContain(`Handler log lines: ${log}`);
    expect(existsSync(log) && readFileSync(log, 'utf8')).toMatch(/"level": ?"INFO"/);
  }, 150_000);
});
