/**
 * Property-based tests with fixed seeds: whatever comes in — an invocation event, a configuration,
 * a Genesys answer — the answer is a typed result or a typed error that says what is wrong, never
 * a crash (TypeError and the like), and bad input never leads to a write.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, parsePacingConfig, type PacingConfig } from '../../lambda/config/config.js';
import { GENESYS_REGION_HOSTS } from '../../lambda/config/schema.js';
import { EventError, parseEvent, toTickRequest } from '../../lambda/events.js';
import { mapCampaignAggregates, mapQueueAggregates, mapQueueObservations } from '../../lambda/genesys/analytics.js';
import { readCampaignPage } from '../../lambda/genesys/campaigns.js';
import { GenesysApiError, GenesysClient, TokenProvider } from '../../lambda/genesys/index.js';
import { errorBodySchema, parseBody, ResponseShapeError, routingQueueSchema, tokenResponseSchema } from '../../lambda/genesys/responses.js';
import { BatchReadError, type ControllerState, type GenesysPort, type StateStore } from '../../lambda/ports.js';
import { runTick } from '../../lambda/tick.js';
import { CAMPAIGN_ID, QUEUE_ID, configWith } from '../support/config.js';

const RUNS = { numRuns: 300 };
const T = Date.parse('2026-06-01T10:00:00Z');

/** Fails the property on anything but the expected error class: a crash is never acceptable. */
function typedOrResult<T>(f: () => T, expected: new (...args: any[]) => Error): T | undefined {
  try {
    return f();
  } catch (error) {
    if (!(error instanceof expected)) throw new Error(`crashed with ${String((error as Error)?.stack ?? error)}`);
    expect((error as Error).message.length).toBeGreaterThan(10);
    return undefined;
  }
}

/** Values a hostile or broken sender might put anywhere. */
const junk = fc.oneof(
  fc.anything(),
  fc.constantFrom(null, undefined, '', 'NaN', -1, 0, 1e999, -1e999, Number.NaN, 1.5, '1', [], {}, true),
  fc.string(),
  fc.double(),
);

describe('the event parser', () => {
  const configured = ['5d1e4f3c-0000-4000-8000-00000000c001', '5d1e4f3c-0000-4000-8000-00000000c002'];
  const valid = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: junk });
  const scheduledLike = fc.record(
    {
      version: valid(fc.constant('0')),
      id: valid(fc.uuid()),
      'detail-type': valid(fc.constant('Scheduled Event')),
      source: valid(fc.constant('aws.events')),
      time: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string(), junk),
      detail: junk,
      resources: junk,
    },
    { requiredKeys: ['detail-type'] },
  );
  const consoleLike = fc.record({ dryRun: fc.oneof(fc.boolean(), junk), campaignIds: fc.oneof(fc.subarray(configured), fc.array(fc.string()), junk), extra: junk }, { requiredKeys: [] });

  it('answers any input with a runnable tick request or an EventError', () => {
    const accepted = { scheduled: 0, console: 0 };
    fc.assert(
      fc.property(fc.oneof(scheduledLike, consoleLike, junk), fc.string({ minLength: 1 }), (event, requestId) => {
        const parsed = typedOrResult(() => parseEvent(event), EventError);
        if (!parsed) return;
        const request = typedOrResult(() => toTickRequest(parsed, configured, requestId, T), EventError);
        if (!request) return;
        accepted[parsed.kind] += 1;
        expect(Number.isFinite(request.eventTime)).toBe(true);
        expect(request.eventId.length).toBeGreaterThan(0);
        expect(request.invocationId).toBe(requestId);
        // Only a person's explicit {"dryRun": false} makes a console run write.
        if (parsed.kind === 'console') expect(request.dryRun).toBe((event as { dryRun?: unknown }).dryRun !== false);
        for (const id of request.campaignIds ?? []) expect(configured).toContain(id);
      }),
      { seed: 5001, ...RUNS },
    );
    // Not vacuous: both kinds of event got through to a tick request.
    expect(accepted.scheduled).toBeGreaterThan(0);
    expect(accepted.console).toBeGreaterThan(0);
  });
});

