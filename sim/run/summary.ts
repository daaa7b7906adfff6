/**
 * The figures a contact-centre manager judges a pacing day by, computed from the twin's
 * per-minute record.
 *
 * Abandon rates follow the rules strictly (sim/run/windows.ts): the 24-hour and 60-minute rates
 * are the worst over windows ending at every minute of the run, the time before the run silent,
 * and they count AMD false positives as abandoned live calls, as the UK rule does. The 30-day
 * rate is the US rule's, on Genesys's own counts.
 */
import type { PacingConfig } from '../../lambda/config/config.js';
import type { Scenario } from '../model/scenario.js';
import type { MinuteSample } from '../model/time-series.js';
import type { ControllerMode } from './run-scenario.js';
import { DAY_MINUTES, epochMinute, genesysCounts, HOUR_MINUTES, PERIOD_MINUTES, ukRuleCounts, worstPeriodRate, worstWindowRate, type MinuteCounts, type WindowRate } from './windows.js';

/** The legal cap on abandoned live calls (US and UK: 3%). */
export const ABANDON_CAP = 0.03;

export interface QueueSummary {
  queueId: string;
  name: string;
  target: number;
  offered: number;
  /** Service level over the whole run (answered within threshold / offered). */
  serviceLevel: number | null;
  /** Share of 15-minute intervals with calls whose service level met the target. */
  attainment: number | null;
  /** 15-minute intervals with calls, and those whose service level met the target. */
  intervals: number;
  intervalsAttained: number;
  /** Lowest 15-minute service level. */
  worstInterval: number | null;
  abandoned: number;
}

export interface CampaignSummary {
  campaignId: string;
  name: string;
  /** Live answers and abandons as Genesys counts them (nOutboundConnected, nOutboundAbandoned). */
  liveAnswers: number;
  complianceAbandons: number;
  /** Live people hung up on by the answering-machine detector: Genesys sees machines. */
  amdFalsePositives: number;
  /** UK rule (AMD false positives count) over the whole run. */
  abandonRateToDate: number | null;
  /** The abandonment rule the controller paces the campaign under; absent when no controller paced it. */
  rule?: AbandonRule;
  /** UK rule: the worst 24-hour window ending at any minute of the run, nights and the time before it silent. */
  worstAbandonRate24h: number | null;
  /** The live calls (AMD false positives included) in that window: a high rate on few calls still counts. */
  worst24hLiveCalls: number | null;
  /**
   * The part of the run that window holds (ISO instants, the end of its last minute), from the
   * run's start at the earliest.
   */
  worst24hSpan: { from: string; to: string } | null;
  /** UK counts: the worst 60-minute window ending at any minute (what callers feel at the peak). */
  worstAbandonRate60min: number | null;
  worst60minLiveCalls: number | null;
  /** US rule (Genesys's counts): the worst of the successive 30-day periods from the run's start. */
  worstAbandonRate30d: number | null;
  /** (talk + after-call work) / logged-in time of the agents on the campaign's queue. */
  occupancy: number | null;
  /** Live outbound answers per logged-in agent-hour. */
  connectsPerAgentHour: number | null;
}

/** The abandonment rules: US, 3% over each 30 days (Genesys's counts); UK, 3% over any 24 hours (AMD false positives counted). */
export type AbandonRule = 'US' | 'UK';

export interface RunSummary {
  /** The first minute of the run (ISO), from which run times in the text are counted. */
  start: string | null;
  queues: QueueSummary[];
  campaigns: CampaignSummary[];
}

const INTERVAL_MINUTES = 15;

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

/** Queues whose callers wait for service: inbound queues and queues an agentless campaign feeds. */
export function servedQueueIds(scenario: Scenario): string[] {
  return scenario.queues
    .filter((q) => q.inbound !== undefined || scenario.campaigns.some((c) => c.dialingMode === 'agentless' && c.queueId === q.id))
    .map((q) => q.id);
}

/** The minutes of a record (epoch minutes, ascending) that a window holds, as ISO instants. */
function spanOf(w: WindowRate | null, widthMinutes: number, record: readonly MinuteCounts[]): { from: string; to: string } | null {
  if (w === null || !record.length) return null;
  const from = Math.max(record[0]!.minute, w.endMinute - widthMinutes + 1);
  const to = Math.min(record.at(-1)!.minute, w.endMinute) + 1;
  return { from: new Date(from * 60_000).toISOString(), to: new Date(to * 60_000).toISOString() };
}

/**
 * The abandonment rule the controller paced each campaign for (a rolling window: the UK rule; 30-day
 * periods: the US rule); empty unless the controller was on, as nothing else paced the campaigns.
 */
export function pacedRules(run: { config: Pick<PacingConfig, 'campaigns'>; mode: ControllerMode }): Map<string, AbandonRule> {
  if (run.mode !== 'on') return new Map();
  return new Map(run.config.campaigns.map((c) => [c.campaignId, c.compliance.window.type === 'rolling' ? 'UK' : 'US'] as const));
}

/**
 * Summarises a run: service level per served queue, compliance and productivity per campaign.
 *
 * @param rules - the rule the controller paced each campaign under, by campaign id (none when no controller paced it)
 */
