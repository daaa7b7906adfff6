/**
 * Random contact centres for `npm run bench:random`: drawn from one table of documented ranges
 * (docs/benchmark.md repeats it), deterministic per seed, and written as twin scenarios.
 */
import { RandomStream } from '../sim/model/random.js';
import { parseScenario, type Scenario } from '../sim/model/scenario.js';
import type { AbandonRule } from '../sim/run/summary.js';

export const DIALING_MODES = ['predictive', 'power', 'progressive', 'agentless'] as const;
export type DialingMode = (typeof DIALING_MODES)[number];

/** A range a figure is drawn from: uniform, or uniform in its logarithm (sizes and times spread over orders of magnitude). */
export interface Range {
  min: number;
  max: number;
  scale: 'linear' | 'log';
  meaning: string;
}

/** The ranges every centre is drawn from. Event times and lengths are fractions of the simulated day. */
export const RANGES = {
  agents: { min: 3, max: 300, scale: 'log', meaning: 'agents of the team (whole number)' },
  inboundLoad: { min: 0, max: 1.1, scale: 'linear', meaning: 'blended centres: inbound offered load in erlangs per agent of the team' },
  liveAnswer: { min: 0.03, max: 0.6, scale: 'linear', meaning: 'share of dials a live person answers' },
  machine: { min: 0.1, max: 0.35, scale: 'linear', meaning: 'share of dials a machine answers (less where live + busy leave no room)' },
  busySit: { min: 0.05, max: 0.15, scale: 'linear', meaning: 'share of dials busy or special-information tone' },
  talkSeconds: { min: 60, max: 900, scale: 'log', meaning: 'mean talk time, inbound and outbound (lognormal)' },
  talkCv: { min: 0.5, max: 1.2, scale: 'linear', meaning: 'coefficient of variation of talk time' },
  acwSeconds: { min: 0, max: 300, scale: 'linear', meaning: 'mean after-call work (uniform from 0.5 to 1.5 times it)' },
  patienceSeconds: { min: 10, max: 600, scale: 'log', meaning: 'mean patience of callers waiting in a queue (exponential)' },
  amdFalsePositive: { min: 0.001, max: 0.02, scale: 'linear', meaning: 'share of live answers AMD takes for machines and hangs up on' },
  eventAt: { min: 0.1, max: 0.8, scale: 'linear', meaning: 'when an event starts, as a fraction of the day' },
  eventLength: { min: 0.15, max: 0.5, scale: 'linear', meaning: 'how long a surge, dip or absence lasts, as a fraction of the day (18-60 min of 2 hours)' },
  surgeFactor: { min: 1.5, max: 3, scale: 'linear', meaning: 'inbound arrivals multiplied by this during a surge' },
  dipFactor: { min: 0.2, max: 0.6, scale: 'linear', meaning: 'inbound arrivals multiplied by this during a dip' },
  leavingShare: { min: 0.1, max: 0.4, scale: 'linear', meaning: 'share of the team that logs out (at least one agent)' },
  driftFactor: { min: 0.6, max: 1.6, scale: 'linear', meaning: 'mean talk time at the end of the day over its start (drift in four steps)' },
  connectJumpFactor: { min: 0.4, max: 2, scale: 'linear', meaning: 'live-answer rate multiplied by this from the jump on (kept within 0.03-0.6)' },
} as const satisfies Record<string, Range>;

/** Chances of the yes/no draws. */
export const CHANCES = {
  blended: { p: 0.5, meaning: 'the team also takes an inbound queue (else outbound only)' },
  uk: { p: 0.5, meaning: 'the UK rule applies (else the US rule)' },
  surge: { p: 0.5, meaning: 'blended centres: an inbound surge' },
  dip: { p: 0.5, meaning: 'blended centres: an inbound dip' },
  staffLeaving: { p: 0.5, meaning: 'part of the team logs out' },
  staffReturning: { p: 0.5, meaning: 'those who left come back after an absence (else gone for the day)' },
  handleTimeDrift: { p: 0.5, meaning: 'talk time drifts from a random time to the end of the day' },
  connectRateJump: { p: 0.5, meaning: 'the live-answer rate jumps at a random time' },
} as const;

/** Service-level targets a centre picks from (each equally likely). */
export const SERVICE_LEVELS = { targets: [0.7, 0.8, 0.9], thresholdSeconds: [10, 20, 30] } as const;

/** Fixed for every centre: the telephony, as in the shipped scenarios. */
const RING_SECONDS = { min: 4, max: 20 };
const BUSY_SIT_SECONDS = { min: 2, max: 5 };
const AMD_DECISION_SECONDS = { min: 2, max: 4 };
const NO_ANSWER_TIMEOUT_SECONDS = 25;

/** A window of the day, as fractions of it. */
export interface Spell {
  at: number;
  length: number;
}

