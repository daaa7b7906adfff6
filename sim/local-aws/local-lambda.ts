/**
 * The real Lambda handler run on this machine against local AWS stand-ins: the persistent local
 * DynamoDB store (state and audit trail) and a local Secrets Manager holding the Genesys OAuth
 * client. `npm run invoke -- --local-aws` and `npm run try` both run ticks through it.
 */
import { genesysSecretId } from '../../lambda/credentials.js';
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { TickSummary } from '../../lambda/tick.js';
import { LOCAL_AWS, LOCAL_TABLES, openLocalStore } from './dynamodb.js';
import { startLocalSecretsManager } from './secrets-manager.js';

export interface LocalLambdaOptions {
  /** The pacing configuration file the handler loads. */
  configFile: string;
  /** The configuration's `secretName` (absent: the name the handler falls back to), served with `credentials`. */
  secretName: string | undefined;
  credentials: { clientId: string; clientSecret: string };
  /** Directory of the persistent store (e.g. `.local`). */
  storeDir: string;
  /** Powertools log level of the handler (default WARN). */
  logLevel?: string;
}

export interface LocalLambda {
  /** Runs one invocation with a Lambda-like context of `timeoutMs` (default 50 s, the stack's timeout). */
  invoke(event: unknown, timeoutMs?: number): Promise<TickSummary>;
  /** The store's DynamoDB endpoint. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts the stand-ins and loads the handler with its environment pointing at them. The handler
 * keeps its configuration per module instance, as a Lambda container does: start one per process.
 */
export async function startLocalLambda(options: LocalLambdaOptions): Promise<LocalLambda> {
  const store = await openLocalStore(options.storeDir);
  const secrets = await startLocalSecretsManager({ [genesysSecretId(options.secretName)]: JSON.stringify(options.credentials) }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  Object.assign(process.env, {
    PACING_CONFIG_FILE: options.configFile,
    STATE_TABLE_NAME: LOCAL_TABLES.state,
    AUDIT_TABLE_NAME: LOCAL_TABLES.audit,
    AWS_ENDPOINT_URL_DYNAMODB: store.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
  });
  process.env.POWERTOOLS_SERVICE_NAME ??= 'pacing-controller';
  process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'GenesysPacing';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= options.logLevel ?? 'WARN';
  // Imported only now, so the handler's clients see the endpoints set above.
  const { handler } = await import('../../lambda/handler.js');
  return {
    endpoint: store.endpoint,
    invoke: (event, timeoutMs = 50_000) => {
      const deadline = Date.now() + timeoutMs;
      const context = { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => deadline - Date.now() } as Context;
      return handler(event, context);
    },
    close: async () => {
      await secrets.close();
      await store.close();
    },
  };
}
