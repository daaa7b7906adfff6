/**
 * The scale benchmark's world, in a process of its own so its CPU is not counted as the
 * handler's: the twin simulating the generated centre, dynalite with the state and audit tables,
 * and the local secret store. Started with its WorldOptions as JSON in argv; the benchmark drives
 * it with IPC messages (see WorldRequest).
 */
import { startTwin } from '../sim/emulator/server.js';
import { createAuditTable, createStateTable, startLocalDynamoDb } from '../sim/local-aws/dynamodb.js';
import { startLocalSecretsManager } from '../sim/local-aws/secrets-manager.js';
import { scaleScenario } from './scale-scenario.js';

/** What the world is started with. */
export interface WorldOptions {
  campaigns: number;
  latencyMs: { min: number; max: number };
  /** One secret per OAuth client: the twin gets as many clients of its org, each rate-limited on its own. */
  secretNames: string[];
  stateTable: string;
  auditTable: string;
}

/** Where the handler finds the world. */
export interface WorldEndpoints {
  genesysBaseUrl: string;
  dynamoDbEndpoint: string;
  secretsEndpoint: string;
}

/** What the main thread asks: advance virtual time, the requests logged since an index, or close. */
export type WorldCall = { op: 'advance'; minutes: number } | { op: 'requests'; from: number } | { op: 'close' };

/** A request of the twin's log, as the benchmark counts it. */
export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  /** The OAuth client whose token it carried: the shard that sent it. */
  clientId?: string;
}
export type WorldRequest = WorldCall & { id: number };

const options = JSON.parse(process.argv[2]!) as WorldOptions;
const clients = options.secretNames.map((_, i) => ({ clientId: `scale-client-${i}`, clientSecret: `scale-secret-${i}` }));
const [main, ...extraClients] = clients;
const twin = await startTwin({
  scenario: { ...scaleScenario(options.campaigns), auth: { ...main!, extraClients } },
  seed: 1,
  faults: { latencyMs: options.latencyMs },
});
const db = await startLocalDynamoDb();
await createStateTable(db.client, options.stateTable);
await createAuditTable(db.client, options.auditTable);
const secrets = await startLocalSecretsManager(Object.fromEntries(options.secretNames.map((name, i) => [name, JSON.stringify(clients[i])])));

const send = (message: unknown) => process.send!(message);
process.on('message', async (request: WorldRequest) => {
  if (request.op === 'advance') {
    twin.advanceTo(request.minutes * 60_000);
    send({ id: request.id, result: twin.nowEpochMs() });
  } else if (request.op === 'requests') {
    const log: LoggedRequest[] = twin.requestLog.slice(request.from).map(({ method, path, status, clientId }) => ({ method, path, status, ...(clientId ? { clientId } : {}) }));
    send({ id: request.id, result: log });
  } else {
    await Promise.all([twin.close(), db.close(), secrets.close()]);
    send({ id: request.id, result: null });
    process.disconnect();
  }
});
send({ ready: { genesysBaseUrl: twin.baseUrl, dynamoDbEndpoint: db.endpoint, secretsEndpoint: secrets.endpoint } satisfies WorldEndpoints });
