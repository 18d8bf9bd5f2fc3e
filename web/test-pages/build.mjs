#!/usr/bin/env node
// Builds the browser test pages (web/test-pages/) into a static folder, bundled like the
// explorer (scripts/build-web.mjs: esbuild, ES modules, the same stub for Node-only imports).
// Serve the folder with scripts/serve-web.mjs's startServer and open threads.html.
// Usage: node web/test-pages/build.mjs [outdir]   (default out/test-pages)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nodeStub } from '../../scripts/build-web.mjs';
import { startServer } from '../../scripts/serve-web.mjs';

const here = dirname(fileURLToPath(import.meta.url));

export async function buildTestPages(outdir = resolve(here, '../../out/test-pages'), { minify = true } = {}) {
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { threads: join(here, 'threads.ts') },
    outdir, bundle: true, format: 'esm', platform: 'browser', target: ['es2022'], minify, sourcemap: true,
    plugins: [nodeStub], logLevel: 'warning', legalComments: 'none',
  });
  copyFileSync(join(here, 'threads.html'), join(outdir, 'threads.html'));
  return { outdir };
}

// `--serve [port]`: also serve it (with the cross-origin isolation headers unless --no-isolate).
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const { outdir } = await buildTestPages(args[0] && !args[0].startsWith('--') ? resolve(args[0]) : undefined);
  console.log(`built ${outdir}`);
  const at = args.indexOf('--serve');
  if (at >= 0) {
    const port = /^\d+$/.test(args[at + 1] ?? '') ? Number(args[at + 1]) : 8081;
    const { url } = await startServer(outdir, port, { isolate: !args.includes('--no-isolate') });
    console.log(`${url}threads.html (Ctrl-C to stop)`);
  }
}
