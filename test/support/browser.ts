/**
 * A headless Chromium for page tests: Debian's /usr/bin/chromium when installed, otherwise the
 * build shipped inside the @sparticuz/chromium npm package (so a fresh `npm ci` suffices).
 */
import { existsSync } from 'node:fs';
import chromiumPackage from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function launchChromium(): Promise<Browser> {
  const system = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(system)) return chromium.launch({ executablePath: system, args: FLAGS });
  return chromium.launch({ executablePath: await chromiumPackage.executablePath(), args: [...chromiumPackage.args, ...FLAGS] });
}
