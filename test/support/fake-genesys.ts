/**
 * A scripted Genesys Cloud on a real local HTTP server, for whole-tick tests where each
 * measurement must be exact. (The twin in sim/ simulates a contact centre instead.)
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { storedValue, type KnobStorage, type StoredKnob } from '../../sim/emulator/knob-storage.js';

export interface FakeCampaign {
  id: string;
  campaignStatus: string;
  dialingMode: string;
  maxCallsPerAgent: number;
  abandonRate: number;
  outboundLineCount: number;
  version: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface FakeGenesys {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  campaigns: Map<string, FakeCampaign>;
  /** Per queue: offered and answered within threshold over any window asked. */
  queueStats: Map<string, { offered: number; within: number }>;
  /** Per campaign: live connects and abandons over any window asked (by minute: all in the last minute). */
  campaignStats: Map<string, { connected: number; abandoned: number }>;
  /** Per campaign: live connects and abandons per minute, scaled to the window asked (wins over campaignStats). */
  campaignStatsPerMinute: Map<string, { connected: number; abandoned: number }>;
  /** The OutboundSettings body GET /api/v2/outbound/settings answers; change its fields freely. */
  outboundSettings: Record<string, unknown>;
  /** How a PATCHed knob is stored (rounded, clamped), as in the twin; as sent by default. */
  knobStorage: KnobStorage;
  requests: RecordedRequest[];
  patches(): RecordedRequest[];
  /** Answers the next n requests to paths matching `pattern` with this status. */
  failNext(pattern: RegExp, status: number, n?: number): void;
  /** Forgets campaigns, statistics, recorded requests and pending failures, and restores the settings and knob storage. */
  reset(): void;
  /** Holds PATCH answers until `release()` is called (to overlap invocations). */
  holdPatches(): { release: () => void };
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

