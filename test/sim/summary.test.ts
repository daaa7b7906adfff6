/**
 * The run summary on a constructed day: strict 24-hour and 60-minute windows, AMD false positives
 * counted under the UK rule, the verdict, and the controller-off warning.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../sim/model/scenario.js';
import type { CampaignMinute, MinuteSample, QueueMinute } from '../../sim/model/time-series.js';
import { capBroken, formatSummary, pacedRules, summarise, verdictOf } from '../../sim/run/summary.js';
import { configWith } from '../support/config.js';

const scenario = loadScenarioFile('sim/scenarios/blended-surge.json');
const CAMPAIGN = scenario.campaigns[0]!;
const START = Date.parse('2026-05-14T08:00:00.000Z');

const queueMinute = (over: Partial<QueueMinute> = {}): QueueMinute => ({
  offered: 0, answered: 0, answeredWithinThreshold: 0, abandoned: 0, waiting: 0, agentsLoggedIn: 10, agentsIdle: 2, agentsBusy: 8, ...over,
});
const campaignMinute = (over: Partial<CampaignMinute>): CampaignMinute => ({
  dialed: 0, liveAnswers: 0, complianceAbandons: 0, machines: 0, amdFalsePositives: 0, busySit: 0, noAnswers: 0, agentsIdle: 2, agentsBusy: 8,
  outstandingCalls: 0, campaignStatus: 'on', abandonRate: 3, maxCallsPerAgent: 2, outboundLineCount: 10, dialerPace: 1, dialerConnectRate: 0.3, ...over,
});

/** A day of `minutes`, the campaign's counts from `counts(minute)`, the inbound queue meeting its target in the first half. */
function day(minutes: number, counts: (minute: number) => Partial<CampaignMinute>): MinuteSample[] {
  return Array.from({ length: minutes }, (_, minute) => ({
    minute,
    start: new Date(START + minute * 60_000).toISOString(),
    queues: Object.fromEntries(scenario.queues.map((q) => [q.id, queueMinute({ offered: 10, answered: 10, answeredWithinThreshold: minute < minutes / 2 ? 10 : 5 })])),
    campaigns: { [CAMPAIGN.id]: campaignMinute(counts(minute)) },
  }));
}

describe('summarise', () => {
  it('judges the worst 24-hour window ending at any minute: a bad morning shows though the day is under the cap', () => {
    // Prepare: 4 hours at 10 live calls a minute; 48 abandons in the second hour's last minute
    // (4% of the first two hours), none after: 2% over the day.
    const series = day(240, (m) => ({ liveAnswers: 10, complianceAbandons: m === 119 ? 48 : 0 }));

    // Act
    const c = summarise(scenario, series).campaigns[0]!;

    // Assess
    expect(c.abandonRateToDate).toBeCloseTo(0.02, 12);
    expect(c.worstAbandonRate24h).toBeCloseTo(0.04, 12);
    expect(c.worst24hLiveCalls).toBe(1200);
    expect(c.worst24hSpan).toEqual({ from: '2026-05-14T08:00:00.000Z', to: '2026-05-14T10:00:00.000Z' });
    // The worst hour: the 60 minutes ending with the bad minute, 48 of 600.
    expect(c.worstAbandonRate60min).toBeCloseTo(0.08, 12);
    expect(c.worst60minLiveCalls).toBe(600);
    // The US rule's one 30-day period is the whole run.
    expect(c.worstAbandonRate30d).toBeCloseTo(0.02, 12);
  });

  it('counts AMD false positives as abandoned live calls under the UK rule, not in the US figure', () => {
    // Prepare: 2% abandons as Genesys counts them, and 1.5 live people a minute hung up on by AMD.
    const series = day(120, (m) => ({ liveAnswers: 100, complianceAbandons: 2, amdFalsePositives: m % 2 === 0 ? 1 : 2 }));

    // Act
    const c = summarise(scenario, series).campaigns[0]!;

    // Assess: (2 + 1.5) / (100 + 1.5) a minute on the UK rule; 2% on Genesys's counts.
    expect(c.amdFalsePositives).toBe(180);
    expect(c.abandonRateToDate).toBeCloseTo((240 + 180) / (12_000 + 180), 12);
    expect(c.worstAbandonRate24h).toBeGreaterThan(0.03);
    expect(c.worstAbandonRate30d).toBeCloseTo(0.02, 12);
  });
});

