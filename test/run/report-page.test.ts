/// <reference lib="dom" />
/**
 * The run report in headless Chromium under two locales: every chart draws its data, legends show
 * values without hovering, the verdict is at the top; and the charts show what the configuration
 * moves, in the units their axes say.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartsOf, renderReport } from '../../sim/run/report.js';
import { runScenario, type RunResult } from '../../sim/run/run-scenario.js';
import { launchChromium, type BrowserLocale } from '../support/browser.js';

const dir = mkdtempSync(join(tmpdir(), 'pacing-report-'));
const CAMPAIGN = '5d1e4f3c-0000-4000-8000-00000000c001';
let run: RunResult;
let file: string;

beforeAll(async () => {
  // Two hours of the default scenario (the surge included), controller on.
  const scenario = JSON.parse(readFileSync('sim/scenarios/blended-surge.json', 'utf8')) as Record<string, unknown>;
  const scenarioFile = join(dir, 'short.json');
  writeFileSync(scenarioFile, JSON.stringify({ ...scenario, duration: '02:00' }));
  run = await runScenario({ scenarioFile, controllerFile: 'sim/controllers/blended-surge.json', mode: 'on', seed: 3 });
  file = join(dir, 'report.html');
  writeFileSync(file, renderReport(run));
}, 120_000);

describe('the report charts', () => {
  it('draws every knob the configuration moves: the lines and the compliance loop abandon target, with their bounds', () => {
    // Act
    const knobs = chartsOf(run).filter((c) => c.id.startsWith('knob-'));

    // Assess: blended-surge paces outboundLineCount; its compliance loop moves abandonRate.
    expect(knobs.map((c) => c.id)).toEqual([`knob-${CAMPAIGN}-outboundLineCount`, `knob-${CAMPAIGN}-abandonRate`]);
    expect(knobs[0]!.series.map((s) => s.label)).toEqual(['outboundLineCount', 'lower bound', 'upper bound']);
    expect(knobs[0]!.series[2]!.values[0]).toBe(40);
    expect(knobs[1]!.yLabel).toBe('Genesys abandon target (%)');
  });

  it('draws rates in percent on axes titled in percent, the strict window beside the cap, and says what each line means', () => {
    // Act
    const charts = chartsOf(run);
    const abandon = charts.find((c) => c.id === `abandon-${CAMPAIGN}`)!;
    const sl = charts.find((c) => c.id.startsWith('sl-'))!;

    // Assess
    expect(abandon.yLabel).toBe('abandon rate (%)');
    expect(abandon.series.map((s) => s.label.replace(/ \(worst .*\)$/, ''))).toEqual(['to date', 'strict 24-hour window', '60-minute window', 'cap']);
    expect(abandon.series[1]!.label).toMatch(/^strict 24-hour window \(worst \d+\.\d\d% on \d+ live calls\)$/);
    expect(abandon.series.at(-1)!.values[0]).toBe(3);
    expect(abandon.note).toMatch(/To date: .* Strict 24-hour window: .* 60-minute window: .* Cap: the 3%/);
    expect(sl.yLabel).toBe('service level (%)');
    expect(sl.series.at(-1)!.values[0]).toBe(80);
    const rates = [...abandon.series[0]!.values, ...sl.series[0]!.values].filter((v): v is number => v !== null);
    expect(Math.max(...rates)).toBeGreaterThan(1);
  });
});

const LOCALES: Array<{ name: string; locale: BrowserLocale; language: string }> = [
  // What a machine with LANG=C.UTF-8 gives: a tag Intl rejects.
  { name: 'LANG=C.UTF-8', locale: { LANG: 'C.UTF-8' }, language: 'en-US@posix' },
  { name: 'de-DE', locale: { lang: 'de-DE' }, language: 'de-DE' },
];

describe.each(LOCALES)('the report in headless Chromium under $name', ({ locale, language }) => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => {
    browser = await launchChromium(locale);
  });
  afterAll(async () => browser?.close());

  it('draws every chart full width with its data, shows the last values in the legends and the verdict at the top', async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));

    // The locale under test is the one pages see (the report falls back from a tag Intl rejects).
    expect(await page.evaluate(() => navigator.language)).toBe(language);

    // Act
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });

    // Assess
    expect(errors).toEqual([]);
    const charts = chartsOf(run);
    const drawn = await page.$$eval('.chart', (boxes) =>
      boxes.map((box) => {
        const canvas = box.querySelector('canvas')!;
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        // Coloured pixels: the lines (axes, grid and labels are grey).
        let line = 0;
        for (let i = 0; i < pixels.length; i += 4) if (pixels[i + 3]! > 100 && Math.max(pixels[i]!, pixels[i + 1]!, pixels[i + 2]!) - Math.min(pixels[i]!, pixels[i + 1]!, pixels[i + 2]!) > 40) line += 1;
        const values = Array.from(box.querySelectorAll('.u-legend .u-series td.u-value')).slice(1).map((td) => td.textContent ?? '');
        return { id: (box as HTMLElement).dataset.chart, line, values, width: canvas.getBoundingClientRect().width, page: document.getElementById('charts')!.clientWidth };
      }),
    );
    expect(drawn.map((d) => d.id)).toEqual(charts.map((c) => c.id));
    for (const d of drawn) {
      expect(d.line, `${d.id}: data drawn`).toBeGreaterThan(500);
      expect(d.values.length, `${d.id}: a legend value per line`).toBe(charts.find((c) => c.id === d.id)!.series.length);
      for (const v of d.values) expect(v, `${d.id}: legend value`).toMatch(/^-?\d+(\.\d+)?(%| lines)?$/);
      expect(d.width, `${d.id}: full width`).toBeGreaterThan(0.9 * d.page);
    }
    const verdict = await page.textContent('#verdict');
    // The shipped controller paces the campaign for the US rule: its verdict comes first, the UK window beside it.
    expect(verdict).toMatch(/Collections Predictive: 3% abandon cap (kept|BROKEN) under the US 30-day rule it is paced for \(\d+\.\d\d%\); under the UK 24-hour rule it would be (kept|broken) \(worst 24-hour window \d+\.\d\d% on \d+ live calls/);
    expect(verdict).toMatch(/Inbound Service: service-level target 80% met in \d+% of 15-minute intervals/);
    expect(await page.evaluate(() => document.getElementById('verdict')!.compareDocumentPosition(document.getElementById('charts')!) & Node.DOCUMENT_POSITION_FOLLOWING)).toBeTruthy();
    expect(await page.locator('.chart .note').count()).toBe(1);
  });
});
