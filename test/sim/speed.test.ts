/**
 * The twin carries a whole closed-loop day: the default 8-hour scenario with a controller's traffic
 * every virtual minute (480 rounds), every request answered. How fast it does so is measured by
 * `npm run bench:sim`, not asserted here.
 */
import { describe, expect, it } from 'vitest';
import { pollLikeTheController } from '../../sim/bench/polling.js';
import { startTwin } from '../../sim/emulator/server.js';

describe('speed', () => {
  it('simulates the default 8-hour day with 480 rounds of HTTP queries, all answered', async () => {
    // Prepare
    const twin = await startTwin({ scenario: new URL('../../sim/scenarios/blended-surge.json', import.meta.url).pathname, seed: 1 });

    // Act
    const { requests, failures } = await pollLikeTheController(twin, 480);
    await twin.close();

    // Assess
    expect(requests).toBe(480 * 5);
    expect(failures).toBe(0);
    expect(twin.now()).toBe(8 * 3_600_000);
  });
});
