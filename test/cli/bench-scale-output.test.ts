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
    expect(r.stdout).toContain("Configuration: the README's recommended one");
    expect(existsSync(log) && readFileSync(log, 'utf8')).toMatch(/"level": ?"INFO"/);
  }, 150_000);

  it('runs shards together against one twin, each on its own OAuth client, and prints each shard\'s requests, 429s, deferred writes and tick times', async () => {
    // Prepare
    const log = join(mkdtempSync(join(tmpdir(), 'pacing-scale-')), 'handler.log');

    // Act
    const r = await runCli('bench/scale.ts', ['--campaigns', '4', '--shards', '2', '--ticks', '2', '--log', log], { timeoutMs: 120_000 });

    // Assess: two shards of two abandon-rate campaigns; each reads as one controller of two campaigns would
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').every((line) => line.length <= 100)).toBe(true);
    const rows = r.stdout.split('\n').filter((line) => /^\s+4  shard-\d/.test(line)).map((line) => line.trim().split(/\s+/));
    expect(rows.map((row) => row.slice(0, 3))).toEqual([
      ['4', 'shard-1', '2'],
      ['4', 'shard-2', '2'],
    ]);
    // 429s; the run is too short for a steady tick after the start ramp
    expect(rows.map((row) => row[8])).toEqual(['0', '0']);
    expect(rows.map((row) => row[6])).toEqual(['-', '-']);
    expect(readFileSync(log, 'utf8')).toMatch(/"service": ?"pacing-controller"/);
  }, 150_000);

  it('paces the worst case for writes when asked, and says so', async () => {
    // Act
    const r = await runCli('bench/scale.ts', ['--campaigns', '1', '--ticks', '2', '--tuning', 'worst-case', '--log', join(mkdtempSync(join(tmpdir(), 'pacing-scale-')), 'h.log')], { timeoutMs: 120_000 });

    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Configuration: worst case for writes (dead-band 0.002, sample 10)');
  }, 150_000);

  it('refuses more shards than campaigns, in one line', async () => {
    // Act
    const r = await runCli('bench/scale.ts', ['--campaigns', '2', '--shards', '3']);

    // Assess
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('npm run bench:scale: --shards 3 needs at least one campaign per shard: give --campaigns of 3 or more');
  });
});
