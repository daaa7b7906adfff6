/**
 * Simulation speed: simulated hours per wall-clock second for the default scenario scaled to 20,
 * 100 and 500 agents (simulation alone), and for the default 26-agent day with a controller's
 * worth of HTTP traffic (480 one-minute rounds).
 *
 * Run: npm run bench:sim
 */
import { readFileSync } from 'node:fs';
import { defineCommand, runCommand } from '../../lambda/cli/command.js';
import { startTwin } from '../emulator/server.js';
import { parseScenario } from '../model/scenario.js';
import { ContactCentreSimulation } from '../model/simulation.js';
import { pollLikeTheController } from './polling.js';

const DEFAULT_FILE = new URL('../scenarios/blended-surge.json', import.meta.url);
const DEFAULT_AGENTS = 26;

/** The default scenario with agents, inbound traffic and lines scaled in proportion. */
function scaledScenario(agents: number) {
  const raw = JSON.parse(readFileSync(DEFAULT_FILE, 'utf8')) as Record<string, any>;
  const factor = agents / DEFAULT_AGENTS;
  const [blended, inboundOnly] = raw.agentGroups as Array<{ count: number }>;
  blended!.count = Math.max(1, Math.round(agents * (blended!.count / DEFAULT_AGENTS)));
  inboundOnly!.count = Math.max(1, agents - blended!.count);
  const inbound = raw.queues[1].inbound;
  inbound.arrivalsPerHour = inbound.arrivalsPerHour.map((s: { at: string; value: number }) => ({ at: s.at, value: s.value * factor }));
  raw.campaigns[0].outboundLineCount = Math.ceil(raw.campaigns[0].outboundLineCount * factor);
  raw.organization = { totalOutboundLines: Math.max(300, raw.campaigns[0].outboundLineCount) };
  return parseScenario(raw);
}

function simulateDay(agents: number): { hoursPerSecond: number; events: number } {
  const sim = new ContactCentreSimulation(scaledScenario(agents), 1);
  const began = performance.now();
  sim.advanceTo(sim.durationMs);
  const seconds = (performance.now() - began) / 1000;
  return { hoursPerSecond: sim.durationMs / 3_600_000 / seconds, events: sim.analytics.facts.length };
}

async function main(): Promise<void> {
  simulateDay(20); // warm the JIT so the first figure is not penalised
  for (const agents of [20, 100, 500]) {
    const { hoursPerSecond, events } = simulateDay(agents);
    console.log(`${String(agents).padStart(3)} agents: ${hoursPerSecond.toFixed(1).padStart(7)} simulated hours per wall second (${events} analytics facts in 8 h)`);
  }
  const twin = await startTwin({ scenario: DEFAULT_FILE.pathname, seed: 1 });
  const began = performance.now();
  const { requests, failures } = await pollLikeTheController(twin, 480);
  const seconds = (performance.now() - began) / 1000;
  await twin.close();
  console.log(
    ` 26 agents + HTTP: 8 h with ${requests} requests (${failures} failed) in ${seconds.toFixed(1)} s wall = ${(8 / seconds).toFixed(1)} simulated hours per wall second`,
  );
}

const command = defineCommand({
  name: 'npm run bench:sim',
  summary: 'Simulation speed: simulated hours per wall second at 20, 100 and 500 agents, and the default day with its HTTP traffic. No options.',
  examples: ['npm run bench:sim'],
});

await runCommand(command, main);
