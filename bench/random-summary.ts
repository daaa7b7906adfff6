/**
 * What `npm run bench:random` reports: each centre's figures for ours and the hindsight-best static
 * setting, and the targets over all centres, each met or missed.
 */
import { ATTAINMENT_TARGET, chooseBound, OCCUPANCY_SHARE, rowOf, type AbandonJudge } from './grid.js';
import type { JobResult } from './jobs.js';
import { overCap, type AbandonRule } from '../sim/run/summary.js';
import type { Centre, DialingMode } from './random-centres.js';
import { movedKnobs } from '../lambda/config/starting-config.js';
import { campaignEntryOf } from './random-config.js';

/**
 * Why ours stays under 97% of the bound's occupancy on a centre, told apart where the comparison
 * says nothing of the controller: every static breaches (the bound is then the static that abandons
 * least, not the busiest); no static attains the SL target and ours serves the queue better, in more
 * quarter-hours at the target or as many and a higher service level over the day (the bound is then
 * the busiest static, flooding the queue); the bound's value lies above the knob's `max` the
 * starting rule gives ours (a limit the user sets, not one the controller reaches). Else `other`.
 */
export const OCCUPANCY_GAPS = ['every-static-breaches', 'no-static-attains-sl', 'bound-above-knob-max', 'other'] as const;
export type OccupancyGap = (typeof OCCUPANCY_GAPS)[number];

/** One centre's line of the JSON (rates and shares as fractions; null where there is nothing to measure). */
export interface CentreResult {
  id: string;
  agents: number;
  mode: DialingMode;
  blended: boolean;
  regime: AbandonRule;
  /** Ours passed the cap over a window of the centre's rule (UK: any 24 hours; US: each 30-day period). */
  breach: boolean;
  /** No static setting on the grid keeps under the cap. */
  boundBreach: boolean;
  /** Ours's highest abandon rate over the rule's windows (the UK's any 24 hours, or the US's 30-day period). */
  worstWindowRate: number | null;
  /** The lowest of the grid's highest rates: where every static breaches, ours should be at or below it. */
  bestStaticWindowRate: number | null;
  /** Ours's worst 24-hour window ending at any minute, AMD false positives counted (sim/run/windows.ts). */
  worstRolling24h: number | null;
  /** Ours's worst 60 minutes on the same counts. */
  worst60min: number | null;
  slAttainment: number | null;
  boundSlAttainment: number | null;
  occupancy: number | null;
  boundOccupancy: number | null;
  /** The statics on the grid that comply, and of them those that attain the SL target (null without an SL figure). */
  compliantStatics: number;
  staticsAttainingSl: number | null;
  /** Service level over the whole day (answered within threshold / offered), the worst served queue: ours and the bound's. */
  serviceLevel: number | null;
  boundServiceLevel: number | null;
  /** The bound's static value of the grid knob. */
  gridKnob: string;
  boundValue: number | null;
  /** The grid knob's `max` in ours's configuration (the starting rule's); null where ours does not move it. */
  oursKnobMax: number | null;
  /** Why ours is under 97% of the bound's occupancy; null where it is not (or either has none). */
  occupancyGap: OccupancyGap | null;
  /** Seconds the centre's runs took inside their processes: ours, and the whole grid. */
  runSeconds: { ours: number; grid: number };
  /** With `--held-out`: ours and the bound's value on a second day of the centre ({@link HeldOutResult}). */
  heldOut?: HeldOutResult;
}

/**
 * A second day of a centre, on another twin seed: ours, and the bound's value chosen on the first
 * day held all day. The bound is chosen in hindsight, on the very day it is judged; on a second day
 * it is what a static setting chosen in advance is, and its luck on the first day does not carry.
 */
export interface HeldOutResult {
  /** The second day's twin seed. */
  seed: number;
  breach: boolean;
  /** The bound's value passed the cap on the second day. */
  boundBreach: boolean;
  worstWindowRate: number | null;
  boundWorstWindowRate: number | null;
  slAttainment: number | null;
  boundSlAttainment: number | null;
  occupancy: number | null;
  boundOccupancy: number | null;
}

