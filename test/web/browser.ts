/**
 * What the explorer's browser tests share: the page built with esbuild into a temporary folder
 * and served on 127.0.0.1 (a random free port), Debian's chromium driven by playwright-core,
 * and pages that record console errors, uncaught exceptions and every requested URL.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.mjs';
import { startServer } from '../../scripts/serve-web.mjs';

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
  const errors: string[] = [], requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  return { page, errors, requests };
}
