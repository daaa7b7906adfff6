/**
 * The Lambda entry: parse the event, load the configuration (once per container), run one
 * tick, report it. Everything else lives in the modules it wires together.
 */
import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { DynamoDbAuditLog } from './audit/dynamodb-audit-log.js';
import { loadPacingConfigFile, type PacingConfig } from './config/config.js';
import { tickRequestBudget, type ShardConfig } from './config/shards.js';
import { readGenesysCredentials } from './credentials.js';
import { parseEvent, shardOf, SHARD_VARIABLE, toTickRequest } from './events.js';
import { GenesysClient, TokenProvider } from './genesys/index.js';
import { reportTick } from './observability.js';
import { DynamoDbStateStore } from './state/dynamodb-store.js';
import { runTick, type TickSummary } from './tick.js';

const logger = new Logger();
const metrics = new Metrics();
const dynamodb = new DynamoDBClient({});

/** Time the Genesys calls leave before the Lambda timeout, to save state and publish metrics. */
const GENESYS_MARGIN_MS = 5_000;
/** Time the DynamoDB calls leave before it, to return the summary and publish metrics. */
const STORE_MARGIN_MS = 1_000;

interface Controller {
  config: PacingConfig;
  store: DynamoDbStateStore;
  audit: DynamoDbAuditLog;
  /** Per shard ticked by this container: its campaigns only, and a Genesys client on its own OAuth client. */
  shards: Map<string, { config: PacingConfig; genesys: GenesysClient }>;
}

let controller: Controller | undefined;

/** Built on the first invocation of a container; a bad configuration fails here, with its fields named. */
function coldStart(): Controller {
  if (controller) return controller;
  const configPath = resolve(process.env.LAMBDA_TASK_ROOT ?? '.', process.env.PACING_CONFIG_FILE ?? 'pacing.config.json');
  const config = loadPacingConfigFile(configPath);
  const tableName = process.env.STATE_TABLE_NAME;
  if (!tableName) throw new Error('STATE_TABLE_NAME is not set: deploy with the PacingController construct, or set it for local runs');
  const auditTableName = process.env.AUDIT_TABLE_NAME;
  if (!auditTableName) throw new Error('AUDIT_TABLE_NAME is not set: deploy with the PacingController construct, or set it for local runs');
  controller = {
    config,
    shards: new Map(),
    store: new DynamoDbStateStore(dynamodb, tableName),
    audit: new DynamoDbAuditLog(dynamodb, auditTableName, config.auditRetentionDays),
  };
  logger.info('controller configured', { campaigns: config.campaigns.length, apiBaseUrl: config.genesys.apiBaseUrl });
  return controller;
}

/** The shard's campaigns and Genesys client, built on its first tick in this container. */
function shardController({ config, shards }: Controller, shard: ShardConfig): { config: PacingConfig; genesys: GenesysClient } {
  const built = shards.get(shard.name);
  if (built) return built;
  const tokens = new TokenProvider({ loginBaseUrl: config.genesys.loginBaseUrl, credentials: () => readGenesysCredentials(shard.secretArn ?? shard.secretName) });
  const ids = new Set(shard.campaignIds);
  const entry = {
    config: { ...config, campaigns: config.campaigns.filter((c) => ids.has(c.campaignId)) },
    genesys: new GenesysClient({ apiBaseUrl: config.genesys.apiBaseUrl, loginBaseUrl: config.genesys.loginBaseUrl, requestTimeoutMs: config.genesys.requestTimeoutMs, tokens }),
  };
  shards.set(shard.name, entry);
  return entry;
}

/**
 * Runs one control tick of one shard's campaigns for an EventBridge scheduled event, or a console
 * test event such as `{"dryRun": true, "campaignIds": ["..."]}`, and returns the per-campaign summary.
 */
export const handler = async (event: unknown, context: Context): Promise<TickSummary> => {
  const container = coldStart();
  const { store, audit } = container;
  const parsed = parseEvent(event);
  const shard = shardOf(parsed, container.config.shards, process.env[SHARD_VARIABLE] || undefined);
  const { config, genesys } = shardController(container, shard);
  const request = toTickRequest(parsed, shard.campaignIds, context.awsRequestId, Date.now());
  const end = Date.now() + context.getRemainingTimeInMillis();
  const api = genesys.withDeadline(end - GENESYS_MARGIN_MS);
  try {
    const requestBudget = tickRequestBudget(config.genesys.requestsPerMinute);
    const summary = await runTick(config, request, {
      genesys: api,
      store: store.withDeadline(end - STORE_MARGIN_MS),
      audit: audit.withDeadline(end - STORE_MARGIN_MS),
      now: Date.now,
      deadline: end,
      writeBudget: () => requestBudget - api.stats.requests,
    });
    reportTick(logger, metrics, summary, api.stats, config.metrics);
    return summary;
  } catch (err) {
    logger.error('tick failed', { eventId: request.eventId, error: err as Error });
    metrics.addMetric('TickFailures', 'Count', 1);
    metrics.publishStoredMetrics();
    throw err;
  }
};
