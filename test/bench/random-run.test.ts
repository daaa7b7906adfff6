/** `npm run bench:random` end to end on two centres and a quarter-hour day: real handler, twin, grid, JSON. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run bench:random', () => {
  it('runs each centre under ours and the grid and writes the documented JSON', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'bench-random-'));
    const json = join(dir, 'out.json');
    const log = join(dir, 'runs.log');
    // Act
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'bench/random.ts', '--centres', '2', '--seed', '3', '--hours', '0.25', '--json', json, '--log', log, '--held-out'], {
      timeout: 120_000,
      // The handler logs at INFO: its lines must reach the log file only.
      env: { ...process.env, PACING_LOG_LEVEL: 'INFO' },
    });
    // Assess
    const out = JSON.parse(readFileSync(json, 'utf8')) as {
      centres: Array<Record<string, unknown>>;
      summary: { targets: Array<{ target: string; met: boolean }> };
      heldOut: { centres: number; targets: unknown[] };
    };
    expect(out.centres).toHaveLength(2);
    for (const c of out.centres) {
      expect(Object.keys(c).slice(0, 11)).toEqual(['id', 'agents', 'mode', 'breach', 'boundBreach', 'worstRolling24h', 'worst60min', 'slAttainment', 'boundSlAttainment', 'occupancy', 'boundOccupancy']);
      expect(typeof c.breach).toBe('boolean');
      expect(typeof c.boundBreach).toBe('boolean');
      // Rates and shares are fractions.
      for (const k of ['worstRolling24h', 'worst60min', 'slAttainment', 'boundSlAttainment', 'occupancy', 'boundOccupancy']) {
        const v = c[k];
        expect(v === null || (typeof v === 'number' && v >= 0 && v <= 1), `${String(c.id)} ${k} = ${String(v)}`).toBe(true);
      }
      // Ours drove the twin: the occupancy is measured.
      expect(c.occupancy).not.toBeNull();
    }
    // --held-out: each centre's second day, ours and the bound's value on the twin seed + 2^31.
    out.centres.forEach((c, i) => {
      const day = c.heldOut as { seed: number; occupancy: number | null; boundOccupancy: number | null };
      expect(day.seed).toBe(3 * 10_000 + i + 2 ** 31);
      expect(day.occupancy).not.toBeNull();
      expect(day.boundOccupancy).not.toBeNull();
    });
    expect(out.heldOut.centres).toBe(2);
    expect(out.heldOut.targets).toHaveLength(5);
    expect(stdout).toMatch(/^On a second day of 2 centres/m);
    // The second days' static runs share a process.
    expect(stderr).toMatch(/\[\d+\/\d+\] c001\.\.c002 grid, 2 runs/);
    expect(out.summary.targets.map((t) => t.target)).toHaveLength(5);
    expect(stderr).toMatch(/\[\d+\/\d+\] c001 ours seed/);
    // The handler's JSON log lines go to the log file, not the terminal.
    expect(readFileSync(log, 'utf8')).toMatch(/"level": "INFO"/);
    expect(`${stdout}${stderr}`).not.toMatch(/"level"/);
    expect(stdout).toMatch(/^(met   |MISSED)  0 breaches where some static setting complies/m);
    for (const line of stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
  });

  it('fails with one line naming the option when the command line is wrong', async () => {
    // Act
    const failed = await run(process.execPath, ['--import', 'tsx', 'bench/random.ts', '--centers', '2']).catch((e: { code: number; stderr: string }) => e);
    // Assess
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr.trim().split('\n')).toEqual([expect.stringMatching(/^npm run bench:random: unknown option '--centers'.*valid options: --debug, --centres, --seed, --json, --jobs, --hours, --log, --held-out, --help/)]);
  });
});