/** One drawn contact centre. */
export interface Centre {
  id: string;
  agents: number;
  mode: DialingMode;
  /** Inbound erlangs per agent; undefined for an outbound-only centre. */
  inboundLoad?: number;
  /** The abandonment rule the centre works under (US: 30-day periods; UK: any 24 hours, AMD false positives counted). */
  regime: AbandonRule;
  liveAnswer: number;
  machine: number;
  busySit: number;
  talkSeconds: number;
  talkCv: number;
  acwSeconds: number;
  patienceSeconds: number;
  amdFalsePositive: number;
  serviceLevel: { target: number; thresholdSeconds: number };
  surge?: Spell & { factor: number };
  dip?: Spell & { factor: number };
  /** `length` undefined: they do not come back. */
  staffLeaving?: { at: number; length?: number; agents: number };
  handleTimeDrift?: { at: number; factor: number };
  connectRateJump?: { at: number; factor: number };
}

function draw(rng: RandomStream, r: Range): number {
  return r.scale === 'log' ? Math.exp(rng.uniform(Math.log(r.min), Math.log(r.max))) : rng.uniform(r.min, r.max);
}

function pick<T>(rng: RandomStream, xs: readonly T[]): T {
  return xs[Math.floor(rng.next() * xs.length)]!;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/**
 * Draws `count` centres from the ranges. The same seed gives the same centres; the i-th centre does
 * not depend on how many are drawn. Modes take turns after a random start, so any four in a row
 * cover every mode.
 */
export function drawCentres(count: number, seed: number): Centre[] {
  const first = Math.floor(new RandomStream(seed, 'modes').next() * DIALING_MODES.length);
  return Array.from({ length: count }, (_, i) => drawCentre(new RandomStream(seed, `centre-${i}`), `c${String(i + 1).padStart(3, '0')}`, DIALING_MODES[(first + i) % DIALING_MODES.length]!));
}

function drawCentre(rng: RandomStream, id: string, mode: DialingMode): Centre {
  const agents = Math.min(RANGES.agents.max, Math.max(RANGES.agents.min, Math.round(draw(rng, RANGES.agents))));
  const blended = rng.chance(CHANCES.blended.p);
  const liveAnswer = round(draw(rng, RANGES.liveAnswer), 3);
  const busySit = round(draw(rng, RANGES.busySit), 3);
  const spell = (): Spell => ({ at: round(draw(rng, RANGES.eventAt), 3), length: round(draw(rng, RANGES.eventLength), 3) });
  const centre: Centre = {
    id,
    agents,
    mode,
    ...(blended ? { inboundLoad: round(draw(rng, RANGES.inboundLoad), 3) } : {}),
    regime: rng.chance(CHANCES.uk.p) ? 'UK' : 'US',
    liveAnswer,
    machine: round(draw(rng, RANGES.machine), 3),
    busySit,
    talkSeconds: Math.round(draw(rng, RANGES.talkSeconds)),
    talkCv: round(draw(rng, RANGES.talkCv), 2),
    acwSeconds: Math.round(draw(rng, RANGES.acwSeconds)),
    patienceSeconds: Math.round(draw(rng, RANGES.patienceSeconds)),
    amdFalsePositive: round(draw(rng, RANGES.amdFalsePositive), 4),
    serviceLevel: { target: pick(rng, SERVICE_LEVELS.targets), thresholdSeconds: pick(rng, SERVICE_LEVELS.thresholdSeconds) },
  };
  // Every draw is made whether or not the event happens, so one event's chance never shifts another's values.
  const surge = { on: rng.chance(CHANCES.surge.p), ...spell(), factor: round(draw(rng, RANGES.surgeFactor), 2) };
  const dip = { on: rng.chance(CHANCES.dip.p), ...spell(), factor: round(draw(rng, RANGES.dipFactor), 2) };
  const leaving = { on: rng.chance(CHANCES.staffLeaving.p), returns: rng.chance(CHANCES.staffReturning.p), ...spell(), share: draw(rng, RANGES.leavingShare) };
  const drift = { on: rng.chance(CHANCES.handleTimeDrift.p), at: round(draw(rng, RANGES.eventAt), 3), factor: round(draw(rng, RANGES.driftFactor), 2) };
  const jump = { on: rng.chance(CHANCES.connectRateJump.p), at: round(draw(rng, RANGES.eventAt), 3), factor: round(draw(rng, RANGES.connectJumpFactor), 2) };
  if (blended && surge.on) centre.surge = { at: surge.at, length: surge.length, factor: surge.factor };
  if (blended && dip.on) centre.dip = { at: dip.at, length: dip.length, factor: dip.factor };
  if (leaving.on && agents > 1) {
    const count = Math.min(agents - 1, Math.max(1, Math.round(leaving.share * agents)));
    centre.staffLeaving = { at: leaving.at, ...(leaving.returns ? { length: leaving.length } : {}), agents: count };
  }
  if (drift.on) centre.handleTimeDrift = { at: drift.at, factor: drift.factor };
  if (jump.on) centre.connectRateJump = { at: jump.at, factor: jump.factor };
  // Live, machine and busy answers share the dials: the machine share gives way.
  centre.machine = round(Math.min(centre.machine, 1 - busySit - Math.max(...liveAnswerSteps(centre, 1).map((s) => s.value))), 3);
  return centre;
}

/** The live-answer rate over a day of `minutes`, as schedule steps (minutes from the start). */
function liveAnswerSteps(c: Centre, minutes: number): Array<{ minute: number; value: number }> {
  const steps = [{ minute: 0, value: c.liveAnswer }];
  const jump = c.connectRateJump;
  if (jump) {
    const value = round(Math.min(RANGES.liveAnswer.max, Math.max(RANGES.liveAnswer.min, c.liveAnswer * jump.factor)), 3);
    steps.push({ minute: Math.max(1, Math.round(jump.at * minutes)), value });
  }
  return steps;
}

/** The campaign's Genesys settings at the start of the day (what the centre ran before; the grid and the controller start from them). */
export interface CampaignStart {
  abandonRate: number;
  maxCallsPerAgent: number;
  outboundLineCount: number;
}

export const QUEUE_IDS = { campaign: '5d1e4f3c-0000-4000-8000-00000000a001', inbound: '5d1e4f3c-0000-4000-8000-00000000a002' } as const;
export const CAMPAIGN_ID = '5d1e4f3c-0000-4000-8000-00000000c001';
export const START_TIME = '2026-05-14T08:00:00.000Z';

const clock = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** Piecewise-constant steps as a scenario schedule (a plain number when constant); later steps at the same minute win. */
function schedule(steps: Array<{ minute: number; value: number }>): number | Array<{ at: string; value: number }> {
  const byMinute = new Map<number, number>();
  for (const s of [...steps].sort((a, b) => a.minute - b.minute)) byMinute.set(s.minute, s.value);
  const merged = [...byMinute].filter(([, v], i, all) => i === 0 || v !== all[i - 1]![1]);
  return merged.length === 1 ? merged[0]![1] : merged.map(([minute, value]) => ({ at: clock(minute), value }));
}

/** Mean talk time over the day: flat, then the drift in four equal steps from its start to the end of the day. */
function talkSteps(c: Centre, minutes: number): Array<{ minute: number; value: number }> {
  const steps = [{ minute: 0, value: c.talkSeconds }];
  const drift = c.handleTimeDrift;
  if (drift) {
    const from = Math.max(1, Math.round(drift.at * minutes));
    for (let k = 1; k <= 4; k += 1) {
      const minute = Math.min(minutes - 1, from + Math.round(((minutes - from) * (k - 1)) / 4));
      if (minute >= 1) steps.push({ minute, value: Math.round(c.talkSeconds * (1 + ((drift.factor - 1) * k) / 4)) });
    }
  }
  return steps;
}

/** Inbound arrivals per hour over the day: the centre's load, with its surge and dip. */
function arrivalSteps(c: Centre, minutes: number): Array<{ minute: number; value: number }> {
  const base = ((c.inboundLoad ?? 0) * c.agents * 3600) / (c.talkSeconds + c.acwSeconds);
  const steps = [{ minute: 0, value: round(base, 1) }];
  // A dip after a surge (or the other way round) ends where the other is still on: each spell's end restores the base.
  for (const s of [c.surge, c.dip]) {
    if (!s) continue;
    const from = Math.max(1, Math.round(s.at * minutes));
    const to = Math.min(minutes, Math.max(from + 1, Math.round((s.at + s.length) * minutes)));
    steps.push({ minute: from, value: round(base * s.factor, 1) }, { minute: to, value: round(base, 1) });
  }
  return steps;
}

const durationOf = (mean: number, cv: number) => ({ dist: 'lognormal' as const, meanSeconds: mean, cv });

function acwOf(c: Centre) {
  return c.acwSeconds === 0 ? { dist: 'fixed' as const, seconds: 0 } : { dist: 'uniform' as const, minSeconds: round(0.5 * c.acwSeconds, 1), maxSeconds: round(1.5 * c.acwSeconds, 1) };
}

/**
 * The centre as a twin scenario of `minutes` simulated minutes, its campaign starting from `start`.
 * @throws ScenarioError if the result would not validate (a bug in the generator)
 */
export function scenarioOf(c: Centre, minutes: number, start: CampaignStart): Scenario {
  const talk = schedule(talkSteps(c, minutes));
  const talkTime = typeof talk === 'number' ? durationOf(talk, c.talkCv) : { dist: 'lognormal' as const, meanSeconds: talk, cv: c.talkCv };
  const patience = { dist: 'exponential' as const, meanSeconds: c.patienceSeconds };
  const serviceLevel = { percentage: c.serviceLevel.target, durationMs: c.serviceLevel.thresholdSeconds * 1000 };
  const agentless = c.mode === 'agentless';
  const queues = [
    { id: QUEUE_IDS.campaign, name: agentless ? 'Agentless transfers' : 'Outbound', serviceLevel, ...(agentless ? { patience } : {}) },
    ...(c.inboundLoad === undefined ? [] : [{ id: QUEUE_IDS.inbound, name: 'Inbound', serviceLevel, patience, inbound: { arrivalsPerHour: schedule(arrivalSteps(c, minutes)), talkTime, acw: acwOf(c) } }]),
  ];
  const queueIds = queues.map((q) => q.id);
  const whole = [{ start: '00:00', end: clock(minutes) }];
  const leaving = c.staffLeaving;
  const agentGroups = [{ name: 'Team', count: c.agents - (leaving?.agents ?? 0), queueIds, shifts: whole }];
  if (leaving) {
    const out = Math.max(1, Math.min(minutes - 1, Math.round(leaving.at * minutes)));
    const back = leaving.length === undefined ? undefined : Math.round((leaving.at + leaving.length) * minutes);
    const shifts = [{ start: '00:00', end: clock(out) }, ...(back !== undefined && back < minutes ? [{ start: clock(back), end: clock(minutes) }] : [])];
    agentGroups.push({ name: 'Leaving', count: leaving.agents, queueIds, shifts });
  }
  return parseScenario(
    {
      name: c.id,
      description: describeCentre(c),
      startTime: START_TIME,
      duration: clock(minutes),
      queues,
      campaigns: [
        {
          id: CAMPAIGN_ID,
          name: `${c.id} ${c.mode}`,
          dialingMode: c.mode,
          campaignStatus: 'on',
          queueId: QUEUE_IDS.campaign,
          contactList: { id: '5d1e4f3c-0000-4000-8000-0000000c1001', name: 'Random centre list' },
          ...start,
          noAnswerTimeout: NO_ANSWER_TIMEOUT_SECONDS,
          callerName: 'Example Co',
          callerAddress: '+13175550100',
          phoneColumns: [{ columnName: 'Cell', type: 'cell' }],
          dialOutcomes: { liveAnswer: schedule(liveAnswerSteps(c, minutes)), machine: c.machine, busySit: c.busySit },
          ringTime: { dist: 'uniform', minSeconds: RING_SECONDS.min, maxSeconds: RING_SECONDS.max },
          busySitTime: { dist: 'uniform', minSeconds: BUSY_SIT_SECONDS.min, maxSeconds: BUSY_SIT_SECONDS.max },
          amd: { decisionTime: { dist: 'uniform', minSeconds: AMD_DECISION_SECONDS.min, maxSeconds: AMD_DECISION_SECONDS.max }, falsePositiveRate: c.amdFalsePositive },
          talkTime,
          acw: acwOf(c),
        },
      ],
      agentGroups,
    },
    `random centre ${c.id}`,
  );
}

/** One line about the centre, for the scenario's description and error messages. */
export function describeCentre(c: Centre): string {
  const events = [
    c.surge && `surge x${c.surge.factor}`,
    c.dip && `dip x${c.dip.factor}`,
    c.staffLeaving && `${c.staffLeaving.agents} leave${c.staffLeaving.length === undefined ? '' : ' and return'}`,
    c.handleTimeDrift && `talk drifts x${c.handleTimeDrift.factor}`,
    c.connectRateJump && `live answers jump x${c.connectRateJump.factor}`,
  ].filter(Boolean);
  return `${c.agents} agents, ${c.mode}, ${c.inboundLoad === undefined ? 'outbound only' : `blended (inbound ${c.inboundLoad} erlangs per agent)`}, ${c.regime} rule, live answers ${c.liveAnswer}, talk ${c.talkSeconds} s + ACW ${c.acwSeconds} s, patience ${c.patienceSeconds} s, AMD false positives ${c.amdFalsePositive}${events.length ? `; ${events.join(', ')}` : ''}`;
}

/** Mean seconds a line spends on one dial, at the centre's starting outcome rates. */
export function meanDialSeconds(c: Centre): number {
  const mid = (r: { min: number; max: number }) => (r.min + r.max) / 2;
  const answered = mid(RING_SECONDS);
  const noAnswer = 1 - c.liveAnswer - c.machine - c.busySit;
  return c.busySit * mid(BUSY_SIT_SECONDS) + c.liveAnswer * answered + c.machine * (answered + mid(AMD_DECISION_SECONDS)) + noAnswer * NO_ANSWER_TIMEOUT_SECONDS;
}