export function summarise(scenario: Scenario, series: readonly MinuteSample[], rules: ReadonlyMap<string, AbandonRule> = new Map()): RunSummary {
  const served = new Set(servedQueueIds(scenario));
  const queues = scenario.queues
    .filter((q) => served.has(q.id))
    .map((q): QueueSummary => {
      const minutes = series.map((s) => s.queues[q.id]).filter((m) => m !== undefined);
      const intervals: number[] = [];
      for (let i = 0; i < minutes.length; i += INTERVAL_MINUTES) {
        const slice = minutes.slice(i, i + INTERVAL_MINUTES);
        const offered = slice.reduce((a, m) => a + m.offered, 0);
        if (offered > 0) intervals.push(slice.reduce((a, m) => a + m.answeredWithinThreshold, 0) / offered);
      }
      const offered = minutes.reduce((a, m) => a + m.offered, 0);
      const attained = intervals.filter((sl) => sl >= q.serviceLevel.percentage).length;
      return {
        queueId: q.id,
        name: q.name,
        target: q.serviceLevel.percentage,
        offered,
        serviceLevel: ratio(minutes.reduce((a, m) => a + m.answeredWithinThreshold, 0), offered),
        attainment: ratio(attained, intervals.length),
        intervals: intervals.length,
        intervalsAttained: attained,
        worstInterval: intervals.length ? Math.min(...intervals) : null,
        abandoned: minutes.reduce((a, m) => a + m.abandoned, 0),
      };
    });
  const runLast = series.length ? epochMinute(series.at(-1)!.start) : 0;
  const campaigns = scenario.campaigns.map((c): CampaignSummary => {
    const samples = series.filter((s) => s.campaigns[c.id] !== undefined);
    const minutes = samples.map((s) => s.campaigns[c.id]!);
    const agents = series.map((s) => s.queues[c.queueId]).filter((m) => m !== undefined);
    const uk: MinuteCounts[] = samples.map((s) => ({ minute: epochMinute(s.start), ...ukRuleCounts(s.campaigns[c.id]!) }));
    const us: MinuteCounts[] = samples.map((s) => ({ minute: epochMinute(s.start), ...genesysCounts(s.campaigns[c.id]!) }));
    const worst24h = worstWindowRate(uk, DAY_MINUTES, runLast);
    const worst60min = worstWindowRate(uk, HOUR_MINUTES, runLast);
    const live = minutes.reduce((a, m) => a + m.liveAnswers, 0);
    const loggedInMinutes = agents.reduce((a, m) => a + m.agentsLoggedIn, 0);
    const rule = rules.get(c.id);
    return {
      campaignId: c.id,
      name: c.name,
      ...(rule ? { rule } : {}),
      liveAnswers: live,
      complianceAbandons: minutes.reduce((a, m) => a + m.complianceAbandons, 0),
      amdFalsePositives: minutes.reduce((a, m) => a + m.amdFalsePositives, 0),
      abandonRateToDate: ratio(uk.reduce((a, m) => a + m.abandons, 0), uk.reduce((a, m) => a + m.live, 0)),
      worstAbandonRate24h: worst24h?.rate ?? null,
      worst24hLiveCalls: worst24h?.liveCalls ?? null,
      worst24hSpan: spanOf(worst24h, DAY_MINUTES, uk),
      worstAbandonRate60min: worst60min?.rate ?? null,
      worst60minLiveCalls: worst60min?.liveCalls ?? null,
      worstAbandonRate30d: worstPeriodRate(us, PERIOD_MINUTES, us[0]?.minute ?? 0)?.rate ?? null,
      occupancy: ratio(agents.reduce((a, m) => a + m.agentsBusy, 0), loggedInMinutes),
      connectsPerAgentHour: ratio(live, loggedInMinutes / 60),
    };
  });
  return { start: series[0]?.start ?? null, queues, campaigns };
}

/** A share as a percentage, e.g. 2.41%. */
export const percent = (v: number | null, digits = 1): string => (v === null ? 'n/a' : `${(100 * v).toFixed(digits)}%`);

