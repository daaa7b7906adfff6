/**
 * `npm run twin -- [--start now|scenario|<ISO time>] [--port <n>] [--scenario <file|name>] [--seed <n>] [--speed <x>]`
 *
 * Serves the Genesys Cloud twin on its own, so any Genesys client (the official SDKs, `npm run
 * try`, `npm run discover`, curl) can be pointed at it. By default its day starts now and runs on
 * the wall clock; `--start` picks a fixed day, which `--speed` may run faster. Prints the base
 * URL, credentials and ids, then one summary line per simulated hour, until Ctrl-C.
 */
import { defineCommand, integerOption, positiveOption, runCommand, UsageError } from '../../lambda/cli/command.js';
import type { Twin } from '../emulator/server.js';
import { startLiveTwin } from './live-twin.js';
import { scenarioPath } from './scenario-arg.js';

/** How often the pacer moves virtual time, wall ms. */
const PACER_INTERVAL_MS = 50;

interface TwinOptions {
  start: string;
  port: number;
  scenario: string;
  seed: number;
  speed: number;
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
  return `[${new Date(Date.parse(minutes[0]!.start)).toISOString().slice(11, 16)} UTC, hour ${hour}] ${parts.join(' | ')}`;
}

/** `now`, `scenario` or an ISO-8601 instant. */
function startOption(value: string): 'now' | 'scenario' | Date {
  if (value === 'now' || value === 'scenario') return value;
  const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw new UsageError(`--start must be now, scenario (the scenario's own day) or an ISO-8601 time such as 2026-05-14T08:00:00Z, got "${value}"`);
  return new Date(time);
}

const command = defineCommand({
  name: 'npm run twin',
  summary: "Serves the Genesys Cloud twin (a simulated contact centre behind the real API) until Ctrl-C. Its day starts now and runs on the wall clock unless --start gives a fixed day.",
  examples: ['npm run twin', 'npm run twin -- --scenario small-team --port 8788', 'npm run twin -- --start scenario --scenario agentless --speed 60 --port 0 --seed 7'],
})
  .option('--start <when>', "now (the wall clock), scenario (the scenario's own day) or an ISO-8601 time", 'now')
  .option('--port <n>', 'TCP port; 0 picks a free one', integerOption(0, 65535, '--port 8787'), 8787)
  .option('--scenario <name|file>', 'a scenario in sim/scenarios by name, or a path', 'blended-surge')
  .option('--seed <n>', 'all randomness', integerOption(0, 2_147_483_647, '--seed 7'), 1)
  .option('--speed <x>', 'simulated time per wall time with a fixed --start (60: a minute per second)', positiveOption('--speed 60'), 1);

async function main(options: TwinOptions): Promise<void> {
  const start = startOption(options.start);
  const { twin, live, catchUp, close } = await startLiveTwin({ scenarioFile: scenarioPath(options.scenario), seed: options.seed, port: options.port, start, speed: options.speed });
  const s = twin.scenario;
  const clock = live ? 'on the wall clock' : `from ${s.startTime} at ${options.speed}x`;
  console.log(`Genesys Cloud twin: scenario "${s.name}" (seed ${options.seed}), a ${s.duration} day ${clock}`);
  console.log(`  base URL       ${twin.baseUrl}   (login: POST ${twin.baseUrl}/oauth/token, API: ${twin.baseUrl}/api/v2/...)`);
  console.log(`  client id      ${twin.clientId}`);
  console.log(`  client secret  ${twin.clientSecret}`);
  for (const id of twin.ids.campaigns) console.log(`  campaign       ${id}  ${twin.sim.campaign(id)!.name} (${twin.sim.campaign(id)!.dialingMode})`);
  for (const id of twin.ids.queues) console.log(`  queue          ${id}  ${twin.sim.queueSpec(id)!.name}`);
  console.log(`  day starts     ${s.startTime}`);
  console.log('Ctrl-C to stop.');

  let reportedHours = 0;
  let dayOver = false;
  const pacer = setInterval(() => {
    catchUp();
    while (twin.sim.timeSeries.length >= (reportedHours + 1) * 60) console.log(hourSummary(twin, ++reportedHours));
    if (!dayOver && twin.now() >= twin.sim.durationMs) {
      dayOver = true;
      if (live) console.log(`The simulated day ended at ${new Date(twin.nowEpochMs()).toISOString()}: the centre is closed, the twin keeps time and serves. Ctrl-C to stop.`);
      else {
        clearInterval(pacer);
        console.log(`The simulated day is over at ${new Date(twin.nowEpochMs()).toISOString()}; virtual time stays there. Still serving; Ctrl-C to stop.`);
      }
    }
  }, PACER_INTERVAL_MS);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(pacer);
    console.log(`\n${signal}: stopping the twin at virtual ${new Date(twin.nowEpochMs()).toISOString()}.`);
    void close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await runCommand(command, main);