describe('the configuration validator', () => {
  const uuid = fc.uuid();
  const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  /** A configuration that is valid more often than not... */
  const validCampaign = fc.record({
    campaignId: uuid,
    objective: fc.oneof(
      uuid.map((queueId) => ({ kind: 'inboundServiceLevel', queueId })),
      fc.constant({ kind: 'abandonRate' }),
      uuid.map((queueId) => ({ kind: 'queueServiceLevel', queueId })),
    ),
    setpoint: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
    knob: maybe(
      fc
        .record({
          name: fc.constantFrom('maxCallsPerAgent', 'abandonRate', 'outboundLineCount'),
          min: fc.integer({ min: 1, max: 4 }),
          span: fc.integer({ min: 1, max: 10 }),
          maxStep: fc.double({ min: 0.05, max: 5, noNaN: true }),
          safe: maybe(fc.integer({ min: 0, max: 10 })),
        })
        .map(({ name, min, span, maxStep, safe }) => ({ name, min, max: min + span, maxStep, ...(safe === undefined ? {} : { safeValue: min + (safe % (span + 1)) }) })),
    ),
    windowMinutes: maybe(fc.integer({ min: 5, max: 120 })),
    blindTicksBeforeSafe: maybe(fc.integer({ min: 1, max: 1440 })),
    dryRun: maybe(fc.boolean()),
  });
  const validConfig = fc.record({
    genesys: fc.oneof(fc.constantFrom(...GENESYS_REGION_HOSTS).map((region) => ({ region })), fc.integer({ min: 1, max: 65535 }).map((port) => ({ localBaseUrl: `http://127.0.0.1:${port}` }))),
    secretName: fc.constant('genesys-pacing/oauth-client'),
    defaults: maybe(fc.record({ dryRun: fc.boolean(), blindTicksBeforeSafe: fc.integer({ min: 1, max: 30 }) }, { requiredKeys: [] })),
    campaigns: fc.array(validCampaign, { minLength: 1, maxLength: 3 }),
  });
  /** ...then one field replaced by something hostile: another host, a non-number, a value out of range. */
  const fields = ['genesys', 'genesys.region', 'genesys.localBaseUrl', 'secretName', 'defaults', 'campaigns', 'campaigns.0', 'campaigns.0.campaignId', 'campaigns.0.objective', 'campaigns.0.setpoint', 'campaigns.0.knob', 'campaigns.0.knob.min', 'campaigns.0.knob.max', 'campaigns.0.knob.maxStep', 'campaigns.0.knob.safeValue', 'campaigns.0.blindTicksBeforeSafe', 'campaigns.0.extra'];
  const hostile = fc.oneof(
    junk,
    fc.domain(),
    fc.webUrl(),
    fc.constantFrom('api.mypurecloud.com', 'https://127.0.0.1:8787', 'http://127.0.0.1.evil.example', 'http://localhost@evil.example', 'http://[::1]:80', 'file:///etc/passwd', 'http://169.254.169.254'),
  );
  const config = fc.tuple(validConfig, fc.option(fc.tuple(fc.constantFrom(...fields), hostile), { nil: undefined, freq: 2 })).map(([cfg, mutation]) => {
    // An agentless campaign feeding a queue is paced by its lines.
    for (const c of cfg.campaigns as any[]) if (c.objective.kind === 'queueServiceLevel' && c.knob) c.knob.name = 'outboundLineCount';
    if (!mutation) return cfg;
    const [path, value] = mutation;
    const keys = path.split('.');
    let node: any = cfg;
    for (const k of keys.slice(0, -1)) {
      if (node[k] === undefined || typeof node[k] !== 'object') node[k] = {};
      node = node[k];
    }
    node[keys.at(-1)!] = value;
    return cfg;
  });

  const allowedOrigin = new RegExp(`^https://(api|login)\\.(${GENESYS_REGION_HOSTS.map((h) => h.replaceAll('.', '\\.')).join('|')})$|^http://(127\\.0\\.0\\.1|localhost)(:\\d{1,5})?$`);

  /** What every accepted configuration guarantees the controller. */
  function assertUsable(cfg: PacingConfig): void {
    // HTTPS to a Genesys region, or plain HTTP to this machine's loopback (the twin) only.
    expect(cfg.genesys.apiBaseUrl).toMatch(allowedOrigin);
    expect(cfg.genesys.loginBaseUrl).toMatch(allowedOrigin);
    expect(cfg.genesys.requestTimeoutMs).toBeGreaterThan(0);
    for (const c of cfg.campaigns) {
      const { min, max, maxStep, safeValue, resolution } = c.knob;
      for (const v of [min, max, maxStep, safeValue, resolution, c.setpoint, c.gains.kp, c.gains.ki, c.gains.kd, c.windowMinutes, c.minSample, c.deadBand, c.maxGapMinutes, c.derivativeFilterMinutes]) {
        expect(Number.isFinite(v)).toBe(true);
      }
      expect(min).toBeLessThan(max);
      expect(safeValue).toBeGreaterThanOrEqual(min);
      expect(safeValue).toBeLessThanOrEqual(max);
      expect(maxStep).toBeGreaterThan(0);
      expect(c.setpoint > 0 && c.setpoint < 1).toBe(true);
      expect(Number.isInteger(c.blindTicksBeforeSafe) && c.blindTicksBeforeSafe >= 1).toBe(true);
    }
  }

  it('answers any input with a usable configuration or a ConfigError naming each field', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: config }, { weight: 1, arbitrary: junk }), (raw) => {
        try {
          assertUsable(parsePacingConfig(raw, 'fuzz.json'));
        } catch (error) {
          if (!(error instanceof ConfigError)) throw new Error(`crashed with ${String((error as Error)?.stack ?? error)}`);
          expect(error.problems.length).toBeGreaterThan(0);
          for (const p of error.problems) expect(p).toMatch(/^[^:]+: \S/);
        }
      }),
      { seed: 5002, ...RUNS },
    );
  });

  it('accepts a good share of the generated configurations, so the property above is not vacuous', () => {
    const accepted = fc.sample(config, { seed: 5002, numRuns: 300 }).filter((raw) => {
      try {
        parsePacingConfig(raw);
        return true;
      } catch {
        return false;
      }
    });
    expect(accepted.length).toBeGreaterThan(50);
  });
});

