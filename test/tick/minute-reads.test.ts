/**
 * Issue "Past one OAuth client", fewer reads: one aggregates query by minute per 100 campaigns
 * serves every outbound window a tick needs, and the decisions are the same as with one query per
 * window. Checked on the twin, on a closed-loop morning of the blended-surge scenario.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePacingConfig, type PacingConfig } from '../../lambda/config/config.js';
import { GenesysClient, TokenProvider } from '../../lambda/genesys/index.js';
import { runTick, type TickSummary } from '../../lambda/tick.js';
import { startTwin, type Twin } from '../../sim/emulator/server.js';
import { memoryStore } from '../support/memory-store.js';

const MINUTE = 60_000;
const file = (path: string) => JSON.parse(readFileSync(new URL(`../../sim/${path}`, import.meta.url), 'utf8')) as Record<string, unknown>;

let twin: Twin;
let config: PacingConfig;
let genesys: GenesysClient;

beforeAll(async () => {
  twin = await startTwin({ scenario: file('scenarios/blended-surge.json'), seed: 5 });
  config = parsePacingConfig({ genesys: { localBaseUrl: twin.baseUrl }, secretName: 'minute-reads/test', ...file('controllers/blended-surge.json') });
  const tokens = new TokenProvider({ loginBaseUrl: twin.baseUrl, credentials: async () => ({ clientId: twin.clientId, clientSecret: twin.clientSecret }), requestTimeoutMs: 5_000 });
  genesys = new GenesysClient({ apiBaseUrl: twin.baseUrl, loginBaseUrl: twin.baseUrl, requestTimeoutMs: 5_000, tokens });
});
afterAll(async () => twin?.close());

/** The decisions of a tick, without what differs between two runs of it (its duration). */
const decisions = (s: TickSummary) => s.campaigns;

const aggregateQueries = () => twin.requestLog.filter((r) => r.path.startsWith('/api/v2/analytics/conversations/aggregates/query')).length;

describe('outbound windows read by minute', () => {
  it('decides every tick of a closed-loop morning exactly as one query per window does, in fewer queries', async () => {
    // Prepare
    const store = memoryStore();
    const audit = { record: async () => undefined, query: async () => [] };
    const start = twin.nowEpochMs();
    let perWindowQueries = 0;
    let byMinuteQueries = 0;
    for (let minute = 1; minute <= 75; minute++) {
      twin.advanceTo(minute * MINUTE);
      const eventTime = start + minute * MINUTE;
      const deps = { genesys, store, audit, now: () => eventTime + 2_000 };
      const look = { eventId: `look-${minute}`, invocationId: `look-${minute}`, eventTime, dryRun: true, saveState: false };

      // Act: the same tick read both ways (dry runs, nothing saved), then run for real
      const before = aggregateQueries();
      const perWindow = await runTick(config, look, { ...deps, minuteReadSpanMinutes: 0 });
      const middle = aggregateQueries();
      const byMinute = await runTick(config, look, deps);
      perWindowQueries += middle - before;
      byMinuteQueries += aggregateQueries() - middle;
      await runTick(config, { eventId: `e${minute}`, invocationId: `i${minute}`, eventTime, dryRun: false, saveState: true }, deps);

      // Assess
      expect(decisions(byMinute), `tick ${minute}`).toEqual(decisions(perWindow));
    }
    expect(byMinuteQueries).toBeLessThan(perWindowQueries);
  });
});
