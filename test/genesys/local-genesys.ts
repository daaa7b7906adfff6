/**
 * A real HTTP server on 127.0.0.1 (port 0) that records every request and answers scripted
 * responses, standing in for api.<host> and login.<host> in the adapter's tests. No network
 * beyond loopback is ever used.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';

export interface RecordedRequest {
  method: string;
  /** Path and query as sent, e.g. /api/v2/outbound/campaigns?id=a&pageSize=1. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as they are. */
  body?: unknown;
  /** Never answer (for timeouts). */
  hang?: boolean;
}

export type Responder = Reply | ((request: RecordedRequest) => Reply | Promise<Reply>);

interface Route {
  method: string;
  path: string | RegExp;
  replies: Responder[];
  used: number;
}

/** The scripted server. Routes answer their replies in order; the last reply repeats. */
export class LocalGenesys {
  readonly requests: RecordedRequest[] = [];
  readonly #routes: Route[] = [];
  readonly #server: Server;
  readonly #hanging = new Set<ServerResponse>();

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Starts a server on an ephemeral loopback port. */
  static async start(): Promise<LocalGenesys> {
    let instance: LocalGenesys | undefined;
    const server = createServer((req, res) => {
      // A client that drops mid-body gets nothing back, as from a real server.
      void text(req).then(
        (body) => instance!.#handle(req.method ?? 'GET', req.url ?? '/', req.headers, body, res),
        () => res.destroy(),
      );
    });
    instance = new LocalGenesys(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return instance;
  }

  /** http://127.0.0.1:<port> */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /**
   * Scripts the answers to a method and path (exact path without query, or a RegExp on it).
   * A later route for the same method and path takes precedence.
   */
  on(method: string, path: string | RegExp, ...replies: Responder[]): this {
    this.#routes.unshift({ method, path, replies, used: 0 });
    return this;
  }

  /** Recorded requests to one path (without query), optionally of one method. */
  to(path: string, method?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path && (method === undefined || r.method === method));
  }

  /** Stops the server, dropping any connection (including hung ones). */
  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(method: string, url: string, headers: IncomingHttpHeaders, body: string, res: ServerResponse): Promise<void> {
    const parsed = new URL(url, 'http://127.0.0.1');
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const request: RecordedRequest = { method, url, path: parsed.pathname, query: parsed.searchParams, headers, body, json };
    this.requests.push(request);
    const route = this.#routes.find(
      (r) => r.method === method && (typeof r.path === 'string' ? r.path === parsed.pathname : r.path.test(parsed.pathname)),
    );
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `no scripted answer for ${method} ${parsed.pathname}`, code: 'not.found', status: 404 }));
      return;
    }
    const responder = route.replies[Math.min(route.used, route.replies.length - 1)]!;
    route.used += 1;
    const reply = typeof responder === 'function' ? await responder(request) : responder;
    if (reply.hang) {
      this.#hanging.add(res);
      return;
    }
    const status = reply.status ?? 200;
    const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(status, {
      ...(reply.body !== undefined && typeof reply.body !== 'string' ? { 'content-type': 'application/json' } : {}),
      ...reply.headers,
    });
    res.end(text);
  }
}

/** A Genesys ErrorBody answer. */
export function errorReply(status: number, code: string, message: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'inin-correlation-id': `corr-${status}`, ...headers }, body: { message, code, status, contextId: `ctx-${status}`, details: [], errors: [] } };
}

/** A token endpoint answer. */
export function tokenReply(token: string, expiresInSeconds = 86_400): Reply {
  return { body: { access_token: token, token_type: 'bearer', expires_in: expiresInSeconds } };
}