/** The second day's runs of a centre: ours, and the bound's value. */
export interface HeldOutRuns {
  ours: JobResult;
  bound: JobResult;
}

/** Ours's run and the grid's runs of one centre. */
export interface CentreRuns {
  centre: Centre;
  gridKnob: string;
  ours: JobResult;
  grid: JobResult[];
}

/**
 * A run's abandon rate under the centre's rule, over the strict windows the run's figures hold
 * (sim/run/windows.ts through the summary): UK, the worst 24 hours ending at any minute with AMD
 * false positives counted; US, the worst 30-day period on Genesys's counts.
 */
export function ruleJudge(regime: AbandonRule): AbandonJudge {
  return regime === 'UK' ? (f) => f.maxAbandon24h ?? 0 : (f) => f.maxAbandonWindow ?? 0;
}

/** A centre's result: ours against the bound chosen by the benchmark's rule (bench/grid.ts). */
export function centreResult(runs: CentreRuns): CentreResult {
  const c = runs.centre;
  const judge = ruleJudge(c.regime);
  const grid = runs.grid.map((r) => rowOf('grid', `${runs.gridKnob}=${r.job.value}`, [r], r.job.value, judge));
  const bound = chooseBound(grid);
  const compliant = grid.filter((r) => r.breaches === 0);
  const o = runs.ours.figures;
  const oursKnobMax = movedKnobs(campaignEntryOf(c)).find((k) => k.name === runs.gridKnob)?.max ?? null;
  // The fields first, in its order; then what explains them.
  const result: Omit<CentreResult, 'occupancyGap'> = {
    id: c.id,
    agents: c.agents,
    mode: c.mode,
    breach: overCap(judge(o)),
    boundBreach: grid.every((r) => r.breaches > 0),
    worstRolling24h: o.maxAbandon24h,
    worst60min: o.maxAbandon60min,
    slAttainment: o.slAttainment,
    boundSlAttainment: bound.figures.slAttainment.mean,
    occupancy: o.occupancy,
    boundOccupancy: bound.figures.occupancy.mean,
    blended: c.inboundLoad !== undefined,
    regime: c.regime,
    worstWindowRate: judge(o),
    bestStaticWindowRate: grid.length ? Math.min(...grid.map((r) => r.worstAbandon)) : null,
    compliantStatics: compliant.length,
    staticsAttainingSl: o.slAttainment === null ? null : compliant.filter((r) => (r.figures.slAttainment.mean ?? 0) >= ATTAINMENT_TARGET).length,
    serviceLevel: o.serviceLevel,
    boundServiceLevel: bound.figures.serviceLevel.mean,
    gridKnob: runs.gridKnob,
    boundValue: bound.value ?? null,
    oursKnobMax,
    runSeconds: { ours: +(runs.ours.wallMs / 1000).toFixed(1), grid: +(runs.grid.reduce((t, r) => t + r.wallMs, 0) / 1000).toFixed(1) },
  };
  return { ...result, occupancyGap: occupancyGapOf(result) };
}

/** A centre's second day ({@link HeldOutResult}), judged by the centre's rule. */
export function heldOutResult(regime: AbandonRule, runs: HeldOutRuns): HeldOutResult {
  const judge = ruleJudge(regime);
  const o = runs.ours.figures;
  const b = runs.bound.figures;
  return {
    seed: runs.ours.job.seed,
    breach: overCap(judge(o)),
    boundBreach: overCap(judge(b)),
    worstWindowRate: judge(o),
    boundWorstWindowRate: judge(b),
    slAttainment: o.slAttainment,
    boundSlAttainment: b.slAttainment,
    occupancy: o.occupancy,
    boundOccupancy: b.occupancy,
  };
}

/**
 * The targets on the second days, against the bound's value held all day (a static chosen in
 * advance): its breach stands for "no static complies" and its rate for the best static's.
 * Undefined when no centre has a second day.
 */
