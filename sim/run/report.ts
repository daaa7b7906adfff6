/**
 * A self-contained HTML report of a twin run: uPlot (inlined, so the page works offline) draws
 * the series the runner embeds as JSON.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { KnobName } from '../../lambda/config/schema.js';
import type { RunResult } from './run-scenario.js';
import { ABANDON_CAP, capBroken, controllerOffWarning, formatSummary, pacedRules, percent, servedQueueIds, summarise, verdictOf, type RunSummary } from './summary.js';
import { DAY_MINUTES, HOUR_MINUTES, ukRuleCounts } from './windows.js';

const require = createRequire(import.meta.url);
const UPLOT_JS = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
const UPLOT_CSS = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');

/** One chart: a title, a y-axis label and named series over the run's minutes. */
export interface Chart {
  id: string;
  title: string;
  /** The axis title, with its unit, e.g. "abandon rate (%)". */
  yLabel: string;
  /** Appended to values in the legend, e.g. "%". */
  unit?: string;
  /** Decimals shown in the legend (2 unless set). */
  decimals?: number;
  series: Array<{ label: string; values: Array<number | null>; dash?: boolean }>;
  /** A sentence under the chart saying what its lines mean. */
  note?: string;
}

const ROLLING_MINUTES = 15;

/** Fractions as percentages, for charts whose axes are titled in percent. */
export const asPercent = (values: Array<number | null>): Array<number | null> => values.map((v) => (v === null ? null : 100 * v));

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

/** How each knob reads on a chart. */
const KNOB_AXIS: Record<KnobName, { yLabel: string; unit: string; decimals: number }> = {
  outboundLineCount: { yLabel: 'outbound lines', unit: ' lines', decimals: 0 },
  maxCallsPerAgent: { yLabel: 'calls per agent', unit: '', decimals: 2 },
  abandonRate: { yLabel: 'Genesys abandon target (%)', unit: '%', decimals: 2 },
};

/**
 * The knobs drawn for a campaign: every knob its configuration moves (the pacing knob and the
 * compliance loop's), with their bounds; a campaign the configuration leaves alone shows the knob
 * its dialing mode paces by.
 */
function knobsOf(run: RunResult, campaignId: string, dialingMode: string): Array<{ name: KnobName; min?: number; max?: number }> {
  const configured = run.config.campaigns.find((c) => c.campaignId === campaignId);
  if (!configured) return [{ name: dialingMode === 'agentless' ? 'outboundLineCount' : 'maxCallsPerAgent' }];
  const knobs = [configured.knob, configured.compliance.knob];
  return knobs.filter((k, i) => knobs.findIndex((o) => o.name === k.name) === i).map(({ name, min, max }) => ({ name, min, max }));
}

/** What the abandon chart's lines mean, under it. */
export const ABANDON_CHART_NOTE =
  'The to-date, 24-hour and 60-minute lines count AMD false positives as abandons (the UK rule). To date: abandons over live calls since the run began. ' +
  'Strict 24-hour window: the same over the 24 hours ending at each minute, the night before silent, so within a run ' +
  'shorter than a day it follows the to-date line; the UK rule holds every such window, however few its live calls, and ' +
  'the worst one is in its label and in the verdict (windows ending after the run are not judged: the campaign dials on). 60-minute window: the last ' +
  'hour, the peak callers feel. Cap: the 3% the US and UK rules allow.';

