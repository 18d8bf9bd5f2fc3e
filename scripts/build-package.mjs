#!/usr/bin/env node
// Builds what the npm package ships into a clean dist/ (run by `prepack`, so `npm pack` and
// `npm publish` build first):
//   dist/src/**.js, .d.ts   tsc's output for Node and for bundlers' type checking (declarations marked
//                           @internal are left out: they name WebAssembly types a Node-only consumer lacks; no source
//                           maps: src/ is not shipped). The WebAssembly kernels are inside, in
//                           dist/src/kernels/wasm/build/bytes.js (base64).
//   dist/browser/lstm-ts.js the whole library as one ES module for browsers (esbuild; Node-only
//                           modules replaced by the stubs of browser-stub.mjs): the `browser`
//                           condition of package.json's exports, and the file a page without a
//                           bundler imports. Whitespace and syntax are minified, names are kept
//                           (readable stack traces). THIRD-PARTY-LICENSES.txt beside it holds
//                           the licences of the dependencies bundled into it.
// Usage: node scripts/build-package.mjs
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nodeStub } from './browser-stub.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The browser bundle: src/index.ts → outfile. Fails on any esbuild warning. Returns bundled packages. */
export async function buildBrowser(outfile, { minify = 'names-kept' } = {}) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const result = await build({
    entryPoints: [join(root, 'src/index.ts')], outfile, bundle: true, format: 'esm', platform: 'browser',
    target: ['es2022'], plugins: [nodeStub], metafile: true, logLevel: 'silent', legalComments: 'none',
    ...(minify === 'names-kept' ? { minifyWhitespace: true, minifySyntax: true } : { minify }),
    banner: { js: `// ${pkg.name} ${pkg.version} (${pkg.license}), browser build. Bundled dependencies and their licences: THIRD-PARTY-LICENSES.txt` },
  });
  if (result.warnings.length > 0) {
    throw new Error(`browser bundle: ${result.warnings.length} esbuild warning(s), first: ${result.warnings[0].text}`);
  }
  const packages = new Set();
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) packages.add(m[1]);
  }
  return [...packages].sort();
}

/** The licence texts of bundled npm packages, one after another. */
function thirdPartyLicenses(packages) {
  const parts = [];
  for (const name of packages) {
    const dir = join(root, 'node_modules', name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^licen[cs]e(\.|$)/i.test(f));
    if (!file) throw new Error(`no licence file in node_modules/${name}`);
    parts.push(`${name} ${pkg.version} (${pkg.license})\n\n${readFileSync(join(dir, file), 'utf8').trim()}\n`);
  }
  return `The browser build lstm-ts.js bundles these npm packages:\n\n${parts.join('\n' + '-'.repeat(72) + '\n\n')}`;
}

export async function buildPackage() {
  const t0 = performance.now();
  const dist = join(root, 'dist');
  rmSync(dist, { recursive: true, force: true });
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--sourceMap', 'false', '--stripInternal'],
    { stdio: 'inherit' });
  mkdirSync(join(dist, 'browser'), { recursive: true });
  const packages = await buildBrowser(join(dist, 'browser/lstm-ts.js'));
  writeFileSync(join(dist, 'browser/THIRD-PARTY-LICENSES.txt'), thirdPartyLicenses(packages));
  return { dist, packages, ms: Math.round(performance.now() - t0) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { dist, packages, ms } = await buildPackage();
  console.log(`built ${dist} in ${ms} ms (browser build bundles ${packages.join(', ') || 'no npm packages'})`);
}
