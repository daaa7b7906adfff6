/**
 * Scale benchmark: Genesys requests per tick and tick duration for 1, 10, 100 and 500 campaigns.
 *
 * Each size runs in its own process (the handler caches its configuration per container). The
 * REAL handler ticks once per simulated minute, with `Date` faked to virtual time as `npm start`
 * does, against a world in another process (bench/scale-world.ts: the twin simulating
 * bench/scale-scenario.ts's centre, dynalite, the local secret store), so this process's CPU time
 * is the handler's own.
 *
 * Run: npm run bench:scale -- [--campaigns 1,10,100,500] [--ticks 10] [--latency-ms 100-300] [--log <file>]
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option } from 'commander';
import FakeTimers from '@sinonjs/fake-timers';
import { defineCommand, integerOption, runCommand, UsageError } from '../lambda/cli/command.js';
import type { Context } from 'aws-lambda';
import { formatTable } from '../lambda/cli/text-table.js';
import type { TickSummary } from '../lambda/tick.js';
import { LOCAL_AWS } from '../sim/local-aws/dynamodb.js';
import { queueCount, scaleControllerCampaigns } from './scale-scenario.js';
import type { WorldCall, WorldEndpoints, WorldOptions } from './scale-world.js';

const WARM_UP_MINUTES = 15;
const LAMBDA_TIMEOUT_MS = 50_000;
const REQUESTS_PER_MINUTE = 300;
const SECRET_NAME = 'twin/genesys-oauth-client';

/** What one tick cost. */
interface TickCost {
  campaignGets: number;
  aggregates: number;
  observations: number;
  performance: number;
  thresholdGets: number;
  reads: number;
  patches: number;
  deferred: number;
  throttled: number;
  written: number;
  errors: number;
  wallMs: number;
  /** CPU time of this process during the tick (user + system, all threads): the handler's, as the world runs elsewhere. */
  cpuMs: number;
}

interface SizeResult {
  campaigns: number;
  queues: number;
  ticks: TickCost[];
}

type Latency = { min: number; max: number };

