#!/usr/bin/env node
// Builds the explorer page (web/) into a static folder that works from any host or path:
// esbuild bundles web/src/main.ts (the page) and web/src/worker.ts (training) from the
// library's TypeScript sources, and index.html and styles.css are copied beside them.
// The library's Node-only imports (node:fs, node:path, ...; cli-progress, loaded by the trainer
// only for a terminal progress bar; csv-parse, which reads CSV files) are only used by code
// paths the page never takes; they
// resolve to a stub whose functions throw if ever called.
// Usage: node scripts/build-web.mjs [outdir]   (default web/dist)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const NODE_NAMES = {
  fs: ['readFileSync', 'writeFileSync', 'existsSync', 'mkdirSync', 'openSync', 'closeSync', 'fsyncSync', 'writeSync',
    'renameSync', 'unlinkSync', 'readdirSync', 'statSync', 'createReadStream', 'promises'],
  'fs/promises': ['open', 'rename', 'unlink', 'readFile', 'writeFile', 'mkdir'],
  path: ['join', 'dirname', 'basename', 'extname', 'resolve', 'relative', 'sep'],
  crypto: ['randomBytes', 'createHash'],
  url: ['fileURLToPath', 'pathToFileURL'],
  os: ['tmpdir', 'cpus'],
  'cli-progress': ['SingleBar', 'MultiBar'],
  'csv-parse': ['parse'],
};

/** node:X → a CommonJS stub exporting X's usual names as functions that throw when called. */
export const nodeStub = {
  name: 'node-stub',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path.slice(5), namespace: 'node-stub' }));
    b.onResolve({ filter: /^(cli-progress|csv-parse)$/ }, (args) => ({ path: args.path, namespace: 'node-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, (args) => {
      const names = NODE_NAMES[args.path] ?? [];
      const body = names.map((n) => `  ${JSON.stringify(n)}: unavailable(${JSON.stringify(n)}),`).join('\n');
      return {
        loader: 'js',
        contents: `function unavailable(name) { return function () { throw new Error('${args.path}.' + name + ' is not available in the browser'); }; }\nmodule.exports = {\n${body}\n};\n`,
      };
    });
  },
};

export async function buildWeb(outdir = join(root, 'web', 'dist'), { minify = true } = {}) {
  mkdirSync(outdir, { recursive: true });
  const t0 = performance.now();
  await build({
    entryPoints: { app: join(root, 'web/src/main.ts'), worker: join(root, 'web/src/worker.ts') },
    outdir, bundle: true, format: 'esm', platform: 'browser', target: ['es2022'], minify, sourcemap: true,
    plugins: [nodeStub], logLevel: 'warning', legalComments: 'none',
  });
  for (const f of ['index.html', 'styles.css']) copyFileSync(join(root, 'web', f), join(outdir, f));
  return { outdir, ms: Math.round(performance.now() - t0) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { outdir, ms } = await buildWeb(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`built ${outdir} in ${ms} ms`);
}
