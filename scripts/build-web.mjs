#!/usr/bin/env node
// Builds the explorer page (web/) into a static folder that works from any host or path:
// esbuild bundles web/src/main.ts (the page) and web/src/worker.ts (training) from the
// library's TypeScript sources, and index.html and styles.css are copied beside them. Every
// path is relative, so the folder can be served from any static host at any path; `_headers`
// asks hosts that read it for cross-origin isolation (see ISOLATION_HEADERS).
// The page imports the library through its public entry, src/index.ts.
// The library's Node-only imports (node:fs, node:path, ...; csv-parse and cli-progress) are only
// used by code paths the page never takes; they resolve to the stubs of browser-stub.mjs, whose
// functions throw if ever called (the package's browser build, dist/browser, does the same).
// Usage: node scripts/build-web.mjs [outdir]   (default web/dist)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nodeStub } from './browser-stub.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export { nodeStub }; // for web/test-pages/build.mjs

/**
 * Response headers for hosts that read a `_headers` file (Netlify, Cloudflare Pages): cross-origin
 * isolation, so the WebAssembly memory can be shared with worker threads. Other hosts: set the
 * same two headers in their configuration (README, "The explorer as a static site").
 */
export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export async function buildWeb(outdir = join(root, 'web', 'dist'), { minify = true } = {}) {
  mkdirSync(outdir, { recursive: true });
  const t0 = performance.now();
  await build({
    entryPoints: { app: join(root, 'web/src/main.ts'), worker: join(root, 'web/src/worker.ts') },
    outdir, bundle: true, format: 'esm', platform: 'browser', target: ['es2022'], minify, sourcemap: true,
    plugins: [nodeStub], logLevel: 'warning', legalComments: 'none',
  });
  for (const f of ['index.html', 'styles.css']) copyFileSync(join(root, 'web', f), join(outdir, f));
  writeFileSync(join(outdir, '_headers'), `/*\n${Object.entries(ISOLATION_HEADERS).map(([k, v]) => `  ${k}: ${v}\n`).join('')}`);
  return { outdir, ms: Math.round(performance.now() - t0) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { outdir, ms } = await buildWeb(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`built ${outdir} in ${ms} ms`);
}
