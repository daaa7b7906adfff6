/**
 * What makes the twin fast: it runs on virtual time alone. The simulation jumps from event to
 * event, requests are answered from the state at the current virtual time, and the rate limit
 * counts virtual minutes, so a day costs the work of its events and requests, not its length.
 *
 * How fast that is (simulated hours per wall second) is a timing figure, measured by
 * `npm run bench:sim`, not asserted here. This test stops the wall clock instead and checks that
 * the day still runs: a twin that read it (its rate limit counted in wall minutes, so 2,400
 * requests in a few wall seconds would be refused, or waited for) fails at once.
 */
import FakeTimers from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import { pollLikeTheController } from '../../sim/bench/polling.js';
import { startTwin } from '../../sim/emulator/server.js';

const ROUNDS = 480;
const REQUESTS_PER_ROUND = 5;

describe('the twin runs on virtual time', () => {
  it('carries the default 8-hour day with 480 rounds of a controller\'s HTTP queries, all answered, with the wall clock stopped', async () => {
    // Prepare: the wall clock stands still for the whole day
    const wall = FakeTimers.install({ now: Date.parse('2026-11-24T08:00:00Z'), toFake: ['Date'] });
    const twin = await startTwin({ scenario: new URL('../../sim/scenarios/blended-surge.json', import.meta.url).pathname, seed: 1 });

    // Act
    const { requests, failures } = await pollLikeTheController(twin, ROUNDS).finally(() => wall.uninstall());
    await twin.close();

    // Assess: 8 virtual hours passed, every request answered (2,400 in one stopped wall minute:
    // a rate limit of 300 a minute counted on the wall clock would refuse most of them)...
    expect(twin.now()).toBe(8 * 3_600_000);
    expect(requests).toBe(ROUNDS * REQUESTS_PER_ROUND);
    expect(failures).toBe(0);
    // ...each at the virtual minute of its round: virtual time moves only when the controller moves it
    const answered = twin.requestLog.filter((e) => e.path !== '/oauth/token');
    expect(answered).toHaveLength(ROUNDS * REQUESTS_PER_ROUND);
    expect(answered.find((e, i) => !(e.status >= 200 && e.status < 300 && e.at === (Math.floor(i / REQUESTS_PER_ROUND) + 1) * 60_000))).toBeUndefined();
  });
});
