/**
 * The emulator's API semantics over plain HTTP: authentication, the per-token rate limit, fault
 * injection, PATCH/PUT validation and effect, and aggregates that agree with the simulation.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { GenesysClient, TokenProvider } from '../../lambda/genesys/index.js';
import { startTwin, type Twin, type TwinOptions } from '../../sim/emulator/server.js';
import { fixtureExample, schemaErrors } from './genesys-schemas.js';

const CAMPAIGN = '5d1e4f3c-0000-4000-8000-00000000c001';
const OUTBOUND_QUEUE = '5d1e4f3c-0000-4000-8000-00000000a001';
const INBOUND_QUEUE = '5d1e4f3c-0000-4000-8000-00000000a002';
const scenarioFile = (name: string) => new URL(`../../sim/scenarios/${name}.json`, import.meta.url).pathname;
const HOUR = 3_600_000;

let twin: Twin | undefined;
afterEach(async () => {
  await twin?.close();
  twin = undefined;
});

async function start(name = 'blended-surge', overrides: Record<string, unknown> = {}, options: Omit<TwinOptions, 'scenario'> = {}): Promise<Twin> {
  const scenario = { ...(JSON.parse(readFileSync(scenarioFile(name), 'utf8')) as object), ...overrides };
  twin = await startTwin({ scenario, seed: 3, ...options });
  return twin;
}

/** The controller's own Genesys adapter, logged in to the twin. */
function adapterFor(t: Twin): GenesysClient {
  const tokens = new TokenProvider({ loginBaseUrl: t.baseUrl, credentials: async () => ({ clientId: t.clientId, clientSecret: t.clientSecret }), requestTimeoutMs: 5_000 });
  return new GenesysClient({ apiBaseUrl: t.baseUrl, loginBaseUrl: t.baseUrl, requestTimeoutMs: 5_000, tokens });
}

async function login(t: Twin, client: { clientId: string; clientSecret: string } = t): Promise<string> {
  const res = await fetch(`${t.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

function api(t: Twin, token: string, path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}) {
  return fetch(`${t.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

describe('authentication', () => {
  it('issues bearer tokens for the scenario client only, and they expire in virtual time', async () => {
    // Prepare
    const t = await start('blended-surge', { auth: { clientId: 'twin-client', clientSecret: 'twin-secret', tokenLifetimeSeconds: 300 } });
    const wrong = await fetch(`${t.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from('twin-client:nope').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });

    // Act
    const token = await login(t);
    const fresh = await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}`);
    const anonymous = await fetch(`${t.baseUrl}/api/v2/outbound/campaigns/${CAMPAIGN}`);
    t.advanceTo(300_000);
    const expired = await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}`);

    // Assess
    expect(wrong.status).toBe(401);
    expect(fresh.status).toBe(200);
    expect(anonymous.status).toBe(401);
    expect(expired.status).toBe(401);
    expect(schemaErrors('outbound-campaigns.schema.json', 'ErrorBody', await expired.json())).toEqual([]);
  });
});

describe('rate limit', () => {
  it('answers the 301st request in a virtual minute with 429, Retry-After and the Genesys body, then recovers', async () => {
    // Prepare
    const t = await start();
    const token = await login(t);
    const example = fixtureExample('constructed-429-response.txt');
    const exampleBody = JSON.parse(example.slice(example.indexOf('{'))) as { code: string };

    // Act
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) statuses.push((await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}/stats`)).status);
    const limited = await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}/stats`);
    const limitedBody = (await limited.json()) as { code: string; status: number; message: string };
    const retryAfter = Number(limited.headers.get('retry-after'));
    t.advanceTo(retryAfter * 1000);
    const after = await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}/stats`);

    // Assess
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(limited.status).toBe(429);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(limitedBody.code).toBe(exampleBody.code);
    expect(limitedBody.message).toBe(`Rate limit exceeded the maximum. Retry the request in [${retryAfter}] seconds`);
    expect(schemaErrors('outbound-campaigns.schema.json', 'ErrorBody', limitedBody)).toEqual([]);
    expect(after.status).toBe(200);
  });
});

