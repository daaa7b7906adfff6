/**
 * The fault rig: the real Lambda handler against the twin and dynalite, each behind a proxy
 * that injects faults, a local secret store, a trap server that no request may ever reach, every
 * log line captured and scanned for secrets, `Date` faked to the twin's virtual time, and the
 * invariant checker run after every tick. The fault suites (test/faults) and the soak
 * (bench/soak.ts) drive it; they differ only in how they load a fresh handler module.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FakeTimers from '@sinonjs/fake-timers';
import type { Context } from 'aws-lambda';
import { parsePacingConfig, type PacingConfig } from '../../lambda/config/config.js';
import type { KnobName, PacingConfigInput } from '../../lambda/config/schema.js';
import type { ControllerState } from '../../lambda/ports.js';
import { DynamoDbStateStore } from '../../lambda/state/dynamodb-store.js';
import type { TickSummary } from '../../lambda/tick.js';
import { startTwin, type Twin } from '../emulator/server.js';
import { createAuditTable, createStateTable, LOCAL_AWS, startLocalDynamoDb, type LocalDynamoDb } from '../local-aws/dynamodb.js';
import { startLocalSecretsManager, type LocalSecretsManager } from '../local-aws/secrets-manager.js';
import { startFaultyDynamoDb, type FaultyDynamoDb } from './dynamodb-proxy.js';
import { fleetCampaignId, fleetCampaigns, fleetScenario, type CarriedCampaign } from './fleet.js';
import { startGenesysProxy, type GenesysProxy } from './genesys-proxy.js';
import { InvariantChecker, type Invocation } from './invariants.js';
import { LogCapture, type CapturedLine } from './log-capture.js';

/** The handler's signature. */
export type Handler = (event: unknown, context: Context) => Promise<TickSummary>;

export interface RigOptions {
  /** Fleet size (sim/faults/fleet.ts). */
  campaigns: number;
  seed: number;
  /** ISO instant of the first day's start. */
  startTime: string;
  /** Length of each simulated day, "HH:MM". */
  dayLength: string;
  /** Virtual minutes between ticks. */
  periodMinutes: number;
  /** Loads the handler module afresh (a new Lambda container) each call. */
  loadHandler: () => Promise<Handler>;
  /** Tuning for every campaign (the config's `defaults`). */
  defaults?: PacingConfigInput['defaults'];
  /** Replaces the fleet's pacing campaigns. */
  pacingCampaigns?: PacingConfigInput['campaigns'];
  /** Longest single Genesys request; short, because held requests cost wall time. */
  requestTimeoutSeconds?: number;
  /** Powertools log level (DEBUG captures every line). */
  logLevel?: string;
}

export interface TickOptions {
  /** Virtual minutes to advance before the tick (default: the period). */
  advanceMinutes?: number;
  /**
   * How the event arrives: once; twice in a row (a duplicate delivery); twice at once to two
   * containers (same event, or two events for the same minute).
   */
  deliver?: 'once' | 'twice' | 'concurrent-same' | 'concurrent-distinct';
  /** How long after its time the event is handled (default 2 s); past 2 minutes it is stale. */
  delayMs?: number;
  /** Puts the event's time this far ahead of the clock. */
  leadMs?: number;
  /** What context.getRemainingTimeInMillis answers (default 50 s). */
  remainingMs?: number;
  /** A console event instead of the scheduled one. */
  console?: { dryRun?: boolean; campaignIds?: string[] };
  /** Extra fields on the scheduled event (EventBridge adds fields over time; a forged event may carry anything). */
  eventFields?: Record<string, unknown>;
}

/** What one tick produced. */
export interface TickResult {
  invocations: Invocation[];
  summaries: TickSummary[];
  /** Every line the tick logged (Powertools logs and EMF metrics). */
  logs: CapturedLine[];
  violations: string[];
}

const SECRET_NAME = 'genesys-pacing/oauth-client';
const TABLE = 'pacing-state-faults';
const AUDIT_TABLE = 'pacing-audit-faults';
const MINUTE = 60_000;

