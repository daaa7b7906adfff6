/**
 * The figures a contact-centre manager judges a pacing day by, computed from the twin's
 * per-minute record.
 */
import type { Scenario } from '../model/scenario.js';
import type { MinuteSample } from '../model/time-series.js';

export interface QueueSummary {
  queueId: string;
  name: string;
  target: number;
  offered: number;
  /** Service level over the whole run (answered within threshold / offered). */
  serviceLevel: number | null;
  /** Share of 15-minute intervals with calls whose service level met the target. */
  attainment: number | null;
  /** Lowest 15-minute service level. */
  worstInterval: number | null;
  abandoned: number;
}

export interface CampaignSummary {
  campaignId: string;
  name: string;
  liveAnswers: number;
  complianceAbandons: number;
  /** Abandons / live answers over the whole run. */
  abandonRateToDate: number | null;
  /** Highest abandon rate over any 24 h window (the whole run when shorter): the UK rule. */
  worstAbandonRate24h: number | null;
  /** Highest abandon rate over the campaign's successive 30-day periods from the run's start: the US rule. */
  worstAbandonRate30d: number | null;
  /** (talk + after-call work) / logged-in time of the agents on the campaign's queue. */
  occupancy: number | null;
  /** Live outbound answers per logged-in agent-hour. */
  connectsPerAgentHour: number | null;
}

export interface RunSummary {
  queues: QueueSummary[];
  campaigns: CampaignSummary[];
}

const INTERVAL_MINUTES = 15;
const DAY_MINUTES = 24 * 60;
const PERIOD_MINUTES = 30 * DAY_MINUTES;

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

/** Queues whose callers wait for service: inbound queues and queues an agentless campaign feeds. */
export function servedQueueIds(scenario: Scenario): string[] {
  return scenario.queues
    .filter((q) => q.inbound !== undefined || scenario.campaigns.some((c) => c.dialingMode === 'agentless' && c.queueId === q.id))
    .map((q) => q.id);
}

/** Summarises a run: service level per served queue, compliance and productivity per campaign. */
export function summarise(scenario: Scenario, series: readonly MinuteSample[]): RunSummary {
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
      return {
        queueId: q.id,
        name: q.name,
        target: q.serviceLevel.percentage,
        offered,
        serviceLevel: ratio(minutes.reduce((a, m) => a + m.answeredWithinThreshold, 0), offered),
        attainment: intervals.length ? intervals.filter((sl) => sl >= q.serviceLevel.percentage).length / intervals.length : null,
        worstInterval: intervals.length ? Math.min(...intervals) : null,
        abandoned: minutes.reduce((a, m) => a + m.abandoned, 0),
      };
    });
  const campaigns = scenario.campaigns.map((c): CampaignSummary => {
    const minutes = series.map((s) => s.campaigns[c.id]).filter((m) => m !== undefined);
    const agents = series.map((s) => s.queues[c.queueId]).filter((m) => m !== undefined);
    const live = minutes.reduce((a, m) => a + m.liveAnswers, 0);
    const abandons = minutes.reduce((a, m) => a + m.complianceAbandons, 0);
    let worst: number | null = null;
    const window = Math.min(DAY_MINUTES, minutes.length);
    for (let end = window; end <= minutes.length; end += 1) {
      const slice = minutes.slice(end - window, end);
      const rate = ratio(slice.reduce((a, m) => a + m.complianceAbandons, 0), slice.reduce((a, m) => a + m.liveAnswers, 0));
      if (rate !== null && (worst === null || rate > worst)) worst = rate;
    }
    let worstPeriod: number | null = null;
    for (let start = 0; start < minutes.length; start += PERIOD_MINUTES) {
      const slice = minutes.slice(start, start + PERIOD_MINUTES);
      const rate = ratio(slice.reduce((a, m) => a + m.complianceAbandons, 0), slice.reduce((a, m) => a + m.liveAnswers, 0));
      if (rate !== null && (worstPeriod === null || rate > worstPeriod)) worstPeriod = rate;
    }
    const loggedInMinutes = agents.reduce((a, m) => a + m.agentsLoggedIn, 0);
    return {
      campaignId: c.id,
      name: c.name,
      liveAnswers: live,
      complianceAbandons: abandons,
      abandonRateToDate: ratio(abandons, live),
      worstAbandonRate24h: worst,
      worstAbandonRate30d: worstPeriod,
      occupancy: ratio(agents.reduce((a, m) => a + m.agentsBusy, 0), loggedInMinutes),
      connectsPerAgentHour: ratio(live, loggedInMinutes / 60),
    };
  });
  return { queues, campaigns };
}

const pct = (v: number | null) => (v === null ? '   n/a' : `${(100 * v).toFixed(1).padStart(5)}%`);

/** A plain-text table for the console. */
export function formatSummary(summary: RunSummary, patches: number): string {
  const lines = ['Queue                      offered  SL day  target  attainment  worst 15 min', ...summary.queues.map(
    (q) => `${q.name.padEnd(26).slice(0, 26)} ${String(q.offered).padStart(7)}  ${pct(q.serviceLevel)}  ${pct(q.target)}  ${pct(q.attainment).padStart(10)}  ${pct(q.worstInterval).padStart(12)}`,
  ), '', 'Campaign                   live  abandons  rate to date  worst 24 h (cap 3%)  occupancy  connects/agent-h', ...summary.campaigns.map(
    (c) => `${c.name.padEnd(26).slice(0, 26)} ${String(c.liveAnswers).padStart(5)}  ${String(c.complianceAbandons).padStart(8)}  ${pct(c.abandonRateToDate).padStart(12)}  ${pct(c.worstAbandonRate24h).padStart(19)}  ${pct(c.occupancy).padStart(9)}  ${(c.connectsPerAgentHour ?? 0).toFixed(2).padStart(16)}`,
  ), '', `PATCHes written: ${patches}`];
  return lines.join('\n');
}
