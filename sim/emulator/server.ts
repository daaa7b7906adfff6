/**
 * The Genesys Cloud twin: a node:http server speaking the parts of the Genesys Cloud API the pacing
 * controller uses, answering from a contact-centre simulation at the current virtual time.
 * Login (POST /oauth/token) and the API share one base URL.
 *
 * Virtual time moves only when `advanceTo` is called (tests, the controller runner) or from the
 * real-time pacer in sim/cli/twin.ts.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseFaults, loadScenarioFile, parseScenario, type FaultSettings, type Scenario } from '../model/scenario.js';
import { ContactCentreSimulation } from '../model/simulation.js';
import { conversationAggregates, getQueue, listQueues, queueObservations } from './analytics.js';
import { RateLimiter, TokenIssuer, rateLimited } from './auth.js';
import { ApiError, errorBody } from './errors.js';
import { FaultInjector } from './faults.js';
import { checkKnobStorage, type KnobStorage } from './knob-storage.js';
import { campaignPerformance, campaignStats, getCampaign, lineDistribution, listCampaigns, outboundSettings, patchCampaign, putCampaign } from './outbound.js';

export interface TwinOptions {
  /** A validated scenario, a plain object to validate, or a path to a scenario JSON file. */
  scenario: Scenario | string | object;
  /** Seed of all randomness (default 1). */
  seed?: number;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Fault settings overriding the scenario's. */
  faults?: Partial<FaultSettings>;
  /** Organisation settings overriding the scenario's (e.g. a lower maxConfigurableCallsPerAgent, abandonSeconds 3). */
  organization?: Partial<Scenario['organization']>;
  /** How a PATCHed knob is stored: rounded to a step, clamped to a ceiling (default: as sent). */
  knobStorage?: KnobStorage;
  /**
   * What a successful PATCH answers: `none` (default) is 204 with no body, as Genesys's SDK
   * documents; `campaign` is 200 with the campaign as stored.
   */
  patchAnswer?: 'none' | 'campaign';
}

/** One answered (or deliberately unanswered) request. */
export interface RequestLogEntry {
  /** Virtual ms when the request arrived. */
  at: number;
  method: string;
  path: string;
  /** 0 when the connection was dropped or held without an answer. */
  status: number;
  /** The injected fault, if any. */
  fault?: string;
}

