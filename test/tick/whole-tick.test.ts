/**
 * Whole ticks through the real handler: dynalite for DynamoDB (state and audit tables), a local
 * secret store and a scripted Genesys on real local HTTP servers.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TickSummary } from '../../lambda/tick.js';
import { DynamoDbAuditLog } from '../../lambda/audit/dynamodb-audit-log.js';
import { DynamoDbStateStore } from '../../lambda/state/dynamodb-store.js';
import { createAuditTable, createStateTable, LOCAL_AWS, startLocalDynamoDb, type LocalDynamoDb } from '../../sim/local-aws/dynamodb.js';
import { startLocalSecretsManager, type LocalSecretsManager } from '../../sim/local-aws/secrets-manager.js';
import { CAMPAIGN_ID, QUEUE_ID } from '../support/config.js';
import { startFakeGenesys, type FakeGenesys } from '../support/fake-genesys.js';

const ABANDON_CAMPAIGN = '5d1e4f3c-0000-4000-8000-00000000c002';
const SECRET = 'genesys-pacing/oauth-client';

let db: LocalDynamoDb;
let secrets: LocalSecretsManager;
let genesys: FakeGenesys;
let handler: (event: unknown, context: Context) => Promise<TickSummary>;
let store: DynamoDbStateStore;
let audit: DynamoDbAuditLog;
let auditTable: string;
let tables = 0;
let now: number;

const context = (): Context => ({ awsRequestId: `req-${Math.random()}`, getRemainingTimeInMillis: () => 50_000 }) as Context;
const scheduled = (id: string, time: number) => ({ version: '0', id, 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date(time).toISOString(), detail: {} });
const T0 = Date.parse('2026-11-24T10:00:00Z');

beforeAll(async () => {
  db = await startLocalDynamoDb();
  genesys = await startFakeGenesys();
  secrets = await startLocalSecretsManager({ [SECRET]: JSON.stringify({ clientId: genesys.clientId, clientSecret: genesys.clientSecret }) });
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', db.endpoint);
  vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', secrets.endpoint);
  vi.stubEnv('AWS_REGION', LOCAL_AWS.region);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all([db.close(), secrets.close(), genesys.close()]);
});

interface ContainerOptions {
  /** Campaigns of the config file (two by default: service level and abandon rate). */
  campaigns?: unknown[];
  /** Extra top-level config fields. */
  extra?: Record<string, unknown>;
  /** Skip creating the audit table, so every audit write fails. */
  withoutAuditTable?: boolean;
}

/** A fresh container: new tables, new config, handler module loaded anew. */
async function startContainer(options: ContainerOptions = {}) {
  const table = `state-tick-${++tables}`;
  auditTable = `${table}-audit`;
  await createStateTable(db.client, table);
  if (!options.withoutAuditTable) await createAuditTable(db.client, auditTable);
  store = new DynamoDbStateStore(db.client, table);
  audit = new DynamoDbAuditLog(db.client, auditTable, 730);
  const dir = mkdtempSync(join(tmpdir(), 'pacing-'));
  const configFile = join(dir, 'pacing.config.json');
  writeFileSync(configFile, JSON.stringify({
    genesys: { localBaseUrl: genesys.baseUrl },
    secretName: SECRET,
    ...options.extra,
    campaigns: options.campaigns ?? [
      { campaignId: CAMPAIGN_ID, objective: { kind: 'inboundServiceLevel', queueId: QUEUE_ID }, setpoint: 0.8 },
      { campaignId: ABANDON_CAMPAIGN, objective: { kind: 'abandonRate' }, setpoint: 0.02 },
    ],
  }));
  vi.stubEnv('PACING_CONFIG_FILE', configFile);
  vi.stubEnv('STATE_TABLE_NAME', table);
  vi.stubEnv('AUDIT_TABLE_NAME', auditTable);
  vi.resetModules();
  ({ handler } = await import('../../lambda/handler.js'));
}

