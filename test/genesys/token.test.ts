import { afterEach, describe, expect, it } from 'vitest';
import { GenesysAuthError, GenesysInvalidResponseError, GenesysUnavailableError } from '../../lambda/genesys/errors.js';
import { renewalMarginMs, TokenProvider, type ClientCredentials } from '../../lambda/genesys/token.js';
import { caught, CLIENT_ID, CLIENT_SECRET, renderings, START } from './harness.js';
import { LocalGenesys, tokenReply } from './local-genesys.js';

let server: LocalGenesys | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(...replies: Parameters<LocalGenesys['on']>[2][]) {
  server = await LocalGenesys.start();
  server.on('POST', '/oauth/token', ...(replies.length ? replies : [tokenReply('token-one-xxxxxxxx')]));
  const clock = { now: START };
  const credentials: ClientCredentials = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
  const tokens = new TokenProvider({ loginBaseUrl: server.url, credentials: async () => ({ ...credentials }), now: () => clock.now, requestTimeoutMs: 2_000 });
  return { server, tokens, clock, credentials };
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('TokenProvider', () => {
  it('exchanges client credentials with Basic auth and a form body', async () => {
    // Prepare
    const { server, tokens } = await setup();

    // Act
    const token = await tokens.getToken();

    // Assess
    expect(token).toBe('token-one-xxxxxxxx');
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req!.method).toBe('POST');
    expect(req!.url).toBe('/oauth/token');
    expect(req!.headers.authorization).toBe(basic(CLIENT_ID, CLIENT_SECRET));
    expect(req!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(req!.body).toBe('grant_type=client_credentials');
    expect(tokens.stats).toEqual({ requests: 1, failures: 0 });
  });

  it('caches the token across calls and renews it in the last 5 minutes of a 24 h life', async () => {
    // Prepare
    const { server, tokens, clock } = await setup(tokenReply('token-one-xxxxxxxx', 86_400), tokenReply('token-two-xxxxxxxx', 86_400));

    // Act
    const first = await tokens.getToken();
    clock.now += 86_400_000 - 6 * 60_000;
    const stillCached = await tokens.getToken();
    clock.now += 2 * 60_000;
    const renewed = await tokens.getToken();
    const afterRenewal = await tokens.getToken();

    // Assess
    expect([first, stillCached, renewed, afterRenewal]).toEqual(['token-one-xxxxxxxx', 'token-one-xxxxxxxx', 'token-two-xxxxxxxx', 'token-two-xxxxxxxx']);
    expect(server.requests).toHaveLength(2);
  });

  it('renews a short-lived token at 10 % of its life rather than at every call', async () => {
    // Prepare
    const { server, tokens, clock } = await setup(tokenReply('short-one-xxxxxxxx', 300), tokenReply('short-two-xxxxxxxx', 300));
    expect(renewalMarginMs(300_000)).toBe(30_000);

    // Act
    await tokens.getToken();
    clock.now += 269_000;
    const beforeMargin = await tokens.getToken();
    clock.now += 2_000;
    const insideMargin = await tokens.getToken();

    // Assess
    expect(beforeMargin).toBe('short-one-xxxxxxxx');
    expect(insideMargin).toBe('short-two-xxxxxxxx');
    expect(server.requests).toHaveLength(2);
  });

  it('lets concurrent callers share one in-flight token request', async () => {
    // Prepare
    const { server, tokens } = await setup(async () => {
      await new Promise((r) => setTimeout(r, 30));
      return tokenReply('shared-token-xxxxxxxx');
    });

    // Act
    const results = await Promise.all(Array.from({ length: 5 }, () => tokens.getToken()));

    // Assess
    expect(new Set(results)).toEqual(new Set(['shared-token-xxxxxxxx']));
    expect(server.requests).toHaveLength(1);
  });

  it('drops the cached token when the secret is rotated and asks with the new credentials', async () => {
    // Prepare
    const { server, tokens, credentials } = await setup(tokenReply('old-client-token-xxxx'), tokenReply('new-client-token-xxxx'));
    await tokens.getToken();

    // Act
    credentials.clientSecret = 'rotated-secret-value-2';
    const token = await tokens.getToken();

    // Assess
    expect(token).toBe('new-client-token-xxxx');
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([basic(CLIENT_ID, CLIENT_SECRET), basic(CLIENT_ID, 'rotated-secret-value-2')]);
  });

  it('invalidate() forces a new token, but only if the rejected token is still the cached one', async () => {
    // Prepare
    const { server, tokens } = await setup(tokenReply('token-one-xxxxxxxx'), tokenReply('token-two-xxxxxxxx'));
    const first = await tokens.getToken();

    // Act
    tokens.invalidate(first);
    const second = await tokens.getToken();
    tokens.invalidate(first); // a stale 401 for the old token must not drop the new one
    const third = await tokens.getToken();

    // Assess
    expect([first, second, third]).toEqual(['token-one-xxxxxxxx', 'token-two-xxxxxxxx', 'token-two-xxxxxxxx']);
    expect(server.requests).toHaveLength(2);
  });

  it('keeps using the current token when an early renewal fails with a 5xx', async () => {
    // Prepare
    const { server, tokens, clock } = await setup(tokenReply('token-one-xxxxxxxx', 86_400), { status: 503, body: { message: 'down' } });
    await tokens.getToken();
    clock.now += 86_400_000 - 60_000;

    // Act
    const token = await tokens.getToken();

    // Assess
    expect(token).toBe('token-one-xxxxxxxx');
    expect(server.requests).toHaveLength(2);
    expect(tokens.stats).toEqual({ requests: 2, failures: 1 });
  });

  it('reports refused credentials as an auth error without the secret, even if the login host echoes it', async () => {
    // Prepare
    const { tokens } = await setup((req) => ({
      status: 401,
      body: { error: 'invalid_client', error_description: `authentication failed for ${String(req.headers.authorization)} ${CLIENT_SECRET}` },
    }));

    // Act
    const error = await caught(() => tokens.getToken());

    // Assess
    expect(error).toBeInstanceOf(GenesysAuthError);
    expect(error.kind).toBe('auth');
    expect(error.status).toBe(401);
    expect(error.genesysCode).toBe('invalid_client');
    expect(error.message).toMatch(/clientId and clientSecret/);
    const text = renderings(error);
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text).not.toContain(Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64'));
  });

  it('rejects an unusable token answer naming the field, never the token', async () => {
    // Prepare
    const { tokens } = await setup({ body: { access_token: 'leaky-token-value-123', token_type: 'bearer', expires_in: 'soon' } });

    // Act
    const error = await caught(() => tokens.getToken());

    // Assess
    expect(error).toBeInstanceOf(GenesysInvalidResponseError);
    expect(error.field).toBe('expires_in');
    expect(error.message).toMatch(/"expires_in" must be a finite number but is a string/);
    expect(renderings(error)).not.toContain('leaky-token-value-123');
  });

  it('gives up on a login host that never answers within the budget, as unavailable', async () => {
    // Prepare
    const { tokens } = await setup({ hang: true });

    // Act
    const error = await caught(() => tokens.getToken({ timeoutMs: 50 }));

    // Assess
    expect(error).toBeInstanceOf(GenesysUnavailableError);
    expect(error.message).toMatch(/no complete answer within 50 ms/);
    expect(tokens.stats).toEqual({ requests: 1, failures: 1 });
  });

  it('refuses incomplete credentials without calling the login host', async () => {
    // Prepare
    const { server, tokens, credentials } = await setup();
    credentials.clientSecret = '';

    // Act
    const error = await caught(() => tokens.getToken());

    // Assess
    expect(error).toBeInstanceOf(GenesysAuthError);
    expect(server.requests).toHaveLength(0);
  });
});
