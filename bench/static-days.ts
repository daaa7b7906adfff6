/**
 * `npx tsx bench/static-days.ts [--days 60]`
 *
 * How noisy a small blended team's day is under a static pace: one centre of the soak's fleet
 * (12 blended agents, 4 dialing hours, Genesys's abandon target 1%) simulated directly on the twin's
 * model, no controller, for each maxCallsPerAgent from 1 to 3 over --days seeded days. Prints the
 * mean day's abandon rate, its 95th percentile and worst, and how many days pass 3% (the UK's
 * 24-hour rule, each day being its own window). docs/reliability.md quotes it.
 */
import { parseArgs } from 'node:util';
import { fleetCampaignId, fleetScenario } from '../sim/faults/fleet.js';
import { parseScenario } from '../sim/model/scenario.js';
import { ContactCentreSimulation } from '../sim/model/simulation.js';

const { values } = parseArgs({ options: { days: { type: 'string', default: '60' } } });
const DAYS = Number(values.days);
if (!Number.isInteger(DAYS) || DAYS < 1) throw new Error('--days must be a whole number of at least 1');
const BLENDED = 1; // fleet member 1 is a blended centre
const id = fleetCampaignId(BLENDED);
const pct = (x: number) => `${(100 * x).toFixed(2)}%`.padStart(7);

console.log(`calls per agent   mean day   95th pct   worst   days over 3% (of ${DAYS})`);
for (const maxCallsPerAgent of [1, 1.5, 2, 2.5, 3]) {
  const carry = new Map([[id, { abandonRate: 1, maxCallsPerAgent, outboundLineCount: 20, campaignStatus: 'on' as const }]]);
  const scenario = parseScenario(fleetScenario({ campaigns: BLENDED + 1, startTime: '2026-06-01T08:00:00Z', duration: '04:00', carry }));
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
  console.log(`${String(maxCallsPerAgent).padStart(15)}   ${pct(abandoned / live)}    ${pct(p95)}  ${pct(rates.at(-1)!)}   ${rates.filter((r) => r > 0.03).length}`);
}
