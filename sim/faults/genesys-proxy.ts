/**
 * A Genesys Cloud stand-in's front door that misbehaves on purpose: an HTTP proxy in front of the
 * twin (or any Genesys-like server) that injects the faults the twin itself does not produce —
 * campaigns completed or deleted behind the controller's back, counts that jump or fall, answers
 * that point elsewhere (nextUri, selfUri, redirects), error bodies echoing the bearer token,
 * revoked tokens, rejected PATCHes — and records every request and every token handed out.
 *
 * The twin's own faults (sim/emulator/faults.ts: error statuses, timeouts, dropped connections,
 * broken bodies) pass through: a dropped or cut-short answer drops the client's connection too.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { buffer } from 'node:stream/consumers';
import type { CampaignStatus } from '../../lambda/ports.js';
import { RandomStream } from '../model/random.js';

/** What the proxy does to the traffic; every field is optional and off by default. */
export interface GenesysFaults {
  /** Campaigns deleted in Genesys: left out of listings, 404 on anything addressed to them. */
  deleted?: ReadonlySet<string>;
  /** Statuses to report instead of the real ones (complete, forced_off, stopping...). */
  status?: ReadonlyMap<string, CampaignStatus>;
  /** Multiplies counts in aggregates answers: a jump (factor > 1) or a fall (factor < 1). `only` limits it to some metric or view names. */
  scaleCounts?: { factor: number; only?: RegExp };
  /** Absolute navigation URIs (nextUri, selfUri, ...) on this origin in every JSON answer, and listings that claim a second page. */
  foreignUris?: string;
  /** Answers this share of API requests with a 307 redirect to this origin. */
  redirect?: { to: string; rate: number };
  /** Answers this share of API and token requests with a 400 or 500 whose message repeats the request's Authorization header. */
  echoAuthorization?: number;
  /** Answers every PATCH with 400, as Genesys does for a value it refuses. */
  rejectPatches?: boolean;
}

/** One request as the proxy saw it. */
export interface ProxyLogEntry {
  /** Date.now() when it arrived (virtual time under a faked Date). */
  at: number;
  method: string;
  path: string;
  /** The query string, with its "?" ('' when none). */
  query: string;
  /** 0 when no answer was given (dropped, or the client gave up first). */
  status: number;
  /** The JSON body of a PATCH. */
  body?: unknown;
  /** The proxy's own fault, if it injected one. */
  fault?: string;
}

export interface GenesysProxy {
  readonly baseUrl: string;
  /** Where requests are forwarded (change it when the twin restarts). */
  target: string;
  faults: GenesysFaults;
  readonly log: ProxyLogEntry[];
  /** Every access token the login endpoint handed out through the proxy. */
  readonly tokens: ReadonlySet<string>;
  /** Faults the proxy injected, by kind. */
  readonly injected: Record<string, number>;
  /** Answers the next API request carrying any token handed out so far with 401 (revoked early). */
  revokeTokens(): void;
  close(): Promise<void>;
}