describe('the Genesys response parsers', () => {
  const count = fc.oneof(fc.nat(), fc.double(), fc.constantFrom(-1, 1e308, Number.NaN), junk);
  const stats = fc.oneof(fc.record({ count, sum: count, max: count, min: count }, { requiredKeys: [] }), junk);
  const metric = fc.record(
    { metric: fc.oneof(fc.constantFrom('nOffered', 'tAnswered', 'tAbandon', 'nOutboundAttempted', 'nOutboundConnected', 'nOutboundAbandoned', 'oWaiting', 'oOnQueueUsers'), junk), qualifier: fc.oneof(fc.constantFrom('IDLE', 'INTERACTING'), junk), stats },
    { requiredKeys: [] },
  );
  const group = fc.record({ queueId: fc.oneof(fc.constant(QUEUE_ID), junk), outboundCampaignId: fc.oneof(fc.constant(CAMPAIGN_ID), junk), mediaType: fc.oneof(fc.constant('voice'), junk) }, { requiredKeys: [] });
  const aggregates = fc.oneof(
    fc.record({ results: fc.oneof(fc.array(fc.record({ group, data: fc.oneof(fc.array(fc.record({ interval: junk, metrics: fc.oneof(fc.array(metric), junk), views: fc.oneof(fc.array(fc.record({ name: fc.oneof(fc.constant('tAnsweredWithin20000ms'), junk), stats })), junk) }, { requiredKeys: [] })), junk) }, { requiredKeys: [] })), junk) }, { requiredKeys: [] }),
    junk,
  );
  const observations = fc.oneof(fc.record({ results: fc.oneof(fc.array(fc.record({ group, data: fc.oneof(fc.array(metric), junk) }, { requiredKeys: [] })), junk) }, { requiredKeys: [] }), junk);
  const campaignBody = fc.record(
    {
      id: fc.oneof(fc.constant(CAMPAIGN_ID), junk),
      name: junk,
      campaignStatus: fc.oneof(fc.constantFrom('on', 'off', 'complete', 'stopping'), junk),
      dialingMode: fc.oneof(fc.constantFrom('predictive', 'agentless'), junk),
      abandonRate: count,
      maxCallsPerAgent: count,
      maxCallsPerAgentDecimal: count,
      outboundLineCount: count,
      queue: fc.oneof(fc.record({ id: junk }), junk),
      selfUri: junk,
    },
    { requiredKeys: [] },
  );
  const listing = fc.oneof(fc.record({ entities: fc.oneof(fc.array(campaignBody), junk), pageCount: count, pageSize: count, nextUri: junk }, { requiredKeys: [] }), junk);

  /** No NaN, Infinity or negative count ever leaves a parser. */
  function assertCounts(values: Iterable<object>): void {
    for (const v of values) {
      for (const [k, x] of Object.entries(v)) if (typeof x === 'number') expect(Number.isFinite(x) && x >= 0, `${k}=${x}`).toBe(true);
    }
  }

  it('reads conversation aggregates into finite counts, or names the field', () => {
    fc.assert(
      fc.property(aggregates, (body) => {
        const queues = typedOrResult(() => mapQueueAggregates(body, [{ queueId: QUEUE_ID, thresholdMs: 20_000 }]), ResponseShapeError);
        if (queues) assertCounts(queues.values());
        const campaigns = typedOrResult(() => mapCampaignAggregates(body, [CAMPAIGN_ID]), ResponseShapeError);
        if (campaigns) assertCounts(campaigns.values());
      }),
      { seed: 5003, ...RUNS },
    );
  });

  it('reads queue observations into finite counts, or names the field', () => {
    fc.assert(
      fc.property(observations, (body) => {
        const states = typedOrResult(() => mapQueueObservations(body, [QUEUE_ID]), ResponseShapeError);
        if (states) assertCounts(states.values());
      }),
      { seed: 5004, ...RUNS },
    );
  });

  it('reads campaign listings into snapshots with finite knobs and known statuses, or names the campaign or the field', () => {
    fc.assert(
      fc.property(listing, (body) => {
        const page = typedOrResult(() => readCampaignPage(body, new Set([CAMPAIGN_ID])), ResponseShapeError);
        for (const snapshot of page?.usable.values() ?? []) {
          expect(['on', 'stopping', 'off', 'complete', 'invalid', 'forced_off', 'forced_stopping']).toContain(snapshot.status);
          for (const v of Object.values(snapshot.knobs)) expect(Number.isFinite(v) && v >= 0).toBe(true);
        }
        for (const { message } of page?.unusable.values() ?? []) expect(message).toMatch(new RegExp(`^campaign ${CAMPAIGN_ID}: field "`));
      }),
      { seed: 5005, ...RUNS },
    );
  });

  it('reads routing queues, token answers and error bodies, and never repeats a token in an error', () => {
    const token = fc.record({ access_token: fc.oneof(fc.string({ minLength: 8 }), junk), token_type: fc.oneof(fc.constantFrom('bearer', 'Bearer'), junk), expires_in: count }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(token, junk), fc.oneof(fc.record({ mediaSettings: fc.oneof(fc.record({ call: fc.oneof(fc.record({ serviceLevel: fc.record({ percentage: count, durationMs: count }, { requiredKeys: [] }) }), junk) }), junk) }, { requiredKeys: [] }), junk), (tokenBody, queueBody) => {
        const parsedToken = typedOrResult(() => parseBody(tokenResponseSchema, tokenBody, { revealValues: false }), ResponseShapeError);
        if (parsedToken) expect(Number.isFinite(parsedToken.expires_in) && parsedToken.expires_in > 0).toBe(true);
        try {
          parseBody(tokenResponseSchema, tokenBody, { revealValues: false });
        } catch (error) {
          const secret = (tokenBody as { access_token?: unknown })?.access_token;
          if (typeof secret === 'string' && secret.length >= 8) expect((error as Error).message).not.toContain(secret);
        }
        typedOrResult(() => parseBody(routingQueueSchema, queueBody), ResponseShapeError);
        // An error body is read leniently: it never throws, whatever it is.
        expect(errorBodySchema.safeParse(queueBody).success || typeof queueBody !== 'object' || queueBody === null || Array.isArray(queueBody)).toBe(true);
      }),
      { seed: 5006, ...RUNS },
    );
  });
});

