#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's built-in test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [substring ...]   (only files whose path contains a substring)
// Every test's temporary files go to one directory of this run (TMPDIR), removed when all tests
// pass and kept (its path printed) when one fails, so that runs do not pile files up in /tmp.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = walk('test').sort().filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const tmp = mkdtempSync(join(tmpdir(), 'lstm-ts-tests-'));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, TMPDIR: tmp },
});
if (r.status === 0) rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
else console.error(`test temporary files kept in ${tmp}`);
process.exit(r.status ?? 1);