/** A running rig. */
export class FaultRig {
  readonly config: PacingConfig;
  readonly checker: InvariantChecker;
  readonly capture: LogCapture;
  readonly genesys: GenesysProxy;
  readonly dynamo: FaultyDynamoDb;
  readonly secrets: LocalSecretsManager;
  /** Hits on the trap server: any request there is a request to a host nobody allowed. */
  readonly trapHits: string[];
  /** The trap's origin, for answers that try to send the controller elsewhere. */
  readonly trapUrl: string;
  /** Every client secret the twin has accepted, for the log scan. */
  readonly secretsUsed = new Set<string>();
  twin: Twin;
  day = 0;
  ticks = 0;
  readonly #options: RigOptions;
  readonly #db: LocalDynamoDb;
  readonly #trap: Server;
  readonly #store: DynamoDbStateStore;
  readonly #clock: ReturnType<typeof FakeTimers.install>;
  readonly #env: Record<string, string | undefined>;
  readonly #containers: Handler[] = [];
  #minute = 0;
  #events = 0;

  private constructor(parts: {
    options: RigOptions;
    config: PacingConfig;
    twin: Twin;
    genesys: GenesysProxy;
    db: LocalDynamoDb;
    dynamo: FaultyDynamoDb;
    secrets: LocalSecretsManager;
    trap: Server;
    trapHits: string[];
    capture: LogCapture;
    clock: ReturnType<typeof FakeTimers.install>;
    env: Record<string, string | undefined>;
  }) {
    this.#options = parts.options;
    this.config = parts.config;
    this.checker = new InvariantChecker(parts.config);
    this.twin = parts.twin;
    this.genesys = parts.genesys;
    this.#db = parts.db;
    this.dynamo = parts.dynamo;
    this.secrets = parts.secrets;
    this.#trap = parts.trap;
    this.trapHits = parts.trapHits;
    this.trapUrl = `http://127.0.0.1:${(parts.trap.address() as AddressInfo).port}`;
    this.capture = parts.capture;
    this.#clock = parts.clock;
    this.#env = parts.env;
    this.#store = new DynamoDbStateStore(parts.db.client, TABLE);
    this.secretsUsed.add(parts.twin.clientSecret);
  }

