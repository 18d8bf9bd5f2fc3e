/**
 * The full-size memory measurements behind the README's table, each in its own process with
 * --expose-gc: 1,000,000-step streaming inference (chunks of 1000, and one LSTM.step per
 * step), 1,000,000-step truncated-BPTT training (windows of 100), and readCsv on 1,000,000
 * rows (with and without a date column). Prints one JSON line per run, then a markdown table.
 * Takes a few minutes (the LSTM.step and BPTT runs are about a minute each).
 *
 *   npm run memory            # everything
 *   npm run memory -- quick   # 100,000 steps / rows
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('quick');
const n = quick ? '100000' : '1000000';
const runs: Array<[string, string[], string]> = [
  ['stream', ['--steps', n, '--chunk', '1000'], `stream ${n} steps, chunks of 1000 (LSTM 2×32)`],
  ['stream', ['--steps', n, '--chunk', '1'], `stream ${n} steps, LSTM.step per step`],
  ['tbptt', ['--steps', n, '--window', '100'], `train ${n} steps, truncated BPTT window 100 (LSTM 32)`],
  ['csv', ['--rows', n, '--dates', '0'], `readCsv ${n} rows × 3 numeric columns`],
  ['csv', ['--rows', n, '--dates', '1'], `readCsv ${n} rows × 3 numeric + date column`],
];
const rows: string[] = [];
for (const [name, args, label] of runs) {
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name} ${args.join(' ')} failed:\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').at(-1)!;
  console.log(line);
  const j = JSON.parse(line);
  rows.push(j.script === 'csv'
    ? `| ${label} | ${j.fileMB} MB file | ${j.peakRssMB} MB (+${j.peakOverBeforeMB} MB = ${j.peakOverBeforePerFileSize}× file) | heap after GC ${j.heapAfterMB} MB | ${j.seconds} s |`
    : `| ${label} | ${j.backend} | ${j.peakRssMB} MB | heap ${j.heapGrowthMB >= 0 ? '+' : ''}${j.heapGrowthMB} MB, RSS ${j.rssGrowthMB >= 0 ? '+' : ''}${j.rssGrowthMB} MB first→last sample | ${j.seconds} s |`);
}
console.log('\n| run | input | peak RSS | growth / retained | time |\n| --- | --- | --- | --- | --- |\n' + rows.join('\n'));
