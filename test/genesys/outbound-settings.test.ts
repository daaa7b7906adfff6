/**
 * The org's outbound settings: GET /api/v2/outbound/settings, read from the constructed example
 * (test/fixtures/genesys/SOURCE.md), validated, cached for an hour on the shared client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GenesysInvalidResponseError, GenesysPermissionError } from '../../lambda/genesys/errors.js';
import { schemaErrors } from '../sim/genesys-schemas.js';
import { caught, example, startHarness, type Harness } from './harness.js';
import { errorReply } from './local-genesys.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const SETTINGS = '/api/v2/outbound/settings';
const EXAMPLE = 'constructed-outbound-settings-response.json';

describe('the constructed outbound settings example', () => {
  it('conforms to OutboundSettings', () => {
    expect(schemaErrors('outbound-campaigns.schema.json', 'OutboundSettings', example(EXAMPLE))).toEqual([]);
  });
});

describe('GenesysClient.getOutboundSettings', () => {
  it('reads the limits pacing checks, and caches them for an hour across views', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('GET', SETTINGS, { body: example(EXAMPLE) });

    // Act
    const first = await h.client.getOutboundSettings();
    h.advance(59 * 60_000);
    const cached = await h.client.withDeadline(h.clock.now + 10_000).getOutboundSettings();
    h.advance(2 * 60_000);
    const refetched = await h.client.getOutboundSettings();

    // Assess
    const expected = { abandonSeconds: 2, complianceAbandonRateDenominator: 'ALL_CALLS', maxCallsPerAgent: 15, maxConfigurableCallsPerAgent: 15, maxLineUtilization: 1 };
    expect([first, cached, refetched]).toEqual([expected, expected, expected]);
    expect(h.server.to(SETTINGS)).toHaveLength(2);
    expect(h.server.to(SETTINGS)[0]!.headers.authorization).toMatch(/^Bearer /);
  });

  it('prefers maxCallsPerAgentDecimal, passes an unknown denominator on, and leaves out what Genesys left out', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('GET', SETTINGS, { body: { maxCallsPerAgent: 4, maxCallsPerAgentDecimal: 4.5, complianceAbandonRateDenominator: 'CALLS_THAT_REACHED_AN_AGENT', abandonSeconds: null } });

    // Act
    const settings = await h.client.getOutboundSettings();

    // Assess
    expect(settings).toEqual({ maxCallsPerAgent: 4.5, complianceAbandonRateDenominator: 'CALLS_THAT_REACHED_AN_AGENT' });
  });

  it('names the field of a limit that is not a number', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('GET', SETTINGS, { body: { ...example<Record<string, unknown>>(EXAMPLE), abandonSeconds: 'two' } });

    // Act
    const error = await caught(() => h!.client.getOutboundSettings());

    // Assess
    expect(error).toBeInstanceOf(GenesysInvalidResponseError);
    expect(error.field).toBe('abandonSeconds');
    expect(error.message).toContain('field "abandonSeconds" must be a finite number but is the string "two"');
  });

  it('names the permission outbound:settings:view on a 403', async () => {
    // Prepare
    h = await startHarness();
    h.server.on('GET', SETTINGS, errorReply(403, 'missing.any.permissions', 'You must have at least one of the following permissions assigned: [outbound:settings:view]'));

    // Act
    const error = await caught(() => h!.client.getOutboundSettings());

    // Assess
    expect(error).toBeInstanceOf(GenesysPermissionError);
    expect(error.permission).toBe('outbound:settings:view');
    expect(error.message).toContain('add outbound:settings:view to the role assigned to the OAuth client');
  });
});
