/**
 * The npm package as a stranger gets it. `npm pack` runs on a clean copy of the repository (the
 * files git tracks or would track, no dist/, no out/), so `prepack` must build everything; the
 * tarball is installed into a fresh temporary project (its dependencies come from npm's cache or
 * the registry), and that project uses it the ways the README says:
 *   - Node ESM (test/package/consumer/train.mjs): trains, saves and reloads on the wasm and the
 *     reference backends, and finds no onnxruntime-node (an optional peer dependency, so not
 *     installed): the onnxruntime engine says what to install; a minimal import bundled by
 *     esbuild for Node with "sideEffects" honoured;
 *   - TypeScript: tsc --noEmit, strict, against the shipped declarations, with moduleResolution
 *     bundler (a browser app, no Node types) and node16 (the Node script, checkJs);
 *   - the CLI from node_modules/.bin: `lstm --help`, `lstm forecast` on the shipped CSV, `lstm info`
 *     on its model (there is no src/ and no tsx in the install);
 *   - a browser app (consumer/page.ts) bundled by esbuild from the installed package, in Debian's
 *     chromium, served with and without the cross-origin isolation headers; and the README's
 *     no-bundler snippet with the single-file browser build. No request may leave the page's origin.
 * Timings and sizes are printed as diagnostics (the machine may be busy); the temporary folder is
 * removed at the end.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { startServer } from '../../scripts/serve-web.mjs';
import type { PageResult } from './consumer/page.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES = join(import.meta.dirname, 'consumer');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const noBrowser = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM} (apt install chromium): browser consumer not run`;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string; version: string; main: string; types: string; bin: Record<string, string>; sideEffects: boolean | string[];
  exports: Record<string, string | Record<string, string>>; engines: { node: string };
};

let work: string, app: string, tarball: string, files: string[];
const timings: Record<string, number> = {};
/** Environment for npm/npx/node children: none of the npm_* variables of an `npm test` parent. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

function timed<T>(label: string, f: () => T): T {
  const t0 = performance.now();
  try {
    return f();
  } finally {
    timings[label] = (timings[label] ?? 0) + (performance.now() - t0) / 1000;
  }
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) assert.fail(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The repository as a fresh clone would have it: tracked (and not ignored) files, node_modules linked. */
function cleanCopy(dest: string): void {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  for (const f of listed.split('\0')) {
    if (!f || !existsSync(join(ROOT, f))) continue; // deleted in the work tree, not yet committed
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(dest, f));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dest, 'node_modules'), 'dir');
}

