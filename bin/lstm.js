#!/usr/bin/env node
// The `lstm` command. In a source checkout (src/ present and tsx installed, as after `npm ci`)
// it runs src/cli/main.ts through tsx, so it never runs a stale build; in an installed package
// (no src/) it runs the compiled dist/src/cli/main.js produced by `npm run build`.
import { existsSync } from 'node:fs';

const src = new URL('../src/cli/main.ts', import.meta.url);
const dist = new URL('../dist/src/cli/main.js', import.meta.url);

async function load() {
  if (existsSync(src)) {
    let tsx = null;
    try {
      tsx = await import('tsx/esm/api');
    } catch {
      // No tsx (production install): fall through to the build.
    }
    if (tsx) return tsx.tsImport(src.href, import.meta.url);
  }
  if (!existsSync(dist)) {
    console.error('lstm: error: no build found in dist/; run `npm run build` (or `npm ci` in a source checkout)');
    process.exit(1);
  }
  return import(dist.href);
}

const { main } = await load();
await main(process.argv);
