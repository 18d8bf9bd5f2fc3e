/**
 * What the explorer's browser tests share: the page built with esbuild into a temporary folder
 * and served on 127.0.0.1 (a random free port), Debian's chromium driven by playwright-core,
 * and pages that record console errors, uncaught exceptions and every requested URL. The tests
 * run on a shared, loaded machine: they never sleep a fixed time, they wait for a condition
 * (a resize applied, animations finished, a number reached), with generous time limits.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.mjs';
import { startServer } from '../../scripts/serve-web.mjs';

/** How long any page action or wait may take before the test fails (a busy 2-core machine is slow). */
export const PAGE_TIMEOUT_MS = 120_000;

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Site {
  browser: Browser;
  server: Server;
  url: string;
  /** A scratch folder for the test's files. */
  work: string;
  close(): Promise<void>;
}

export async function openSite(): Promise<Site> {
  const work = mkdtempSync(join(tmpdir(), 'lstm-web-'));
  const { outdir } = await buildWeb(join(work, 'site'), { minify: false });
  const { server, url } = await startServer(outdir, 0);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return {
    browser, server, url, work,
    async close() {
      await browser.close();
      server.close();
    },
  };
}

/** A page that records console errors, uncaught exceptions and every requested URL. */
export async function openPage(browser: Browser, width = 1300, height = 900): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width, height } });
  page.setDefaultTimeout(PAGE_TIMEOUT_MS);
  const errors: string[] = [], requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  return { page, errors, requests };
}

/** Resize the viewport and wait until the page has laid itself out at the new width (two frames). */
export async function resize(page: Page, width: number, height = 900): Promise<void> {
  await page.setViewportSize({ width, height });
  await page.waitForFunction((w) => document.documentElement.clientWidth <= w && window.innerWidth === w, width);
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

/** Wait until every animation on the page (the flow through the cell) has finished. */
export async function animationsFinished(page: Page): Promise<void> {
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState === 'finished'));
}
