/** The live twin: on the wall clock from now by default, a fixed day with --start; the CLI serves until stopped. */
import { describe, expect, it } from 'vitest';
import { LiveTwinError, startLiveTwin } from '../../sim/cli/live-twin.js';
import { startCli } from './run-cli.js';

const SCENARIO = 'sim/scenarios/blended-surge.json';

describe('startLiveTwin', () => {
  it('starts the day now and keeps virtual time with the clock, past the end of the day', async () => {
    // Prepare
    let now = Date.parse('2026-11-24T10:00:00.400Z');
    const live = await startLiveTwin({ scenarioFile: SCENARIO, seed: 1, port: 0, start: 'now', clock: () => now });
    try {
      // Act
      now += 9 * 3_600_000;
      live.catchUp();

      // Assess
      expect(live.live).toBe(true);
      expect(live.twin.scenario.startTime).toBe('2026-11-24T10:00:00.000Z');
      expect(live.twin.nowEpochMs()).toBe(now);
    } finally {
      await live.close();
    }
  });

  it('simulates a warm-up before now, so the first read has history', async () => {
    // Act
    const now = Date.parse('2026-11-24T10:00:00Z');
    const live = await startLiveTwin({ scenarioFile: SCENARIO, seed: 1, port: 0, start: 'now', warmUpMs: 30 * 60_000, clock: () => now });

    // Assess
    await live.close();
    expect(live.twin.scenario.startTime).toBe('2026-11-24T09:30:00.000Z');
    expect(live.twin.nowEpochMs()).toBe(now);
    expect(live.twin.sim.timeSeries).toHaveLength(30);
  });

  it("runs a fixed day at its own start, faster than real time, stopping at the day's end", async () => {
    // Prepare
    let now = 0;
    const live = await startLiveTwin({ scenarioFile: SCENARIO, seed: 1, port: 0, start: 'scenario', speed: 60, clock: () => now });
    try {
      // Act
      now += 10 * 60_000;
      live.catchUp();

      // Assess
      expect(live.twin.scenario.startTime).toBe('2026-05-14T08:00:00.000Z');
      expect(live.twin.now()).toBe(8 * 3_600_000);
    } finally {
      await live.close();
    }
  });

  it('refuses a speed other than real time on the wall clock', async () => {
    // Act / Assess
    await expect(startLiveTwin({ scenarioFile: SCENARIO, seed: 1, port: 0, start: 'now', speed: 60 })).rejects.toThrow(LiveTwinError);
  });
});

describe('npm run twin', () => {
  it('prints its base URL and credentials, keeps serving, and stops cleanly on Ctrl-C', async () => {
    // Act
    const { child, output } = await startCli('sim/cli/twin.ts', ['--port', '0'], 'Ctrl-C to stop.');
    const baseUrl = /base URL +(http:\/\/127\.0\.0\.1:\d+)/.exec(output())![1]!;
    const token = await fetch(`${baseUrl}/oauth/token`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('twin-client:twin-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');

    // Assess
    expect(output()).toMatch(/client id +twin-client\n +client secret +twin-secret/);
    expect(output()).toContain('a 08:00 day on the wall clock');
    expect(token.status).toBe(200);
    expect(await exit).toBe(0);
    expect(output()).toContain('SIGINT: stopping the twin');
  });
});
