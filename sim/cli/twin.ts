/**
 * `npm run twin -- [--port <n>] [--scenario <file|name>] [--seed <n>] [--speed <x>]`
 *
 * Serves the Genesys Cloud twin on its own, advancing the simulated day in real time (speed 1) or
 * faster, so any Genesys client (the official SDKs, the controller with `localBaseUrl`, curl) can be
 * pointed at it. Prints the base URL, credentials and ids, then one summary line per simulated
 * hour. Stops cleanly on Ctrl-C.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startTwin, type Twin } from '../emulator/server.js';
import { ScenarioError } from '../model/scenario.js';

const SCENARIO_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url));
/** How often the pacer moves virtual time, wall ms. */
const PACER_INTERVAL_MS = 50;

/** A scenario argument may be a path or just the name of a file in sim/scenarios. */
function scenarioPath(arg: string): string {
  if (existsSync(arg)) return arg;
  const named = `${SCENARIO_DIR}${arg.replace(/\.json$/, '')}.json`;
  if (existsSync(named)) return named;
  throw new ScenarioError(`no scenario file ${arg} (give a path, or one of the names in ${SCENARIO_DIR})`);
}

function hourSummary(twin: Twin, hour: number): string {
  const minutes = twin.sim.timeSeries.slice((hour - 1) * 60, hour * 60);
  const parts: string[] = [];
  for (const queueId of twin.ids.queues) {
    const q = minutes.map((m) => m.queues[queueId]!);
    const answered = q.reduce((s, x) => s + x.answered, 0);
    const within = q.reduce((s, x) => s + x.answeredWithinThreshold, 0);
    const abandoned = q.reduce((s, x) => s + x.abandoned, 0);
    const name = twin.sim.queueSpec(queueId)!.name;
    parts.push(`${name}: SL ${answered + abandoned ? ((100 * within) / (answered + abandoned)).toFixed(0) : '-'}% of ${answered + abandoned}`);
  }
  for (const campaignId of twin.ids.campaigns) {
    const c = minutes.map((m) => m.campaigns[campaignId]!);
    const live = c.reduce((s, x) => s + x.liveAnswers, 0);
    const abandons = c.reduce((s, x) => s + x.complianceAbandons, 0);
    const last = c.at(-1)!;
    parts.push(
      `${twin.sim.campaign(campaignId)!.name}: ${c.reduce((s, x) => s + x.dialed, 0)} dials, abandon ${live ? ((100 * abandons) / live).toFixed(1) : '-'}% ` +
        `(maxCallsPerAgent ${last.maxCallsPerAgent}, abandonRate ${last.abandonRate}, lines ${last.outboundLineCount})`,
    );
  }
  return `[${String(hour).padStart(2, '0')}:00] ${parts.join(' | ')}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      scenario: { type: 'string', default: 'blended-surge' },
      seed: { type: 'string', default: '1' },
      speed: { type: 'string', default: '1' },
    },
  });
  const port = Number(values.port);
  const seed = Number(values.seed);
  const speed = Number(values.speed);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port} must be a TCP port (0 picks a free one)`);
  if (!Number.isInteger(seed)) throw new Error(`--seed ${values.seed} must be an integer`);
  if (!(speed > 0)) throw new Error(`--speed ${values.speed} must be a positive number (1 = real time, 60 = a minute per second)`);

  const twin = await startTwin({ scenario: scenarioPath(values.scenario), seed, port });
  const s = twin.scenario;
  console.log(`Genesys Cloud twin: scenario "${s.name}" (seed ${seed}), ${s.duration} of simulated time at ${speed}x`);
  console.log(`  base URL       ${twin.baseUrl}   (login: POST ${twin.baseUrl}/oauth/token, API: ${twin.baseUrl}/api/v2/...)`);
  console.log(`  client id      ${twin.clientId}`);
  console.log(`  client secret  ${twin.clientSecret}`);
  for (const id of twin.ids.campaigns) console.log(`  campaign       ${id}  ${twin.sim.campaign(id)!.name} (${twin.sim.campaign(id)!.dialingMode})`);
  for (const id of twin.ids.queues) console.log(`  queue          ${id}  ${twin.sim.queueSpec(id)!.name}`);
  console.log(`  simulated day  starts ${s.startTime}`);
  console.log('Ctrl-C to stop.');

  const wallStart = performance.now();
  let reportedHours = 0;
  const pacer = setInterval(() => {
    const target = Math.min(twin.sim.durationMs, (performance.now() - wallStart) * speed);
    twin.advanceTo(Math.max(twin.now(), Math.floor(target)));
    while (twin.sim.timeSeries.length >= (reportedHours + 1) * 60) console.log(hourSummary(twin, ++reportedHours));
    if (twin.now() >= twin.sim.durationMs) {
      clearInterval(pacer);
      console.log(`The simulated day is over at ${new Date(twin.nowEpochMs()).toISOString()}; virtual time stays there. Still serving; Ctrl-C to stop.`);
    }
  }, PACER_INTERVAL_MS);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(pacer);
    console.log(`\n${signal}: stopping the twin at virtual ${new Date(twin.nowEpochMs()).toISOString()}.`);
    void twin.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof ScenarioError ? err.message : err);
  process.exit(1);
});