export function summariseHeldOut(results: CentreResult[]): Summary | undefined {
  const days = results.filter((r) => r.heldOut !== undefined);
  if (!days.length) return undefined;
  return summarise(
    days.map((r) => {
      const h = r.heldOut!;
      const { heldOut: _secondDay, ...rest } = r;
      return {
        ...rest,
        breach: h.breach,
        boundBreach: h.boundBreach,
        worstWindowRate: h.worstWindowRate,
        bestStaticWindowRate: h.boundWorstWindowRate,
        slAttainment: h.slAttainment,
        boundSlAttainment: h.boundSlAttainment,
        occupancy: h.occupancy,
        boundOccupancy: h.boundOccupancy,
        occupancyGap: null,
      };
    }),
    AGAINST_STATIC_IN_ADVANCE,
  );
}

/** Why ours is under 97% of the bound's occupancy ({@link OccupancyGap}); null where it is not. */
export function occupancyGapOf(r: Omit<CentreResult, 'occupancyGap'>): OccupancyGap | null {
  if (r.occupancy === null || r.boundOccupancy === null || !(r.boundOccupancy > 0) || r.occupancy / r.boundOccupancy >= OCCUPANCY_SHARE - 1e-12) return null;
  if (r.boundBreach) return 'every-static-breaches';
  if (r.boundSlAttainment !== null && r.boundSlAttainment < ATTAINMENT_TARGET && servesQueueBetter(r)) return 'no-static-attains-sl';
  if (r.boundValue !== null && r.oursKnobMax !== null && r.boundValue > r.oursKnobMax + 1e-9) return 'bound-above-knob-max';
  return 'other';
}

/**
 * Ours serves the queue better than the bound: more quarter-hours at the SL target, or as many and
 * a higher service level over the day. Where no static attains the target, the bound is the busiest
 * static, and on a team that cannot answer what it dials the busiest drops most of its callers.
 */
function servesQueueBetter(r: Pick<CentreResult, 'slAttainment' | 'boundSlAttainment' | 'serviceLevel' | 'boundServiceLevel'>): boolean {
  const ours = r.slAttainment ?? 0;
  const bound = r.boundSlAttainment ?? 0;
  return ours > bound || (ours === bound && (r.serviceLevel ?? 0) > (r.boundServiceLevel ?? 0));
}

export interface TargetCheck {
  target: string;
  met: boolean;
  detail: string;
}

export interface Summary {
  centres: number;
  /** Centres where some static setting complies, and of them those where ours breached. */
  compliantBound: number;
  breachesWhereBoundComplies: number;
  /** Centres where no static setting complies, and of them those where ours is above the best static's rate. */
  boundBreaches: number;
  aboveBestStaticWhereNoneComplies: number;
  /** Centres where the bound attains 95% SL, and of them those where ours does not. */
  slApplicable: number;
  slMissed: number;
  /** Centres with an occupancy for both, the share of them at 97% of the bound or more, and the mean ratio. */
  occupancyCompared: number;
  occupancyShareAt97: number | null;
  occupancyMeanRatio: number | null;
  /** The centres under 97% of the bound's occupancy, by why ({@link OccupancyGap}). */
  occupancyGaps: Record<OccupancyGap, string[]>;
  targets: TargetCheck[];
}

const pct = (v: number | null, d = 1) => (v === null ? 'n/a' : `${(100 * v).toFixed(d)}%`);
/** At least this share of centres must reach 97% of the bound's occupancy. */
const OCCUPANCY_CENTRE_SHARE = 0.95;

/** How the targets name what ours is held against. */
interface TargetWords {
  compliant: string;
  noneComplies: string;
  slApplies: string;
  bound: string;
}

/** Against the hindsight-best static of each centre's grid. */
const AGAINST_BOUND: TargetWords = {
  compliant: 'where some static setting complies',
  noneComplies: 'where none complies, ours at or below the best static rate',
  slApplies: 'where the bound attains it',
  bound: 'the bound',
};