before(() => {
  const t0 = performance.now();
  work = mkdtempSync(join(tmpdir(), 'lstm-ts-package-'));
  const clone = join(work, 'clone');
  timed('copy a clean tree', () => cleanCopy(clone));
  // Plain `npm pack`, as the README says: prepack builds dist/ first.
  const packed = timed('npm pack (prepack builds)', () => run('npm', ['pack', '--json', '--pack-destination', work], clone));
  // stdout holds prepack's own output, then npm's JSON report.
  const info = (JSON.parse(packed.slice(packed.search(/^\[$/m))) as Array<{ filename: string; files: Array<{ path: string }> }>)[0]!;
  tarball = join(work, info.filename);
  files = info.files.map((f) => f.path).sort();
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  for (const f of readdirSync(FIXTURES)) copyFileSync(join(FIXTURES, f), join(app, f));
  // @types/node for the Node TypeScript check, at the version the repository uses.
  const typesNode = (JSON.parse(readFileSync(join(ROOT, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string }).version;
  timed('npm install (tarball + @types/node)', () => run('npm', ['install', tarball, `@types/node@${typesNode}`, '--no-audit', '--no-fund', '--prefer-offline'], app));
  timings['before: total'] = (performance.now() - t0) / 1000;
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the build, declarations, kernels and browser build, and nothing a consumer does not need', (t) => {
  const size = readFileSync(tarball).length;
  t.diagnostic(`${pkg.name}-${pkg.version}.tgz: ${(size / 1024).toFixed(1)} KiB, ${files.length} files; ` +
    Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', '));
  for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'bin/lstm.js', 'dist/src/index.js', 'dist/src/index.d.ts',
    'dist/src/cli/main.js', 'dist/src/kernels/wasm/build/bytes.js', 'dist/browser/lstm-ts.js', 'dist/browser/THIRD-PARTY-LICENSES.txt',
    'data/airline-passengers.csv']) {
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  const unwanted = files.filter((f) => /^(src|test|bench|demos|scripts|web|results|docs|out)\//.test(f) || /\.map$/.test(f) ||
    (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)) || /^dist\/src\/cli\/.*\.d\.ts$/.test(f) || (/^data\//.test(f) && !/^data\/(README\.md|airline-passengers\.)/.test(f)));
  assert.deepEqual(unwanted, [], 'no sources, tests, maps or large data');
  // Every path package.json points at is packed.
  const pointed = [pkg.main, pkg.types, ...Object.values(pkg.bin), ...(Array.isArray(pkg.sideEffects) ? pkg.sideEffects : []),
    ...Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))];
  for (const p of pointed) assert.ok(files.includes(p.replace(/^\.\//, '')), `${p} (named in package.json) is in the tarball`);
  assert.equal(existsSync(join(app, 'node_modules/lstm-ts/src')), false, 'no src/ installed');
  assert.equal(existsSync(join(app, 'node_modules/tsx')), false, 'no tsx installed');
});

test('Node ESM: train, save and reload on the wasm and the reference backends', () => {
  const out = JSON.parse(timed('node consumer', () => run(process.execPath, ['train.mjs'], app))) as {
    backends: string[]; runs: Record<string, { backend: string; first: number; last: number; reloadedSame: boolean; predictions: number[] }>;
    engine: { onnxruntime: string; auto: { engine: string; reason: string } };
  };
  // onnxruntime-node is an optional peer dependency: not installed with the package.
  assert.match(out.engine.onnxruntime, /needs the npm package onnxruntime-node, an optional peer dependency of lstm-ts that is not installed: npm install onnxruntime-node@/);
  assert.equal(out.engine.auto.engine, 'wasm');
  assert.match(out.engine.auto.reason, /onnxruntime is not usable here/);
  assert.ok(out.backends.includes('wasm') && out.backends.includes('reference'), `backends: ${out.backends}`);
  for (const name of ['wasm', 'reference']) {
    const r = out.runs[name]!;
    assert.equal(r.backend, name);
    assert.ok(r.last < r.first / 5, `${name}: loss ${r.first} → ${r.last}`);
    assert.ok(r.reloadedSame, `${name}: the reloaded model predicts the same`);
  }
  const diff = Math.max(...out.runs.wasm!.predictions.map((v, i) => Math.abs(v - out.runs.reference!.predictions[i]!)));
  assert.ok(diff < 1e-3, `wasm vs reference predictions after the same training: max |diff| ${diff}`);
});

test('a Node bundle of the smallest import still gets the wasm backend ("sideEffects": false)', async () => {
  const result = await build({
    absWorkingDir: app, entryPoints: ['side.mjs'], outfile: join(app, 'side.bundle.mjs'), bundle: true, platform: 'node',
    format: 'esm', packages: 'bundle', logLevel: 'silent', metafile: true,
  });
  assert.ok(Object.keys(result.metafile.inputs).some((f) => f.includes('node_modules/lstm-ts/dist/src/')), 'bundled from dist/src (the Node build)');
  const out = JSON.parse(run(process.execPath, ['side.bundle.mjs'], app)) as { backend: string; shape: number[]; finite: boolean };
  assert.equal(out.backend, 'wasm', 'the WebAssembly backend loaded in the bundle');
  assert.deepEqual(out.shape, [4, 1, 3]);
  assert.ok(out.finite);
});

test('TypeScript: the shipped declarations type-check strictly (moduleResolution bundler and node16)', () => {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  for (const config of ['tsconfig.bundler.json', 'tsconfig.node16.json']) {
    timed('tsc', () => run(process.execPath, [tsc, '-p', config], app));
  }
});

test('CLI from the install: --help, forecast on the shipped CSV, info on its model', () => {
  const lstm = (...args: string[]): string => timed('CLI', () => run('npx', ['--no-install', 'lstm', ...args], app));
  assert.match(lstm('--help'), /Usage: lstm \[options\] \[command\][\s\S]*forecast/);
  assert.equal(lstm('--version').trim(), pkg.version);
  const forecast = JSON.parse(lstm('forecast', 'node_modules/lstm-ts/data/airline-passengers.csv', '--column', 'Passengers', '--date', 'Month',
    '--epochs', '4', '--ensemble', '1', '--out', 'out/airline', '--json')) as { forecast: number[]; dates: string[]; model: string; plot: string };
  assert.equal(forecast.forecast.length, 12, 'a 12-month forecast (the detected season)');
  assert.ok(forecast.forecast.every((v) => Number.isFinite(v) && v > 0), `forecast ${forecast.forecast}`);
  assert.equal(forecast.dates[0], '1961-01');
  assert.ok(existsSync(join(app, forecast.model)) && existsSync(join(app, forecast.plot)));
  const info = JSON.parse(lstm('info', 'out/airline/model.safetensors', '--json')) as { kind: string; parameters: number };
  assert.equal(info.kind, 'forecast');
  assert.ok(info.parameters > 0);
});

describe('browser consumers in chromium', { skip: noBrowser }, () => {
  let browser: Browser;
  const servers: Server[] = [];
  let site: string;

  before(async () => {
    site = join(app, 'site');
    mkdirSync(site);
    // The user's bundle: esbuild, as an app bundles it (the browser platform picks the `browser` export).
    const t0 = performance.now();
    const result = await build({
      absWorkingDir: app, entryPoints: ['page.ts'], outfile: join(site, 'app.js'), bundle: true, platform: 'browser',
      format: 'esm', target: ['es2022'], minify: true, metafile: true, logLevel: 'silent',
    });
    timings['esbuild page'] = (performance.now() - t0) / 1000;
    assert.deepEqual(result.warnings.map((w) => w.text), []);
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(inputs.some((f) => f.endsWith('node_modules/lstm-ts/dist/browser/lstm-ts.js')), `bundled from the browser build: ${inputs.join(', ')}`);
    copyFileSync(join(app, 'index.html'), join(site, 'index.html'));
    // The README's no-bundler page: its snippet, next to the single-file build.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const snippet = /<!-- browser-snippet:start -->\s*```html\n([\s\S]*?)```\s*<!-- browser-snippet:end -->/.exec(readme);
    assert.ok(snippet, 'README has the browser snippet between <!-- browser-snippet:start/end --> markers');
    writeFileSync(join(site, 'plain.html'), snippet[1]!);
    cpSync(join(app, 'node_modules/lstm-ts/dist/browser/lstm-ts.js'), join(site, 'lstm-ts.js'));
    let server: Server, url: string;
    ({ server, url } = await startServer(site, 0));
    servers.push(server);
    isolatedUrl = url;
    ({ server, url } = await startServer(site, 0, { isolate: false }));
    servers.push(server);
    plainUrl = url;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  let isolatedUrl: string, plainUrl: string;

  after(async () => {
    await browser?.close();
    for (const s of servers) s.close();
  });

  /** Open `url`, wait for `expr` to be truthy; fail on page errors or a request to another origin. */
  async function open<T>(url: string, expr: string): Promise<T> {
    const page = await browser.newPage();
    const origin = new URL(url).origin;
    const foreign: string[] = [], errors: string[] = [];
    await page.route('**/*', (route) => {
      const u = route.request().url();
      if (new URL(u).origin === origin) return route.continue();
      foreign.push(u);
      return route.abort();
    });
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith('data:') && !u.startsWith(`blob:${origin}/`) && new URL(u).origin !== origin) foreign.push(u);
    });
    let failed: (e: Error) => void = () => {};
    const pageError = new Promise<never>((_, reject) => (failed = reject));
    page.on('pageerror', (e) => {
      errors.push(e.message);
      failed(new Error(`page error at ${url}: ${e.message}`));
    });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    try {
      await page.goto(url);
      const handle = await Promise.race([page.waitForFunction(expr, null, { timeout: 60000 }), pageError]);
      const value = (await handle.jsonValue()) as T;
      assert.deepEqual(errors, [], 'no page errors');
      assert.deepEqual(foreign, [], 'no request left the page\'s origin');
      return value;
    } finally {
      await page.close();
    }
  }

  const bundled = (url: string): Promise<PageResult | string> =>
    open<PageResult | string>(url, '(async () => window.result && await window.result)()');

  function checkRuns(r: PageResult): void {
    assert.match(r.nodeOnlyError, /^node:fs\.\w+ is Node-only: .*decodeModel/, 'a Node-only function says so');
    assert.ok(r.bytesRoundTrip, 'encodeModel → decodeModel predicts the same');
    for (const [name, run] of Object.entries(r.runs)) {
      assert.ok(run.last < run.first / 5, `${name}: loss ${run.first} → ${run.last}`);
      assert.ok(run.predictions.every(Number.isFinite), `${name}: finite predictions`);
    }
    const diff = Math.max(...r.runs['wasm-2']!.predictions.map((v, i) => Math.abs(v - r.runs.reference!.predictions[i]!)));
    assert.ok(diff < 1e-3, `wasm vs reference predictions: max |diff| ${diff}`);
  }

  test('bundled app, cross-origin isolated: the kernels load, 2 threads, trains and predicts', async (t) => {
    const r = await bundled(isolatedUrl);
    if (typeof r === 'string') assert.fail(r);
    assert.equal(r.crossOriginIsolated, true);
    assert.equal(r.shared, true, 'shared memory');
    assert.equal(r.threads, 2);
    assert.ok(r.workersReady >= 1, `workers ready: ${r.workersReady}`);
    checkRuns(r);
    const js = readFileSync(join(site, 'app.js'));
    t.diagnostic(`app bundle (esbuild --minify): ${(js.length / 1024).toFixed(1)} KiB, gzipped ${(gzipSync(js, { level: 9 }).length / 1024).toFixed(1)} KiB; ${r.variant} SIMD`);
  });

  test('bundled app, not isolated: one thread, no worker, same training', async () => {
    const r = await bundled(plainUrl);
    if (typeof r === 'string') assert.fail(r);
    assert.equal(r.crossOriginIsolated, false);
    assert.equal(r.shared, false);
    assert.equal(r.threads, 1);
    assert.equal(r.workersReady, 0);
    checkRuns(r);
  });

  test('the README\'s no-bundler snippet runs with the single-file build', async (t) => {
    for (const base of [isolatedUrl, plainUrl]) {
      const text = await open<string>(`${base}plain.html`, String.raw`/loss [\d.]+ → [\d.]+/.test(document.querySelector('output')?.textContent) && document.querySelector('output').textContent`);
      const m = /loss ([\d.]+) → ([\d.]+)/.exec(text);
      assert.ok(m, `page text: ${text}`);
      assert.ok(Number(m[2]) < Number(m[1]) / 5, text);
      t.diagnostic(text);
    }
    const file = readFileSync(join(site, 'lstm-ts.js'));
    t.diagnostic(`dist/browser/lstm-ts.js: ${(file.length / 1024).toFixed(1)} KiB, gzipped ${(gzipSync(file, { level: 9 }).length / 1024).toFixed(1)} KiB`);
  });
});
