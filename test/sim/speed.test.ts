/**
 * The twin is fast enough for closed-loop runs: an 8-hour day of the default ~25-agent scenario with
 * a controller's traffic every virtual minute (480 rounds) finishes well under 30 s of wall time.
 */
import { describe, expect, it } from 'vitest';
import { pollLikeTheController } from '../../sim/bench/polling.js';
import { startTwin } from '../../sim/emulator/server.js';

describe('speed', () => {
  it('simulates the default 8-hour day with 480 rounds of HTTP queries in well under 30 s', async () => {
    // Prepare
    const twin = await startTwin({ scenario: new URL('../../sim/scenarios/blended-surge.json', import.meta.url).pathname, seed: 1 });

    // Act
    const began = performance.now();
    const { requests, failures } = await pollLikeTheController(twin, 480);
    const seconds = (performance.now() - began) / 1000;
    await twin.close();

    // Assess
    expect(requests).toBe(480 * 5);
    expect(failures).toBe(0);
    expect(twin.now()).toBe(8 * 3_600_000);
    expect(seconds).toBeLessThan(20);
  });
});
