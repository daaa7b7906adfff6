import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BLIND_OR_FAILED_QUERY, campaignOverTimeQuery, campaignWritesQuery } from '../../infra/log-queries.js';
import { CAMPAIGN_METRICS, FLEET_METRICS, reportTick, type ReportOptions } from '../../lambda/observability.js';
import type { CampaignReport, ComplianceReport, TickSummary } from '../../lambda/tick.js';

interface EmfRecord {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
  [key: string]: unknown;
}

/** Runs reportTick with real Powertools; the EMF records and the log lines it printed. */
function report(campaigns: CampaignReport[], options?: ReportOptions, warnings?: string[]): { emf: EmfRecord[]; logs: Array<Record<string, unknown>> } {
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
    ...(warnings ? { warnings } : {}),
  };
  reportTick(new Logger(), new Metrics(), summary, { errors: 2, throttled: 1 }, options);
  return {
    emf: printed.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as EmfRecord),
    logs: [...printed.filter((line) => !line.includes('"_aws"')), ...logs].map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** The EMF records reportTick printed. */
const emfOf = (campaigns: CampaignReport[], options?: ReportOptions) => report(campaigns, options).emf;

/** Each metric CloudWatch would bill: a name with its dimension values. */
const billedMetrics = (records: EmfRecord[]) =>
  new Set(records.flatMap((r) => r._aws.CloudWatchMetrics.flatMap((d) => d.Metrics.map((m) => `${m.Name}|${d.Dimensions[0]!.map((k) => `${k}=${String(r[k])}`).join(',')}`))));

const compliance = (overrides: Partial<ComplianceReport> = {}): ComplianceReport => ({
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
  ...overrides,
});
const abandon: CampaignReport = { campaignId: 'c-ab', objective: 'abandonRate', knob: 'abandonRate', outcome: 'written', reason: 'pid', measured: 0.031, sample: 400, compliance: compliance(), setpoint: 0.025, previousValue: 2.5, newValue: 2.25 };
const service: CampaignReport = { campaignId: 'c-sl', objective: 'inboundServiceLevel', knob: 'maxCallsPerAgent', outcome: 'held', reason: 'dead-band', measured: 0.8, setpoint: 0.8, newValue: 2 };

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('tick metrics', () => {
  it('by default publishes fleet-level metrics only: worst window rate, least budget, blind, warned and guarded campaigns, with the service dimension', () => {
    // Prepare
    const blind: CampaignReport = { campaignId: 'c-blind', objective: 'abandonRate', knob: 'abandonRate', outcome: 'held', reason: 'read-failed', setpoint: 0.025, blind: { ticks: 2, limit: 5, safeValue: 0.5 }, compliance: compliance({ windowRate: 0.01, remainingAbandons: -3, warning: false, guardTripped: true }) };

    // Act
    const records = emfOf([abandon, service, blind]);

    // Assess
    expect(records).toHaveLength(1);
    const [tick] = records;
    expect(tick!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service']]);
    expect(tick!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name).sort()).toEqual([...FLEET_METRICS].sort());
    expect(tick).toMatchObject({ WorstComplianceWindowAbandonRate: 0.028, LeastComplianceBudgetRemaining: -3, CampaignsBlind: 1, BlindCampaigns: 0, ComplianceWarnings: 1, ComplianceGuardTrips: 1 });
  });

  it('leaves the worst rate and least budget out, rather than report 0, when no campaign has a compliance window yet', () => {
    // Act
    const [tick] = emfOf([service]);

    // Assess
    expect(tick).not.toHaveProperty('WorstComplianceWindowAbandonRate');
    expect(tick).not.toHaveProperty('LeastComplianceBudgetRemaining');
    expect(tick).toMatchObject({ Ticks: 1, CampaignsBlind: 0 });
  });

  it('with perCampaign, also publishes every per-campaign metric with the service and campaignId dimensions', () => {
    // Act
    const records = emfOf([abandon, service], { perCampaign: true });

    // Assess
    const perCampaign = records.filter((r) => r.campaignId !== undefined);
    expect(perCampaign.map((r) => r.campaignId)).toEqual(['c-ab', 'c-sl']);
    for (const r of perCampaign) {
      expect(r._aws.CloudWatchMetrics[0]!.Namespace).toBe('GenesysPacing');
      expect(r._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'campaignId']]);
      expect(r.service).toBe('pacing-controller');
    }
    const names = (r: EmfRecord) => r._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name).sort();
    expect(names(perCampaign[0]!)).toEqual([...CAMPAIGN_METRICS].sort());
    expect(perCampaign[0]).toMatchObject({ ComplianceWindowAbandonRate: 0.028, ComplianceBudgetRemaining: 2, MeasuredValue: 0.031, Setpoint: 0.025, KnobValue: 2.25, Written: 1 });
    expect(names(perCampaign[1]!)).toEqual(['BlindTicks', 'Held', 'KnobValue', 'MeasuredValue', 'Setpoint', 'Written']);
    expect(records.find((r) => r.campaignId === undefined)!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service']]);
  });

  it.each([
    [100, undefined, 15],
    [500, undefined, 15],
    [100, { perCampaign: true }, 15 + 8 * 100],
    [500, { perCampaign: true }, 15 + 8 * 500],
  ])('bills a fixed number of metrics however many campaigns, 8 more per campaign only when asked (%i campaigns, %j)', (n, options, expected) => {
    // Prepare: every campaign with a measurement, a knob and a compliance window
    const campaigns = Array.from({ length: n }, (_, i) => ({ ...abandon, campaignId: `c-${i}` }));

    // Act
    const metrics = billedMetrics(emfOf(campaigns, options));

    // Assess
    expect(metrics.size).toBe(expected);
  });

  it("logs each of the tick's warnings at warn level", () => {
    // Act
    const { logs } = report([service], undefined, ['the org\'s outbound settings could not be read']);
    // Assess
    expect(logs).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'tick warning', warning: "the org's outbound settings could not be read" }));
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