/** Against the bound's value held all of a second day ({@link summariseHeldOut}). */
const AGAINST_STATIC_IN_ADVANCE: TargetWords = {
  compliant: 'where the static chosen in advance complies',
  noneComplies: 'where it breaches, ours at or below its rate',
  slApplies: 'where it attains it',
  bound: 'it',
};

/** The bound attains the SL target: the centre's SL attainment is held to it. */
function boundAttainsSl(r: CentreResult): boolean {
  return r.boundSlAttainment !== null && r.boundSlAttainment >= ATTAINMENT_TARGET;
}

/** The bound attains the SL target and ours does not. */
function missesSl(r: CentreResult): boolean {
  return boundAttainsSl(r) && (r.slAttainment ?? 0) < ATTAINMENT_TARGET;
}

/** The targets over the centres. */
export function summarise(results: CentreResult[], words: TargetWords = AGAINST_BOUND): Summary {
  const compliant = results.filter((r) => !r.boundBreach);
  const breached = compliant.filter((r) => r.breach);
  const none = results.filter((r) => r.boundBreach);
  const above = none.filter((r) => (r.worstWindowRate ?? 0) > (r.bestStaticWindowRate ?? 0) + 1e-12);
  const slApplicable = results.filter(boundAttainsSl);
  const slMissed = results.filter(missesSl);
  const ratios = results.filter((r) => r.occupancy !== null && r.boundOccupancy !== null && r.boundOccupancy > 0).map((r) => r.occupancy! / r.boundOccupancy!);
  const shareAt97 = ratios.length ? ratios.filter((x) => x >= OCCUPANCY_SHARE - 1e-12).length / ratios.length : null;
  const meanRatio = ratios.length ? ratios.reduce((a, b) => a + b, 0) / ratios.length : null;
  const ids = (rs: CentreResult[]) => (rs.length ? `: ${rs.slice(0, 5).map((r) => r.id).join(', ')}${rs.length > 5 ? ', ...' : ''}` : '');
  return {
    centres: results.length,
    compliantBound: compliant.length,
    breachesWhereBoundComplies: breached.length,
    boundBreaches: none.length,
    aboveBestStaticWhereNoneComplies: above.length,
    slApplicable: slApplicable.length,
    slMissed: slMissed.length,
    occupancyCompared: ratios.length,
    occupancyShareAt97: shareAt97,
    occupancyMeanRatio: meanRatio,
    occupancyGaps: Object.fromEntries(OCCUPANCY_GAPS.map((gap) => [gap, results.filter((r) => r.occupancyGap === gap).map((r) => r.id)])) as Record<OccupancyGap, string[]>,
    targets: [
      { target: `0 breaches ${words.compliant}`, met: breached.length === 0, detail: `${breached.length} of ${compliant.length} centres${ids(breached)}` },
      {
        target: words.noneComplies,
        met: above.length === 0,
        detail: `${above.length} of ${none.length} centres above it${ids(above)}`,
      },
      { target: `SL attainment >= 95% ${words.slApplies}`, met: slMissed.length === 0, detail: `${slMissed.length} of ${slApplicable.length} centres below${ids(slMissed)}` },
      {
        target: `occupancy >= 97% of ${words.bound} on 95% of centres`,
        met: shareAt97 !== null && shareAt97 >= OCCUPANCY_CENTRE_SHARE,
        detail: `${pct(shareAt97)} of ${ratios.length} centres`,
      },
      { target: `occupancy >= 100% of ${words.bound} on the mean`, met: meanRatio !== null && meanRatio >= 1 - 1e-12, detail: `mean ${pct(meanRatio)} of ${words.bound}` },
    ],
  };
}

