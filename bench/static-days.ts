/**
 * `npx tsx bench/static-days.ts [--days 60]`
 *
 * How noisy a small team's day is under a static pace: two centres of the soak's fleet (12 blended
 * agents with Genesys's abandon target at 1%, paced by maxCallsPerAgent; 10 outbound agents paced
 * by Genesys's abandon target at 2 calls per agent), 4 dialing hours, simulated directly on the
 * twin's model, no controller, for each value of the knob over --days seeded days. Prints the mean
 * day's abandon rate, its 95th percentile and worst, and how many days pass 3% (the UK's 24-hour
 * rule, each day being its own window): what a campaign held at that value all day, as a blind
 * controller leaves it, would give. docs/reliability.md quotes it.
 */
import { defineCommand, integerOption, parseOptions } from '../lambda/cli/command.js';
import { fleetCampaignId, fleetScenario, type CarriedCampaign } from '../sim/faults/fleet.js';
import { parseScenario } from '../sim/model/scenario.js';
import { ContactCentreSimulation } from '../sim/model/simulation.js';

const command = defineCommand({
  name: 'npm run bench:static-days',
  summary: "How noisy a small team's day is at a fixed pace: each setting held for --days simulated days (one seed each), the mean, 95th percentile and worst day's abandon rate.",
  examples: ['npm run bench:static-days', 'npm run bench:static-days -- --days 10'],
}).option('--days <n>', 'simulated days per setting', integerOption(1, 10_000, '--days 60'), 60);
const DAYS = parseOptions<{ days: number }>(command).days;
const pct = (x: number) => `${(100 * x).toFixed(2)}%`.padStart(7);

const centres = [
  // Fleet member 1 is a blended centre, member 0 an outbound one held to its abandon rate.
  { member: 1, title: 'blended centre, calls per agent', values: [1, 1.25, 1.5, 2, 2.5, 3], carry: (v: number) => ({ abandonRate: 1, maxCallsPerAgent: v }) },
  { member: 0, title: 'outbound centre, abandon target %', values: [1, 1.25, 1.5, 2, 2.5, 3], carry: (v: number) => ({ abandonRate: v, maxCallsPerAgent: 2 }) },
];

for (const centre of centres) {
  const id = fleetCampaignId(centre.member);
  console.log(`${centre.title.padStart(34)}   mean day   95th pct   worst   days over 3% (of ${DAYS})`);
  for (const value of centre.values) {
    const carried: CarriedCampaign = { outboundLineCount: 20, campaignStatus: 'on', ...centre.carry(value) };
    const scenario = parseScenario(fleetScenario({ campaigns: centre.member + 1, startTime: '2026-06-01T08:00:00Z', duration: '04:00', carry: new Map([[id, carried]]) }));
    const rates: number[] = [];
    let abandoned = 0;
    let live = 0;
    for (let seed = 1; seed <= DAYS; seed++) {
      const sim = new ContactCentreSimulation(scenario, seed);
      sim.advanceTo(sim.durationMs);
      let a = 0;
      let l = 0;
      for (const minute of sim.timeSeries) {
        a += minute.campaigns[id]!.complianceAbandons;
        l += minute.campaigns[id]!.liveAnswers;
      }
      rates.push(a / l);
      abandoned += a;
      live += l;
    }
    rates.sort((x, y) => x - y);
    const p95 = rates[Math.min(rates.length - 1, Math.ceil(0.95 * rates.length) - 1)]!;
    console.log(`${String(value).padStart(34)}   ${pct(abandoned / live)}    ${pct(p95)}  ${pct(rates.at(-1)!)}   ${rates.filter((r) => r > 0.03).length}`);
  }
}
