/**
 * A tick's decisions as a terminal table no wider than 100 columns: per campaign the knob, its
 * old and new value, the measured value against the setpoint, and what the tick did and why.
 */
import type { CampaignReport, TickSummary } from '../tick.js';
import { formatTable } from './text-table.js';

/** Terminal width every line is kept within. */
export const TABLE_WIDTH = 100;
const CAMPAIGN_WIDTH = 24;

/** `text` cut to `width` characters, an ellipsis marking the cut. */
export function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

const percent = (v: number | undefined) => (v === undefined ? '-' : `${(v * 100).toFixed(2)}%`);

function change(previous: number | undefined, next: number | undefined): string {
  if (previous === undefined) return next === undefined ? '-' : `-> ${next}`;
  return next === undefined || next === previous ? `${previous}` : `${previous} -> ${next}`;
}

function rowsOf(c: CampaignReport): string[][] {
  const label = fit(c.name ?? c.campaignId, CAMPAIGN_WIDTH);
  const why = `${c.outcome}: ${c.reason}${c.message ? ` (${c.message})` : ''}`;
  const rows = [[label, c.knob, change(c.previousValue, c.newValue), `${percent(c.measured)} / ${percent(c.setpoint)}`, why]];
  const loop = c.compliance;
  // The compliance loop's own knob, when it is another one and moved.
  if (loop && loop.knob !== c.knob && loop.newValue !== undefined && loop.newValue !== loop.previousValue) {
    rows.push(['', loop.knob, change(loop.previousValue, loop.newValue), `${percent(loop.measuredRate)} / ${percent(loop.allowedRate)}`, `compliance: ${loop.reason}`]);
  }
  return rows;
}

/** The tick's heading line and its decisions table, every line at most {@link TABLE_WIDTH} columns. */
export function formatDecisions(summary: TickSummary, tickNumber: number): string {
  const counts = Object.entries(summary.counts)
    .filter(([, n]) => n > 0)
    .map(([outcome, n]) => `${n} ${outcome}`)
    .join(', ');
  const heading = `Tick ${tickNumber} at ${summary.tickTime}${summary.dryRun ? ' (dry run)' : ''}: ${counts || 'no campaigns'}`;
  const header = ['campaign', 'knob', 'old -> new', 'measured / setpoint', 'outcome: reason'];
  const rows = summary.campaigns.flatMap(rowsOf);
  // The reason column takes what the others leave of the width.
  const used = header.slice(0, -1).reduce((sum, h, i) => sum + Math.max(h.length, ...rows.map((r) => r[i]!.length)) + 2, 0);
  const table = formatTable(header, rows.map((r) => [...r.slice(0, -1), fit(r.at(-1)!, Math.max(header.at(-1)!.length, TABLE_WIDTH - used))]));
  return [heading, ...table.split('\n')].map((line) => fit(line, TABLE_WIDTH)).join('\n');
}