describe('rate limit per OAuth client', () => {
  it('counts every token of one client against one window and gives another client its own, as Genesys does', async () => {
    // Prepare: the scenario's client and a second one of the same org, 5 requests a minute each
    const second = { clientId: 'shard-b', clientSecret: 'secret-b' };
    const t = await start('blended-surge', {
      auth: { clientId: 'twin-client', clientSecret: 'twin-secret', extraClients: [second] },
      rateLimit: { requestsPerMinute: 5 },
    });
    const [firstToken, firstAgain, secondToken] = [await login(t), await login(t), await login(t, second)];
    const stats = (token: string) => api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}/stats`).then((r) => r.status);

    // Act: 3 requests on each token of the first client, then 5 on the second client
    const first: number[] = [];
    for (const token of [firstToken, firstToken, firstToken, firstAgain, firstAgain, firstAgain]) first.push(await stats(token));
    const other: number[] = [];
    for (let i = 0; i < 5; i++) other.push(await stats(secondToken));

    // Assess: a new token does not reset its client's window; the other client is untouched by it
    expect(t.clients.map((c) => c.clientId)).toEqual(['twin-client', 'shard-b']);
    expect(first).toEqual([200, 200, 200, 200, 200, 429]);
    expect(other).toEqual([200, 200, 200, 200, 200]);
    expect(t.requestLog.filter((r) => r.path.startsWith('/api/')).map((r) => r.clientId)).toEqual([...Array(6).fill('twin-client'), ...Array(5).fill('shard-b')]);
  });

  it('refuses a scenario giving two clients one id', async () => {
    // Act / Assess
    await expect(start('blended-surge', { auth: { clientId: 'a', clientSecret: 'x', extraClients: [{ clientId: 'a', clientSecret: 'y' }] } })).rejects.toThrow(
      /client id a is used twice: give each client its own id/,
    );
  });
});

describe('rate limit on the wall clock', () => {
  it('keeps counting when virtual time jumps, if the scenario asks for a wall-clock window', async () => {
    // Prepare
    const t = await start('blended-surge', { rateLimit: { requestsPerMinute: 5, clock: 'wall' } });
    const token = await login(t);

    // Act
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      t.advanceTo((i + 1) * 60_000);
      statuses.push((await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}/stats`)).status);
    }

    // Assess
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

