/**
 * Security through the real handler: no request ever leaves for a host nobody allowed, whatever
 * Genesys answers or an event carries; no secret or token in any line a fault-heavy run writes;
 * the stack grants the function exactly the actions the code declares it needs, on each table and
 * on the secret, and the table actions used are exactly the ones the stack grants.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PacingControllerStack } from '../../infra/stack.js';
import { AUDIT_TABLE_ACTIONS } from '../../lambda/audit/dynamodb-audit-log.js';
import { SECRET_ACTIONS } from '../../lambda/credentials.js';
import { STATE_TABLE_ACTIONS } from '../../lambda/state/dynamodb-store.js';
import type { FaultRig } from '../../sim/faults/rig.js';
import { asArray, iamStatements, newApp } from '../infra/support.js';
import { fleetCampaignId, startRig } from './support.js';

const SECRET = 'genesys-pacing/oauth-client';

let rig: FaultRig;

beforeAll(async () => {
  rig = await startRig({ logLevel: 'DEBUG', seed: 11 });
});
afterAll(async () => rig?.close());

describe('only the configured Genesys host is contacted', () => {
  it('follows no nextUri, selfUri or redirect from an answer, and no URL in an event, to another host', async () => {
    // Prepare: every answer points at the trap, some are redirects to it, and with one campaign
    // missing from the listing the client has a reason to look at the "next page"
    rig.genesys.faults = { foreignUris: rig.trapUrl, redirect: { to: rig.trapUrl, rate: 0.2 }, deleted: new Set([fleetCampaignId(2)]) };
    const trapFields = { detail: { apiBaseUrl: rig.trapUrl, nextUri: `${rig.trapUrl}/api/v2/outbound/campaigns` }, resources: [rig.trapUrl] };

    // Act
    const ticks = [];
    for (let i = 0; i < 8; i++) ticks.push(await rig.tick({ eventFields: trapFields }));
    const consoleRun = await rig.tick({ advanceMinutes: 0, console: { dryRun: true, campaignIds: [`${rig.trapUrl}/x`] } });

    // Assess
    expect(rig.trapHits).toEqual([]);
    expect(ticks.flatMap((t) => t.violations)).toEqual([]);
    expect(rig.genesys.injected['foreign-uris']).toBeGreaterThan(0);
    expect(rig.genesys.injected.redirect).toBeGreaterThan(0);
    // The listing claimed a second page: it was asked for by number, on the same path, of the same host
    expect(rig.genesys.log.some((e) => e.path === '/api/v2/outbound/campaigns' && e.query.includes('pageNumber=2') && e.status === 200)).toBe(true);
    expect((consoleRun.invocations[0]!.error as Error).name).toBe('EventError');
    rig.genesys.faults = {};
  });
});

describe('secrets and tokens are never written out', () => {
  it('appear in no log line, summary or error of a fault-heavy run', async () => {
    // Prepare: errors that echo the Authorization header, revoked tokens, broken answers,
    // a secret stored under the wrong key, then a rotation
    rig.genesys.faults = { echoAuthorization: 0.3 };
    rig.twin.setFaults({ errorRates: { '500': 0.1, '503': 0.05 }, malformedRate: 0.05, emptyRate: 0.05 });

    // Act
    for (let i = 0; i < 6; i++) {
      if (i % 2 === 0) rig.genesys.revokeTokens();
      await rig.tick();
    }
    rig.secrets.put(SECRET, JSON.stringify({ clientId: rig.twin.clientId, client_secret: rig.twin.clientSecret }));
    await rig.tick({ advanceMinutes: 6 });
    const rotated = { clientId: rig.twin.clientId, clientSecret: 'rotated-secret-must-not-leak-77' };
    await rig.nextDay(rotated);
    await rig.tick();
    rig.secrets.put(SECRET, JSON.stringify(rotated));
    for (let i = 0; i < 4; i++) await rig.tick({ advanceMinutes: 2 });

    // Assess: the run did produce the material a leak would show up in
    expect(rig.capture.lines).toBeGreaterThan(100);
    expect(rig.genesys.tokens.size).toBeGreaterThanOrEqual(3);
    expect(rig.genesys.injected['echo-authorization']).toBeGreaterThan(0);
    expect(rig.secretsUsed.size).toBe(2);
    expect(rig.checker.violations).toEqual([]);
    expect(rig.capture.leaks).toEqual([]);
    // ...and the scan would have caught one
    const token = [...rig.genesys.tokens][0]!;
    rig.capture.scan(`Authorization: Bearer ${token}`);
    expect(rig.capture.leaks).toHaveLength(1);
    rig.genesys.faults = {};
    rig.twin.setFaults({});
  });
});

/**
 * The stack as `cdk synth` builds it (bundling skipped): for the function's secret and each of its
 * tables, the actions its role is granted there; and the AWS services' actions it is granted anywhere.
 */
function synthesizedGrants() {
  const stack = new PacingControllerStack(newApp(), 'GenesysPacingController');
  const { controller } = stack;
  const statements = iamStatements(Template.fromStack(stack).toJSON().Resources).filter((s) => s.Effect === 'Allow');
  const key = (resource: unknown) => JSON.stringify(stack.resolve(resource));
  const on = (arn: string) => new Set(statements.filter((s) => asArray(s.Resource).some((r) => key(r) === key(arn))).flatMap((s) => asArray(s.Action)));
  const ofService = (service: string) => new Set(statements.flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith(`${service}:`)));
  return {
    secret: on(controller.secret.secretArn),
    stateTable: on(controller.table.tableArn),
    auditTable: on(controller.auditTable.tableArn),
    dynamodb: ofService('dynamodb'),
    secretsmanager: ofService('secretsmanager'),
  };
}

describe('least privilege in practice', () => {
  let granted: ReturnType<typeof synthesizedGrants>;
  beforeAll(() => {
    granted = synthesizedGrants();
  });

  it('grants exactly the actions the code declares: on each table, on the secret, and nowhere else', () => {
    // Prepare / Act: the synthesized stack (beforeAll)

    // Assess: what the policy allows on each resource is the code's list, no more, no less...
    expect(granted.stateTable).toEqual(new Set(STATE_TABLE_ACTIONS));
    expect(granted.auditTable).toEqual(new Set(AUDIT_TABLE_ACTIONS));
    expect(granted.secret).toEqual(new Set(SECRET_ACTIONS));
    // ...and no DynamoDB or Secrets Manager action is granted beyond them, on any resource
    expect(granted.dynamodb).toEqual(new Set([...STATE_TABLE_ACTIONS, ...AUDIT_TABLE_ACTIONS]));
    expect(granted.secretsmanager).toEqual(new Set(SECRET_ACTIONS));
  });

  it('calls exactly the DynamoDB actions the stack grants', () => {
    // Prepare: the fault-heavy runs above, through the real handler and SDK; the synthesized stack

    // Act
    const used = new Set([...rig.dynamo.operations.keys()].map((op) => `dynamodb:${op}`));

    // Assess: nothing called that the stack does not grant, nothing granted that is never called
    expect(used).toEqual(granted.dynamodb);
  });
});
