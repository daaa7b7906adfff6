/**
 * A headless Chromium for page tests: Debian's /usr/bin/chromium when installed, otherwise the
 * build shipped inside the @sparticuz/chromium npm package (so a fresh `npm ci` suffices).
 */
import { existsSync } from 'node:fs';
import chromiumPackage from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Where the browser's language comes from: its process's `LANG`, or the `--lang` flag. */
export interface BrowserLocale {
  /** The process's LANG, e.g. 'C.UTF-8' (navigator.language is then 'en-US@posix'). */
  LANG?: string;
  /** Chromium's --lang flag, e.g. 'de-DE'. */
  lang?: string;
}

export async function launchChromium(locale: BrowserLocale = {}): Promise<Browser> {
  const system = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const flags = [...FLAGS, ...(locale.lang ? [`--lang=${locale.lang}`] : [])];
  // LC_ALL and LANGUAGE would override LANG: cleared so the test sees the locale it asked for.
  const env = locale.LANG ? { ...process.env, LANG: locale.LANG, LC_ALL: '', LANGUAGE: '' } : undefined;
  if (existsSync(system)) return chromium.launch({ executablePath: system, args: flags, ...(env ? { env } : {}) });
  return chromium.launch({ executablePath: await chromiumPackage.executablePath(), args: [...chromiumPackage.args, ...flags], ...(env ? { env } : {}) });
}