describe('a whole tick over answers from a broken or hostile Genesys', () => {
  const config = configWith([
    { knob: { name: 'maxCallsPerAgent', min: 1, max: 3, maxStep: 0.25 }, minSample: 1 },
    { objective: { kind: 'abandonRate' }, setpoint: 0.02, minSample: 1 },
  ]);
  const ids = config.campaigns.map((c) => c.campaignId);

  /** One answer: a status, maybe a Retry-After, and a body that is valid, mangled, random or not JSON. */
  const answer = fc.record({
    status: fc.constantFrom(200, 200, 200, 200, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503),
    retryAfter: fc.option(fc.oneof(fc.nat({ max: 400 }).map(String), fc.string()), { nil: undefined }),
    body: fc.oneof(
      fc.constant('VALID'),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string(),
      fc.constant(''),
      fc.constant('{"entities": [{"id": "'),
    ),
    mangle: fc.option(fc.tuple(fc.constantFrom('count', 'knob', 'status', 'id'), junk), { nil: undefined }),
  });

  /** A well-formed answer to a request, before mangling. */
  function validBody(url: URL, json: any, mangle: [string, unknown] | undefined): unknown {
    const value = (kind: string, normal: unknown) => (mangle && mangle[0] === kind ? mangle[1] : normal);
    if (url.pathname === '/oauth/token') return { access_token: 'fuzz-token-0123456789', token_type: 'bearer', expires_in: 86_400 };
    if (url.pathname === '/api/v2/outbound/campaigns') {
      return { entities: url.searchParams.getAll('id').map((id) => ({ id: value('id', id), campaignStatus: value('status', 'on'), dialingMode: 'predictive', maxCallsPerAgent: value('knob', 2), abandonRate: value('knob', 2.5) })), pageCount: 1 };
    }
    if (url.pathname === '/api/v2/outbound/settings') return { maxCallsPerAgentDecimal: value('knob', 15), maxConfigurableCallsPerAgent: 15, abandonSeconds: value('count', 2), complianceAbandonRateDenominator: value('status', 'ALL_CALLS') };
    if (url.pathname.startsWith('/api/v2/routing/queues/')) return { mediaSettings: { call: { serviceLevel: { durationMs: value('count', 20_000) } } } };
    if (url.pathname.endsWith('/observations/query')) return { results: [{ group: { queueId: QUEUE_ID }, data: [{ metric: 'oOnQueueUsers', qualifier: 'IDLE', stats: { count: value('count', 2) } }] }] };
    if (json?.groupBy?.includes('queueId')) {
      return { results: [{ group: { queueId: QUEUE_ID, mediaType: 'voice' }, data: [{ metrics: [{ metric: 'nOffered', stats: { count: value('count', 100) } }], views: (json.views ?? []).map((v: { name: string }) => ({ name: v.name, stats: { count: 50 } })) }] }] };
    }
    // By minute too: one bucket at the query's start holds every call (minutes with no calls are left out).
    return { results: ids.map((id) => ({ group: { outboundCampaignId: id }, data: [{ interval: json?.interval, metrics: [{ metric: 'nOutboundConnected', stats: { count: value('count', 100) } }, { metric: 'nOutboundAbandoned', stats: { count: 6 } }] }] })) };
  }

  it('reports every failure as a typed error, and PATCHes only within bounds and steps after good reads', async () => {
    const seen = { patches: 0, errors: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(answer, { minLength: 1, maxLength: 12 }), async (answers) => {
        // Prepare: a client over a fetch that answers from the list, in turn; ky waits on real timers, so no backoff and no Retry-After is waited
        let n = 0;
        const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
          const request = input instanceof Request ? input : new Request(input, init);
          const url = new URL(request.url);
          const a = answers[n++ % answers.length]!;
          const json = request.method === 'POST' ? await request.clone().json().catch(() => undefined) : undefined;
          const text = a.body === 'VALID' ? JSON.stringify(validBody(url, json, a.mangle)) : a.body;
          return new Response(a.status === 204 ? null : text, { status: a.status, headers: a.retryAfter === undefined ? {} : { 'retry-after': a.retryAfter } });
        };
        const tokens = new TokenProvider({ loginBaseUrl: 'http://127.0.0.1:1', credentials: async () => ({ clientId: 'fuzz-client', clientSecret: 'fuzz-secret-000' }), fetch, now: () => T });
        const client = new GenesysClient({ apiBaseUrl: 'http://127.0.0.1:1', loginBaseUrl: 'http://127.0.0.1:1', requestTimeoutMs: 1_000, tokens, fetch, now: () => T, random: () => 0.5, retry: { baseDelayMs: 0, maxRetryAfterSeconds: 0 } });
        const api = client.withDeadline(T + 45_000);
        const failures: unknown[] = [];
        const patches: Array<{ id: string; value: number }> = [];
        const port: GenesysPort = {
          getCampaigns: (x) => observe(api.getCampaigns(x)),
          getServiceLevelThresholdsMs: (x) => observe(api.getServiceLevelThresholdsMs(x)),
          getOutboundSettings: () => observe(api.getOutboundSettings()),
          getQueueLiveStates: (x) => observe(api.getQueueLiveStates(x)),
          getQueueWindowStats: (x, i) => observe(api.getQueueWindowStats(x, i)),
          getCampaignWindowStats: (x, i) => observe(api.getCampaignWindowStats(x, i)),
          getCampaignMinuteStats: (x, i) => observe(api.getCampaignMinuteStats(x, i)),
          getCampaignPerformance: (x) => observe(api.getCampaignPerformance(x)),
          patchCampaignKnobs: (id, values) => {
            for (const value of Object.values(values)) patches.push({ id, value });
            return observe(api.patchCampaignKnobs(id, values));
          },
        };
        async function observe<T>(p: Promise<T>): Promise<T> {
          try {
            return await p;
          } catch (error) {
            failures.push(error);
            throw error;
          }
        }
        const saved: Array<Omit<ControllerState, 'version'>> = [];
        const previous = (id: string): ControllerState => ({ campaignId: id, integral: 2, previousError: 0, lastOutput: 2, lastWritten: id === CAMPAIGN_ID ? 2 : 2.5, lastTickTime: T - 60_000, lastEventId: 'e0', blindTicks: 0, version: 1 });
        const store: StateStore = {
          loadMany: async () => ({ states: new Map(ids.map((id) => [id, previous(id)])), firstWrites: new Map(), unreadable: new Map() }),
          acquireLease: async () => undefined,
          save: async (s) => {
            saved.push(s);
          },
        };

        // Act
        const summary = await runTick(config, { eventId: 'fuzz', invocationId: 'fuzz', eventTime: T, dryRun: false, saveState: true }, { genesys: port, store, audit: { record: async () => undefined, query: async () => [] }, now: () => T + 1_000 });

        // Assess
        for (const error of failures) {
          // A batched read names the ids it could not read; its cause is the first typed failure.
          const typed = error instanceof BatchReadError && error.failedIds.size > 0 ? error.cause : error;
          if (!(typed instanceof GenesysApiError)) throw new Error(`crashed with ${String((error as Error)?.stack ?? error)}`);
        }
        for (const r of summary.campaigns) {
          if (r.outcome === 'error') expect(r.message?.length).toBeGreaterThan(10);
          expect(r.message ?? '').not.toMatch(/TypeError|Cannot read|undefined is not|NaN/);
        }
        for (const p of patches) {
          const c = config.campaigns.find((x) => x.campaignId === p.id)!;
          const r = summary.campaigns.find((x) => x.campaignId === p.id)!;
          expect(['pid', 'idle-rise', 'override', 'compliance', 'compliance-override', 'blind-safe-value', 'write-failed', 'state-save-failed'], 'a reason the law or the write gives').toContain(r.reason);
          expect(r.measured === undefined || Number.isFinite(r.measured)).toBe(true);
          expect(p.value).toBeGreaterThanOrEqual(c.knob.min);
          expect(p.value).toBeLessThanOrEqual(c.knob.max);
          // Cut fast, rise slowly: only a rise is held to the largest step.
          expect(p.value - r.previousValue!).toBeLessThanOrEqual(c.knob.maxStep + 1e-9);
        }
        for (const s of saved) {
          for (const v of [s.integral, s.previousError, s.lastOutput, s.lastWritten, s.lastTickTime]) expect(Number.isFinite(v)).toBe(true);
        }
        seen.patches += patches.length;
        seen.errors += failures.length;
      }),
      { seed: 5007, numRuns: 150 },
    );
    // Not vacuous: some ticks read well enough to write, many met failures.
    expect(seen.patches).toBeGreaterThan(0);
    expect(seen.errors).toBeGreaterThan(50);
  });
});
