/**
 * `npm run try`'s loop in simulated time: the real handler ticks against its own live twin, its
 * state kept in the persistent local store between ticks and between runs, and `npm run audit --
 * --local` reads what it did from the same store.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FakeTimers from '@sinonjs/fake-timers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatDecisions, TABLE_WIDTH } from '../../lambda/cli/decisions-table.js';
import type { TickSummary } from '../../lambda/tick.js';
import { runTry, type Clock } from '../../sim/cli/try-loop.js';
import { openLocalStore, LOCAL_TABLES } from '../../sim/local-aws/dynamodb.js';
import { DynamoDbAuditLog } from '../../lambda/audit/dynamodb-audit-log.js';
import { DynamoDbStateStore } from '../../lambda/state/dynamodb-store.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pacing-try-'));
const store = join(dir, '.local');
const CAMPAIGN = '5d1e4f3c-0000-4000-8000-00000000c001';
let fake: ReturnType<typeof FakeTimers.install>;
/** Simulated time: the handler, the twin and the loop read the faked Date; sleeping moves it. */
const clock: Clock = { now: () => Date.now(), sleep: async (ms) => void fake.setSystemTime(Date.now() + ms) };
const printed: string[] = [];
let first: TickSummary[];
let second: TickSummary[];
/** The campaign's stored lastTickTime after each run. */
const stored: number[] = [];

async function storedTickTime(): Promise<number> {
  const db = await openLocalStore(store);
  const state = await new DynamoDbStateStore(db.client, LOCAL_TABLES.state).loadMany([CAMPAIGN]).then((loaded) => loaded.states).finally(() => db.close());
  return state.get(CAMPAIGN)!.lastTickTime;
}

function tryOnce(ticks: number) {
  return runTry({
    configFile: join(dir, 'my.pacing.json'),
    twin: { scenarioFile: 'sim/scenarios/blended-surge.json', seed: 1, warmUpMinutes: 30 },
    storeDir: store,
    keepDryRun: false,
    ticks,
    intervalMs: 60_000,
    clock,
    print: (text) => printed.push(text),
  });
}

beforeAll(async () => {
  // Prepare: a configuration as discover writes it, for the twin's campaign, in dry run.
  const controller = JSON.parse(readFileSync('sim/controllers/blended-surge.json', 'utf8')) as object;
  writeFileSync(join(dir, 'my.pacing.json'), JSON.stringify({ genesys: { region: 'mypurecloud.ie' }, secretName: 'genesys-pacing/oauth-client', ...controller, defaults: { ...(controller as { defaults: object }).defaults, dryRun: true } }));
  fake = FakeTimers.install({ now: Date.parse('2026-11-24T10:00:00Z'), toFake: ['Date'] });
  // Act: three ticks, then a second run of two ticks a minute later, as after a Ctrl-C and restart
  first = await tryOnce(3);
  stored.push(await storedTickTime());
  await clock.sleep(60_000);
  // A new process: a fresh handler module (a new "container") on a new store server.
  vi.resetModules();
  second = await tryOnce(2);
  stored.push(await storedTickTime());
});
afterAll(() => fake?.uninstall());

describe('npm run try', () => {
  it('ticks once per interval of simulated time with events a minute apart', () => {
    // Assess
    expect(first.map((t) => t.tickTime)).toEqual(['2026-11-24T10:00:00.000Z', '2026-11-24T10:01:00.000Z', '2026-11-24T10:02:00.000Z']);
    expect(first.every((t) => t.counts.error === 0)).toBe(true);
  });

  it('keeps state between ticks and between runs in the persistent store', () => {
    // Assess: the abandon window's count carries on, across the restart and its new twin too
    const live = [...first, ...second].map((t) => t.campaigns[0]!.compliance!.windowLive);
    expect(live[0]).toBeGreaterThan(0);
    for (let i = 1; i < live.length; i += 1) expect(live[i]).toBeGreaterThanOrEqual(live[i - 1]!);
    expect(stored).toEqual([Date.parse(first[2]!.tickTime), Date.parse(second[1]!.tickTime)]);
  });

  it('writes to the twin unless the dry run is kept, and audits the writes', async () => {
    // Prepare
    const written = [...first, ...second].flatMap((t) => t.campaigns).filter((c) => c.outcome === 'written');
    const db = await openLocalStore(store);

    // Act
    const entries = await new DynamoDbAuditLog(db.client, LOCAL_TABLES.audit).query(CAMPAIGN).finally(() => db.close());

    // Assess
    expect([...first, ...second].every((t) => !t.dryRun)).toBe(true);
    expect(written.length).toBeGreaterThan(0);
    expect(entries.length).toBeGreaterThan(0);
  });

  it('prints each tick as a table of decisions within 100 columns', () => {
    // Assess
    const ticks = printed.filter((p) => p.startsWith('Tick '));
    expect(ticks).toHaveLength(5);
    expect(ticks[0]).toMatch(/^Tick 1 at 2026-11-24T10:00:00.000Z: 1 \S+\ncampaign +knob +old -> new +measured \/ setpoint +outcome: reason\n/);
    expect(ticks[0]).toMatch(/\nCollections Predictive +outboundLineCount +\S+/);
    for (const line of ticks.join('\n').split('\n')) expect(line.length).toBeLessThanOrEqual(TABLE_WIDTH);
  });

  it('npm run audit -- --local reads what it did from the same store', async () => {
    // Act
    const r = await runCli('lambda/cli/audit.ts', ['--local', store]);

    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^campaign +time \(UTC\) +kind +knob +old +new/);
    expect(r.stdout).toContain(`${CAMPAIGN}  2026-11-24T10:0`);
  });
});

describe('the decisions table', () => {
  it('cuts long names and messages to 100 columns', () => {
    // Prepare
    const summary: TickSummary = {
      eventId: 'e',
      tickTime: '2026-11-24T10:00:00.000Z',
      dryRun: false,
      durationMs: 1,
      counts: { written: 0, 'would-write': 0, held: 0, skipped: 0, error: 1 },
      campaigns: [{ campaignId: CAMPAIGN, name: 'A campaign with a very long name indeed', objective: 'abandonRate', knob: 'abandonRate', outcome: 'error', reason: 'read-failed', setpoint: 0.025, message: 'x'.repeat(200) }],
    };

    // Act
    const lines = formatDecisions(summary, 7).split('\n');

    // Assess
    expect(lines[0]).toBe('Tick 7 at 2026-11-24T10:00:00.000Z: 1 error');
    expect(lines[2]).not.toContain('…');
    expect(lines[3]).toMatch(/^A campaign with a very … +abandonRate +- +- \/ 2.50% +error: read-failed \(x+…$/);
    expect(lines[3]).toHaveLength(TABLE_WIDTH);
    expect(lines.every((l) => l.length <= TABLE_WIDTH)).toBe(true);
  });
});
