/**
 * An attempt's deadline survives garbage collection. Node holds a timeout signal that only
 * AbortSignal.any refers to weakly, so a collection before the timer fires drops it and the
 * composite never aborts: an attempt whose body stalls then hangs until the Lambda's own timeout
 * (nodejs/node#57736; it hung `client-errors.test.ts` once in a full run on Node 20.20).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { NormalizedOptions } from 'ky';
import { describe, expect, it } from 'vitest';
import { boundAttempt } from '../../lambda/genesys/http.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe('an attempt bounded in time', () => {
  it('aborts at its budget even when the heap is collected before the timer fires', async () => {
    // Prepare: attempts as ky's hook makes them, with ky's own signal beside the budget
    const budgetMs = 20;
    const requests = Array.from({ length: 10 }, () => boundAttempt(new Request('http://127.0.0.1/'), { signal: new AbortController().signal } as NormalizedOptions, budgetMs));
    // fetch holds the request while it runs, and listens on its signal
    const signals = requests.map((r) => r.signal);
    for (const signal of signals) signal.addEventListener('abort', () => {});

    // Act: a collection before the deadline, then wait for every abort (or give up after 2 s)
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    const aborted = await Promise.race([
      Promise.all(signals.map((s) => new Promise((resolve) => s.addEventListener('abort', resolve, { once: true })))).then(() => true),
      new Promise((resolve) => setTimeout(() => resolve(false), 2_000)),
    ]);

    // Assess
    expect(requests).toHaveLength(10); // held to here, as fetch holds its request
    expect(aborted).toBe(true);
    expect(signals.every((s) => s.aborted && (s.reason as Error).name === 'TimeoutError')).toBe(true);
  });
});
