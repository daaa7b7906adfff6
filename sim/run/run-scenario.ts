/**
 * Runs the real Lambda handler against the twin, once per simulated minute, on local AWS
 * stand-ins (dynalite, a local secret store). The handler's clock is the simulation's: only
 * `Date` is faked, so the handler measures dt, event age and token expiry in virtual time.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FakeTimers from '@sinonjs/fake-timers';
import type { Context } from 'aws-lambda';
import { ConfigError, parsePacingConfig, type PacingConfig } from '../../lambda/config/config.js';
import type { TickSummary } from '../../lambda/tick.js';
import { startTwin, type Twin } from '../emulator/server.js';
import { createAuditTable, createStateTable, LOCAL_AWS, startLocalDynamoDb } from '../local-aws/dynamodb.js';
import { startLocalSecretsManager } from '../local-aws/secrets-manager.js';
import type { MinuteSample } from '../model/time-series.js';
import type { Scenario } from '../model/scenario.js';

/** How the controller takes part: writing, computing only, or absent (the campaign's static settings). */
export type ControllerMode = 'on' | 'dry-run' | 'off';

export interface RunOptions {
  scenarioFile: string;
  /** A pacing config without `genesys` and `secretName` (the runner points them at the twin). */
  controllerFile: string;
  mode: ControllerMode;
  seed: number;
  /** Called after every simulated minute. */
  onMinute?: (minute: number, totalMinutes: number) => void;
}

export interface RunResult {
  scenario: Scenario;
  seed: number;
  mode: ControllerMode;
  /** The controller configuration the run was given (used or not): the knobs it moves. */
  config: PacingConfig;
  timeSeries: readonly MinuteSample[];
  ticks: TickSummary[];
  /** PATCH requests the twin answered with success. */
  patches: number;
  /** Genesys requests the controller made. */
  requests: number;
  wallMs: number;
}

const MINUTE = 60_000;
const SECRET_NAME = 'twin/genesys-oauth-client';
const TABLE = 'pacing-state-local';
const AUDIT_TABLE = 'pacing-audit-local';

type ControllerFile = { defaults?: Record<string, unknown>; campaigns: unknown[] };

/** The pacing config a controller file makes, pointed at a placeholder twin. */
const pacingConfigOf = (raw: ControllerFile, path: string): PacingConfig =>
  parsePacingConfig({ genesys: { localBaseUrl: 'http://127.0.0.1' }, secretName: SECRET_NAME, ...raw }, path);

/** Reads a controller file and checks it would make a valid pacing config. */
export function loadControllerFile(path: string): ControllerFile {
  let raw: ControllerFile;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as ControllerFile;
  } catch (err) {
    throw new ConfigError(path, [`not readable JSON: ${(err as Error).message}`]);
  }
  pacingConfigOf(raw, path);
  return raw;
}

/**
 * Simulates the scenario with the controller in the given mode.
 *
 * Sets process-wide AWS and Powertools environment variables and fakes `Date` while it runs,
 * so run one scenario per process (the bench spawns a process per run).
 */
export async function runScenario(options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  // Checked before the twin listens: a bad file must not leave a server keeping the process alive.
  const controller = loadControllerFile(options.controllerFile);
  const twin = await startTwin({ scenario: options.scenarioFile, seed: options.seed });
  const totalMinutes = Math.floor(twin.sim.durationMs / MINUTE);
  const ticks: TickSummary[] = [];
  const closers: Array<() => Promise<void>> = [twin.close];
  let clock: ReturnType<typeof FakeTimers.install> | undefined;
  try {
    let handler: ((event: unknown, context: Context) => Promise<TickSummary>) | undefined;
    if (options.mode !== 'off') {
      const db = await startLocalDynamoDb();
      closers.push(db.close);
      await createStateTable(db.client, TABLE);
      await createAuditTable(db.client, AUDIT_TABLE);
      const secrets = await startLocalSecretsManager({ [SECRET_NAME]: JSON.stringify({ clientId: twin.clientId, clientSecret: twin.clientSecret }) });
      closers.push(secrets.close);
      const configFile = join(mkdtempSync(join(tmpdir(), 'pacing-twin-')), 'pacing.config.json');
      const defaults = { ...controller.defaults, ...(options.mode === 'dry-run' ? { dryRun: true } : {}) };
      writeFileSync(configFile, JSON.stringify({ genesys: { localBaseUrl: twin.baseUrl }, secretName: SECRET_NAME, defaults, campaigns: controller.campaigns }));
      Object.assign(process.env, {
        PACING_CONFIG_FILE: configFile,
        STATE_TABLE_NAME: TABLE,
        AUDIT_TABLE_NAME: AUDIT_TABLE,
        AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        AWS_REGION: LOCAL_AWS.region,
        AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
        POWERTOOLS_SERVICE_NAME: 'pacing-controller',
        POWERTOOLS_METRICS_NAMESPACE: 'GenesysPacing',
        POWERTOOLS_METRICS_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: process.env.PACING_LOG_LEVEL ?? 'SILENT',
      });
      clock = FakeTimers.install({ now: twin.nowEpochMs(), toFake: ['Date'] });
      ({ handler } = await import('../../lambda/handler.js'));
    }
    const remaining = 50_000;
    // A tick at the start of every minute. The events at 0 come first: the agents log in for the
    // day and the dialer makes its first pass at the campaign's stored settings, as a real campaign
    // dials at them until the controller's first tick after its start sees it on (docs/benchmark.md,
    // "Measured and not kept: the first tick before the first dial").
    twin.advanceTo(0);
    for (let minute = 0; minute < totalMinutes; minute += 1) {
      if (handler && clock) {
        const time = twin.nowEpochMs();
        clock.setSystemTime(time);
        const event = { version: '0', id: `twin-${options.seed}-${minute}`, 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date(time).toISOString(), detail: {} };
        const context = { awsRequestId: event.id, getRemainingTimeInMillis: () => remaining } as Context;
        ticks.push(await handler(event, context));
      }
      twin.advanceTo((minute + 1) * MINUTE);
      options.onMinute?.(minute + 1, totalMinutes);
    }
    const requests = twin.requestLog.filter((r) => r.path.startsWith('/api/'));
    return {
      scenario: twin.scenario,
      seed: options.seed,
      mode: options.mode,
      config: pacingConfigOf(controller, options.controllerFile),
      timeSeries: twin.sim.timeSeries,
      ticks,
      patches: requests.filter((r) => r.method === 'PATCH' && r.status >= 200 && r.status < 300).length,
      requests: requests.length,
      wallMs: performance.now() - started,
    };
  } finally {
    clock?.uninstall();
    for (const close of closers.reverse()) await close();
  }
}
