/**
 * The explorer as a static site: the folder `npm run build:web` writes works from any static
 * host at any path. It is served here from a sub-path (/some/sub/path/) by a plain file server,
 * with and without the cross-origin isolation headers, and must load every file it asks for
 * (relative paths: no 404), draw the cell, and train in its worker on the WebAssembly kernels
 * either way (the explorer trains on one thread, so isolation changes nothing visible).
 * `_headers` carries the isolation headers for hosts that read it. `npm run explorer -- --port N`
 * on a busy port, or with a bad option, stops with one line on stderr and a non-zero exit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ISOLATION_HEADERS, buildWeb } from '../../scripts/build-web.mjs';
import { startServer } from '../../scripts/serve-web.mjs';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const noBrowser = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM} (apt install chromium): static site test not run`;
const SUB = 'some/sub/path/';

let work: string, site: string;
const servers: Server[] = [];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'lstm-static-'));
  site = join(work, 'root', ...SUB.split('/').filter(Boolean));
  await buildWeb(site);
});

after(() => {
  for (const s of servers) s.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('build:web writes _headers with the cross-origin isolation headers', () => {
  const headers = readFileSync(join(site, '_headers'), 'utf8');
  for (const [k, v] of Object.entries(ISOLATION_HEADERS)) assert.ok(headers.includes(`  ${k}: ${v}\n`), headers);
  assert.match(headers, /^\/\*\n/);
});

describe('the built explorer from a sub-path of a static host', { skip: noBrowser }, () => {
  let browser: Browser;
  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
  });

  for (const isolate of [false, true]) {
    test(`${isolate ? 'with' : 'without'} the isolation headers: every file loads, the worker trains on the WebAssembly kernels`, async () => {
      const { server, url } = await startServer(join(work, 'root'), 0, { isolate });
      servers.push(server);
      const page = await browser.newPage();
      const errors: string[] = [], failed: string[] = [], loaded: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('response', (r) => (r.status() === 200 ? loaded : failed).push(`${r.status()} ${r.url()}`));
      try {
        await page.goto(`${url}${SUB}`);
        assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), isolate);
        await page.waitForSelector('#cell svg');
        await page.click('#train');
        await page.waitForFunction(() => Number(document.querySelector('#loss-steps')?.textContent) > 20, null, { timeout: 30000 });
        assert.match((await page.textContent('#backend')) ?? '', /wasm/);
        await page.click('#train');
        assert.deepEqual(failed, [], 'no request failed');
        assert.deepEqual(errors, []);
        for (const f of ['app.js', 'worker.js', 'styles.css']) assert.ok(loaded.some((l) => l.endsWith(`/${SUB}${f}`)), `${f} loaded from the sub-path`);
      } finally {
        await page.close();
      }
    });
  }
});

describe('npm run explorer', () => {
  const serve = (...args: string[]): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, ['scripts/serve-web.mjs', ...args], { encoding: 'utf8', timeout: 30000 });

  test('a busy port: one line naming the port and the option, exit 1, nothing built', async () => {
    const { server } = await startServer(work, 0);
    servers.push(server);
    const port = (server.address() as AddressInfo).port;
    const r = serve('--port', String(port));
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `explorer: port ${port} is already in use; pick another: npm run explorer -- --port ${port + 1}\n`);
  });

  test('a bad option or port: one line with the usage, exit 2', () => {
    for (const args of [['--port', 'abc'], ['--port'], ['--prot', '80']]) {
      const r = serve(...args);
      assert.equal(r.status, 2, args.join(' '));
      const lines = String(r.stderr).trim().split('\n');
      assert.equal(lines.length, 1, String(r.stderr));
      assert.match(lines[0]!, /^explorer: .*usage: npm run explorer -- \[--port N\] \[--no-isolate\]\)$/);
    }
  });
});
