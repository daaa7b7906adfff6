/**
 * Blind ticks through the real handler: the twin's analytics (or everything) fail, pacing is
 * held, then stepped toward each campaign's safe value, an alarm metric is raised, and control
 * resumes bumplessly when the metrics come back. The invariant checker runs after every tick.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRig, TickResult } from '../../sim/faults/rig.js';
import { fleetCampaignId, startRig } from './support.js';

const ABANDON = fleetCampaignId(0);
const SERVICE = fleetCampaignId(1);
const AGENTLESS = fleetCampaignId(2);

let rig: FaultRig;

beforeAll(async () => {
  rig = await startRig();
  // Start the knobs high, so falling back to the safe values (their minimums) is a long way.
  for (const [id, change] of [[ABANDON, { abandonRate: 3 }], [SERVICE, { maxCallsPerAgent: 3 }], [AGENTLESS, { outboundLineCount: 6 }]] as const) {
    rig.twin.sim.updateCampaign(id, change);
  }
  for (let i = 0; i < 3; i++) await rig.tick();
});
afterAll(async () => rig?.close());

const report = (r: TickResult, id: string) => r.summaries[0]!.campaigns.find((c) => c.campaignId === id)!;
const knob = (id: string) => {
  const c = rig.twin.sim.campaign(id)!;
  return { [ABANDON]: c.abandonRate, [SERVICE]: c.maxCallsPerAgent, [AGENTLESS]: c.outboundLineCount }[id];
};
const blindCampaignsMetric = (r: TickResult) => r.logs.map((l) => l.json?.BlindCampaigns).find((v) => v !== undefined);

describe('blind: the metrics cannot be read', () => {
  it('holds for blindTicksBeforeSafe - 1 ticks, reporting the failed read as an error and counting', async () => {
    // Prepare: every conversation aggregates query fails (500 is not retried)
    rig.twin.setFaults({ errorRates: { '500': 1 }, pathPattern: '^/api/v2/analytics/conversations/' });
    const patches = rig.checker.tally.patchRequests;

    // Act
    const ticks = [await rig.tick(), await rig.tick()];

    // Assess
    for (const [n, t] of ticks.entries()) {
      expect(t.violations).toEqual([]);
      for (const id of [ABANDON, SERVICE, AGENTLESS]) {
        expect(report(t, id)).toMatchObject({ outcome: 'error', reason: 'read-failed', blind: { ticks: n + 1, limit: 3 } });
        expect(report(t, id).message).toMatch(/metrics read failed.*HTTP 500.*pacing held/);
      }
      expect(blindCampaignsMetric(t)).toBe(0);
    }
    expect(rig.checker.tally.patchRequests).toBe(patches);
    expect((await rig.states()).get(ABANDON)!.blindTicks).toBe(2);
  });

  it('then steps each campaign toward its safe value, one largest step per tick, and raises the alarm metric', async () => {
    // Prepare: where the three sighted ticks left the abandon-rate knob (they may have moved it a step)
    const start = knob(ABANDON)!;
    expect(start).toBeGreaterThanOrEqual(2.5);

    // Act: blind ticks 3 to 11
    const ticks: TickResult[] = [];
    const abandonPath: number[] = [];
    for (let i = 0; i < 9; i++) {
      ticks.push(await rig.tick());
      abandonPath.push(knob(ABANDON)!);
    }

    // Assess: down to 0.5 in steps of 0.25; 3 -> 1 calls per agent; 6 -> 1 lines in steps of 2
    expect(ticks.flatMap((t) => t.violations)).toEqual([]);
    expect(report(ticks[0]!, ABANDON)).toMatchObject({ outcome: 'written', reason: 'blind-safe-value', previousValue: start, newValue: start - 0.25, blind: { ticks: 3 } });
    expect(report(ticks[0]!, ABANDON).message).toMatch(/blind for 3 ticks in a row \(limit 3\): stepping pacing toward the safe value 0\.5/);
    expect(abandonPath).toEqual(abandonPath.map((_, i) => Math.max(0.5, start - 0.25 * (i + 1))));
    expect(knob(SERVICE)).toBe(1);
    expect(knob(AGENTLESS)).toBe(1);
    expect(ticks.map(blindCampaignsMetric)).toEqual(Array(9).fill(3));
    const warning = ticks[0]!.logs.find((l) => l.json?.level === 'WARN' && l.json?.campaignId === ABANDON);
    expect(warning?.json).toMatchObject({ message: 'campaign blind: its objective cannot be seen this tick', reason: 'blind-safe-value' });
  });

  it('holds at the safe value once there, still blind and still alarming', async () => {
    await rig.tick();
    const t = await rig.tick();
    expect(t.violations).toEqual([]);
    expect(knob(ABANDON)).toBe(0.5);
    expect(report(t, ABANDON)).toMatchObject({ outcome: 'error', reason: 'read-failed', newValue: 0.5 });
    expect(report(t, ABANDON).message).toMatch(/at or below the safe value 0\.5/);
    expect(blindCampaignsMetric(t)).toBe(3);
  });

  it('writes nothing for a console dry run while blind, though it says what it would do', async () => {
    // Prepare: a knob set back up by hand (its blind count restarts at 1), then one more blind tick
    rig.twin.sim.updateCampaign(SERVICE, { maxCallsPerAgent: 2 });
    expect(report(await rig.tick(), SERVICE)).toMatchObject({ reason: 'manual-change', blind: { ticks: 1 } });
    await rig.tick();
    const patches = rig.checker.tally.patchRequests;
    const stored = (await rig.states()).get(SERVICE);

    // Act: the console run would be the third blind tick
    const t = await rig.tick({ advanceMinutes: 0, console: { dryRun: true } });

    // Assess
    expect(t.violations).toEqual([]);
    expect(report(t, SERVICE)).toMatchObject({ outcome: 'would-write', reason: 'blind-safe-value', previousValue: 2, newValue: 1.75 });
    expect(rig.checker.tally.patchRequests).toBe(patches);
    expect((await rig.states()).get(SERVICE)).toEqual(stored);
  });

  it('restarts bumplessly from the safe value when the metrics come back', async () => {
    // Prepare
    rig.twin.setFaults({});
    const at = knob(ABANDON);

    // Act
    const t = await rig.tick();

    // Assess
    expect(t.violations).toEqual([]);
    expect(report(t, ABANDON)).toMatchObject({ outcome: 'held', reason: 'restart-after-blind', newValue: at });
    expect(report(t, ABANDON).blind).toBeUndefined();
    expect((await rig.states()).get(ABANDON)!.blindTicks).toBe(0);
    expect(blindCampaignsMetric(t)).toBe(0);
  });
});

describe('blind: the campaigns themselves cannot be read', () => {
  it('counts the blind ticks on the stored state but moves nothing it cannot see', async () => {
    // Prepare: every API call fails
    rig.twin.setFaults({ errorRates: { '500': 1 } });
    const before = (await rig.states()).get(SERVICE)!;

    // Act
    const ticks: TickResult[] = [];
    for (let i = 0; i < 4; i++) ticks.push(await rig.tick());

    // Assess
    expect(ticks.flatMap((t) => t.violations)).toEqual([]);
    const last = report(ticks[3]!, SERVICE);
    expect(last).toMatchObject({ outcome: 'error', reason: 'read-failed', blind: { ticks: 4 } });
    expect(last.message).toMatch(/campaign read failed.*cannot be moved without reading the campaign/);
    const after = (await rig.states()).get(SERVICE)!;
    expect(after).toMatchObject({ version: before.version + 4, blindTicks: 4, integral: before.integral, lastWritten: before.lastWritten });
    expect(blindCampaignsMetric(ticks[3]!)).toBe(3);
    rig.twin.setFaults({});
  });
});

describe('blind: the data is stale', () => {
  it('counts ticks delivered too late like failed reads', async () => {
    // Prepare: a seeing tick resets every count
    await rig.tick();
    await rig.tick();
    rig.twin.sim.updateCampaign(SERVICE, { maxCallsPerAgent: 2 });
    await rig.tick();

    // Act: three events each handled 5 minutes after their time
    const ticks: TickResult[] = [];
    for (let i = 0; i < 3; i++) ticks.push(await rig.tick({ delayMs: 5 * 60_000 }));

    // Assess
    expect(ticks.flatMap((t) => t.violations)).toEqual([]);
    expect(report(ticks[0]!, SERVICE)).toMatchObject({ outcome: 'held', reason: 'stale-data', blind: { ticks: 1 } });
    expect(report(ticks[0]!, SERVICE).message).toMatch(/the event is 300 s old \(limit 120 s\)/);
    expect(report(ticks[2]!, SERVICE)).toMatchObject({ outcome: 'written', reason: 'blind-safe-value', previousValue: 2, newValue: 1.75 });
  });
});