describe('fault injection', () => {
  it.each([429, 500, 502, 503, 504])('answers %i when that error rate is 1', async (status) => {
    // Prepare
    const t = await start();
    const token = await login(t);
    t.setFaults({ errorRates: { [String(status)]: 1 }, retryAfterSeconds: 2 });

    // Act
    const res = await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}`);
    const body = (await res.json()) as { status: number };

    // Assess
    expect(res.status).toBe(status);
    expect(body.status).toBe(status);
    if (status === 429) expect(res.headers.get('retry-after')).toBe('2');
    expect(t.requestLog.at(-1)).toMatchObject({ status, fault: `status ${status}` });
  });

  it('injects error statuses at roughly the configured rate', async () => {
    // Prepare
    const t = await start();
    const token = await login(t);
    t.setFaults({ errorRates: { '500': 0.2, '503': 0.1 } });

    // Act
    const statuses: number[] = [];
    for (let i = 0; i < 250; i++) statuses.push((await api(t, token, `/api/v2/routing/queues/${INBOUND_QUEUE}`)).status);

    // Assess: binomial(250, 0.2) and (250, 0.1), within 4 standard deviations.
    const n500 = statuses.filter((s) => s === 500).length;
    const n503 = statuses.filter((s) => s === 503).length;
    expect(Math.abs(n500 - 50)).toBeLessThan(4 * Math.sqrt(250 * 0.2 * 0.8));
    expect(Math.abs(n503 - 25)).toBeLessThan(4 * Math.sqrt(250 * 0.1 * 0.9));
  });

  it('adds latency, holds requests until the client gives up, and drops connections', async () => {
    // Prepare
    const t = await start();
    const token = await login(t);

    // Act
    t.setFaults({ latencyMs: { min: 150, max: 150 } });
    const began = performance.now();
    const slow = await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}`);
    const elapsed = performance.now() - began;
    t.setFaults({ timeoutRate: 1 });
    const held = await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}`, { signal: AbortSignal.timeout(300) }).catch((e: Error) => e);
    t.setFaults({ dropRate: 1 });
    const dropped = await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}`).catch((e: Error) => e);

    // Assess
    expect(slow.status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(held).toBeInstanceOf(Error);
    expect((held as Error).name).toBe('TimeoutError');
    expect(dropped).toBeInstanceOf(TypeError);
  });

  it('sends malformed, partial and empty bodies with status 200', async () => {
    // Prepare
    const t = await start();
    const token = await login(t);
    const path = `/api/v2/outbound/campaigns/${CAMPAIGN}`;

    // Act
    t.setFaults({ malformedRate: 1 });
    const malformed = await api(t, token, path);
    const malformedText = await malformed.text();
    t.setFaults({ emptyRate: 1 });
    const empty = await api(t, token, path);
    const emptyText = await empty.text();
    t.setFaults({ partialRate: 1 });
    const partial = await api(t, token, path);
    const partialRead = await partial.text().catch((e: Error) => e);
    t.setFaults({});
    const healthy = await api(t, token, path);

    // Assess
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformedText)).toThrow();
    expect(empty.status).toBe(200);
    expect(emptyText).toBe('');
    expect(partial.status).toBe(200);
    expect(partialRead).toBeInstanceOf(Error);
    expect(healthy.status).toBe(200);
  });
});

