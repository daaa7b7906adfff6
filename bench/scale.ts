/**
 * Scale benchmark: Genesys requests per tick and tick duration for 1, 10, 100 and 500 campaigns.
 *
 * The REAL handler ticks once per simulated minute, with `Date` faked to virtual time as `npm start`
 * does, in a worker process per shard (each a container of its own: the handler caches its
 * configuration per container, and each shard is its own function), against one world in another
 * process (bench/scale-world.ts: the twin simulating bench/scale-scenario.ts's centre with an OAuth
 * client per shard, dynalite, the local secret store), so a worker's CPU time is its handler's own.
 *
 * Run: npm run bench:scale -- [--campaigns 1,10,100,500] [--shards 1] [--ticks 15] [--tuning recommended|worst-case] [--latency-ms 100-300] [--log <file>]
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
import { queueCount, scaleControllerCampaigns, scaleRecommendedCampaigns } from './scale-scenario.js';
import { STARTING_RAMP_MINUTES } from '../lambda/config/starting-config.js';
import type { LoggedRequest, WorldCall, WorldEndpoints, WorldOptions } from './scale-world.js';
import { SHARD_VARIABLE } from '../lambda/events.js';

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

/** One shard's ticks. */
interface ShardResult {
  name: string;
  campaigns: number;
  ticks: TickCost[];
}

interface SizeResult {
  campaigns: number;
  queues: number;
  shards: ShardResult[];
  /** Index of the first tick of the steady state (after the first tick's threshold reads, and the start ramp). */
  steadyFrom: number;
}

/**
 * The controller configuration paced: the README's recommended one (the starting configuration
 * rule), or a small dead-band and sample that make nearly every campaign want a change every tick.
 */
export type Tuning = 'recommended' | 'worst-case';
const TUNINGS: readonly Tuning[] = ['recommended', 'worst-case'];

/**
 * The first steady tick: the first tick also reads each queue's threshold; under the recommended
 * configuration every campaign then ramps up from its safe value for its start minutes, one step a
 * tick (control/start.ts), so those ticks are a start, not the steady state.
 */
const steadyFromFor = (tuning: Tuning) => (tuning === 'recommended' ? STARTING_RAMP_MINUTES + 1 : 1);

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

/** What a shard's worker reports of one tick; the requests come from the twin's log. */
type HandlerTick = Pick<TickCost, 'deferred' | 'written' | 'errors' | 'wallMs' | 'cpuMs'>;

/** The secret of shard `i` (the local store's name; each holds its own twin client). */
const secretName = (i: number) => `${SECRET_NAME}-${i}`;

/**
 * Runs one size: the world, then one worker process per shard (a container of its own, as each
 * shard is its own function), all ticking the same virtual minutes against the one twin.
 */