/** "H:MM" since the run's start (the scenario's clock) of an instant in the run. */
function runTime(iso: string, start: string | null): string {
  const minutes = Math.round((Date.parse(iso) - Date.parse(start ?? iso)) / 60_000);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Whether an abandon rate passed the cap (null: no live call, nothing passed). */
export const overCap = (rate: number | null): boolean => (rate ?? 0) > ABANDON_CAP + 1e-12;

/** Whether a campaign passed the cap under the rule it was paced for; under the strict UK window when no controller paced it. */
export const capBroken = (c: CampaignSummary): boolean => overCap(c.rule === 'US' ? c.worstAbandonRate30d : c.worstAbandonRate24h);

/**
 * The verdict a manager reads first, one sentence per campaign and per served queue: the 3% cap
 * kept or broken under the rule the controller paced the campaign for, with what the other rule
 * would say (with no controller, the strict 24-hour window first), and the share of 15-minute
 * intervals in which each queue met its service-level target.
 */
export function verdictOf(summary: RunSummary): string[] {
  const campaigns = summary.campaigns.map((c) => {
    if (c.worstAbandonRate24h === null) return `${c.name}: no live call, nothing to judge against the 3% cap.`;
    const span = c.worst24hSpan!;
    const window = `worst 24-hour window ${percent(c.worstAbandonRate24h, 2)} on ${c.worst24hLiveCalls} live calls, holding ${runTime(span.from, summary.start)}-${runTime(span.to, summary.start)} of the run`;
    const usRate = percent(c.worstAbandonRate30d, 2);
    const ukBroken = overCap(c.worstAbandonRate24h);
    if (c.rule === 'US') {
      const uk = `under the UK 24-hour rule it would be ${ukBroken ? 'broken' : 'kept'} (${window})`;
      return `${c.name}: 3% abandon cap ${capBroken(c) ? 'BROKEN' : 'kept'} under the US 30-day rule it is paced for (${usRate}); ${uk}.`;
    }
    const paced = c.rule === 'UK' ? ' it is paced for' : '';
    const us = `${overCap(c.worstAbandonRate30d) ? 'broken' : 'kept'} under the US 30-day rule (${usRate})`;
    return `${c.name}: 3% abandon cap ${ukBroken ? 'BROKEN' : 'kept'} under the UK 24-hour rule${paced} (${window}); ${us}.`;
  });
  const queues = summary.queues.map((q) =>
    q.intervals === 0
      ? `${q.name}: no call offered, no service level to judge.`
      : `${q.name}: service-level target ${percent(q.target, 0)} met in ${percent(q.attainment, 0)} of 15-minute intervals (${q.intervalsAttained} of ${q.intervals}).`,
  );
  return [...campaigns, ...queues];
}

/** With the controller off, a warning naming the campaigns whose static settings broke the cap; null otherwise. */
export function controllerOffWarning(summary: RunSummary, controller: ControllerMode | undefined): string | null {
  const broken = summary.campaigns.filter(capBroken);
  if (controller !== 'off' || !broken.length) return null;
  return `WARNING: with the controller off, the campaigns' static settings broke the 3% abandon cap: ${broken.map((c) => `${c.name} ${percent(c.worstAbandonRate24h, 2)}`).join(', ')}.`;
}

/** What each abandon figure means, for the console and the report. */
export const ABANDON_NOTE =
  'Abandon rates count AMD false positives (live people hung up on as machines) as abandons, as the UK rule does. ' +
  'The 24-hour and 60-minute rates are the worst over windows ending at every minute of the run, the time before ' +
  'it silent: an early window on few live calls counts too, so its live calls are shown beside it. ' +
  'The 30-day rate is the US rule, on Genesys counts.';

/** Wraps text into lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

const cell = (v: number | null) => percent(v).padStart(6);
const onLive = (rate: number | null, live: number | null) => (rate === null ? 'n/a' : `${percent(rate)} on ${live}`);
const WIDTH = 100;

/**
 * A plain-text summary for the console, at most 100 columns: the verdict first, then the queue
 * and campaign tables. With the controller off, a broken cap also prints a warning.
 */
export function formatSummary(summary: RunSummary, patches: number, options: { controller?: ControllerMode } = {}): string {
  const name = (s: string) => s.padEnd(24).slice(0, 24);
  const warning = controllerOffWarning(summary, options.controller);
  const lines = [
    ...(warning ? wrap(warning, WIDTH) : []),
    'Verdict',
    ...verdictOf(summary).flatMap((v) => wrap(`- ${v}`, WIDTH)),
    '',
    'Queue                     offered  SL day  target  attainment  worst 15 min',
    ...summary.queues.map((q) => `${name(q.name)} ${String(q.offered).padStart(8)}  ${cell(q.serviceLevel)}  ${cell(q.target)}  ${cell(q.attainment).padStart(10)}  ${cell(q.worstInterval).padStart(12)}`),
    '',
    'Campaign                   live  abandons  AMD f.p.  to date  worst 24 h (live)  worst 60 min (live)',
    ...summary.campaigns.map(
      (c) =>
        `${name(c.name)} ${String(c.liveAnswers).padStart(6)}  ${String(c.complianceAbandons).padStart(8)}  ${String(c.amdFalsePositives).padStart(8)}  ${cell(c.abandonRateToDate).padStart(7)}  ${onLive(c.worstAbandonRate24h, c.worst24hLiveCalls).padStart(17)}  ${onLive(c.worstAbandonRate60min, c.worst60minLiveCalls).padStart(19)}`,
    ),
    ...wrap(ABANDON_NOTE, WIDTH),
    '',
    'Campaign                  US 30 days  occupancy  connects/agent-h',
    ...summary.campaigns.map((c) => `${name(c.name)} ${cell(c.worstAbandonRate30d).padStart(11)}  ${cell(c.occupancy).padStart(9)}  ${(c.connectsPerAgentHour ?? 0).toFixed(2).padStart(16)}`),
    '',
    `PATCHes written: ${patches}`,
  ];
  return lines.join('\n');
}