describe('verdictOf', () => {
  it('judges no window after the run ends: a bad last minute counts with the day before it', () => {
    // Prepare: a clean day but 2 abandons among the last minute's 10 live calls.
    const summary = summarise(scenario, day(240, (m) => ({ liveAnswers: 10, complianceAbandons: m === 239 ? 2 : 0 })));

    // Act
    const verdict = verdictOf(summary)[0];

    // Assess: the worst window ends at the run's last minute and holds the whole day (2 of 2,400).
    expect(summary.campaigns[0]!.worst24hSpan).toEqual({ from: '2026-05-14T08:00:00.000Z', to: '2026-05-14T12:00:00.000Z' });
    expect(verdict).toContain('3% abandon cap kept under the UK 24-hour rule (worst 24-hour window 0.08% on 2400 live calls, holding 0:00-4:00 of the run)');
  });
});

describe('the verdict under the rule a campaign is paced for', () => {
  // The first minute abandons 1 of 3 live calls; the day then runs clean: the strict UK window
  // breaks, the US 30-day rate is far under 3%.
  const series = day(240, (m) => ({ liveAnswers: m === 0 ? 3 : 10, complianceAbandons: m === 0 ? 1 : 0 }));

  it('judges a US-paced campaign by its 30-day rate first, and says what the UK window would be', () => {
    // Prepare
    const rules = pacedRules({ config: configWith([{ campaignId: CAMPAIGN.id }]), mode: 'on' });

    // Act
    const summary = summarise(scenario, series, rules);

    // Assess
    expect(rules.get(CAMPAIGN.id)).toBe('US');
    expect(capBroken(summary.campaigns[0]!)).toBe(false);
    expect(verdictOf(summary)[0]).toBe(
      'Collections Predictive: 3% abandon cap kept under the US 30-day rule it is paced for (0.04%); under the UK 24-hour rule it would be broken (worst 24-hour window 33.33% on 3 live calls, holding 0:00-0:01 of the run).',
    );
  });

  it('judges a UK-paced campaign by the strict window, and a run with no controller on as before', () => {
    // Prepare
    const uk = configWith([{ campaignId: CAMPAIGN.id, compliance: { window: { type: 'rolling', hours: 24 } } }]);

    // Act
    const paced = summarise(scenario, series, pacedRules({ config: uk, mode: 'on' }));
    const off = summarise(scenario, series, pacedRules({ config: uk, mode: 'off' }));

    // Assess
    expect(capBroken(paced.campaigns[0]!)).toBe(true);
    expect(verdictOf(paced)[0]).toMatch(/^Collections Predictive: 3% abandon cap BROKEN under the UK 24-hour rule it is paced for \(worst 24-hour window 33\.33%/);
    expect(off.campaigns[0]!.rule).toBeUndefined();
    expect(verdictOf(off)[0]).toMatch(/^Collections Predictive: 3% abandon cap BROKEN under the UK 24-hour rule \(worst/);
  });
});

describe('formatSummary', () => {
  const series = day(240, (m) => ({ liveAnswers: m === 0 ? 3 : 10, complianceAbandons: m === 0 ? 1 : 0 }));
  const summary = summarise(scenario, series);

  it('gives a verdict: the cap broken by the strict window with its live calls, and the SL target attainment', () => {
    // Act
    const verdict = verdictOf(summary);

    // Assess: one abandon on the first 3 live calls breaks the 24-hour rule, strictly read.
    expect(verdict[0]).toBe(
      'Collections Predictive: 3% abandon cap BROKEN under the UK 24-hour rule (worst 24-hour window 33.33% on 3 live calls, holding 0:00-0:01 of the run); kept under the US 30-day rule (0.04%).',
    );
    expect(verdict).toContain('Inbound Service: service-level target 80% met in 50% of 15-minute intervals (8 of 16).');
  });

  it('fits 100 columns, puts the verdict first and warns when the controller was off', () => {
    // Act
    const on = formatSummary(summary, 12, { controller: 'on' });
    const off = formatSummary(summary, 0, { controller: 'off' });

    // Assess
    for (const line of [...on.split('\n'), ...off.split('\n')]) expect(line.length).toBeLessThanOrEqual(100);
    expect(on.split('\n')[0]).toBe('Verdict');
    expect(on).not.toContain('WARNING');
    expect(off.split('\n')[0]).toMatch(/^WARNING: with the controller off/);
    expect(off.replace(/\n/g, ' ')).toMatch(/^WARNING: with the controller off, the campaigns' static settings broke the 3% abandon cap: Collections Predictive 33\.33%/);
    expect(on).toMatch(/Collections Predictive\s+2393\s+1\s+0\s+0\.0%\s+33\.3% on 3\s+33\.3% on 3/);
  });
});