async function runSize(n: number, shardCount: number, ticks: number, tuning: Tuning, latencyMs: Latency, logFile: string): Promise<SizeResult> {
  const tables = { stateTable: 'pacing-state-scale', auditTable: 'pacing-audit-scale' };
  const secretNames = Array.from({ length: shardCount }, (_, i) => secretName(i));
  const world = await startWorld({ campaigns: n, latencyMs, secretNames, ...tables });
  const campaigns = (tuning === 'recommended' ? scaleRecommendedCampaigns(n) : scaleControllerCampaigns(n)) as Array<{ campaignId: string }>;
  // Contiguous slices: a queue's 25 campaigns stay together, so a shard reads few queues.
  const slices = Array.from({ length: shardCount }, (_, i) => campaigns.slice(Math.floor((i * n) / shardCount), Math.floor(((i + 1) * n) / shardCount)));
  const names = slices.map((_, i) => (shardCount === 1 ? 'default' : `shard-${i + 1}`));
  const configFile = join(mkdtempSync(join(tmpdir(), 'pacing-scale-')), 'pacing.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      // The twin answers an aggregates query over hundreds of campaigns by scanning every fact of the
      // window: seconds on a busy machine, where Genesys's analytics answer in well under one.
      genesys: { localBaseUrl: world.endpoints.genesysBaseUrl, requestTimeoutSeconds: 30 },
      // A small dead-band and sample make most campaigns want a change every tick: the worst case for writes.
      ...(tuning === 'worst-case' ? { defaults: { windowMinutes: 15, minSample: 10, deadBand: 0.002 } } : {}),
      campaigns,
      ...(shardCount === 1
        ? { secretName: secretNames[0] }
        : { shards: slices.map((slice, i) => ({ name: names[i], secretName: secretNames[i], campaignIds: slice.map((c) => c.campaignId) })) }),
    }),
  );
  const env = {
    PACING_CONFIG_FILE: configFile,
    STATE_TABLE_NAME: tables.stateTable,
    AUDIT_TABLE_NAME: tables.auditTable,
    AWS_ENDPOINT_URL_DYNAMODB: world.endpoints.dynamoDbEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: world.endpoints.secretsEndpoint,
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    // Logs and EMF metrics as deployed: their formatting is part of a tick's CPU. They go to the log file.
    POWERTOOLS_SERVICE_NAME: 'pacing-controller',
    POWERTOOLS_METRICS_NAMESPACE: 'GenesysPacing',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
  const workers = names.map((name) => startWorker(shardCount === 1 ? undefined : name, env, logFile));
  const costs: TickCost[][] = names.map(() => []);
  let seen = 0;
  try {
    for (let t = 1; t <= ticks; t += 1) {
      const time = await world.call<number>({ op: 'advance', minutes: WARM_UP_MINUTES + t });
      const handled = await Promise.all(workers.map((w) => w.tick(time, `scale-${n}-${t}`)));
      const log = await world.call<LoggedRequest[]>({ op: 'requests', from: seen });
      seen += log.length;
      names.forEach((_, i) => costs[i]!.push({ ...requestCounts(log.filter((r) => r.clientId === `scale-client-${i}`)), ...handled[i]! }));
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await world.call({ op: 'close' });
  }
  return { campaigns: n, queues: queueCount(n), shards: names.map((name, i) => ({ name, campaigns: slices[i]!.length, ticks: costs[i]! })), steadyFrom: steadyFromFor(tuning) };
}

/** A tick's Genesys requests by kind, from the twin's log (login excluded). */
function requestCounts(log: LoggedRequest[]): Omit<TickCost, keyof HandlerTick> {
  const api = log.filter((r) => r.path.startsWith('/api/'));
  const count = (test: (r: LoggedRequest) => boolean) => api.filter(test).length;
  return {
    campaignGets: count((r) => r.method === 'GET' && r.path === '/api/v2/outbound/campaigns'),
    aggregates: count((r) => r.path === '/api/v2/analytics/conversations/aggregates/query'),
    observations: count((r) => r.path === '/api/v2/analytics/queues/observations/query'),
    performance: count((r) => r.path === '/api/v2/outbound/campaigns/performance/query'),
    thresholdGets: count((r) => r.path.startsWith('/api/v2/routing/queues/')),
    reads: count((r) => r.method !== 'PATCH'),
    patches: count((r) => r.method === 'PATCH'),
    throttled: count((r) => r.status === 429),
  };
}

/** A shard's worker: a process with a fresh handler module, ticking when told. */
function startWorker(shard: string | undefined, env: Record<string, string>, logFile: string) {
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--worker', shard ?? ''], {
    stdio: ['ignore', log, log, 'ipc'],
    env: { ...process.env, ...env, ...(shard ? { [SHARD_VARIABLE]: shard } : {}), NODE_NO_WARNINGS: '1' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    tick: (time: number, eventId: string) =>
      new Promise<HandlerTick>((resolve, reject) => {
        child.once('message', (m: HandlerTick | { error: string }) => ('error' in m ? reject(new Error(`shard ${shard ?? 'default'}: ${m.error}`)) : resolve(m)));
        child.send({ time, eventId });
      }),
    stop: async () => {
      if (child.connected) child.disconnect();
      await exited;
      closeSync(log);
    },
  };
}

/** The worker's side: one handler tick per message, `Date` faked to the tick's virtual time. */
async function runWorker(shard: string | undefined): Promise<void> {
  const clock = FakeTimers.install({ now: 0, toFake: ['Date'] });
  const { handler } = (await import('../lambda/handler.js')) as { handler: (e: unknown, c: Context) => Promise<TickSummary> };
  process.on('message', async ({ time, eventId }: { time: number; eventId: string }) => {
    clock.setSystemTime(time);
    const event = { version: '0', id: eventId, 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date(time).toISOString(), detail: shard ? { shard } : {} };
    const context = { awsRequestId: eventId, getRemainingTimeInMillis: () => LAMBDA_TIMEOUT_MS } as Context;
    const cpu = process.cpuUsage();
    const began = performance.now();
    try {
      const summary = await handler(event, context);
      const used = process.cpuUsage(cpu);
      process.send!({
        deferred: summary.campaigns.filter((c) => c.reason === 'write-deferred').length,
        written: summary.counts.written,
        errors: summary.counts.error,
        wallMs: performance.now() - began,
        cpuMs: (used.user + used.system) / 1000,
      } satisfies HandlerTick);
    } catch (err) {
      process.send!({ error: (err as Error).message });
    }
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const max = (xs: number[]) => Math.max(...xs);
/** The most in the steady ticks, or "-" when the run had none. */
const steadyMax = (ticks: TickCost[], steadyFrom: number, of: (t: TickCost) => number) => (ticks.length > steadyFrom ? String(max(ticks.slice(steadyFrom).map(of))) : '-');
const ms = (x: number) => x.toFixed(0);

/** Each tick of a size, its shards together: requests summed, the slowest shard's time. */
function fleetTicks({ shards }: SizeResult): TickCost[] {
  return shards[0]!.ticks.map((_, t) => {
    const each = shards.map((s) => s.ticks[t]!);
    const sum = (key: keyof TickCost) => each.reduce((total, c) => total + c[key], 0);
    return {
      campaignGets: sum('campaignGets'),
      aggregates: sum('aggregates'),
      observations: sum('observations'),
      performance: sum('performance'),
      thresholdGets: sum('thresholdGets'),
      reads: sum('reads'),
      patches: sum('patches'),
      deferred: sum('deferred'),
      throttled: sum('throttled'),
      written: sum('written'),
      errors: sum('errors'),
      wallMs: max(each.map((c) => c.wallMs)),
      cpuMs: max(each.map((c) => c.cpuMs)),
    };
  });
}

/** Per shard: the most of each in any tick after the first, 429s over all ticks, tick times. */
function shardTable(results: SizeResult[]): string {
  return formatTable(
    ['size', 'shard', 'campaigns', 'reads', 'PATCHes', 'deferred', 'steady', 'requests', '429s', 'ms median', 'ms max'],
    results.flatMap(({ campaigns, shards, steadyFrom }) =>
      shards.map(({ name, campaigns: own, ticks }) => {
        const later = ticks.slice(1);
        return [
          String(campaigns),
          name,
          String(own),
          String(max(later.map((t) => t.reads))),
          String(max(ticks.map((t) => t.patches))),
          String(max(later.map((t) => t.deferred))),
          steadyMax(ticks, steadyFrom, (t) => t.deferred),
          String(max(later.map((t) => t.reads + t.patches))),
          String(ticks.reduce((s, t) => s + t.throttled, 0)),
          ms(median(later.map((t) => t.wallMs))),
          ms(max(ticks.map((t) => t.wallMs))),
        ];
      }),
    ),
    ['right', 'left', ...Array<'right'>(9).fill('right')],
  );
}

function report(sizes: SizeResult[], latency: string, tuning: Tuning): string {
  const results = sizes.map((size) => ({ ...size, ticks: fleetTicks(size) }));
  const steadyFrom = sizes[0]!.steadyFrom;
  const sharded = sizes.some((s) => s.shards.length > 1);
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
    ['campaigns', 'reads 1st', 'reads later', 'PATCHes', 'deferred', 'deferred steady', 'requests', '429s'],
    results.map(({ campaigns, ticks }) =>
      [
        campaigns,
        ticks[0]!.reads,
        max(ticks.slice(1).map((t) => t.reads)),
        max(ticks.map((t) => t.patches)),
        max(ticks.map((t) => t.deferred)),
        steadyMax(ticks, steadyFrom, (t) => t.deferred),
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
    'service-level threshold (then cached for an hour), so later ticks show the reads of a steady tick.',
    ...(tuning === 'recommended'
      ? [
          "Configuration: the README's recommended one (the starting configuration rule). Its campaigns",
          `ramp up from their safe value for ${STARTING_RAMP_MINUTES} minutes, so "steady" is tick ${steadyFrom + 1} on.`,
        ]
      : ['Configuration: worst case for writes (dead-band 0.002, sample 10): nearly every campaign', 'wants a change every tick; "steady" is tick 2 on.']),
    ...(sharded ? ['With shards, the first three tables add up the shards of each tick (time: the slowest).'] : []),
    byEndpoint,
    '',
    'Most in any tick (reads later: after the first; deferred steady: in the steady ticks, "-" if none).',
    totals,
    '',
    `Tick duration: wall time of the handler (twin latency ${latency} ms per request) and its CPU`,
    'time (user + system).',
    durations,
    ...(sharded
      ? [
          '',
          'Per shard, each with its own OAuth client: reads, deferred and requests are the most in any',
          'tick after the first, steady the most deferred in a steady tick; PATCHes the most in any',
          'tick; 429s over all ticks; tick wall time.',
          shardTable(sizes),
        ]
      : []),
    '',
    `Limits: ${REQUESTS_PER_MINUTE} Genesys requests per minute per OAuth client (a tick spends at most 90%);`,
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
  shards: number;
  ticks: number;
  tuning: Tuning;
  latencyMs: string;
  log: string;
  worker?: string;
}

const command = defineCommand({
  name: 'npm run bench:scale',
  summary:
    "Genesys requests per tick and tick duration of the real handler for 1, 10, 100 and 500 campaigns against the twin, optionally split into shards that each have their own OAuth client. The handler's log lines go to a file.",
  examples: [
    'npm run bench:scale',
    'npm run bench:scale -- --campaigns 10,100 --ticks 5 --latency-ms 100-300 --tuning worst-case',
    'npm run bench:scale -- --campaigns 2000 --shards 4',
  ],
})
  .option('--campaigns <list>', 'comma-separated campaign counts', '1,10,100,500')
  .option('--shards <n>', 'shards per size, each with its own OAuth client and its own handler process, ticking together', integerOption(1, 100, '--shards 4'), 1)
  .option('--ticks <n>', 'ticks per size (the first reads thresholds too; the recommended configuration ramps up for its first 10)', integerOption(2, 10_000, '--ticks 15'), 15)
  .addOption(
    new Option('--tuning <name>', 'controller configuration: the README\'s recommended one, or a worst case in which nearly every campaign changes every tick')
      .choices(TUNINGS)
      .default('recommended'),
  )
  .option('--latency-ms <ms>', 'twin latency per request: ms or a range such as 100-300', '0')
  .option('--log <file>', "where the handler's JSON log lines go", 'out/bench-scale/handler.log')
  .addOption(new Option('--worker <shard>', 'internal: run the handler of one shard in this process').hideHelp());

async function main(options: ScaleOptions): Promise<void> {
  if (options.worker !== undefined) return runWorker(options.worker || undefined);
  const latency = parseLatency(options.latencyMs);
  const sizes = options.campaigns.split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`--campaigns must list whole numbers, e.g. 1,10,100,500, got "${options.campaigns}"`);
  if (sizes.some((n) => n < options.shards)) throw new UsageError(`--shards ${options.shards} needs at least one campaign per shard: give --campaigns of ${options.shards} or more`);
  const logFile = resolve(options.log);
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, '');
  const results: SizeResult[] = [];
  for (const n of sizes) {
    process.stderr.write(`${n} campaign${n === 1 ? '' : 's'}${options.shards > 1 ? ` in ${options.shards} shards` : ''}, ${options.ticks} ticks...\n`);
    results.push(await runSize(n, options.shards, options.ticks, options.tuning, latency, logFile));
  }
  console.log(report(results, options.latencyMs, options.tuning));
  console.log(`Handler log lines: ${logFile}`);
}

await runCommand(command, main);