  /** Starts everything and loads the first container. */
  static async start(options: RigOptions): Promise<FaultRig> {
    const twin = await startTwin({ scenario: fleetScenario({ campaigns: options.campaigns, startTime: options.startTime, duration: options.dayLength }), seed: options.seed });
    const genesys = await startGenesysProxy({ target: twin.baseUrl, seed: options.seed });
    const db = await startLocalDynamoDb();
    await createStateTable(db.client, TABLE);
    await createAuditTable(db.client, AUDIT_TABLE);
    const dynamo = await startFaultyDynamoDb(db.endpoint, options.seed);
    const secrets = await startLocalSecretsManager({ [SECRET_NAME]: JSON.stringify({ clientId: twin.clientId, clientSecret: twin.clientSecret }) });
    const trapHits: string[] = [];
    const trap = createServer((req, res) => {
      trapHits.push(`${req.method ?? ''} ${req.url ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"entities":[]}');
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', () => resolve()));

    const raw = {
      genesys: { localBaseUrl: genesys.baseUrl, requestTimeoutSeconds: options.requestTimeoutSeconds ?? 1 },
      secretName: SECRET_NAME,
      ...(options.defaults ? { defaults: options.defaults } : {}),
      campaigns: options.pacingCampaigns ?? fleetCampaigns(options.campaigns),
    };
    const config = parsePacingConfig(raw, 'fault rig');
    const configFile = join(mkdtempSync(join(tmpdir(), 'pacing-faults-')), 'pacing.config.json');
    writeFileSync(configFile, JSON.stringify(raw));
    const settings: Record<string, string> = {
      PACING_CONFIG_FILE: configFile,
      STATE_TABLE_NAME: TABLE,
      AUDIT_TABLE_NAME: AUDIT_TABLE,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      AWS_REGION: LOCAL_AWS.region,
      AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
      // Outside dev mode, as in Lambda: Powertools writes JSON lines to process.stdout.
      POWERTOOLS_DEV: 'false',
      POWERTOOLS_SERVICE_NAME: 'pacing-controller',
      POWERTOOLS_METRICS_NAMESPACE: 'GenesysPacing',
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'INFO',
    };
    const env = Object.fromEntries(Object.keys(settings).map((k) => [k, process.env[k]]));
    Object.assign(process.env, settings);
    const clock = FakeTimers.install({ now: twin.nowEpochMs(), toFake: ['Date'] });
    let rig: FaultRig | undefined;
    const capture = LogCapture.install(() => rig?.sensitive() ?? []);
    rig = new FaultRig({ options, config, twin, genesys, db, dynamo, secrets, trap, trapHits, capture, clock, env });
    await rig.container(0);
    return rig;
  }

  /** The client secrets, their Basic forms and every token issued: none may appear in any output. */
  *sensitive(): Iterable<string> {
    for (const secret of this.secretsUsed) {
      yield secret;
      yield Buffer.from(`${this.twin.clientId}:${secret}`).toString('base64');
    }
    yield* this.genesys.tokens;
  }

  /** The campaign ids of the configuration. */
  get campaignIds(): string[] {
    return this.config.campaigns.map((c) => c.campaignId);
  }

  /** Container `n` (loaded on first use): two containers run two invocations at once, as Lambda would. */
  async container(n: number): Promise<Handler> {
    while (this.#containers.length <= n) this.#containers.push(await this.#options.loadHandler());
    return this.#containers[n]!;
  }

  /** Replaces container 0 with a fresh one (a cold start). */
  async coldStart(): Promise<void> {
    this.#containers[0] = await this.#options.loadHandler();
  }

  /** The stored state of every configured campaign, read directly from dynalite (no faults). */
  async states(): Promise<Map<string, ControllerState>> {
    return (await this.#store.loadMany(this.campaignIds)).states;
  }

  /**
   * Starts the next simulated day: a new twin behind the same proxy (so new tokens, and a 401 for
   * the old one), with each campaign's knobs and status carried over from the day that ended.
   *
   * @param auth - a new OAuth client for the day (a rotated secret); the secret store is not updated here
   */
  async nextDay(auth?: { clientId: string; clientSecret: string }): Promise<void> {
    const carry = new Map<string, CarriedCampaign>();
    for (let i = 0; i < this.#options.campaigns; i++) {
      const c = this.twin.sim.campaign(fleetCampaignId(i));
      if (c) carry.set(c.id, { abandonRate: c.abandonRate, maxCallsPerAgent: c.maxCallsPerAgent, outboundLineCount: c.outboundLineCount, campaignStatus: c.campaignStatus });
    }
    this.day += 1;
    const startTime = new Date(Date.parse(this.#options.startTime) + this.day * 24 * 60 * MINUTE).toISOString();
    const scenario = fleetScenario({ campaigns: this.#options.campaigns, startTime, duration: this.#options.dayLength, carry, ...(auth ? { auth } : { auth: { clientId: this.twin.clientId, clientSecret: this.twin.clientSecret } }) });
    await this.twin.close();
    this.twin = await startTwin({ scenario, seed: this.#options.seed + this.day });
    this.secretsUsed.add(this.twin.clientSecret);
    this.genesys.target = this.twin.baseUrl;
    this.#minute = 0;
    this.#clock.setSystemTime(this.twin.nowEpochMs());
  }

  /** Virtual minutes since the current day's start. */
  get minute(): number {
    return this.#minute;
  }

  /** Runs one tick as the options say, then checks the invariants. */
  async tick(options: TickOptions = {}): Promise<TickResult> {
    this.#minute += options.advanceMinutes ?? this.#options.periodMinutes;
    this.twin.advanceTo(this.#minute * MINUTE);
    this.#clock.setSystemTime(this.twin.nowEpochMs());
    const scheduledTime = this.twin.nowEpochMs();
    const eventTime = scheduledTime + (options.leadMs ?? 0);
    this.#clock.setSystemTime(scheduledTime + (options.delayMs ?? 2_000));
    const knobsBefore = this.#knobs();
    const stateBefore = await this.states();
    const logMark = this.genesys.log.length;
    this.capture.drain();

    const invocations = await this.#invoke(options, eventTime);

    const stateAfter = await this.states();
    const patches = this.genesys.log
      .slice(logMark)
      .filter((e) => e.method === 'PATCH')
      .map((e) => ({ campaignId: decodeURIComponent(e.path.split('/').pop() ?? ''), body: e.body, status: e.status }));
    for (const i of invocations) {
      if (i.result) this.capture.scan(JSON.stringify(i.result));
      if (i.error !== undefined) this.capture.scan(`${String((i.error as Error)?.message)}\n${String((i.error as Error)?.stack)}`);
    }
    this.ticks += 1;
    const label = `day ${this.day + 1} ${String(Math.floor(this.#minute / 60)).padStart(2, '0')}:${String(this.#minute % 60).padStart(2, '0')}`;
    const logs = this.capture.drain();
    const violations = this.checker.check({ label, invocations, knobsBefore, patches, stateBefore, stateAfter, logs });
    return { invocations, summaries: invocations.flatMap((i) => (i.result ? [i.result] : [])), logs, violations };
  }

  async #invoke(options: TickOptions, eventTime: number): Promise<Invocation[]> {
    const id = `evt-${this.day}-${this.#minute}-${++this.#events}`;
    const context = (n: number): Context => ({ awsRequestId: `req-${id}-${n}`, getRemainingTimeInMillis: () => options.remainingMs ?? 50_000 }) as Context;
    const scheduled = (eventId: string) => ({ version: '0', id: eventId, 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date(eventTime).toISOString(), detail: {}, ...options.eventFields });
    const run = async (handler: Handler, event: unknown, eventId: string, n: number): Promise<Invocation> => {
      const consoleEvent = options.console !== undefined;
      const inv: Invocation = { eventId: consoleEvent ? `console:req-${id}-${n}` : eventId, eventTime: consoleEvent ? Date.now() : eventTime, consoleDryRun: consoleEvent && options.console!.dryRun !== false };
      try {
        inv.result = await handler(event, context(n));
      } catch (error) {
        inv.error = error;
      }
      return inv;
    };
    const first = await this.container(0);
    if (options.console) return [await run(first, options.console, id, 0)];
    switch (options.deliver ?? 'once') {
      case 'once':
        return [await run(first, scheduled(id), id, 0)];
      case 'twice':
        return [await run(first, scheduled(id), id, 0), await run(first, scheduled(id), id, 1)];
      case 'concurrent-same':
        return Promise.all([run(first, scheduled(id), id, 0), run(await this.container(1), scheduled(id), id, 1)]);
      case 'concurrent-distinct':
        return Promise.all([run(first, scheduled(id), id, 0), run(await this.container(1), scheduled(`${id}-b`), `${id}-b`, 1)]);
    }
  }

  #knobs(): Map<string, Partial<Record<KnobName, number>>> {
    const out = new Map<string, Partial<Record<KnobName, number>>>();
    for (const c of this.config.campaigns) {
      const settings = this.twin.sim.campaign(c.campaignId);
      out.set(c.campaignId, settings ? { abandonRate: settings.abandonRate, maxCallsPerAgent: settings.maxCallsPerAgent, outboundLineCount: settings.outboundLineCount } : {});
    }
    return out;
  }

  /** Stops everything and restores the environment, the clock and the streams. */
  async close(): Promise<void> {
    this.capture.uninstall();
    this.#clock.uninstall();
    for (const [k, v] of Object.entries(this.#env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await Promise.all([
      this.twin.close(),
      this.genesys.close(),
      this.dynamo.close(),
      this.secrets.close(),
      this.#db.close(),
      new Promise<void>((resolve) => this.#trap.close(() => resolve())),
    ]);
  }
}