/** Starts the world process and gives a call function for its IPC messages. */
async function startWorld(options: WorldOptions) {
  const script = fileURLToPath(new URL('./scale-world.ts', import.meta.url));
  const world = spawn(process.execPath, [...process.execArgv, script, JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const pending = new Map<number, (result: unknown) => void>();
  let ready!: (endpoints: WorldEndpoints) => void;
  const endpoints = new Promise<WorldEndpoints>((resolve, reject) => {
    ready = resolve;
    world.once('error', reject);
    world.once('exit', (code) => reject(new Error(`the world process exited ${code} before it was ready`)));
  });
  world.on('message', (m: { ready?: WorldEndpoints; id?: number; result?: unknown }) => {
    if (m.ready) ready(m.ready);
    else pending.get(m.id!)?.(m.result);
  });
  let next = 0;
  const call = <T>(request: WorldCall): Promise<T> =>
    new Promise((resolve) => {
      const id = ++next;
      pending.set(id, resolve as (r: unknown) => void);
      world.send({ ...request, id });
    });
  return { endpoints: await endpoints, call };
}

async function runSize(n: number, ticks: number, latencyMs: Latency): Promise<SizeResult> {
  const tables = { stateTable: 'pacing-state-scale', auditTable: 'pacing-audit-scale' };
  const world = await startWorld({ campaigns: n, latencyMs, secretName: SECRET_NAME, ...tables });
  const configFile = join(mkdtempSync(join(tmpdir(), 'pacing-scale-')), 'pacing.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      // The twin answers an aggregates query over hundreds of campaigns by scanning every fact of the
      // window: seconds on a busy machine, where Genesys's analytics answer in well under one.
      genesys: { localBaseUrl: world.endpoints.genesysBaseUrl, requestTimeoutSeconds: 30 },
      secretName: SECRET_NAME,
      // A small dead-band and sample make most campaigns want a change every tick: the worst case for writes.
      defaults: { windowMinutes: 15, minSample: 10, deadBand: 0.002 },
      campaigns: scaleControllerCampaigns(n),
    }),
  );
  Object.assign(process.env, {
    PACING_CONFIG_FILE: configFile,
    STATE_TABLE_NAME: tables.stateTable,
    AUDIT_TABLE_NAME: tables.auditTable,
    AWS_ENDPOINT_URL_DYNAMODB: world.endpoints.dynamoDbEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: world.endpoints.secretsEndpoint,
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    // Logs and EMF metrics as deployed: their formatting is part of a tick's CPU. They go to the
    // child's stdout, which the parent discards.
    POWERTOOLS_SERVICE_NAME: 'pacing-controller',
    POWERTOOLS_METRICS_NAMESPACE: 'GenesysPacing',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  });
  const start = await world.call<number>({ op: 'advance', minutes: WARM_UP_MINUTES });
  const clock = FakeTimers.install({ now: start, toFake: ['Date'] });
  const costs: TickCost[] = [];
  let seen = 0;
  try {
    const { handler } = (await import('../lambda/handler.js')) as { handler: (e: unknown, c: Context) => Promise<TickSummary> };
    for (let t = 1; t <= ticks; t += 1) {
      const time = await world.call<number>({ op: 'advance', minutes: WARM_UP_MINUTES + t });
      clock.setSystemTime(time);
      const event = { version: '0', id: `scale-${n}-${t}`, 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date(time).toISOString(), detail: {} };
      const context = { awsRequestId: event.id, getRemainingTimeInMillis: () => LAMBDA_TIMEOUT_MS } as Context;
      const cpu = process.cpuUsage();
      const began = performance.now();
      const summary = await handler(event, context);
      const wallMs = performance.now() - began;
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000;
      const log = await world.call<Array<{ method: string; path: string; status: number }>>({ op: 'requests', from: seen });
      seen += log.length;
      const api = log.filter((r) => r.path.startsWith('/api/'));
      const count = (test: (r: { method: string; path: string }) => boolean) => api.filter(test).length;
      costs.push({
        campaignGets: count((r) => r.method === 'GET' && r.path === '/api/v2/outbound/campaigns'),
        aggregates: count((r) => r.path === '/api/v2/analytics/conversations/aggregates/query'),
        observations: count((r) => r.path === '/api/v2/analytics/queues/observations/query'),
        performance: count((r) => r.path === '/api/v2/outbound/campaigns/performance/query'),
        thresholdGets: count((r) => r.path.startsWith('/api/v2/routing/queues/')),
        reads: count((r) => r.method !== 'PATCH'),
        patches: count((r) => r.method === 'PATCH'),
        deferred: summary.campaigns.filter((c) => c.reason === 'write-deferred').length,
        throttled: count((r) => (r as { status?: number }).status === 429),
        written: summary.counts.written,
        errors: summary.counts.error,
        wallMs,
        cpuMs,
      });
    }
  } finally {
    clock.uninstall();
    await world.call({ op: 'close' });
  }
  return { campaigns: n, queues: queueCount(n), ticks: costs };
}

/**
 * Runs one size in a child process (a fresh handler module) and returns its result, sent over IPC.
 * The handler's JSON log lines (and the world's output) go to `logFile`, not the terminal.
 */
function runChild(n: number, ticks: number, latency: string, logFile: string): Promise<SizeResult> {
  const script = fileURLToPath(import.meta.url);
  const log = openSync(logFile, 'a');
  return new Promise<SizeResult>((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, script, '--child', String(n), '--ticks', String(ticks), '--latency-ms', latency], {
      stdio: ['ignore', log, log, 'ipc'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    let result: SizeResult | undefined;
    child.on('message', (m) => (result = m as SizeResult));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`the run with ${n} campaigns exited ${code}: see ${logFile}`))));
  }).finally(() => closeSync(log));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const max = (xs: number[]) => Math.max(...xs);
const ms = (x: number) => x.toFixed(0);