beforeEach(async () => {
  await startContainer();
  genesys.reset();
  for (const id of [CAMPAIGN_ID, ABANDON_CAMPAIGN]) {
    genesys.campaigns.set(id, { id, campaignStatus: 'on', dialingMode: 'predictive', maxCallsPerAgent: 2, abandonRate: 2.5, outboundLineCount: 40, version: 1 });
  }
  genesys.queueStats.set(QUEUE_ID, { offered: 100, within: 80 });
  genesys.campaignStats.set(ABANDON_CAMPAIGN, { connected: 200, abandoned: 4 });
  now = T0;
  vi.useFakeTimers({ toFake: ['Date'], now: T0 + 5_000 });
});

/** Runs a scheduled tick one minute after the last. */
async function tick(id = `evt-${(now += 60_000)}`, time = now) {
  vi.setSystemTime(time + 5_000);
  return handler(scheduled(id, time), context());
}

describe('whole ticks through the handler', () => {
  it('starts bumplessly, then lowers calls per agent when inbound service level sinks', async () => {
    // Prepare: one tick at target initialises the state without writing
    const first = await tick();
    expect(first.campaigns.map((c) => c.reason)).toEqual(['initialised', 'initialised']);
    expect(genesys.patches()).toHaveLength(0);
    // Act: service level falls to 50%
    genesys.queueStats.set(QUEUE_ID, { offered: 100, within: 72 });
    const second = await tick();
    // Assess: one PATCH with only the knob's field, and the state advanced once
    const report = second.campaigns.find((c) => c.campaignId === CAMPAIGN_ID)!;
    expect(report).toMatchObject({ outcome: 'written', reason: 'pid', measured: 0.72, previousValue: 2 });
    expect(report.newValue).toBeLessThan(2);
    const patches = genesys.patches();
    expect(patches).toHaveLength(1);
    expect(patches[0]!.path).toBe(`/api/v2/outbound/campaigns/${CAMPAIGN_ID}`);
    expect(patches[0]!.body).toEqual({ maxCallsPerAgent: report.newValue });
    const state = (await store.loadMany([CAMPAIGN_ID])).states.get(CAMPAIGN_ID)!;
    expect(state).toMatchObject({ version: 2, lastWritten: report.newValue, lastEventId: second.eventId });
  });

  it('reads every campaign and queue in batched queries, the outbound windows in one per-minute query, not one request per campaign', async () => {
    await tick();
    const paths = genesys.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`);
    expect(paths.filter((p) => p === 'GET /api/v2/outbound/campaigns')).toHaveLength(1);
    // Neither campaign paces lines or feeds forward from the dialer: its figures are not read.
    expect(paths.filter((p) => p === 'POST /api/v2/outbound/campaigns/performance/query')).toHaveLength(0);
    expect(paths.filter((p) => p === 'POST /api/v2/analytics/queues/observations/query')).toHaveLength(1);
    // The queue's 15 minutes; outbound: the abandon objective's 15 minutes, the compliance loop's
    // 30 and the guard's 10 for both campaigns, all from one query by minute over the last 30.
    const aggregates = genesys.requests.filter((r) => r.path === '/api/v2/analytics/conversations/aggregates/query');
    expect(aggregates).toHaveLength(2);
    const outbound = aggregates.map((r) => r.body as { groupBy: string[]; interval: string; granularity?: string; filter: { predicates: unknown[] } }).filter((b) => b.groupBy.includes('outboundCampaignId'));
    expect(outbound).toEqual([expect.objectContaining({ granularity: 'PT1M' })]);
    const [from, to] = outbound[0]!.interval.split('/').map((t) => Date.parse(t));
    expect((to! - from!) / 60_000).toBe(30);
    expect(outbound[0]!.filter.predicates).toHaveLength(2);
  });

  it('runs a duplicate delivery of the same event once', async () => {
    await tick();
    genesys.queueStats.set(QUEUE_ID, { offered: 100, within: 72 });
    const id = 'evt-duplicate';
    await tick(id, (now += 60_000));
    const again = await tick(id, now);
    expect(again.campaigns.every((c) => c.outcome === 'skipped' && c.reason === 'duplicate-event')).toBe(true);
    expect(genesys.patches()).toHaveLength(1);
    expect((await store.loadMany([CAMPAIGN_ID])).states.get(CAMPAIGN_ID)!.version).toBe(2);
  });

  it('lets only one of two overlapping invocations PATCH', async () => {
    await tick();
    genesys.queueStats.set(QUEUE_ID, { offered: 100, within: 72 });
    const gate = genesys.holdPatches();
    const time = (now += 60_000);
    vi.setSystemTime(time + 5_000);
    // Two deliveries of the same minute with different ids, overlapping in time
    const a = handler(scheduled('evt-a', time), context());
    await vi.waitFor(() => expect(genesys.patches()).toHaveLength(1));
    const b = await handler(scheduled('evt-b', time), context());
    gate.release();
    const first = await a;
    expect(first.campaigns.find((c) => c.campaignId === CAMPAIGN_ID)!.outcome).toBe('written');
    expect(b.campaigns.find((c) => c.campaignId === CAMPAIGN_ID)).toMatchObject({ outcome: 'skipped', reason: 'concurrent-invocation' });
    expect(genesys.patches()).toHaveLength(1);
    expect((await store.loadMany([CAMPAIGN_ID])).states.get(CAMPAIGN_ID)).toMatchObject({ version: 2, lastEventId: 'evt-a' });
  });

  it('answers a console dry run with the terms, writing nothing and saving nothing', async () => {
    await tick();
    genesys.queueStats.set(QUEUE_ID, { offered: 100, within: 72 });
    vi.setSystemTime(now + 65_000);
    const summary = await handler({ dryRun: true, campaignIds: [CAMPAIGN_ID] }, context());
    expect(summary.dryRun).toBe(true);
    expect(summary.campaigns).toHaveLength(1);
    const report = summary.campaigns[0]!;
    expect(report).toMatchObject({ outcome: 'would-write', measured: 0.72, setpoint: 0.8 });
    expect(report.p).toBeLessThan(0);
    expect(typeof report.i).toBe('number');
    expect(typeof report.d).toBe('number');
    expect(genesys.patches()).toHaveLength(0);
    expect((await store.loadMany([CAMPAIGN_ID])).states.get(CAMPAIGN_ID)!.version).toBe(1);
  });

  it('rejects a console event with an unknown field, naming it', async () => {
    await expect(handler({ dryrun: true }, context())).rejects.toThrow(/unknown field\(s\) "dryrun"/);
    await expect(handler({ campaignIds: ['nope'] }, context())).rejects.toThrow(/nope not in the configuration/);
  });

  it('leaves pacing and state intact when the PATCH keeps failing', async () => {
    await tick();
    genesys.queueStats.set(QUEUE_ID, { offered: 100, within: 72 });
    genesys.failNext(/^\/api\/v2\/outbound\/campaigns\/[^/]+$/, 400, 1);
    const summary = await tick();
    expect(summary.campaigns.find((c) => c.campaignId === CAMPAIGN_ID)).toMatchObject({ outcome: 'error', reason: 'write-failed' });
    expect(genesys.campaigns.get(CAMPAIGN_ID)!.maxCallsPerAgent).toBe(2);
    const state = (await store.loadMany([CAMPAIGN_ID])).states.get(CAMPAIGN_ID)!;
    expect(state).toMatchObject({ version: 1, lastWritten: 2 });
    // Another invocation of the same tick may not write it again (Genesys may have applied a PATCH
    // whose answer was lost); the next tick can, once the lease has run out.
    vi.setSystemTime(now + 10_000);
    const again = await handler(scheduled(`${summary.eventId}-again`, now), context());
    expect(again.campaigns.find((c) => c.campaignId === CAMPAIGN_ID)).toMatchObject({ outcome: 'skipped', reason: 'concurrent-invocation' });
    const next = await tick();
    expect(next.campaigns.find((c) => c.campaignId === CAMPAIGN_ID)!.outcome).toBe('written');
  });

  it('holds every campaign when the metrics cannot be read, and says why', async () => {
    await tick();
    genesys.failNext(/aggregates/, 403, 10);
    const summary = await tick();
    for (const c of summary.campaigns) {
      expect(c).toMatchObject({ outcome: 'error', reason: 'read-failed' });
      expect(c.message).toMatch(/analytics:conversationAggregate:view/);
    }
    expect(genesys.patches()).toHaveLength(0);
  });

  it('holds a campaign that is not on, and one that was deleted', async () => {
    await tick();
    genesys.campaigns.get(CAMPAIGN_ID)!.campaignStatus = 'stopping';
    genesys.campaigns.delete(ABANDON_CAMPAIGN);
    const summary = await tick();
    expect(summary.campaigns.map((c) => c.reason)).toEqual(['campaign-not-on', 'campaign-not-found']);
  });

  it('continues from a value changed by hand', async () => {
    await tick();
    genesys.campaigns.get(CAMPAIGN_ID)!.maxCallsPerAgent = 2.6;
    const summary = await tick();
    expect(summary.campaigns[0]).toMatchObject({ outcome: 'held', reason: 'manual-change', newValue: 2.6 });
    expect((await store.loadMany([CAMPAIGN_ID])).states.get(CAMPAIGN_ID)!.lastWritten).toBe(2.6);
  });

  it('holds as stale a tick delivered long after its time', async () => {
    await tick();
    genesys.queueStats.set(QUEUE_ID, { offered: 100, within: 72 });
    const time = (now += 60_000);
    vi.setSystemTime(time + 10 * 60_000);
    const summary = await handler(scheduled('late', time), context());
    expect(summary.campaigns[0]).toMatchObject({ outcome: 'held', reason: 'stale-data' });
    expect(genesys.patches()).toHaveLength(0);
  });
});

describe('compliance counts in the state item', () => {
  /** Window totals as stored. */
  async function stored(id: string) {
    const compliance = (await store.loadMany([id])).states.get(id)!.compliance!;
    return { countedUntil: compliance.countedUntil, ...compliance.buckets.reduce((a, b) => ({ live: a.live + b.live, abandoned: a.abandoned + b.abandoned }), { live: 0, abandoned: 0 }) };
  }

  it('counts each settled minute once, survives a cold start, and a duplicate delivery counts nothing', async () => {
    // Prepare: 10 live answers and 1 abandon a minute for the abandon-rate campaign
    genesys.campaignStats.delete(ABANDON_CAMPAIGN);
    genesys.campaignStatsPerMinute.set(ABANDON_CAMPAIGN, { connected: 10, abandoned: 1 });
    await tick();
    await tick();
    // Act: three more minutes; facts settle a minute after they happen, so three minutes are counted
    for (let i = 0; i < 3; i += 1) await tick();
    const afterFive = await stored(ABANDON_CAMPAIGN);
    // Assess
    expect(afterFive).toMatchObject({ live: 30, abandoned: 3 });
    const report = (await tick('evt-dup', (now += 60_000))).campaigns.find((c) => c.campaignId === ABANDON_CAMPAIGN)!;
    expect(report.compliance).toMatchObject({ windowLive: 40, windowAbandoned: 4, remainingAbandons: expect.closeTo(0.03 * 40 - 4, 9) });
    // The same event again: skipped, nothing counted
    const again = await tick('evt-dup', now);
    expect(again.campaigns.every((c) => c.reason === 'duplicate-event')).toBe(true);
    expect(await stored(ABANDON_CAMPAIGN)).toMatchObject({ live: 40, abandoned: 4 });
    // A cold start (new container, same table): counting continues from the stored counts
    vi.resetModules();
    ({ handler } = await import('../../lambda/handler.js'));
    await tick();
    expect(await stored(ABANDON_CAMPAIGN)).toMatchObject({ live: 50, abandoned: 5, countedUntil: now - 60_000 });
  });

  it('counts nothing when the outbound metrics cannot be read, and catches up at the next tick', async () => {
    genesys.campaignStats.delete(ABANDON_CAMPAIGN);
    genesys.campaignStatsPerMinute.set(ABANDON_CAMPAIGN, { connected: 10, abandoned: 0 });
    await tick();
    await tick();
    await tick();
    expect(await stored(ABANDON_CAMPAIGN)).toMatchObject({ live: 10 });
    // Forbidden is not retried: the queue query and the first outbound query of the tick fail
    genesys.failNext(/aggregates/, 403, 2);
    const failed = await tick();
    expect(failed.campaigns.find((c) => c.campaignId === ABANDON_CAMPAIGN)).toMatchObject({ outcome: 'error', reason: 'read-failed' });
    expect(await stored(ABANDON_CAMPAIGN)).toMatchObject({ live: 10 });
    await tick();
    // Both minutes counted at once, in one interval: nothing lost, nothing twice
    expect(await stored(ABANDON_CAMPAIGN)).toMatchObject({ live: 30 });
  });
});

describe('audit trail of whole ticks', () => {
  it('records a write with the old and new value, measurement, setpoint, reason and tick id, kept for the retention', async () => {
    // Prepare: an initialised loop, then service level falls
    await tick();
    genesys.queueStats.set(QUEUE_ID, { offered: 100, within: 72 });

    // Act
    const summary = await tick();

    // Assess
    const report = summary.campaigns.find((c) => c.campaignId === CAMPAIGN_ID)!;
    const entries = await audit.query(CAMPAIGN_ID);
    expect(entries).toEqual([
      {
        campaignId: CAMPAIGN_ID,
        at: new Date(now + 5_000).toISOString(),
        eventId: summary.eventId,
        kind: 'change',
        knob: 'maxCallsPerAgent',
        oldValue: 2,
        newValue: report.newValue,
        measured: 0.72,
        setpoint: 0.8,
        objective: 'inboundServiceLevel',
        reason: 'pid',
      },
    ]);
    const raw = await db.client.send(new ScanCommand({ TableName: auditTable }));
    const expiresAt = Number(raw.Items![0]!.expiresAt!.N);
    expect(expiresAt).toBe(Math.floor((now + 5_000) / 1000) + 1827 * 86_400); // the default retention: five years
    expect(await audit.query(ABANDON_CAMPAIGN)).toEqual([]);
  });

  it('sends one PATCH when the campaign\'s loop and its compliance loop both move, and records each knob\'s change', async () => {
    // Prepare: the service-level campaign's compliance loop moves Genesys's abandonRate target
    await startContainer({
      campaigns: [{ campaignId: CAMPAIGN_ID, objective: { kind: 'inboundServiceLevel', queueId: QUEUE_ID }, setpoint: 0.8, compliance: { knob: { name: 'abandonRate' } } }],
    });
    await tick();
    genesys.queueStats.set(QUEUE_ID, { offered: 100, within: 72 });
    genesys.campaignStats.set(CAMPAIGN_ID, { connected: 400, abandoned: 11 });

    // Act: service level sinks and the campaign abandons 2.75% of its live answers (over the allowed 2.5%, short of danger)
    const summary = await tick();

    // Assess
    const report = summary.campaigns[0]!;
    expect(report).toMatchObject({ outcome: 'written', reason: 'pid', previousValue: 2, compliance: { knob: 'abandonRate', previousValue: 2.5, newValue: 2.4 } });
    expect(report.newValue).toBeLessThan(2);
    expect(genesys.patches()).toHaveLength(1);
    expect(genesys.patches()[0]!.body).toMatchObject({ maxCallsPerAgent: report.newValue, abandonRate: 2.4 });
    const entries = await audit.query(CAMPAIGN_ID);
    expect(entries).toEqual([
      expect.objectContaining({ eventId: summary.eventId, knob: 'abandonRate', oldValue: 2.5, newValue: 2.4, reason: 'compliance', objective: 'abandonRate', measured: 0.0275, setpoint: report.compliance!.allowedRate }),
      expect.objectContaining({ eventId: summary.eventId, knob: 'maxCallsPerAgent', oldValue: 2, newValue: report.newValue, reason: 'pid', objective: 'inboundServiceLevel' }),
    ]);
  });

  it('records a manual change once, with the value the controller had written and the one found', async () => {
    // Prepare
    await tick();
    const before = now;
    genesys.campaigns.get(CAMPAIGN_ID)!.maxCallsPerAgent = 2.6;

    // Act: the tick that detects it, and one more
    const detected = await tick();
    await tick();

    // Assess
    expect(await audit.query(CAMPAIGN_ID)).toEqual([
      expect.objectContaining({
        kind: 'manual-change',
        eventId: detected.eventId,
        oldValue: 2,
        newValue: 2.6,
        reason: 'manual-change',
        changedAfter: new Date(before).toISOString(),
      }),
    ]);
  });

  it('records nothing for a dry run that would write', async () => {
    // Prepare
    await tick();
    genesys.queueStats.set(QUEUE_ID, { offered: 100, within: 72 });
    vi.setSystemTime(now + 65_000);

    // Act
    const summary = await handler({ dryRun: true }, context());

    // Assess
    expect(summary.campaigns.find((c) => c.campaignId === CAMPAIGN_ID)!.outcome).toBe('would-write');
    expect(await audit.query(CAMPAIGN_ID)).toEqual([]);
  });

  it('keeps the write and the saved state when the audit table cannot be written, and says so', async () => {
    // Prepare: a container whose audit table does not exist
    await startContainer({ withoutAuditTable: true });
    await tick();
    genesys.queueStats.set(QUEUE_ID, { offered: 100, within: 72 });

    // Act
    const summary = await tick();

    // Assess
    const report = summary.campaigns.find((c) => c.campaignId === CAMPAIGN_ID)!;
    expect(report).toMatchObject({ outcome: 'written', reason: 'pid', auditFailed: true });
    expect(report.message).toMatch(/audit entry not recorded: audit table state-tick-\d+-audit: Requested resource not found/);
    expect(genesys.patches()).toHaveLength(1);
    expect((await store.loadMany([CAMPAIGN_ID])).states.get(CAMPAIGN_ID)).toMatchObject({ version: 2, lastWritten: report.newValue });
  });

  it('answers a query by campaign and time range from the entries of several ticks', async () => {
    // Prepare: three ticks that each lower calls per agent
    await tick();
    genesys.queueStats.set(QUEUE_ID, { offered: 100, within: 72 });
    const written = [];
    for (let i = 0; i < 3; i += 1) written.push(await tick());

    // Act: from the second write on
    const since = new Date(Date.parse(written[1]!.tickTime));
    const entries = await audit.query(CAMPAIGN_ID, { since });
    const firstOnly = await audit.query(CAMPAIGN_ID, { until: since });

    // Assess
    expect(entries.map((e) => e.eventId)).toEqual([written[1]!.eventId, written[2]!.eventId]);
    expect(firstOnly.map((e) => e.eventId)).toEqual([written[0]!.eventId]);
    expect(entries[0]!.oldValue).toBe(firstOnly[0]!.newValue);
  });
});

describe('Genesys request budget of a tick', () => {
  const ids = Array.from({ length: 30 }, (_, i) => `5d1e4f3c-0000-4000-8000-${String(100 + i).padStart(12, '0')}`);

  it('reads the service-level threshold once per queue, however many campaigns share it', async () => {
    // Prepare: three service-level campaigns on one queue, no threshold in the config
    const shared = ids.slice(0, 3);
    await startContainer({ campaigns: shared.map((campaignId) => ({ campaignId, objective: { kind: 'inboundServiceLevel', queueId: QUEUE_ID }, setpoint: 0.8 })) });
    for (const id of shared) genesys.campaigns.set(id, { id, campaignStatus: 'on', dialingMode: 'predictive', maxCallsPerAgent: 2, abandonRate: 2.5, outboundLineCount: 40, version: 1 });

    // Act
    await tick();

    // Assess
    expect(genesys.requests.filter((r) => r.path.startsWith('/api/v2/routing/queues/'))).toHaveLength(1);
  });

  it('writes calming changes first, defers the rest within the budget, and takes them up next tick without a manual-change restart', async () => {
    // Prepare: 30 abandon-rate campaigns, half over their target (calming), half under (raising);
    // 30 requests per minute leave 27 for a tick: what the reads leave of them goes to writes.
    await startContainer({
      extra: { genesys: { localBaseUrl: genesys.baseUrl, requestsPerMinute: 30 } },
      campaigns: ids.map((campaignId) => ({ campaignId, objective: { kind: 'abandonRate' }, setpoint: 0.025 })),
    });
    for (const id of ids) genesys.campaigns.set(id, { id, campaignStatus: 'on', dialingMode: 'predictive', maxCallsPerAgent: 2, abandonRate: 2, outboundLineCount: 40, version: 1 });
    await tick();
    const calming = new Set(ids.slice(0, 15));
    for (const id of ids) genesys.campaignStats.set(id, calming.has(id) ? { connected: 400, abandoned: 11 } : { connected: 200, abandoned: 1 });
    const readsOf = (requests: typeof genesys.requests) => requests.filter((r) => r.path.startsWith('/api/') && r.method !== 'PATCH').length;

    // Act
    const before = genesys.requests.length;
    const first = await tick();
    const between = genesys.requests.length;
    const afterFirst = (await store.loadMany(ids)).states;
    const second = await tick();

    // Assess: the reads are a handful (campaigns, dialer figures, one aggregates query per window)
    const firstReads = readsOf(genesys.requests.slice(before, between));
    const secondReads = readsOf(genesys.requests.slice(between));
    expect(firstReads).toBeLessThanOrEqual(7);
    expect(first.counts.written).toBe(27 - firstReads);
    const deferred = first.campaigns.filter((c) => c.reason === 'write-deferred');
    expect(deferred).toHaveLength(30 - (27 - firstReads));
    expect(ids.filter((id) => afterFirst.get(id)?.writeDeferred)).toEqual(ids.filter((id) => deferred.some((c) => c.campaignId === id)));
    for (const c of deferred) {
      expect(calming.has(c.campaignId)).toBe(false);
      expect(c).toMatchObject({ outcome: 'held', previousValue: 2, newValue: 2 });
      expect(c.message).toMatch(/waits for the next tick/);
    }
    expect(first.campaigns.filter((c) => calming.has(c.campaignId)).every((c) => c.outcome === 'written' && c.newValue! < 2)).toBe(true);
    expect(second.campaigns.some((c) => c.reason === 'manual-change')).toBe(false);
    // Every change that waited is written now, within the budget.
    const waited = new Set(deferred.map((c) => c.campaignId));
    expect(second.campaigns.filter((c) => waited.has(c.campaignId)).every((c) => c.outcome === 'written')).toBe(true);
    // The state remembered the wait for the one tick, so the waiting change went before other rises.
    const states = (await store.loadMany([...waited])).states;
    expect([...states.values()].some((st) => st.writeDeferred)).toBe(false);
    expect(second.counts.written).toBeLessThanOrEqual(27 - secondReads);
  });
});
