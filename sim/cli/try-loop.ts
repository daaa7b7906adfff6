/**
 * `npm run try`'s loop: the real Lambda handler, through the same local path as `npm run invoke
 * -- --local-aws`, paces the twin once per interval with your configuration, its state and audit
 * trail kept in the persistent local store, and each tick's decisions printed as a table.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatDecisions } from '../../lambda/cli/decisions-table.js';
import { loadPacingConfigFile, type PacingConfig } from '../../lambda/config/config.js';
import { patchCampaign } from '../emulator/outbound.js';
import type { TickSummary } from '../../lambda/tick.js';
import { startLocalLambda } from '../local-aws/local-lambda.js';
import { startLiveTwin, type LiveTwin } from './live-twin.js';

/** Where the loop reads the time and waits; tests give a simulated one. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with an AbortError when `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Real time. */
export const WALL_CLOCK: Clock = { now: () => Date.now(), sleep: (ms, signal) => sleep(ms, undefined, signal ? { signal } : {}) };

export interface TryOptions {
  /** Your pacing configuration; its `genesys` section is pointed at the twin. */
  configFile: string;
  /** A running twin's base URL; without it the loop starts its own live twin. */
  baseUrl?: string;
  /** The OAuth client of a running twin (its own twin's otherwise). */
  credentials?: { clientId: string; clientSecret: string };
  /** The scenario and seed of its own twin. */
  twin?: { scenarioFile: string; seed: number; warmUpMinutes: number };
  /** The persistent store's directory, e.g. `.local`. */
  storeDir: string;
  /** Keep the configuration's dry run; by default every campaign writes (to the twin only). */
  keepDryRun: boolean;
  /** Ticks to run; undefined runs until `signal` fires. */
  ticks?: number;
  intervalMs: number;
  clock: Clock;
  print(text: string): void;
  signal?: AbortSignal;
}

/**
 * The configuration the handler runs with: yours, talking to the twin, and writing unless the
 * dry run is kept. Written into the store's directory, where the handler reads it.
 */
function twinConfig(options: TryOptions, baseUrl: string): string {
  const raw = JSON.parse(readFileSync(options.configFile, 'utf8')) as { genesys: Record<string, unknown>; defaults?: Record<string, unknown>; campaigns: Array<Record<string, unknown>> };
  const { region: _region, localBaseUrl: _local, ...genesys } = raw.genesys;
  const config = options.keepDryRun
    ? { ...raw, genesys: { ...genesys, localBaseUrl: baseUrl } }
    : {
        ...raw,
        genesys: { ...genesys, localBaseUrl: baseUrl },
        defaults: { ...raw.defaults, dryRun: false },
        campaigns: raw.campaigns.map(({ dryRun: _dryRun, ...c }) => c),
      };
  mkdirSync(options.storeDir, { recursive: true });
  const file = join(options.storeDir, 'try.pacing.config.json');
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  loadPacingConfigFile(file);
  return file;
}

/**
 * Puts each campaign's knobs inside the configured bounds on its own twin, as the deployment
 * guide asks before the controller takes over: a value outside them is taken for a supervisor's
 * and left alone (knob-outside-bounds). Returns what it moved.
 */
function fitKnobsIntoBounds(twin: LiveTwin, config: PacingConfig): string[] {
  const moved: string[] = [];
  for (const c of config.campaigns) {
    const settings = twin.twin.sim.campaign(c.campaignId);
    if (!settings) continue;
    for (const knob of new Set([c.knob, c.compliance.knob])) {
      const now = settings[knob.name];
      const inside = Math.min(knob.max, Math.max(knob.min, now));
      if (inside === now) continue;
      patchCampaign(twin.twin.sim, c.campaignId, { [knob.name]: inside });
      moved.push(`${c.name ?? c.campaignId}: ${knob.name} ${now} -> ${inside}`);
    }
  }
  return moved;
}

/** An EventBridge scheduled event for the given time, as the deployed rule sends. */
function scheduledEvent(time: number): Record<string, unknown> {
  const iso = new Date(time).toISOString();
  return { version: '0', id: `try-${iso}`, 'detail-type': 'Scheduled Event', source: 'local.try', time: iso, detail: {} };
}

/**
 * Runs the ticks and returns their summaries.
 * @throws ConfigError for a bad configuration, before anything starts
 */
export async function runTry(options: TryOptions): Promise<TickSummary[]> {
  const config = loadPacingConfigFile(options.configFile);
  const closers: Array<() => Promise<void>> = [];
  const summaries: TickSummary[] = [];
  try {
    let twin: LiveTwin | undefined;
    let baseUrl = options.baseUrl;
    let credentials = options.credentials;
    if (!baseUrl) {
      const own = options.twin!;
      twin = await startLiveTwin({ scenarioFile: own.scenarioFile, seed: own.seed, port: 0, start: 'now', warmUpMs: own.warmUpMinutes * 60_000, clock: options.clock.now });
      closers.push(twin.close);
      baseUrl = twin.twin.baseUrl;
      credentials = { clientId: twin.twin.clientId, clientSecret: twin.twin.clientSecret };
      options.print(`Twin started at ${baseUrl} (client ${credentials.clientId}), its day began ${twin.twin.scenario.startTime}`);
    }
    const configFile = twinConfig(options, baseUrl);
    if (twin) for (const line of fitKnobsIntoBounds(twin, loadPacingConfigFile(configFile))) options.print(`Set inside the configured bounds on the twin: ${line}`);
    // The table shows each decision; the handler's JSON log would repeat it, so only errors are logged.
    const lambda = await startLocalLambda({ configFile, secretName: config.secretName, credentials: credentials!, storeDir: options.storeDir, logLevel: 'ERROR' });
    closers.push(lambda.close);
    options.print(`Pacing ${config.campaigns.length} campaign(s) against ${baseUrl} every ${options.intervalMs / 1000} s; state and audit trail in ${options.storeDir}`);
    for (let tick = 1; options.ticks === undefined || tick <= options.ticks; tick += 1) {
      const started = options.clock.now();
      twin?.catchUp();
      const summary = await lambda.invoke(scheduledEvent(started));
      summaries.push(summary);
      options.print(formatDecisions(summary, tick));
      if (tick === options.ticks) break;
      try {
        await options.clock.sleep(Math.max(0, started + options.intervalMs - options.clock.now()), options.signal);
      } catch (err) {
        if ((err as Error).name === 'AbortError') break;
        throw err;
      }
    }
    return summaries;
  } finally {
    for (const close of closers.reverse()) await close();
  }
}