/** The per-centre table and the targets (and the second days' with `heldOut`, {@link summariseHeldOut}), in at most 100 columns. */
export function formatReport(results: CentreResult[], summary: Summary, heldOut: Summary | undefined = summariseHeldOut(results)): string {
  const header = ['centre', 'agents', 'mode', 'inb', 'rule', 'abandon', 'best static', 'SL', 'SL bound', 'occupancy', 'occ bound', 'ratio'];
  const rows = results.map((r) => [
    r.id,
    String(r.agents),
    r.mode,
    r.blended ? 'yes' : 'no',
    r.regime,
    `${pct(r.worstWindowRate, 2)}${r.breach ? '!' : ''}`,
    `${pct(r.bestStaticWindowRate, 2)}${r.boundBreach ? '!' : ''}`,
    pct(r.slAttainment, 0),
    pct(r.boundSlAttainment, 0),
    pct(r.occupancy, 1),
    pct(r.boundOccupancy, 1),
    r.occupancy !== null && r.boundOccupancy ? pct(r.occupancy / r.boundOccupancy, 0) : 'n/a',
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const table = all.map((row) => row.map((cell, i) => (i <= 4 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' ').trimEnd());
  const lines = [
    ...table,
    "abandon: ours's worst rate over the rule's windows ('!' over 3%); best static: the grid's lowest;",
    "inb: blended with inbound; SL, occupancy: ours; ratio: ours's occupancy over the bound's",
    '',
    ...targetLines(summary),
    ...slMissLines(results),
    ...occupancyGapLines(summary),
    ...heldOutLines(heldOut),
  ];
  return lines.join('\n');
}

function targetLines(summary: Summary): string[] {
  return summary.targets.map((t) => `${t.met ? 'met   ' : 'MISSED'}  ${t.target} (${t.detail})`);
}

/** The targets on the second days ({@link summariseHeldOut}); nothing without `--held-out`. */
function heldOutLines(summary: Summary | undefined): string[] {
  if (!summary) return [];
  return [
    '',
    `On a second day of ${summary.centres} centres (another twin seed), against the bound's value`,
    'chosen on the first day and held all day: a static chosen in advance.',
    ...targetLines(summary),
  ];
}

/**
 * Each SL miss with how many of the statics that comply attain the target, eight to a line: one of
 * ten says the bound is the one static the day's draws favoured; one of one, that no other static
 * complies. Nothing when no centre misses.
 */
function slMissLines(results: CentreResult[]): string[] {
  const missed = results.filter(missesSl).map((r) => `${r.id} ${r.staticsAttainingSl ?? 0} of ${r.compliantStatics}`);
  if (!missed.length) return [];
  const lines = ['', 'SL misses, and how many of the statics that comply attain the target:'];
  for (let i = 0; i < missed.length; i += 8) lines.push(`  ${missed.slice(i, i + 8).join(', ')}`);
  return lines;
}

/** What each reason means, in the report's words. */
const GAP_WORDS: Record<OccupancyGap, string> = {
  'every-static-breaches': 'every static breaches (the bound abandons least, it is not the busiest)',
  'no-static-attains-sl': 'no static attains the SL target and ours serves the queue better',
  'bound-above-knob-max': "the bound's value is above the knob max the rule gives ours",
  other: 'the controller falls short on its own',
};

/**
 * The centres under 97% of the bound's occupancy by reason, and the share at 97% or more among the
 * centres whose bound is a fair mark and within ours's reach (all but the first three reasons);
 * nothing when no centre is under.
 */
function occupancyGapLines(summary: Summary): string[] {
  const gaps = summary.occupancyGaps;
  const total = OCCUPANCY_GAPS.reduce((n, gap) => n + gaps[gap].length, 0);
  if (total === 0) return [];
  const ids = (list: string[]) => (list.length ? `: ${list.slice(0, 6).join(', ')}${list.length > 6 ? ', ...' : ''}` : '');
  const fair = summary.occupancyCompared - total + gaps.other.length;
  return [
    '',
    `Under 97% of the bound's occupancy, ${total} centres, by why:`,
    ...OCCUPANCY_GAPS.map((gap) => `  ${gaps[gap].length} where ${GAP_WORDS[gap]}${ids(gaps[gap])}`),
    `  on the other ${fair} centres, ${pct(fair ? 1 - gaps.other.length / fair : null)} are at 97% of the bound's or more`,
  ];
}
