/**
 * A DynamoDB endpoint that misbehaves on purpose: an HTTP proxy in front of dynalite that
 * throttles, fails, loses conditional races, loses answers to writes it applied, leaves batch
 * reads unprocessed, or is down altogether. Point AWS_ENDPOINT_URL_DYNAMODB at it and the real
 * handler's own DynamoDB client (with the SDK's retries) meets the faults.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { RandomStream } from '../model/random.js';

/** Fault probabilities per request (0 when absent). */
export interface DynamoDbFaults {
  /** Answered ThrottlingException (the SDK retries it with backoff). */
  throttleRate?: number;
  /** Answered 500 InternalServerError without reaching the table (the SDK retries it). */
  errorRate?: number;
  /** Writes (PutItem, UpdateItem) answered ConditionalCheckFailedException: another writer won. */
  conditionalRate?: number;
  /** Writes applied to the table, then answered 500: the SDK's retry meets its own write. */
  lostResponseRate?: number;
  /** BatchGetItem answered with every key unprocessed (the store retries them itself). */
  unprocessedRate?: number;
  /** Every connection is dropped: the table is unreachable. */
  unavailable?: boolean;
}

export interface FaultyDynamoDb {
  readonly endpoint: string;
  faults: DynamoDbFaults;
  /** Operations asked for (X-Amz-Target without the API version), with counts. */
  readonly operations: Map<string, number>;
  /** Faults injected, by kind. */
  readonly injected: Record<string, number>;
  close(): Promise<void>;
}

const WRITES = new Set(['PutItem', 'UpdateItem']);

/** Starts the proxy in front of `target` (dynalite's endpoint). */
export async function startFaultyDynamoDb(target: string, seed = 1): Promise<FaultyDynamoDb> {
  const rng = new RandomStream(seed, 'dynamodb-proxy');
  const operations = new Map<string, number>();
  const injected: Record<string, number> = {};
  const sockets = new Set<Socket>();
  const state = { faults: {} as DynamoDbFaults };
  const count = (kind: string) => (injected[kind] = (injected[kind] ?? 0) + 1);

  const server = createServer((req, res) => {
    void serve(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await buffer(req);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    operations.set(operation, (operations.get(operation) ?? 0) + 1);
    const f = state.faults;
    if (f.unavailable) {
      count('unavailable');
      req.socket.destroy();
      return;
    }
    if (rng.chance(f.throttleRate ?? 0)) {
      count('throttled');
      return awsError(res, 400, 'com.amazon.coral.availability#ThrottlingException', 'Rate of requests exceeds the allowed throughput.');
    }
    if (rng.chance(f.errorRate ?? 0)) {
      count('internal-error');
      return awsError(res, 500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'Internal server error');
    }
    if (WRITES.has(operation) && rng.chance(f.conditionalRate ?? 0)) {
      count('conditional-failure');
      return awsError(res, 400, 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', 'The conditional request failed');
    }
    if (operation === 'BatchGetItem' && rng.chance(f.unprocessedRate ?? 0)) {
      count('unprocessed-keys');
      const request = JSON.parse(body.toString('utf8')) as { RequestItems: Record<string, unknown> };
      return send(res, 200, { Responses: Object.fromEntries(Object.keys(request.RequestItems).map((t) => [t, []])), UnprocessedKeys: request.RequestItems });
    }
    const upstream = await forward(target, req, body);
    if (WRITES.has(operation) && upstream.status === 200 && rng.chance(f.lostResponseRate ?? 0)) {
      count('lost-response');
      return awsError(res, 500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'Internal server error');
    }
    res.writeHead(upstream.status, { 'content-type': upstream.contentType, 'content-length': upstream.body.length });
    res.end(upstream.body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get faults() {
      return state.faults;
    },
    set faults(f: DynamoDbFaults) {
      state.faults = f;
    },
    operations,
    injected,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

function awsError(res: ServerResponse, status: number, type: string, message: string): void {
  send(res, status, { __type: type, message });
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function forward(target: string, req: IncomingMessage, body: Buffer): Promise<{ status: number; contentType: string; body: Buffer }> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(new URL(req.url ?? '/', target), { method: req.method ?? 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 500, contentType: String(res.headers['content-type'] ?? 'application/x-amz-json-1.0'), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}

