/**
 * A self-contained HTML report of a twin run: uPlot (inlined, so the page works offline) draws
 * the series the runner embeds as JSON.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { RunResult } from './run-scenario.js';
import { servedQueueIds, type RunSummary } from './summary.js';

const require = createRequire(import.meta.url);
const UPLOT_JS = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
const UPLOT_CSS = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');

/** One chart: a title, a y-axis label and named series over the run's minutes. */
export interface Chart {
  id: string;
  title: string;
  yLabel: string;
  series: Array<{ label: string; values: Array<number | null>; dash?: boolean }>;
}

const ROLLING_MINUTES = 15;

/** Ratio of sums over the last `width` minutes, per minute; null where the denominator is 0. */
export function rolling(nums: number[], dens: number[], width: number): Array<number | null> {
  return nums.map((_, i) => {
    let n = 0;
    let d = 0;
    for (let k = Math.max(0, i - width + 1); k <= i; k += 1) {
      n += nums[k]!;
      d += dens[k]!;
    }
    return d > 0 ? n / d : null;
  });
}

/** Ratio of sums since the start, per minute; null until the denominator is above 0. */
export function cumulative(nums: number[], dens: number[]): Array<number | null> {
  let n = 0;
  let d = 0;
  return nums.map((v, i) => {
    n += v;
    d += dens[i]!;
    return d > 0 ? n / d : null;
  });
}

/** Builds the charts of a run. */
export function chartsOf(run: RunResult): Chart[] {
  const series = run.timeSeries;
  const charts: Chart[] = [];
  const tickAt = new Map(run.ticks.map((t) => [Date.parse(t.tickTime), t]));
  const served = new Set(servedQueueIds(run.scenario));
  for (const q of run.scenario.queues) {
    const m = series.map((s) => s.queues[q.id]);
    const controlled = run.ticks.length
      ? series.map((s) => tickAt.get(Date.parse(s.start) + 60_000)?.campaigns.find((c) => c.queueId === q.id)?.measured ?? null)
      : [];
    if (served.has(q.id)) {
      charts.push({
      id: `sl-${q.id}`,
      title: `Service level of ${q.name} against its target`,
      yLabel: 'service level',
      series: [
        { label: `${ROLLING_MINUTES}-min service level`, values: rolling(m.map((x) => x?.answeredWithinThreshold ?? 0), m.map((x) => x?.offered ?? 0), ROLLING_MINUTES) },
        ...(controlled.length ? [{ label: 'measured by the controller', values: controlled }] : []),
        { label: 'target', values: m.map(() => q.serviceLevel.percentage), dash: true },
      ],
      });
      charts.push({
        id: `waiting-${q.id}`,
        title: `Calls waiting in ${q.name}`,
        yLabel: 'calls',
        series: [{ label: 'waiting (mean per minute)', values: m.map((x) => x?.waiting ?? null) }],
      });
    }
    charts.push({
      id: `agents-${q.id}`,
      title: `Agents of ${q.name}: busy and idle`,
      yLabel: 'agents',
      series: [
        { label: 'busy', values: m.map((x) => x?.agentsBusy ?? null) },
        { label: 'idle', values: m.map((x) => x?.agentsIdle ?? null) },
        { label: 'logged in', values: m.map((x) => x?.agentsLoggedIn ?? null), dash: true },
      ],
    });
  }
  for (const c of run.scenario.campaigns) {
    const m = series.map((s) => s.campaigns[c.id]);
    const knob = c.dialingMode === 'agentless' ? 'outboundLineCount' : 'maxCallsPerAgent';
    charts.push({
      id: `knob-${c.id}`,
      title: `${c.name}: pacing knobs`,
      yLabel: 'value',
      series: [
        { label: knob, values: m.map((x) => x?.[knob] ?? null) },
        { label: 'abandonRate target (%)', values: m.map((x) => x?.abandonRate ?? null), dash: true },
      ],
    });
    const abandons = m.map((x) => x?.complianceAbandons ?? 0);
    const live = m.map((x) => x?.liveAnswers ?? 0);
    const reports = series.map((s) => tickAt.get(Date.parse(s.start) + 60_000)?.campaigns.find((r) => r.campaignId === c.id && r.objective === 'abandonRate'));
    const controlled = reports.some((r) => r !== undefined);
    charts.push({
      id: `abandon-${c.id}`,
      title: `${c.name}: abandon rate against the 3% cap`,
      yLabel: 'abandon rate',
      series: [
        { label: 'to date', values: cumulative(abandons, live) },
        { label: '60-min rolling', values: rolling(abandons, live, 60) },
        ...(controlled
          ? [
              { label: 'measured by the controller', values: reports.map((r) => r?.measured ?? null) },
              { label: 'setpoint', values: reports.map((r) => r?.setpoint ?? null), dash: true },
            ]
          : []),
        { label: 'cap', values: m.map(() => 0.03), dash: true },
      ],
    });
  }
  return charts;
}

/** Escapes text for HTML. */
export const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);

/** A page of charts sharing one time axis (epoch seconds), each drawn by uPlot. */
export interface ChartPage {
  title: string;
  /** Trusted HTML placed above the charts. */
  headerHtml: string;
  times: number[];
  charts: Chart[];
}

/** Renders a self-contained page: uPlot inlined, series embedded as JSON. */
export function renderChartPage(page: ChartPage): string {
  const data = JSON.stringify({ times: page.times, charts: page.charts }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>${escapeHtml(page.title)}</title>
<style>${UPLOT_CSS}
body{font-family:system-ui,sans-serif;margin:24px;color:#222}
pre{background:#f5f5f5;padding:12px;overflow-x:auto}
table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
.chart{margin:18px 0}
h2{font-size:16px;margin:4px 0}
</style></head><body>
<h1>${escapeHtml(page.title)}</h1>
${page.headerHtml}
<div id="charts"></div>
<script>${UPLOT_JS}</script>
<script>
const data = ${data};
const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
for (const chart of data.charts) {
  const box = document.createElement('div');
  box.className = 'chart';
  box.dataset.chart = chart.id;
  const title = document.createElement('h2');
  title.textContent = chart.title;
  box.appendChild(title);
  document.getElementById('charts').appendChild(box);
  new uPlot({
    width: 900, height: 260,
    scales: { x: { time: true } },
    axes: [{}, { label: chart.yLabel }],
    series: [{}, ...chart.series.map((s, i) => ({ label: s.label, stroke: palette[i % palette.length], width: 1.5, dash: s.dash ? [6, 4] : undefined, spanGaps: true }))],
  }, [data.times, ...chart.series.map((s) => s.values)], box);
}
document.body.dataset.ready = 'true';
</script>
</body></html>
`;
}

/** Renders the report page of one run. */
export function renderReport(run: RunResult, summary: RunSummary, summaryText: string): string {
  return renderChartPage({
    title: `Pacing run: ${run.scenario.name}`,
    headerHtml: `<p>${escapeHtml(run.scenario.description ?? '')}</p>
<p>Controller: <b>${run.mode}</b>, seed ${run.seed}, ${run.timeSeries.length} simulated minutes, ${run.ticks.length} ticks, ${run.patches} PATCHes, ${(run.wallMs / 1000).toFixed(1)} s wall time.</p>
<pre id="summary">${escapeHtml(summaryText)}</pre>`,
    times: run.timeSeries.map((s) => Date.parse(s.start) / 1000 + 60),
    charts: chartsOf(run),
  });
}