describe('campaign changes', () => {
  it.each([
    [{ pacing: 1.2 }, 'pacing'],
    [{ maxCallsPerAgent: 0.5 }, 'maxCallsPerAgent'],
    [{ maxCallsPerAgent: 16 }, 'maxCallsPerAgent'],
    [{ abandonRate: 101 }, 'abandonRate'],
    [{ abandonRate: -1 }, 'abandonRate'],
    [{ outboundLineCount: -1 }, 'outboundLineCount'],
    [{ outboundLineCount: 2.5 }, 'outboundLineCount'],
    [{ version: 3, maxCallsPerAgent: 2 }, 'version'],
    [{ queue: { id: '5d1e4f3c-0000-4000-8000-0000000000ff' } }, 'queue'],
  ])('rejects PATCH %j with 400 naming %s', async (body, field) => {
    // Prepare
    const t = await start();
    const token = await login(t);
    const version = t.sim.campaign(CAMPAIGN)!.version;

    // Act
    const res = await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}`, { method: 'PATCH', body });
    const error = (await res.json()) as { details: Array<{ fieldName: string }> };

    // Assess
    expect(res.status).toBe(400);
    expect(schemaErrors('outbound-campaigns.schema.json', 'ErrorBody', error)).toEqual([]);
    expect(error.details.map((d) => d.fieldName)).toContain(field);
    expect(t.sim.campaign(CAMPAIGN)!.version).toBe(version);
  });

  it('applies a PATCHed outboundLineCount to an agentless campaign at once', async () => {
    // Prepare
    const t = await start('agentless');
    const token = await login(t);
    t.advanceTo(HOUR);
    const before = t.sim.campaignStats(CAMPAIGN)!;

    // Act
    const res = await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}`, { method: 'PATCH', body: { outboundLineCount: 5 } });
    t.advanceTo(HOUR + 60_000);
    const after = t.sim.timeSeries.at(-1)!.campaigns[CAMPAIGN]!;

    // Assess
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(before.outstandingCalls).toBeGreaterThan(5);
    expect(after.outboundLineCount).toBe(5);
    expect(after.outstandingCalls).toBeLessThanOrEqual(5);
  });

  it('turns a campaign off through PUT: stopping while calls are in flight, then off, with no new dials', async () => {
    // Prepare
    const t = await start();
    const token = await login(t);
    t.advanceTo(HOUR);
    const current = (await (await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}`)).json()) as Record<string, unknown>;

    // Act
    const bad = await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}`, { method: 'PUT', body: { ...current, campaignStatus: 'complete' } });
    const res = await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}`, { method: 'PUT', body: { ...current, campaignStatus: 'off' } });
    const answered = (await res.json()) as { campaignStatus: string };
    t.advanceTo(HOUR + 120_000);
    const later = t.sim.timeSeries.at(-1)!.campaigns[CAMPAIGN]!;

    // Assess
    expect(bad.status).toBe(400);
    expect(res.status).toBe(200);
    expect(answered.campaignStatus).toBe('stopping');
    expect(later.campaignStatus).toBe('off');
    expect(later.dialed).toBe(0);
  });
});

describe('the organisation\'s outbound settings', () => {
  it('serves Genesys\'s defaults when the scenario names none', async () => {
    // Prepare
    const t = await start();
    const token = await login(t);

    // Act
    const res = await api(t, token, '/api/v2/outbound/settings');
    const settings = await res.json();

    // Assess
    expect(schemaErrors('outbound-campaigns.schema.json', 'OutboundSettings', settings)).toEqual([]);
    expect(settings).toMatchObject({ maxCallsPerAgent: 15, maxCallsPerAgentDecimal: 15, maxConfigurableCallsPerAgent: 15, maxLineUtilization: 1, abandonSeconds: 2, complianceAbandonRateDenominator: 'ALL_CALLS' });
  });

  it('serves the scenario\'s organisation, with the twin\'s options over it, and refuses a PATCH above its maximum', async () => {
    // Prepare
    const t = await start('blended-surge', { organization: { abandonSeconds: 3, maxCallsPerAgent: 4.5 } }, { organization: { maxConfigurableCallsPerAgent: 4, complianceAbandonRateDenominator: 'CALLS_THAT_REACHED_QUEUE' } });
    const token = await login(t);

    // Act
    const settings = await adapterFor(t).getOutboundSettings();
    const tooHigh = await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}`, { method: 'PATCH', body: { maxCallsPerAgent: 5 } });

    // Assess
    expect(settings).toEqual({ abandonSeconds: 3, maxCallsPerAgent: 4.5, maxConfigurableCallsPerAgent: 4, maxLineUtilization: 1, complianceAbandonRateDenominator: 'CALLS_THAT_REACHED_QUEUE' });
    expect(t.scenario.organization.abandonSeconds).toBe(3);
    expect(tooHigh.status).toBe(400);
    expect(((await tooHigh.json()) as { message: string }).message).toContain('from 1 to 4');
  });

  it('refuses organisation options that are not valid, naming the field', async () => {
    // Act
    const error = await start('blended-surge', {}, { organization: { maxLineUtilization: 2 } }).catch((e: unknown) => e as Error);

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/organization\.maxLineUtilization/);
  });
});

