/// <reference lib="dom" />
/**
 * The `npm start` pipeline on a short day: the real handler paces the twin, then the report
 * is opened in headless Chromium.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { renderReport, chartsOf } from '../../sim/run/report.js';
import { runScenario, type RunResult } from '../../sim/run/run-scenario.js';
import { formatSummary, summarise } from '../../sim/run/summary.js';
import { launchChromium } from '../support/browser.js';

const dir = mkdtempSync(join(tmpdir(), 'pacing-start-'));
let run: RunResult;

beforeAll(async () => {
  // Two hours of the default scenario, surge included, keep the test short.
  const scenario = JSON.parse(readFileSync('sim/scenarios/blended-surge.json', 'utf8')) as Record<string, unknown>;
  const scenarioFile = join(dir, 'short.json');
  writeFileSync(scenarioFile, JSON.stringify({ ...scenario, duration: '02:00' }));
  run = await runScenario({ scenarioFile, controllerFile: 'sim/controllers/blended-surge.json', mode: 'on', seed: 3 });
});

describe('npm start pipeline', () => {
  it('runs the real handler once per simulated minute and writes to the twin', () => {
    expect(run.ticks).toHaveLength(120);
    expect(run.ticks.every((t) => t.counts.error === 0)).toBe(true);
    expect(run.ticks[0]!.campaigns[0]!.reason).toBe('initialised');
    expect(run.patches).toBeGreaterThan(0);
    const written = run.ticks.flatMap((t) => t.campaigns.filter((c) => c.outcome === 'written'));
    expect(written).toHaveLength(run.patches);
    // What the controller wrote is what the twin ran with: each tick comes at the start of its
    // minute, so the last minute's sample shows every write.
    const before = run.ticks.flatMap((t) => t.campaigns);
    const campaignId = before[0]!.campaignId;
    const end = run.timeSeries.at(-1)!.campaigns[campaignId]!;
    expect(end.outboundLineCount).toBe(before.at(-1)!.newValue);
    const lastCompliance = before.filter((c) => c.outcome === 'written' && c.compliance?.newValue !== undefined).at(-1);
    if (lastCompliance) expect(end.abandonRate).toBeCloseTo(lastCompliance.compliance!.newValue!);
  });

  it('is reproducible: the same seed gives the same day', async () => {
    // A new "container": the handler keeps its configuration per module instance.
    vi.resetModules();
    const again = await runScenario({ scenarioFile: join(dir, 'short.json'), controllerFile: 'sim/controllers/blended-surge.json', mode: 'on', seed: 3 });
    expect(again.patches).toBe(run.patches);
    expect(summarise(again.scenario, again.timeSeries)).toEqual(summarise(run.scenario, run.timeSeries));
  });

  describe('the report in headless Chromium', () => {
    let browser: Awaited<ReturnType<typeof launchChromium>>;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => browser?.close());

    it('draws every chart with no console errors', async () => {
      const summary = summarise(run.scenario, run.timeSeries);
      const file = join(dir, 'report.html');
      writeFileSync(file, renderReport(run, summary, formatSummary(summary, run.patches)));
      const page = await browser.newPage({ locale: 'en-US' });
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`file://${file}`);
      await page.waitForSelector('body[data-ready="true"]');
      const charts = chartsOf(run);
      expect(await page.locator('.chart canvas').count()).toBe(charts.length);
      // Every canvas has drawn pixels, not just a blank box.
      const inked = await page.$$eval('.chart canvas', (canvases) =>
        canvases.map((c) => {
          const canvas = c as HTMLCanvasElement;
          const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          let n = 0;
          for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) n += 1;
          return n;
        }),
      );
      expect(inked.every((n) => n > 500)).toBe(true);
      expect(await page.textContent('#summary')).toContain('PATCHes written');
      expect(errors).toEqual([]);
    });
  });
});