/** A running twin. */
export interface Twin {
  /** e.g. http://127.0.0.1:41234 — both login and API base URL. */
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Queue and campaign ids of the scenario. */
  readonly ids: { queues: string[]; campaigns: string[] };
  readonly scenario: Scenario;
  /** The simulation: accessors, analytics log and per-minute time series. */
  readonly sim: ContactCentreSimulation;
  /** Every request so far, oldest first. */
  readonly requestLog: RequestLogEntry[];
  /** Current virtual time, ms since the scenario start. */
  now(): number;
  /** Current virtual time as epoch ms (scenario startTime + now()). */
  nowEpochMs(): number;
  /** Runs the simulation up to virtual ms `t` (since the scenario start). */
  advanceTo(t: number): void;
  /** Replaces the fault settings (unset fields take their no-fault defaults). */
  setFaults(faults: Partial<FaultSettings>): void;
  /** Stops listening, ends held requests and open connections. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;

/** Twin options the handlers follow. */
interface Behaviour {
  knobStorage: KnobStorage;
  patchAnswer: 'none' | 'campaign';
}

type Handler = (ctx: { sim: ContactCentreSimulation; params: string[]; query: URLSearchParams; body: unknown; behaviour: Behaviour }) => { status: number; body?: unknown };
interface Route {
  pattern: RegExp;
  methods: Record<string, Handler>;
}

const ROUTES: Route[] = [
  { pattern: /^\/api\/v2\/outbound\/campaigns$/, methods: { GET: ({ sim, query }) => ({ status: 200, body: listCampaigns(sim, query) }) } },
  {
    pattern: /^\/api\/v2\/outbound\/campaigns\/performance\/query$/,
    methods: { POST: ({ sim, body }) => ({ status: 200, body: campaignPerformance(sim, body) }) },
  },
  { pattern: /^\/api\/v2\/outbound\/campaigns\/([^/]+)\/stats$/, methods: { GET: ({ sim, params }) => ({ status: 200, body: campaignStats(sim, params[0]!) }) } },
  {
    pattern: /^\/api\/v2\/outbound\/campaigns\/([^/]+)\/linedistribution$/,
    methods: { GET: ({ sim, params, query }) => ({ status: 200, body: lineDistribution(sim, params[0]!, query) }) },
  },
  { pattern: /^\/api\/v2\/outbound\/settings$/, methods: { GET: ({ sim }) => ({ status: 200, body: outboundSettings(sim) }) } },
  {
    pattern: /^\/api\/v2\/outbound\/campaigns\/([^/]+)$/,
    methods: {
      GET: ({ sim, params }) => ({ status: 200, body: getCampaign(sim, params[0]!) }),
      PUT: ({ sim, params, body, query }) => ({ status: 200, body: putCampaign(sim, params[0]!, body, query.get('useMaxCallsPerAgentDecimal') === 'true') }),
      PATCH: ({ sim, params, body, behaviour }) => {
        const stored = patchCampaign(sim, params[0]!, body, behaviour.knobStorage);
        return behaviour.patchAnswer === 'campaign' ? { status: 200, body: stored } : { status: 204 };
      },
    },
  },
  { pattern: /^\/api\/v2\/routing\/queues$/, methods: { GET: ({ sim, query }) => ({ status: 200, body: listQueues(sim, query) }) } },
  { pattern: /^\/api\/v2\/routing\/queues\/([^/]+)$/, methods: { GET: ({ sim, params }) => ({ status: 200, body: getQueue(sim, params[0]!) }) } },
  {
    pattern: /^\/api\/v2\/analytics\/queues\/observations\/query$/,
    methods: { POST: ({ sim, body }) => ({ status: 200, body: queueObservations(sim, body) }) },
  },
  {
    pattern: /^\/api\/v2\/analytics\/conversations\/aggregates\/query$/,
    methods: { POST: ({ sim, body }) => ({ status: 200, body: conversationAggregates(sim, body) }) },
  },
];

function resolveScenario(input: TwinOptions['scenario'], organization: TwinOptions['organization']): Scenario {
  const scenario = typeof input === 'string' ? loadScenarioFile(input) : parseScenario(input);
  return organization ? parseScenario({ ...scenario, organization: { ...scenario.organization, ...organization } }, 'the scenario with the twin\'s organization option') : scenario;
}

/**
 * Starts a twin: builds the simulation at virtual time 0 and listens for HTTP.
 * @throws ScenarioError when the scenario does not validate
 */
export async function startTwin(options: TwinOptions): Promise<Twin> {
  const scenario = resolveScenario(options.scenario, options.organization);
  const behaviour: Behaviour = { knobStorage: options.knobStorage ?? {}, patchAnswer: options.patchAnswer ?? 'none' };
  checkKnobStorage(behaviour.knobStorage);
  if (behaviour.patchAnswer !== 'none' && behaviour.patchAnswer !== 'campaign') throw new TypeError(`patchAnswer must be "none" or "campaign", got ${String(behaviour.patchAnswer)}`);
  const seed = options.seed ?? 1;
  const sim = new ContactCentreSimulation(scenario, seed);
  const virtualNow = () => sim.now;
  const tokens = new TokenIssuer(scenario.auth.clientId, scenario.auth.clientSecret, scenario.auth.tokenLifetimeSeconds, virtualNow);
  const limiter = new RateLimiter(scenario.rateLimit.requestsPerMinute, scenario.rateLimit.clock === 'virtual' ? virtualNow : () => Date.now());
  const faults = new FaultInjector(options.faults ? parseFaults({ ...scenario.faults, ...options.faults }) : scenario.faults, seed);
  const requestLog: RequestLogEntry[] = [];
  const held = new Set<ServerResponse>();
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    void serve(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, errorBody(500, 'internal.server.error', `The twin failed: ${(err as Error).message}`));
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://twin');
    const method = req.method ?? 'GET';
    const entry: RequestLogEntry = { at: sim.now, method, path: url.pathname, status: 0 };
    requestLog.push(entry);
    const raw = await readBody(req);

    if (url.pathname === '/oauth/token') {
      if (method !== 'POST') return reply(entry, res, 405, errorBody(405, 'method.not.allowed', `${method} is not allowed on /oauth/token.`));
      const result = tokens.issue(req.headers.authorization, new URLSearchParams(raw));
      return reply(entry, res, result.status, result.body);
    }

    const route = ROUTES.find((r) => r.pattern.test(url.pathname));
    if (!route) return reply(entry, res, 404, errorBody(404, 'not.found', `No resource at ${url.pathname}.`));
    const handler = route.methods[method];
    if (!handler) return reply(entry, res, 405, errorBody(405, 'method.not.allowed', `${method} is not allowed on ${url.pathname}.`));

    try {
      const token = tokens.authenticate(req.headers.authorization);
      limiter.admit(token);
    } catch (err) {
      return replyError(entry, res, err);
    }

    const faulty = faults.applies(url.pathname);
    if (faulty) {
      const delay = faults.latencyMs();
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const fault = faults.requestFault();
      if (fault.kind === 'status') {
        entry.fault = `status ${fault.status}`;
        return replyError(entry, res, fault.status === 429 ? rateLimited(faults.retryAfterSeconds) : new ApiError(fault.status, injectedCode(fault.status), `Injected fault: ${fault.status}.`));
      }
      if (fault.kind === 'timeout') {
        // Hold the request: the client must give up on its own.
        entry.fault = 'timeout';
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      if (fault.kind === 'drop') {
        entry.fault = 'drop';
        req.socket.destroy();
        return;
      }
    }

    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        return reply(entry, res, 400, errorBody(400, 'bad.request', 'The request body is not valid JSON.'));
      }
    }
    const params = route.pattern.exec(url.pathname)!.slice(1).map(decodeURIComponent);
    let result: { status: number; body?: unknown };
    try {
      result = handler({ sim, params, query: url.searchParams, body, behaviour });
    } catch (err) {
      return replyError(entry, res, err);
    }
    if (faulty && result.status === 200) {
      const bodyFault = faults.bodyFault();
      if (bodyFault !== 'none') {
        entry.fault = bodyFault;
        entry.status = 200;
        return sendBroken(res, JSON.stringify(result.body), bodyFault);
      }
    }
    return reply(entry, res, result.status, result.body);
  }

  function reply(entry: RequestLogEntry, res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    entry.status = status;
    send(res, status, body, headers);
  }

  function replyError(entry: RequestLogEntry, res: ServerResponse, err: unknown): void {
    if (!(err instanceof ApiError)) throw err;
    reply(entry, res, err.status, { ...errorBody(err.status, err.code, err.message), details: err.details }, err.headers);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    baseUrl: `http://${host}:${address.port}`,
    clientId: scenario.auth.clientId,
    clientSecret: scenario.auth.clientSecret,
    ids: sim.ids,
    scenario,
    sim,
    requestLog,
    now: () => sim.now,
    nowEpochMs: () => sim.startEpochMs + sim.now,
    advanceTo: (t) => sim.advanceTo(t),
    setFaults: (f) => faults.configure(parseFaults(f)),
    close: async () => {
      for (const res of held) res.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function injectedCode(status: number): string {
  switch (status) {
    case 502:
      return 'bad.gateway';
    case 503:
      return 'service.unavailable';
    case 504:
      return 'gateway.timeout';
    default:
      return 'internal.server.error';
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new Error('request body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const correlationId = isErrorBody(body) ? body.contextId : randomUUID();
  const text = status === 204 || body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'ININ-Correlation-Id': correlationId,
    ...(text ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) } : { 'Content-Length': 0 }),
  });
  res.end(text);
}

function isErrorBody(body: unknown): body is { contextId: string } {
  return typeof body === 'object' && body !== null && typeof (body as { contextId?: unknown }).contextId === 'string';
}

/** Answers 200 with a broken body: not JSON, cut short mid-stream, or empty. */
function sendBroken(res: ServerResponse, text: string, fault: 'malformed' | 'partial' | 'empty'): void {
  if (fault === 'empty') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 0 });
    res.end();
    return;
  }
  const half = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  if (fault === 'malformed') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(half) });
    res.end(half);
    return;
  }
  // Partial: promise the whole body, send half, then cut the connection.
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.write(half, () => res.destroy());
}
