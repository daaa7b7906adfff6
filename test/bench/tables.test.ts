/**
 * `npm run bench` prints its figures within 100 columns (two tables a scenario); the markdown and
 * HTML tables keep every figure in one row.
 */
import { describe, expect, it } from 'vitest';
import { FIGURES, type Row } from '../../bench/grid.js';
import { htmlTable, markdownTable, terminalTables } from '../../bench/tables.js';

/** A row with the widest figures a run gives: rates of 100%, hundreds of PATCHes. */
function widest(controller: Row['controller'], label: string): Row {
  const figures = Object.fromEntries(FIGURES.map((f) => [f, { mean: 1, min: 1, max: 1 }])) as Row['figures'];
  figures.connectsPerAgentHour = { mean: 112.19, min: 100.5, max: 120.25 };
  figures.patches = { mean: 1234, min: 1000, max: 1500 };
  return { controller, label, figures, breaches: 10, seeds: 10, worstAbandon: 1, worstWindow: { rate: 1, liveCalls: 1234 } };
}

const ROWS = [
  widest('static', 'no controller'),
  widest('tutorial-pid', 'tutorial PID'),
  widest('adapt', 'VICIdial ADAPT'),
  widest('ours', 'ours'),
  widest('bound', 'hindsight-best static (maxCallsPerAgent=2.5)'),
];

describe('benchmark tables', () => {
  it('fit the terminal in 100 columns, every figure still shown', () => {
    // Act
    const text = terminalTables(ROWS);
    // Assess
    const widths = text.split('\n').map((line) => line.length);
    expect(Math.max(...widths)).toBeLessThanOrEqual(100);
    expect(text).toContain('100.00% on 1234 live calls');
    expect(text).toContain('best static');
    expect(text.match(/10\/10/g)).toHaveLength(5);
  });

  it('keep one full row per controller in markdown and HTML', () => {
    // Act
    const markdown = markdownTable(ROWS);
    const html = htmlTable(ROWS);
    // Assess
    expect(markdown.split('\n')).toHaveLength(2 + ROWS.length);
    expect(markdown).toContain('| hindsight-best static (maxCallsPerAgent=2.5) |');
    expect(html.match(/<tr>/g)).toHaveLength(1 + ROWS.length);
  });
});