/** Starts the proxy on a free loopback port (or `port`). */
export async function startGenesysProxy(options: { target: string; seed?: number; port?: number }): Promise<GenesysProxy> {
  const rng = new RandomStream(options.seed ?? 1, 'genesys-proxy');
  const log: ProxyLogEntry[] = [];
  const tokens = new Set<string>();
  const revoked = new Set<string>();
  const injected: Record<string, number> = {};
  const sockets = new Set<Socket>();
  const count = (kind: string) => (injected[kind] = (injected[kind] ?? 0) + 1);

  const state = { target: options.target, faults: {} as GenesysFaults };

  const server = createServer((req, res) => {
    void serve(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const method = req.method ?? 'GET';
    const body = await buffer(req);
    const entry: ProxyLogEntry = { at: Date.now(), method, path: url.pathname, query: url.search, status: 0 };
    if (method === 'PATCH') entry.body = parseJson(body.toString('utf8'));
    log.push(entry);
    const faults = state.faults;
    const api = url.pathname.startsWith('/api/');
    const answer = (status: number, payload: unknown, fault: string, headers: Record<string, string> = {}) => {
      entry.status = status;
      entry.fault = fault;
      count(fault);
      const text = payload === undefined ? '' : JSON.stringify(payload);
      res.writeHead(status, { ...headers, ...(text ? { 'content-type': 'application/json' } : {}), 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };

    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (api && bearer && revoked.has(bearer)) {
      revoked.delete(bearer);
      return answer(401, { message: 'Invalid login credentials.', code: 'bad.credentials', status: 401 }, 'revoked-token');
    }
    if (api && faults.redirect && rng.chance(faults.redirect.rate)) {
      return answer(307, undefined, 'redirect', { location: `${faults.redirect.to}${url.pathname}${url.search}` });
    }
    if ((api || url.pathname === '/oauth/token') && faults.echoAuthorization && rng.chance(faults.echoAuthorization)) {
      const status = rng.chance(0.5) ? 400 : 500;
      return answer(status, { message: `Request rejected; it carried Authorization: ${req.headers.authorization ?? ''}`, code: 'echo', status }, 'echo-authorization');
    }
    const campaignPath = /^\/api\/v2\/outbound\/campaigns\/([^/]+)/.exec(url.pathname);
    const campaignId = campaignPath ? decodeURIComponent(campaignPath[1]!) : undefined;
    if (campaignId && faults.deleted?.has(campaignId)) {
      return answer(404, { message: `The campaign ${campaignId} was not found.`, code: 'not.found', status: 404 }, 'campaign-deleted');
    }
    if (method === 'PATCH' && faults.rejectPatches) {
      return answer(400, { message: 'The value is not allowed for this campaign.', code: 'bad.request', status: 400 }, 'patch-rejected');
    }

    // A held request is given up with the client, so held answers do not pile up in the twin.
    const clientGone = new AbortController();
    res.on('close', () => clientGone.abort());
    const upstream = await forward(state.target, method, url.pathname + url.search, req.headers, body, clientGone.signal);
    if (!upstream) {
      // The twin dropped the connection, cut the answer short, or never answered: so do we.
      res.destroy();
      return;
    }
    entry.status = upstream.status;
    let text = upstream.body.toString('utf8');
    // Parsed only when something is to be read or rewritten: answers can be large.
    const rewriting = faults.foreignUris || (faults.scaleCounts && url.pathname.endsWith('/aggregates/query')) || ((faults.deleted || faults.status) && url.pathname === '/api/v2/outbound/campaigns');
    const json = upstream.status < 300 && text && (rewriting || url.pathname === '/oauth/token') ? parseJson(text) : undefined;
    if (json !== undefined) {
      if (url.pathname === '/oauth/token') {
        const token = (json as { access_token?: unknown }).access_token;
        if (typeof token === 'string') tokens.add(token);
      }
      const rewritten = rewrite(url.pathname, json, faults);
      if (rewritten.faults.length > 0) {
        for (const f of rewritten.faults) count(f);
        entry.fault = rewritten.faults.join(',');
        text = JSON.stringify(rewritten.body);
      }
    }
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'retry-after', 'inin-correlation-id']) {
      const v = upstream.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    res.writeHead(upstream.status, { ...headers, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get target() {
      return state.target;
    },
    set target(t: string) {
      state.target = t;
    },
    get faults() {
      return state.faults;
    },
    set faults(f: GenesysFaults) {
      state.faults = f;
    },
    log,
    tokens,
    injected,
    revokeTokens: () => {
      for (const t of tokens) revoked.add(t);
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

/** Applies the answer-rewriting faults to a parsed JSON answer; returns the faults that changed it. */
function rewrite(path: string, body: unknown, faults: GenesysFaults): { body: unknown; faults: string[] } {
  const applied: string[] = [];
  let out = body;
  if (path === '/api/v2/outbound/campaigns' && isObject(out) && Array.isArray(out.entities)) {
    const entities = out.entities.filter((e) => !(isObject(e) && typeof e.id === 'string' && faults.deleted?.has(e.id)));
    if (entities.length !== out.entities.length) applied.push('campaign-deleted');
    const withStatus = entities.map((e) => {
      const status = isObject(e) && typeof e.id === 'string' ? faults.status?.get(e.id) : undefined;
      return status ? { ...(e as object), campaignStatus: status } : e;
    });
    if (withStatus.some((e, i) => e !== entities[i])) applied.push('campaign-status');
    out = { ...out, entities: withStatus };
  }
  if (faults.scaleCounts && path === '/api/v2/analytics/conversations/aggregates/query') {
    const { factor, only } = faults.scaleCounts;
    out = mapCounts(out, (name, n) => (only && !only.test(name) ? n : Math.round(n * factor)));
    applied.push(factor >= 1 ? 'counts-jump' : 'counts-fall');
  }
  if (faults.foreignUris) {
    out = withForeignUris(out, faults.foreignUris, path);
    applied.push('foreign-uris');
  }
  return { body: out, faults: applied };
}

/** Rewrites every stats.count under a named metric or view. */
function mapCounts(body: unknown, f: (name: string, count: number) => number): unknown {
  const walk = (v: unknown, name: string | undefined): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, name));
    if (!isObject(v)) return v;
    const here = typeof v.metric === 'string' ? v.metric : typeof v.name === 'string' ? v.name : name;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = k === 'count' && typeof x === 'number' && here !== undefined ? f(here, x) : walk(x, here);
    }
    return out;
  };
  return walk(body, undefined);
}

/** Navigation URIs on another origin everywhere a Genesys answer may carry them. */
function withForeignUris(body: unknown, origin: string, path: string): unknown {
  if (!isObject(body)) return body;
  const out: Record<string, unknown> = { ...body, selfUri: `${origin}${path}`, nextUri: `${origin}${path}?pageNumber=2`, firstUri: `${origin}${path}?pageNumber=1`, lastUri: `${origin}${path}?pageNumber=2` };
  if (Array.isArray(body.entities)) {
    out.entities = body.entities.map((e) => (isObject(e) ? { ...e, selfUri: `${origin}/api/v2/outbound/campaigns/${String(e.id)}` } : e));
    // A listing that claims more pages: only a page number on the same path may be followed.
    out.pageCount = 2;
  }
  return out;
}

async function forward(
  target: string,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  signal: AbortSignal,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer } | undefined> {
  const url = new URL(path, target);
  const pass: Record<string, string> = {};
  for (const name of ['authorization', 'content-type', 'accept']) {
    const v = headers[name];
    if (typeof v === 'string') pass[name] = v;
  }
  return new Promise((resolve) => {
    const upstream = httpRequest(url, { method, headers: { ...pass, 'content-length': body.length }, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(res.complete ? { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) } : undefined));
      res.on('error', () => resolve(undefined));
      res.on('aborted', () => resolve(undefined));
    });
    upstream.on('error', () => resolve(undefined));
    upstream.end(body);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
