/**
 * The benchmark's tables: one wide table per scenario for docs/benchmark.md, and the same figures
 * as two tables within 100 columns for the terminal (service and pace, then abandons).
 */
import { formatTable } from '../lambda/cli/text-table.js';
import { escapeHtml } from '../sim/run/report.js';
import type { Row, Spread } from './grid.js';

export const pct = (v: number | null | undefined, d = 1) => (v === null || v === undefined ? 'n/a' : `${(100 * v).toFixed(d)}%`);
export const num = (v: number | null | undefined, d = 2) => (v === null || v === undefined ? 'n/a' : v.toFixed(d));
/** The row's worst 24-hour window with the live calls it was measured on. */
export const onLive = (row: Row) => (row.worstWindow.rate === null ? 'n/a' : `${pct(row.worstWindow.rate, 2)} on ${row.worstWindow.liveCalls} live calls`);

const spread = (s: Spread, f: (v: number | null) => string) => `${f(s.mean)} [${f(s.min)}-${f(s.max)}]`;

/** Every figure of a row, in the order of {@link HEADER}. */
function cells(row: Row): string[] {
  return [
    row.label,
    spread(row.figures.slAttainment, (v) => pct(v)),
    pct(row.figures.worstIntervalSl.min),
    spread(row.figures.maxAbandon24h, (v) => pct(v, 2)),
    onLive(row),
    pct(row.figures.maxAbandon60min.max, 2),
    pct(row.figures.maxAbandonWindow.max, 2),
    `${row.breaches}/${row.seeds}`,
    spread(row.figures.occupancy, (v) => pct(v)),
    num(row.figures.connectsPerAgentHour.mean),
    num(row.figures.patches.mean, 0),
  ];
}

const HEADER = ['controller', 'SL attainment mean [min-max]', 'worst 15-min SL', 'abandon, worst 24 h: mean [min-max]', 'worst 24 h (max)', 'worst 60 min (max)', '30-day period (max)', 'breaches', 'occupancy mean [min-max]', 'connects/agent-h', 'PATCHes'];

/** The scenario's table for docs/benchmark.md: every figure in one row per controller. */
export function markdownTable(rows: readonly Row[]): string {
  return [`| ${HEADER.join(' | ')} |`, `|${HEADER.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${cells(r).join(' | ')} |`)].join('\n');
}

/** The scenario's table for the HTML report. */
export function htmlTable(rows: readonly Row[]): string {
  const tr = (cellsOf: readonly string[], tag: 'th' | 'td') => `<tr>${cellsOf.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
  return `<table>${tr(HEADER, 'th')}${rows.map((r) => tr(cells(r), 'td')).join('')}</table>`;
}

/** The short name of a row in the terminal: the hindsight-best static's setting is in the scenario's heading. */
const shortLabel = (row: Row) => (row.controller === 'bound' ? 'best static' : row.label);

/** The scenario's figures for the terminal: two tables, each within 100 columns. */
export function terminalTables(rows: readonly Row[]): string {
  // The columns of each table, by their index in the full row (HEADER).
  const table = (header: readonly string[], columns: readonly number[]) =>
    formatTable(
      ['controller', ...header],
      rows.map((r) => {
        const c = cells(r);
        return [shortLabel(r), ...columns.map((i) => c[i]!)];
      }),
      ['left', ...columns.map(() => 'right' as const)],
    );
  const pace = table(['SL attainment [min-max]', 'worst 15m SL', 'occupancy [min-max]', 'conn/agent-h', 'PATCHes'], [1, 2, 8, 9, 10]);
  const abandons = table(['abandon 24 h [min-max]', 'worst 24 h (max)', '60 min', '30 days', 'breaches'], [3, 4, 5, 6, 7]);
  return `${pace}\n\n${abandons}`;
}
