/**
 * Peak memory of readCsv on a large file: writes a CSV of --rows rows (a date column and three
 * numeric columns, ~40 bytes a row) into a temp folder with a small write buffer, then reads
 * it in a fresh child process (so the writer's memory does not count) and reports that
 * process's peak RSS (VmHWM) before and after readCsv, as MB and as a multiple of the file
 * size, with the table it got. The loaded numbers alone are 24 bytes a row (three Float64
 * columns) plus the date strings.
 *
 *   node --expose-gc --import tsx scripts/memory/csv.ts --rows 1000000
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsv } from '../../src/data/csv.js';
import { MB, args, sample } from './mem.js';

const o = args({ rows: 1_000_000, file: '', dates: 1 });

if (o.file === '') {
  // Parent: write the file, then measure in a child.
  const dir = mkdtempSync(join(tmpdir(), 'csv-mem-'));
  const file = join(dir, 'big.csv');
  const out = createWriteStream(file, { highWaterMark: 1 << 16 });
  const write = (s: string): Promise<void> => (out.write(s) ? Promise.resolve() : new Promise((r) => out.once('drain', () => r())));
  await write('date,a,b,c\n');
  let chunk = '';
  for (let i = 0; i < o.rows; i++) {
    const d = new Date(Date.UTC(2000, 0, 1) + i * 3600_000).toISOString().slice(0, 13);
    chunk += `${d},${(Math.sin(i * 0.01) * 100).toFixed(3)},${(i % 977) / 7},${((i * 7919) % 10007) - 5000}\n`;
    if (chunk.length > 1 << 16) { await write(chunk); chunk = ''; }
  }
  await write(chunk);
  await new Promise<void>((r) => out.end(() => r()));
  const script = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, '--file', file, '--rows', String(o.rows), '--dates', String(o.dates)], { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(r.stderr);
  process.stdout.write(r.stdout);
} else {
  // Child: measure readCsv alone.
  const size = statSync(o.file).size;
  const before = sample();
  const t0 = performance.now();
  const table = await readCsv(o.file, o.dates ? { dateColumn: 'date' } : { columns: ['a', 'b', 'c'] });
  const seconds = (performance.now() - t0) / 1000;
  const after = sample();
  const grew = after.peakRss - before.rss;
  console.log(JSON.stringify({
    script: 'csv', rows: table.rows, columns: Object.keys(table.columns), dates: !!table.dates, fileMB: MB(size), seconds: Math.round(seconds * 10) / 10,
    rssBeforeMB: MB(before.rss), peakRssMB: MB(after.peakRss), peakOverBeforeMB: MB(grew), peakOverBeforePerFileSize: Math.round((grew / size) * 100) / 100,
    rssAfterMB: MB(after.rss), heapAfterMB: MB(after.heapUsed),
  }));
}