function report(results: SizeResult[], latency: string): string {
  const right = Array<'right'>(8).fill('right');
  const byEndpoint = formatTable(
    ['campaigns', 'queues', 'GET campaigns', 'aggregates', 'observations', 'performance', 'SL GETs 1st tick'],
    results.map(({ campaigns, queues, ticks }) =>
      [
        campaigns,
        queues,
        max(ticks.map((t) => t.campaignGets)),
        max(ticks.map((t) => t.aggregates)),
        max(ticks.map((t) => t.observations)),
        max(ticks.map((t) => t.performance)),
        ticks[0]!.thresholdGets,
      ].map(String),
    ),
    right,
  );
  const totals = formatTable(
    ['campaigns', 'reads 1st tick', 'reads later max', 'PATCHes max', 'deferred max', 'requests max', '429s'],
    results.map(({ campaigns, ticks }) =>
      [
        campaigns,
        ticks[0]!.reads,
        max(ticks.slice(1).map((t) => t.reads)),
        max(ticks.map((t) => t.patches)),
        max(ticks.map((t) => t.deferred)),
        max(ticks.map((t) => t.reads + t.patches)),
        ticks.reduce((s, t) => s + t.throttled, 0),
      ].map(String),
    ),
    right,
  );
  const durations = formatTable(
    ['campaigns', 'wall ms 1st tick', 'wall ms median', 'wall ms max', 'CPU ms median', 'CPU ms max', 'campaign errors'],
    results.map(({ campaigns, ticks }) => {
      const later = ticks.slice(1);
      return [
        String(campaigns),
        ms(ticks[0]!.wallMs),
        ms(median(later.map((t) => t.wallMs))),
        ms(max(ticks.map((t) => t.wallMs))),
        ms(median(later.map((t) => t.cpuMs))),
        ms(max(ticks.map((t) => t.cpuMs))),
        String(ticks.reduce((s, t) => s + t.errors, 0)),
      ];
    }),
    right,
  );
  const ticks = results[0]!.ticks.length;
  return [
    `Genesys API requests per tick (twin request log, login excluded, retries included), ${ticks} ticks`,
    'per size; endpoint columns are the most in any tick. The first tick also reads each queue\'s',
    'service-level threshold (then cached for an hour), so later ticks show the steady state.',
    byEndpoint,
    '',
    totals,
    '',
    `Tick duration: wall time of the handler (twin latency ${latency} ms per request) and its CPU`,
    'time (user + system).',
    durations,
    '',
    `Limits: ${REQUESTS_PER_MINUTE} Genesys requests per minute per token (a tick spends at most 90%);`,
    `Lambda timeout ${LAMBDA_TIMEOUT_MS / 1000} s. Machine: ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)} at the end`,
    '(durations grow with it; request counts do not).',
  ].join('\n');
}

/** `--latency-ms`: a number of ms or a range low-high. */
function parseLatency(text: string): Latency {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  const min = Number(match?.[1]);
  const max = Number(match?.[2] ?? match?.[1]);
  if (!match || max < min) throw new UsageError(`--latency-ms must be a number of ms or a range from low to high such as 100-300, got "${text}"`);
  return { min, max };
}

interface ScaleOptions {
  campaigns: string;
  ticks: number;
  latencyMs: string;
  log: string;
  child?: number;
}

const command = defineCommand({
  name: 'npm run bench:scale',
  summary: "Genesys requests per tick and tick duration of the real handler for 1, 10, 100 and 500 campaigns against the twin. The handler's log lines go to a file.",
  examples: ['npm run bench:scale', 'npm run bench:scale -- --campaigns 10,100 --ticks 5 --latency-ms 100-300'],
})
  .option('--campaigns <list>', 'comma-separated campaign counts', '1,10,100,500')
  .option('--ticks <n>', 'ticks per size (the first reads thresholds too)', integerOption(2, 10_000, '--ticks 10'), 10)
  .option('--latency-ms <ms>', 'twin latency per request: ms or a range such as 100-300', '0')
  .option('--log <file>', "where the handler's JSON log lines go", 'out/bench-scale/handler.log')
  .addOption(new Option('--child <n>', 'internal: run one size in this process').argParser(Number).hideHelp());

async function main(options: ScaleOptions): Promise<void> {
  const latency = parseLatency(options.latencyMs);
  if (options.child) {
    const result = await runSize(options.child, options.ticks, latency);
    await new Promise<void>((resolve, reject) => process.send!(result, (err: Error | null) => (err ? reject(err) : resolve())));
    process.disconnect();
    return;
  }
  const sizes = options.campaigns.split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`--campaigns must list whole numbers, e.g. 1,10,100,500, got "${options.campaigns}"`);
  const logFile = resolve(options.log);
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, '');
  const results: SizeResult[] = [];
  for (const n of sizes) {
    process.stderr.write(`${n} campaign${n === 1 ? '' : 's'}, ${options.ticks} ticks...\n`);
    results.push(await runChild(n, options.ticks, options.latencyMs, logFile));
  }
  console.log(report(results, options.latencyMs));
  console.log(`Handler log lines: ${logFile}`);
}

await runCommand(command, main);