/** Builds the charts of a run. */
export function chartsOf(run: RunResult, summary: RunSummary = summarise(run.scenario, run.timeSeries, pacedRules(run))): Chart[] {
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
        yLabel: 'service level (%)',
        unit: '%',
        decimals: 1,
        series: [
          { label: `${ROLLING_MINUTES}-min service level`, values: asPercent(rolling(m.map((x) => x?.answeredWithinThreshold ?? 0), m.map((x) => x?.offered ?? 0), ROLLING_MINUTES)) },
          ...(controlled.length ? [{ label: 'measured by the controller', values: asPercent(controlled) }] : []),
          { label: 'target', values: m.map(() => 100 * q.serviceLevel.percentage), dash: true },
        ],
      });
      charts.push({
        id: `waiting-${q.id}`,
        title: `Calls waiting in ${q.name}`,
        yLabel: 'calls waiting',
        decimals: 1,
        series: [{ label: 'waiting (mean per minute)', values: m.map((x) => x?.waiting ?? null) }],
      });
    }
    charts.push({
      id: `agents-${q.id}`,
      title: `Agents of ${q.name}: busy and idle`,
      yLabel: 'agents',
      decimals: 1,
      series: [
        { label: 'busy', values: m.map((x) => x?.agentsBusy ?? null) },
        { label: 'idle', values: m.map((x) => x?.agentsIdle ?? null) },
        { label: 'logged in', values: m.map((x) => x?.agentsLoggedIn ?? null), dash: true },
      ],
    });
  }
  for (const c of run.scenario.campaigns) {
    const m = series.map((s) => s.campaigns[c.id]);
    for (const knob of knobsOf(run, c.id, c.dialingMode)) {
      const axis = KNOB_AXIS[knob.name];
      charts.push({
        id: `knob-${c.id}-${knob.name}`,
        title: `${c.name}: ${knob.name}${knob.min === undefined ? ' (not paced by the controller)' : ''}`,
        yLabel: axis.yLabel,
        unit: axis.unit,
        decimals: axis.decimals,
        series: [
          { label: knob.name, values: m.map((x) => x?.[knob.name] ?? null) },
          ...(knob.min === undefined ? [] : [{ label: 'lower bound', values: m.map(() => knob.min!), dash: true }, { label: 'upper bound', values: m.map(() => knob.max!), dash: true }]),
        ],
      });
    }
    const counts = m.map((x) => (x ? ukRuleCounts(x) : { abandons: 0, live: 0 }));
    const abandons = counts.map((x) => x.abandons);
    const live = counts.map((x) => x.live);
    const reports = series.map((s) => tickAt.get(Date.parse(s.start) + 60_000)?.campaigns.find((r) => r.campaignId === c.id && r.objective === 'abandonRate'));
    const controlled = reports.some((r) => r !== undefined);
    const worst = summary.campaigns.find((s) => s.campaignId === c.id);
    const worstLabel = worst?.worstAbandonRate24h == null ? '' : ` (worst ${percent(worst.worstAbandonRate24h, 2)} on ${worst.worst24hLiveCalls} live calls)`;
    charts.push({
      id: `abandon-${c.id}`,
      title: `${c.name}: abandon rate against the 3% cap`,
      yLabel: 'abandon rate (%)',
      unit: '%',
      series: [
        { label: 'to date', values: asPercent(cumulative(abandons, live)) },
        { label: `strict 24-hour window${worstLabel}`, values: asPercent(rolling(abandons, live, DAY_MINUTES)), dash: true },
        { label: '60-minute window', values: asPercent(rolling(abandons, live, HOUR_MINUTES)) },
        ...(controlled
          ? [
              { label: 'measured by the controller (Genesys counts)', values: asPercent(reports.map((r) => r?.measured ?? null)) },
              { label: 'setpoint', values: asPercent(reports.map((r) => r?.setpoint ?? null)), dash: true },
            ]
          : []),
        { label: 'cap', values: m.map(() => 100 * ABANDON_CAP), dash: true },
      ],
      note: ABANDON_CHART_NOTE,
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
.chart{margin:18px 0;width:100%}
.chart .u-legend td,.chart .u-legend th{border:none}
.note{font-size:13px;color:#444;max-width:100%}
#verdict li.broken{color:#b00020;font-weight:bold}
h2{font-size:16px;margin:4px 0}
</style></head><body>
<h1>${escapeHtml(page.title)}</h1>
${page.headerHtml}
<div id="charts"></div>
<script>
// uPlot builds its number format from navigator.language when it loads, and some systems report
// a tag Intl rejects (LANG=C.UTF-8 gives 'en-US@posix'): fall back to en-US so the charts draw.
try { new Intl.NumberFormat(navigator.language); } catch (e) {
  if (!(e instanceof RangeError)) throw e;
  Object.defineProperty(navigator, 'language', { value: 'en-US', configurable: true });
}
</script>
<script>${UPLOT_JS}</script>
<script>
const data = ${data};
const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];
const container = document.getElementById('charts');
const width = () => Math.max(320, container.clientWidth);
const plots = [];
for (const chart of data.charts) {
  const box = document.createElement('div');
  box.className = 'chart';
  box.dataset.chart = chart.id;
  const title = document.createElement('h2');
  title.textContent = chart.title;
  box.appendChild(title);
  container.appendChild(box);
  // Numbers formatted here, not by the locale: the same page reads the same everywhere.
  const decimals = chart.decimals ?? 2;
  const format = (v) => (v == null ? '--' : v.toFixed(decimals) + (chart.unit ?? ''));
  // The legend shows each line's last value until the cursor points elsewhere.
  const last = [data.times.length - 1, ...chart.series.map((s) => {
    for (let i = s.values.length - 1; i >= 0; i -= 1) if (s.values[i] != null) return i;
    return null;
  })];
  const showLast = (u) => u.setLegend({ idxs: last }, false);
  const plot = new uPlot({
    width: width(), height: 280,
    scales: { x: { time: true } },
    axes: [{}, { label: chart.yLabel, size: 60 }],
    series: [{}, ...chart.series.map((s, i) => ({ label: s.label, stroke: palette[i % palette.length], width: 1.5, dash: s.dash ? [6, 4] : undefined, spanGaps: true, value: (u, v) => format(v) }))],
    hooks: { ready: [showLast], setCursor: [(u) => { if (u.cursor.idx == null) showLast(u); }] },
  }, [data.times, ...chart.series.map((s) => s.values)], box);
  plots.push(plot);
  if (chart.note) {
    const note = document.createElement('p');
    note.className = 'note';
    note.textContent = chart.note;
    box.appendChild(note);
  }
}
window.addEventListener('resize', () => { for (const plot of plots) plot.setSize({ width: width(), height: 280 }); });
document.body.dataset.ready = 'true';
</script>
</body></html>
`;
}

/** The verdict at the top of a run's report: the same sentences as the terminal summary. */
export function verdictHtml(run: RunResult, summary: RunSummary): string {
  const broken = summary.campaigns.filter(capBroken).map((c) => `${c.name}:`);
  const items = verdictOf(summary).map((v) => `<li${broken.some((n) => v.startsWith(n)) ? ' class="broken"' : ''}>${escapeHtml(v)}</li>`);
  const warning = controllerOffWarning(summary, run.mode);
  return `<section id="verdict"><h2>Verdict</h2>${warning ? `<p class="warning"><b>${escapeHtml(warning)}</b></p>` : ''}<ul>${items.join('')}</ul></section>`;
}

/** Renders the report page of one run. */
export function renderReport(run: RunResult, summary: RunSummary = summarise(run.scenario, run.timeSeries, pacedRules(run)), summaryText = formatSummary(summary, run.patches, { controller: run.mode })): string {
  return renderChartPage({
    title: `Pacing run: ${run.scenario.name}`,
    headerHtml: `${verdictHtml(run, summary)}
<p>${escapeHtml(run.scenario.description ?? '')}</p>
<p>Controller: <b>${run.mode}</b>, seed ${run.seed}, ${run.timeSeries.length} simulated minutes, ${run.ticks.length} ticks, ${run.patches} PATCHes, ${(run.wallMs / 1000).toFixed(1)} s wall time.</p>
<pre id="summary">${escapeHtml(summaryText)}</pre>`,
    times: run.timeSeries.map((s) => Date.parse(s.start) / 1000 + 60),
    charts: chartsOf(run, summary),
  });
}
