/**
 * Test wiring for the Genesys adapter: a local server, a TokenProvider and a GenesysClient with an
 * injected clock and jitter. ky waits between retries on its own timers, so the harness's backoff
 * waits 1, 2, 4 ms unless a test asks for more; deadlines follow the injected clock only.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { GenesysClient, type GenesysClientOptions } from '../../lambda/genesys/client.js';
import { TokenProvider, type ClientCredentials } from '../../lambda/genesys/token.js';
import { LocalGenesys, tokenReply } from './local-genesys.js';

export const CLIENT_ID = 'pacing-client-id';
export const CLIENT_SECRET = 's3cr3t-Client-Secret-value';
export const TOKEN = 'tok-AAAAAAAAAAAAAAAAAAAAAAAA';
export const START = Date.parse('2026-05-14T10:00:00.000Z');

export const CAMPAIGN_1 = '5d1e4f3c-0000-4000-8000-00000000c001';
export const CAMPAIGN_2 = '5d1e4f3c-0000-4000-8000-00000000c002';
export const QUEUE_1 = '5d1e4f3c-0000-4000-8000-00000000a001';
export const QUEUE_2 = '5d1e4f3c-0000-4000-8000-00000000a002';

const EXAMPLES = fileURLToPath(new URL('../fixtures/genesys/examples/', import.meta.url));

/** A parsed example from test/fixtures/genesys/examples (a fresh copy each call). */
export function example<T = any>(name: string): T {
  return JSON.parse(readFileSync(`${EXAMPLES}${name}`, 'utf8')) as T;
}

export interface Harness {
  server: LocalGenesys;
  tokens: TokenProvider;
  client: GenesysClient;
  /** The injected clock, epoch ms; advance it with `advance`. */
  clock: { now: number };
  advance(ms: number): void;
  credentials: ClientCredentials;
  close(): Promise<void>;
}

/**
 * Starts a server that answers tokens, and a client against it.
 *
 * @param overrides - client options to change (e.g. requestTimeoutMs); `retry` is merged into the harness's
 */
export async function startHarness(overrides: Partial<GenesysClientOptions> = {}): Promise<Harness> {
  const server = await LocalGenesys.start();
  server.on('POST', '/oauth/token', tokenReply(TOKEN));
  const clock = { now: START };
  const credentials: ClientCredentials = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
  const tokens = new TokenProvider({
    loginBaseUrl: server.url,
    credentials: async () => ({ ...credentials }),
    now: () => clock.now,
    requestTimeoutMs: 2_000,
  });
  const client = new GenesysClient({
    apiBaseUrl: server.url,
    loginBaseUrl: server.url,
    requestTimeoutMs: 2_000,
    tokens,
    now: () => clock.now,
    random: () => 0.5,
    ...overrides,
    retry: { baseDelayMs: 2, ...overrides.retry },
  });
  return {
    server,
    tokens,
    client,
    clock,
    advance: (ms) => {
      clock.now += ms;
    },
    credentials,
    close: () => server.close(),
  };
}

/** Runs `fn` and returns what it threw (failing the test if it did not throw). */
export async function caught(fn: () => Promise<unknown>): Promise<any> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Every way an error might be printed or logged. */
export function renderings(error: unknown): string {
  return [String(error), (error as Error)?.message, (error as Error)?.stack, JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })].join('\n');
}