/** Starts the fake on a free loopback port. */
export async function startFakeGenesys(): Promise<FakeGenesys> {
  const campaigns = new Map<string, FakeCampaign>();
  const queueStats = new Map<string, { offered: number; within: number }>();
  const campaignStats = new Map<string, { connected: number; abandoned: number }>();
  const campaignStatsPerMinute = new Map<string, { connected: number; abandoned: number }>();
  const requests: RecordedRequest[] = [];
  const defaultSettings = () => ({ maxCallsPerAgent: 15, maxCallsPerAgentDecimal: 15, maxConfigurableCallsPerAgent: 15, maxLineUtilization: 1, abandonSeconds: 2, complianceAbandonRateDenominator: 'ALL_CALLS' });
  const failures: Array<{ pattern: RegExp; status: number; left: number }> = [];
  let patchGate: Promise<void> | undefined;
  const clientId = 'fake-client';
  const clientSecret = 'fake-secret-do-not-log';
  const token = 'fake-token-do-not-log';

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const text = await readBody(req);
    const isJson = String(req.headers['content-type'] ?? '').includes('json');
    const body = text && isJson ? (JSON.parse(text) as unknown) : undefined;
    requests.push({ method: req.method ?? '', path: url.pathname + url.search, body: body ?? text });
    const json = (status: number, payload?: unknown) => {
      res.writeHead(status, payload === undefined ? {} : { 'content-type': 'application/json' });
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };
    const failure = failures.find((f) => f.left > 0 && f.pattern.test(url.pathname));
    if (failure) {
      failure.left -= 1;
      json(failure.status, { message: `injected ${failure.status}`, code: 'injected', status: failure.status });
      return;
    }
    if (url.pathname === '/oauth/token') {
      const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return json(401, { message: 'bad client', code: 'bad.credentials', status: 401 });
      return json(200, { access_token: token, token_type: 'bearer', expires_in: 86_400 });
    }
    if (req.headers.authorization !== `Bearer ${token}`) return json(401, { message: 'no token', code: 'bad.credentials', status: 401 });

    if (req.method === 'GET' && url.pathname === '/api/v2/outbound/campaigns') {
      const ids = url.searchParams.getAll('id');
      const entities = ids.flatMap((id) => {
        const c = campaigns.get(id);
        return c ? [{ ...c, name: `Campaign ${id}`, maxCallsPerAgentDecimal: c.maxCallsPerAgent, queue: { id: 'q-out' } }] : [];
      });
      return json(200, { entities, pageSize: 100, pageNumber: 1, total: entities.length, pageCount: 1 });
    }
    if (req.method === 'GET' && url.pathname === '/api/v2/outbound/settings') return json(200, fake.outboundSettings);
    const routing = url.pathname.match(/^\/api\/v2\/routing\/queues\/([^/]+)$/);
    if (req.method === 'GET' && routing) {
      return json(200, { id: routing[1], name: 'Inbound', mediaSettings: { call: { serviceLevel: { percentage: 0.8, durationMs: 20_000 } } } });
    }
    if (req.method === 'POST' && url.pathname === '/api/v2/analytics/queues/observations/query') {
      const ids = ((body as { filter: { predicates: Array<{ value: string }> } }).filter.predicates ?? []).map((p) => p.value);
      return json(200, {
        results: ids.flatMap((queueId) => [
          { group: { queueId }, data: [{ metric: 'oOnQueueUsers', qualifier: 'IDLE', stats: { count: 2 } }, { metric: 'oOnQueueUsers', qualifier: 'INTERACTING', stats: { count: 8 } }] },
          { group: { queueId, mediaType: 'voice' }, data: [{ metric: 'oWaiting', stats: { count: 1 } }] },
        ]),
      });
    }
    if (req.method === 'POST' && url.pathname === '/api/v2/analytics/conversations/aggregates/query') {
      const q = body as { groupBy: string[]; views?: Array<{ name: string }> };
      if (q.groupBy.includes('queueId')) {
        return json(200, {
          results: [...queueStats].map(([queueId, s]) => ({
            group: { queueId, mediaType: 'voice' },
            data: [{ interval: 'x', metrics: [
              { metric: 'nOffered', stats: { count: s.offered } },
              { metric: 'tAnswered', stats: { count: s.within, sum: 1000 * s.within, max: 1000, min: 1000 } },
            ], views: (q.views ?? []).map((v) => ({ name: v.name, stats: { count: s.within } })) }],
          })),
        });
      }
      const q2 = body as { interval: string; granularity?: string };
      const [from, to] = q2.interval.split('/').map((t) => Date.parse(t)) as [number, number];
      const minutes = (to - from) / 60_000;
      const iso = (t: number) => new Date(t).toISOString();
      const bucket = (start: number, end: number, s: { connected: number; abandoned: number }) => ({
        interval: `${iso(start)}/${iso(end)}`,
        metrics: [
          { metric: 'nOutboundAttempted', stats: { count: s.connected * 4 } },
          { metric: 'nOutboundConnected', stats: { count: s.connected } },
          { metric: 'nOutboundAbandoned', stats: { count: s.abandoned } },
        ],
      });
      // By minute: per-minute counts in every minute; window counts in the last minute, so every
      // window ending at the query's end holds them, as an interval query of any length does.
      const perMinute = q2.granularity === 'PT1M';
      const byMinute = (s: { connected: number; abandoned: number }) => Array.from({ length: minutes }, (_, i) => bucket(from + i * 60_000, from + (i + 1) * 60_000, s));
      return json(200, {
        results: [
          ...[...campaignStats].map(([outboundCampaignId, s]) => ({ group: { outboundCampaignId }, data: [perMinute ? bucket(to - 60_000, to, s) : bucket(from, to, s)] })),
          ...[...campaignStatsPerMinute].map(([outboundCampaignId, s]) => ({
            group: { outboundCampaignId },
            data: perMinute ? byMinute(s) : [bucket(from, to, { connected: s.connected * minutes, abandoned: s.abandoned * minutes })],
          })),
        ],
      });
    }
    if (req.method === 'POST' && url.pathname === '/api/v2/outbound/campaigns/performance/query') {
      const entities = (body as string[]).flatMap((id) => (campaigns.has(id) ? [{ campaign: { id }, contactRate: { connectRatio: 0.25 }, idleAgents: 2, effectiveIdleAgents: 2.5, adjustedCallsPerAgent: 1.5, outstandingCalls: 6 }] : []));
      return json(200, { entities });
    }
    const patch = url.pathname.match(/^\/api\/v2\/outbound\/campaigns\/([^/]+)$/);
    if (req.method === 'PATCH' && patch) {
      if (patchGate) await patchGate;
      const c = campaigns.get(decodeURIComponent(patch[1]!));
      if (!c) return json(404, { message: 'not found', code: 'not.found', status: 404 });
      for (const [field, value] of Object.entries(body as Record<string, number>)) {
        Object.assign(c, { [field]: field in fake.knobStorage ? storedValue(fake.knobStorage, field as StoredKnob, value) : value });
      }
      c.version += 1;
      return json(204);
    }
    json(404, { message: `no route ${req.method} ${url.pathname}`, code: 'not.found', status: 404 });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake: FakeGenesys = {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    clientId,
    clientSecret,
    campaigns,
    queueStats,
    campaignStats,
    campaignStatsPerMinute,
    outboundSettings: defaultSettings(),
    knobStorage: {},
    requests,
    patches: () => requests.filter((r) => r.method === 'PATCH'),
    failNext: (pattern, status, n = 1) => failures.push({ pattern, status, left: n }),
    reset: () => {
      campaigns.clear();
      queueStats.clear();
      campaignStats.clear();
      campaignStatsPerMinute.clear();
      fake.outboundSettings = defaultSettings();
      fake.knobStorage = {};
      requests.length = 0;
      failures.length = 0;
    },
    holdPatches: () => {
      let release!: () => void;
      patchGate = new Promise<void>((r) => (release = r));
      return { release: () => { patchGate = undefined; release(); } };
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  return fake;
}
