import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportTick } from '../../lambda/observability.js';
import type { CampaignReport, ComplianceReport, TickSummary } from '../../lambda/tick.js';

interface EmfRecord {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
  [key: string]: unknown;
}

/** Runs reportTick with real Powertools; the EMF records and the log lines it printed. */
function report(campaigns: CampaignReport[]): { emf: EmfRecord[]; logs: Array<Record<string, unknown>> } {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  const printed: string[] = [];
  const logs: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
  for (const level of ['info', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation((line: unknown) => void logs.push(String(line)));
  const summary: TickSummary = {
    eventId: 'evt-1',
    tickTime: '2026-11-24T10:00:00.000Z',
    dryRun: false,
    durationMs: 1234,
    counts: { written: 1, 'would-write': 0, held: 1, skipped: 0, error: 0 },
    campaigns,
  };
  reportTick(new Logger(), new Metrics(), summary, { errors: 2, throttled: 1 });
  return {
    emf: printed.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as EmfRecord),
    logs: [...printed.filter((line) => !line.includes('"_aws"')), ...logs].map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** The EMF records reportTick printed. */
const emfOf = (campaigns: CampaignReport[]) => report(campaigns).emf;

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('tick metrics', () => {
  it('publishes every per-campaign metric with the service and campaignId dimensions, and the regulatory window\'s abandon rate and budget when the tick reports them', () => {
    // Prepare
    const compliance: ComplianceReport = {
      windowRate: 0.028,
      windowLive: 1000,
      windowAbandoned: 28,
      remainingAbandons: 2,
      remainingShare: 0.0667,
      allowedRate: 0.02,
      guardTripped: false,
      warning: true,
      knob: 'abandonRate',
      reason: 'pid',
    };
    const abandon: CampaignReport = { campaignId: 'c-ab', objective: 'abandonRate', knob: 'abandonRate', outcome: 'written', reason: 'pid', measured: 0.031, sample: 400, compliance, setpoint: 0.025, previousValue: 2.5, newValue: 2.25 };
    const service: CampaignReport = { campaignId: 'c-sl', objective: 'inboundServiceLevel', knob: 'maxCallsPerAgent', outcome: 'held', reason: 'dead-band', measured: 0.8, setpoint: 0.8, newValue: 2 };

    // Act
    const records = emfOf([abandon, service]);

    // Assess
    const perCampaign = records.filter((r) => r.campaignId !== undefined);
    expect(perCampaign.map((r) => r.campaignId)).toEqual(['c-ab', 'c-sl']);
    for (const r of perCampaign) {
      expect(r._aws.CloudWatchMetrics[0]!.Namespace).toBe('GenesysPacing');
      expect(r._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'campaignId']]);
      expect(r.service).toBe('pacing-controller');
    }
    const names = (r: EmfRecord) => r._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name).sort();
    expect(names(perCampaign[0]!)).toEqual(['BlindTicks', 'ComplianceBudgetRemaining', 'ComplianceWindowAbandonRate', 'Held', 'KnobValue', 'MeasuredValue', 'Setpoint', 'Written']);
    expect(perCampaign[0]).toMatchObject({ ComplianceWindowAbandonRate: 0.028, ComplianceBudgetRemaining: 2, MeasuredValue: 0.031, Setpoint: 0.025, KnobValue: 2.25, Written: 1 });
    const tickRecord = records.find((r) => r.campaignId === undefined)!;
    expect(tickRecord).toMatchObject({ ComplianceWarnings: 1 });
    expect(names(perCampaign[1]!)).toEqual(['BlindTicks', 'Held', 'KnobValue', 'MeasuredValue', 'Setpoint', 'Written']);
  });

  it('publishes the tick\'s totals with the service dimension only', () => {
    // Act
    const records = emfOf([{ campaignId: 'c-ab', objective: 'abandonRate', knob: 'abandonRate', outcome: 'held', reason: 'write-deferred', setpoint: 0.025, auditFailed: true }]);

    // Assess
    const tick = records.find((r) => r.Ticks !== undefined)!;
    expect(tick._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service']]);
    expect(tick).toMatchObject({ Ticks: 1, TickDurationMs: 1234, ApiErrors: 2, GenesysThrottles: 1, WritesDeferred: 1, AuditWriteFailures: 1 });
  });
});

describe('tick logs', () => {
  it('keep each campaign report\'s message, as "detail" (Powertools drops a "message" field)', () => {
    // Prepare
    const failed: CampaignReport = { campaignId: 'c-ab', objective: 'abandonRate', knob: 'abandonRate', outcome: 'error', reason: 'write-failed', setpoint: 0.025, message: 'Genesys answered 400 on abandonRate' };

    // Act
    const { logs } = report([failed]);

    // Assess
    const line = logs.find((l) => l.campaignId === 'c-ab')!;
    expect(line).toMatchObject({ level: 'ERROR', message: 'campaign tick failed', detail: 'Genesys answered 400 on abandonRate', reason: 'write-failed' });
    expect(logs.some((l) => String(l.message).includes('reserved key'))).toBe(false);
  });
});