describe('Logs Insights queries (infra/log-queries.ts)', () => {
  /** The fields a query reads: its words, less the language's own, `as` aliases (and a sort on one), @fields and quoted values. */
  function fieldsOf(query: string): string[] {
    const keywords = new Set(['filter', 'stats', 'fields', 'sort', 'by', 'and', 'or', 'asc', 'desc', 'avg', 'max', 'count', 'latest', 'bin', 'm']);
    const aliases = new Set([...query.matchAll(/\bas\s+(\w+)/g)].map((m) => m[1]!));
    const words = query
      .split('|')
      .flatMap((command) => {
        const text = command.replace(/"[^"]*"/g, ' ').replace(/@\w+/g, ' ').replace(/\bas\s+\w+/g, ' ');
        const found = text.match(/[A-Za-z_][\w.]*/g) ?? [];
        return command.trim().startsWith('sort') ? found.filter((w) => !aliases.has(w)) : found;
      });
    return [...new Set(words.filter((w) => !keywords.has(w)))];
  }
  /** A log line's fields as Logs Insights names them: nested objects flattened with dots. */
  function flatten(o: Record<string, unknown>, prefix = ''): string[] {
    return Object.entries(o).flatMap(([k, v]) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? flatten(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
  }

  it.each([
    ['campaign over time', campaignOverTimeQuery('c-ab'), abandon, ['measured', 'setpoint', 'newValue', 'compliance.windowRate', 'campaignId']],
    ['blind or failed', BLIND_OR_FAILED_QUERY, { ...service, outcome: 'error', reason: 'read-failed', message: 'timed out', blind: { ticks: 1, limit: 5, safeValue: 1 } } as CampaignReport, ['outcome', 'blind.ticks', 'reason', 'detail', 'campaignId']],
    ['writes of a campaign', campaignWritesQuery('c-ab'), abandon, ['eventId', 'outcome', 'reason', 'knob', 'previousValue', 'newValue', 'measured', 'setpoint', 'dryRun', 'campaignId']],
  ])('the %s query reads only fields the campaign\'s log line has', (_name, query, campaign, expected) => {
    // Act
    const { logs } = report([campaign]);

    // Assess
    const line = logs.find((l) => l.campaignId === campaign.campaignId)!;
    expect(fieldsOf(query).sort()).toEqual([...expected].sort());
    for (const field of fieldsOf(query)) expect(flatten(line), `field ${field}`).toContain(field);
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

describe('the README\'s Logs Insights queries', () => {
  it('are the ones the dashboard draws, word for word', () => {
    // Prepare
    const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md'), 'utf8');

    // Assess
    for (const query of [campaignOverTimeQuery('<campaign id>'), BLIND_OR_FAILED_QUERY, campaignWritesQuery('<campaign id>')]) {
      expect(readme).toContain(`\`\`\`\n${query}\n\`\`\``);
    }
  });
});