describe('how a PATCHed knob is stored', () => {
  it('stores what was sent and answers 204 with no body, by default', async () => {
    // Prepare
    const t = await start();
    const genesys = adapterFor(t);

    // Act
    const held = await genesys.patchCampaignKnobs(CAMPAIGN, { maxCallsPerAgent: 2.37 });
    const read = await genesys.getCampaigns([CAMPAIGN]);

    // Assess
    expect(held).toEqual({});
    expect(read.get(CAMPAIGN)!.knobs.maxCallsPerAgent).toBe(2.37);
    expect(t.requestLog.filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([204]);
  });

  it('rounds to a step and clamps to a ceiling when told to, as a Genesys that did would', async () => {
    // Prepare
    const t = await start('blended-surge', {}, { knobStorage: { maxCallsPerAgent: { step: 0.25, max: 2 }, abandonRate: { step: 0.1 } } });
    const genesys = adapterFor(t);

    // Act
    await genesys.patchCampaignKnobs(CAMPAIGN, { maxCallsPerAgent: 1.62, abandonRate: 2.37 });
    const rounded = (await genesys.getCampaigns([CAMPAIGN])).get(CAMPAIGN)!.knobs;
    await genesys.patchCampaignKnobs(CAMPAIGN, { maxCallsPerAgent: 2.5 });
    const clamped = (await genesys.getCampaigns([CAMPAIGN])).get(CAMPAIGN)!.knobs;

    // Assess
    expect(rounded).toMatchObject({ maxCallsPerAgent: 1.5, abandonRate: 2.4 });
    expect(clamped.maxCallsPerAgent).toBe(2);
  });

  it('answers 200 with the campaign as stored when told to, and the adapter returns the values it holds', async () => {
    // Prepare
    const t = await start('blended-surge', {}, { knobStorage: { maxCallsPerAgent: { max: 2 } }, patchAnswer: 'campaign' });
    const token = await login(t);

    // Act
    const held = await adapterFor(t).patchCampaignKnobs(CAMPAIGN, { maxCallsPerAgent: 2.5 });
    const res = await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}`, { method: 'PATCH', body: { abandonRate: 2.5 } });

    // Assess
    expect(held).toEqual({ maxCallsPerAgent: 2 });
    expect(res.status).toBe(200);
    const campaign = await res.json();
    expect(schemaErrors('outbound-campaigns.schema.json', 'Campaign', campaign)).toEqual([]);
    expect(campaign).toMatchObject({ id: CAMPAIGN, abandonRate: 2.5, maxCallsPerAgentDecimal: 2 });
  });

  it('refuses a knob storage rule that is not valid, naming the knob and the field', async () => {
    // Act
    const error = await start('blended-surge', {}, { knobStorage: { maxCallsPerAgent: { step: 0 } } }).catch((e: unknown) => e as Error);

    // Assess
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('knobStorage.maxCallsPerAgent.step must be a number above 0, got 0');
  });
});

describe('routing', () => {
  it('answers unknown paths with 404 and wrong methods with 405, both as ErrorBody', async () => {
    // Prepare
    const t = await start();
    const token = await login(t);

    // Act
    const missing = await api(t, token, '/api/v2/queues/stats/realtime');
    const wrongMethod = await api(t, token, `/api/v2/outbound/campaigns/${CAMPAIGN}`, { method: 'DELETE' });

    // Assess
    expect(missing.status).toBe(404);
    expect(wrongMethod.status).toBe(405);
    expect(schemaErrors('outbound-campaigns.schema.json', 'ErrorBody', await missing.json())).toEqual([]);
  });
});

describe('analytics agree with the simulation', () => {
  it('aggregates per minute equal the time series, the current bucket is partial, and empty answers are {}', async () => {
    // Prepare
    const t = await start();
    const token = await login(t);
    t.advanceTo(HOUR + 30_000);
    const series = t.sim.timeSeries.slice(0, 60);
    const query = (interval: string, queueId: string) => ({
      interval,
      granularity: 'PT1M',
      groupBy: ['queueId'],
      filter: { type: 'and', predicates: [{ type: 'dimension', dimension: 'queueId', operator: 'matches', value: queueId }] },
      metrics: ['nOffered', 'tAnswered', 'tAbandon', 'nOutboundAttempted', 'nOutboundConnected', 'nOutboundAbandoned'],
      views: [{ target: 'tAnswered', name: 'within', function: 'rangeBound', range: { lt: 20_000.001 } }],
    });
    type Answer = { results?: Array<{ data: Array<{ interval: string; metrics: Array<{ metric: string; stats: { count: number } }>; views?: Array<{ stats: { count: number } }> }> }> };

    // Act
    const inbound = (await (await api(t, token, '/api/v2/analytics/conversations/aggregates/query', { method: 'POST', body: query('2026-05-14T08:00:00.000Z/2026-05-14T10:00:00.000Z', INBOUND_QUEUE) })).json()) as Answer;
    const outbound = (await (await api(t, token, '/api/v2/analytics/conversations/aggregates/query', { method: 'POST', body: query('2026-05-14T08:00:00.000Z/2026-05-14T10:00:00.000Z', OUTBOUND_QUEUE) })).json()) as Answer;
    const future = await (await api(t, token, '/api/v2/analytics/conversations/aggregates/query', { method: 'POST', body: query('2026-05-14T12:00:00.000Z/2026-05-14T13:00:00.000Z', INBOUND_QUEUE) })).json();

    // Assess
    const count = (bucket: { metrics: Array<{ metric: string; stats: { count: number } }> } | undefined, metric: string) =>
      bucket?.metrics.find((m) => m.metric === metric)?.stats.count ?? 0;
    const inboundBuckets = new Map(inbound.results![0]!.data.map((d) => [d.interval.split('/')[0], d]));
    for (const minute of series) {
      const b = inboundBuckets.get(minute.start);
      const q = minute.queues[INBOUND_QUEUE]!;
      expect([count(b, 'nOffered'), count(b, 'tAnswered'), count(b, 'tAbandon'), b?.views?.[0]?.stats.count ?? 0]).toEqual([q.offered, q.answered, q.abandoned, q.answeredWithinThreshold]);
    }
    const partial = outbound.results![0]!.data.at(-1)!;
    const dialsSoFar = t.sim.analytics.facts.filter((f) => f.metric === 'nOutboundAttempted' && f.t >= HOUR).length;
    expect(partial.interval).toBe('2026-05-14T09:00:00.000Z/2026-05-14T09:01:00.000Z');
    expect(count(partial, 'nOutboundAttempted')).toBe(dialsSoFar);
    const totals = (metric: string) => outbound.results![0]!.data.slice(0, -1).reduce((sum, b) => sum + count(b, metric), 0);
    const sum = (f: (m: (typeof series)[number]) => number) => series.reduce((s, m) => s + f(m), 0);
    expect(totals('nOutboundAttempted')).toBe(sum((m) => m.campaigns[CAMPAIGN]!.dialed));
    expect(totals('nOutboundConnected')).toBe(sum((m) => m.campaigns[CAMPAIGN]!.liveAnswers));
    expect(totals('nOutboundAbandoned')).toBe(sum((m) => m.campaigns[CAMPAIGN]!.complianceAbandons));
    expect(future).toEqual({});
  });

  it('filters join predicates as Genesys does: or of many ids, and of two values of one dimension matches nothing', async () => {
    // Prepare
    const t = await start();
    const token = await login(t);
    t.advanceTo(HOUR);
    const matches = (dimension: string, value: string) => ({ type: 'dimension', dimension, operator: 'matches', value });
    const offered = async (filter: unknown) => {
      const body = { interval: '2026-05-14T08:00:00.000Z/2026-05-14T09:00:00.000Z', groupBy: ['queueId'], filter, metrics: ['nOffered', 'nOutboundAttempted'] };
      const answer = (await (await api(t, token, '/api/v2/analytics/conversations/aggregates/query', { method: 'POST', body })).json()) as {
        results?: Array<{ group: { queueId: string } }>;
      };
      return (answer.results ?? []).map((r) => r.group.queueId).sort();
    };
    const ids = [...Array.from({ length: 99 }, (_, i) => `not-a-queue-${i}`), INBOUND_QUEUE];

    // Act
    const anyOfMany = await offered({ type: 'or', predicates: ids.map((id) => matches('queueId', id)) });
    const bothAtOnce = await offered({ type: 'and', predicates: [matches('queueId', INBOUND_QUEUE), matches('queueId', OUTBOUND_QUEUE)] });
    const clauses = await offered({
      type: 'and',
      predicates: [matches('mediaType', 'voice')],
      clauses: [{ type: 'or', predicates: [matches('queueId', OUTBOUND_QUEUE), { type: 'dimension', dimension: 'outboundCampaignId', operator: 'notExists' }] }],
    });

    // Assess
    expect(anyOfMany).toEqual([INBOUND_QUEUE]);
    expect(bothAtOnce).toEqual([]);
    expect(clauses).toEqual([INBOUND_QUEUE, OUTBOUND_QUEUE].sort());
  });

  it('observations report the live queue state', async () => {
    // Prepare
    const t = await start();
    const token = await login(t);
    t.advanceTo(3.5 * HOUR);
    const query = JSON.parse(fixtureExample('constructed-queue-observations-request.json')) as unknown;

    // Act
    const answer = (await (await api(t, token, '/api/v2/analytics/queues/observations/query', { method: 'POST', body: query })).json()) as {
      results: Array<{ group: { queueId: string; mediaType?: string }; data: Array<{ metric: string; qualifier?: string; stats: { count: number } }> }>;
    };

    // Assess
    const obs = t.sim.observeQueue(INBOUND_QUEUE)!;
    const users = answer.results.find((r) => r.group.queueId === INBOUND_QUEUE && !r.group.mediaType)!.data;
    const calls = answer.results.find((r) => r.group.queueId === INBOUND_QUEUE && r.group.mediaType === 'voice')!.data;
    const stat = (data: typeof users, metric: string, qualifier?: string) => data.find((d) => d.metric === metric && d.qualifier === qualifier)?.stats.count ?? 0;
    expect(stat(users, 'oOnQueueUsers', 'IDLE')).toBe(obs.idleUsers);
    expect(stat(users, 'oOnQueueUsers', 'INTERACTING')).toBe(obs.interactingUsers);
    expect(stat(users, 'oActiveUsers')).toBe(26);
    expect(stat(calls, 'oWaiting')).toBe(obs.waiting);
    expect(stat(calls, 'oInteracting')).toBe(obs.interactingCalls);
  });

  it("observations give the longest-connected call's time with its agent, and leave it out while no call is connected", async () => {
    // Prepare
    const t = await start();
    const token = await login(t);
    const query = { filter: { type: 'or', predicates: [{ type: 'dimension', dimension: 'queueId', operator: 'matches', value: INBOUND_QUEUE }] }, metrics: ['oInteracting', 'oLongestInteracting'] };
    const longest = async () => {
      const answer = (await (await api(t, token, '/api/v2/analytics/queues/observations/query', { method: 'POST', body: query })).json()) as {
        results: Array<{ group: { mediaType?: string }; data: Array<{ metric: string; stats: { count: number; calculatedMetricValue?: number } }> }>;
      };
      return answer.results.find((r) => r.group.mediaType === 'voice')?.data.find((d) => d.metric === 'oLongestInteracting')?.stats.calculatedMetricValue;
    };

    // Act
    const beforeAnyCall = await longest();
    t.advanceTo(3.5 * HOUR);
    const midDay = await longest();

    // Assess: a call's time with its agent, as the twin knows it; none before the first call
    const obs = t.sim.observeQueue(INBOUND_QUEUE)!;
    expect(beforeAnyCall).toBeUndefined();
    expect(obs.interactingCalls).toBeGreaterThan(0);
    expect(midDay).toBe(Math.round(obs.longestInteractingMs!));
    expect(midDay).toBeGreaterThan(0);
    expect(midDay).toBeLessThan(HOUR);
  });
});
