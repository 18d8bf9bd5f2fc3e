/**
 * Issue 13, one test per numbered item (1–6, 9, 13–16), each written against what the old code
 * did: every one failed on the code before the fix (run once against it). Attacks that hung or
 * allocated gigabytes run in a bounded child process (test/helpers/hostile.ts), which kills them
 * at a time or memory cap instead of letting them take the machine down. The library is used as
 * a namespace (`lib.x`) so that a function the old code lacked fails its own test only.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lib from '../../src/index.js';
import { BIN, lstm } from '../cli/helpers.js';
import { LOADERS, tinyLanguageModel, tinyModel } from '../helpers/loaders.js';
import { CONTROL_TEXT, ONNX_ONE as ONE, assertPrintable, assertRefused, bounded, describeRun, hostileChild, int64s as ints, onnxGraph as graph } from '../helpers/hostile.js';

const SCENARIOS = fileURLToPath(new URL('./hostile-scenarios.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const be = { backend: 'reference' };
const dir = mkdtempSync(join(tmpdir(), 'harden-'));
const csvLoader = LOADERS.find((l) => l.name.startsWith('CSV'))!;

/** Run `lstm args | head -c 10` in a shell; the command's exit code, stderr and the time taken. */
function piped(args: string): { code: number; stderr: string; out: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" ${args} 2>"${dir}/piped.err" | head -c 10; exit \${PIPESTATUS[0]}`], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stderr: readFileSync(join(dir, 'piped.err'), 'utf8'), out: r.stdout, ms: performance.now() - t0 };
}

/** A CLI failure: exit 1, exactly one line on stderr, no stack trace, control characters escaped. */
function oneLine(r: { code: number | null; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr.slice(0, 2000)}`);
  assert.ok(!/\n\s+at /.test(r.stderr), 'stack trace');
  assert.match(lines[0]!, re);
  assertPrintable(r.stderr.trimEnd());
}

describe('1. wide CSV headers', () => {
  test('a 200,000-column header with no column named is refused in bounded time and memory', async () => {
    const p = join(dir, 'wide.csv');
    const names = Array.from({ length: 200_000 }, (_, i) => i.toString(36));
    writeFileSync(p, `${names.join(',')}\n${names.map(() => '1').join(',')}\n`);
    const r = await bounded(await hostileChild(), csvLoader.name, p, { timeoutMs: 60_000, maxMB: 700 });
    console.log(`  readCsv, 200k columns (${statSync(p).size} bytes): ${describeRun(r)}`); // old: killed (memory), 1.6 GB of column buffers
    assertRefused(r, p, /the header has 200000 columns and none were named .*over the limit csvColumns/);
  });

  test('lstm forecast on 5,000 numeric columns prints one short line, not every column name', () => {
    const p = join(dir, 'five-thousand.csv');
    const names = Array.from({ length: 5000 }, (_, i) => `col${i}`);
    writeFileSync(p, `${names.join(',')}\n${names.map(() => '1').join(',')}\n`);
    const r = lstm(['forecast', p, '--out', join(dir, 'out-wide')]);
    oneLine(r, /choose a column with --column \(numeric columns: col0, col1, .*… \(5000 in all\)\)/);
    assert.ok(r.stderr.length < 1000, `${r.stderr.length} characters`); // old: 34 KB
  });
});

describe('2. regex backtracking and unbounded quotes in CSV errors', () => {
  test('a 60 KB cell of digits ending in "x" is rejected in linear time', async () => {
    const p = join(dir, 'digits.csv');
    writeFileSync(p, `x\n${'1'.repeat(60_000)}x\n`);
    const t0 = performance.now();
    await assert.rejects(lib.readCsv(p, { columns: ['x'] }), /expected a number/);
    const ms = performance.now() - t0;
    assert.ok(ms < 2000, `${ms.toFixed(0)} ms`); // old: quadratic, 16 s (64 s for 120 KB)
  });

  test('a 1 MB cell that overflows to Infinity is quoted in at most a few dozen characters', async () => {
    const p = join(dir, 'overflow.csv');
    writeFileSync(p, `x\n${'9'.repeat(1_000_000)}\n`);
    const e = await lib.readCsv(p, { columns: ['x'] }).then(() => null, (err: Error) => err);
    assert.ok(e instanceof lib.FormatError, String(e));
    assert.match(e.message, /expected a finite number, found "9{40}…" \(1000000 characters\) \(beyond the float64 range\)/);
    assert.ok(e.message.length < 300, `${e.message.length} characters`); // old: the whole megabyte
  });
});

describe('3. ONNX graphs with unbounded work', () => {
  test('ConstantOfShape 1024×1024 then MatMul (131 bytes) is refused before the product, by name, at once', () => {
    const bytes = graph([
      { opType: 'ConstantOfShape', input: ['s'], output: ['a'], attribute: [ONE] },
      { opType: 'MatMul', input: ['a', 'a'], output: ['y'] },
    ], [ints('s', [1024, 1024])], 'y', [1024, 1024]);
    const t0 = performance.now();
    assert.throws(() => lib.loadOnnx(bytes, { name: 'mm.onnx', ...be }).run({}),
      /mm\.onnx: node 1 \(MatMul\): a product of 1×\[1024, 1024\]×\[1024, 1024\] brings the run to .* over the limit onnxWork/);
    assert.ok(performance.now() - t0 < 2000); // old: ran the 2^30 multiply-adds (166 s for 2048×2048)
  });

  test('an LSTM node is charged its output memory and work before it computes', () => {
    const H = 32, T = 1024, B = 8;
    const bytes = graph([
      { opType: 'ConstantOfShape', input: ['xs'], output: ['x'], attribute: [ONE] },
      { opType: 'ConstantOfShape', input: ['ws'], output: ['w'], attribute: [ONE] },
      { opType: 'ConstantOfShape', input: ['rs'], output: ['r'], attribute: [ONE] },
      { opType: 'LSTM', input: ['x', 'w', 'r'], output: ['y'], attribute: [{ name: 'hidden_size', type: 2, i: H }] },
    ], [ints('xs', [T, B, 1]), ints('ws', [1, 4 * H, 1]), ints('rs', [1, 4 * H, H])], 'y', [T, 1, B, H]);
    const t0 = performance.now();
    assert.throws(() => lib.loadOnnx(bytes, { ...be, limits: { onnxMemory: 1 << 20 } }).run({}),
      /node 3 \(LSTM\): LSTM over 1024 steps × 8 sequences \(hidden 32\) brings the tensors alive to \d+ bytes, over the limit onnxMemory/);
    assert.throws(() => lib.loadOnnx(bytes, { ...be, limits: { onnxWork: 1e7 } }).run({}), /node 3 \(LSTM\): .* over the limit onnxWork/);
    assert.ok(performance.now() - t0 < 2000); // refused before its 3.5e7 multiply-adds
    // The same graph runs under the default budget.
    const y = lib.loadOnnx(bytes, be).run({}).y!;
    assert.deepEqual(y.shape, [T, 1, B, H]);
  });
});

describe('4. TF.js weight shards', () => {
  const tfjsFolder = (name: string): { d: string; json: Record<string, any>; weights: Uint8Array } => {
    const d = join(dir, name);
    mkdirSync(d);
    const { json, weights } = lib.encodeTfjsModel(tinyModel(), 'w.bin');
    return { d, json, weights };
  };

  test('a shard that links to a file outside the folder is not read, its size not told, nothing converted', () => {
    const { d, json, weights } = tfjsFolder('tfjs-link');
    const secret = join(dir, 'secret.bin');
    writeFileSync(secret, weights); // exactly the declared size, so only the link gives it away
    symlinkSync(secret, join(d, 'w.bin'));
    writeFileSync(join(d, 'model.json'), JSON.stringify(json));
    const out = join(dir, 'stolen.safetensors');
    for (const f of [() => lib.loadTfjsModel(join(d, 'model.json'), be), () => lib.convertModel(join(d, 'model.json'), out, be)]) {
      assert.throws(f, (e: unknown) => e instanceof lib.FormatError && /weight shard "w\.bin" is a link to a file outside the model's folder/.test(e.message)
        && !e.message.includes(secret) && !e.message.includes(String(weights.length)));
    }
    assert.equal(existsSync(out), false); // old: convert copied the file's bytes into the output
  });

  test('a shard that links to /dev/zero is refused at once (it used to be read forever)', async () => {
    const { d, json } = tfjsFolder('tfjs-zero');
    json.weightsManifest[0].weights = [{ name: 'fc/kernel', shape: [0], dtype: 'float32' }];
    symlinkSync('/dev/zero', join(d, 'w.bin'));
    writeFileSync(join(d, 'model.json'), JSON.stringify(json));
    const r = await bounded(await hostileChild(), LOADERS.find((l) => l.name.startsWith('TF.js'))!.name, join(d, 'model.json'), { timeoutMs: 20_000, maxMB: 700 });
    console.log(`  TF.js shard -> /dev/zero: ${describeRun(r)}`); // old: killed (memory) after ~5 s, 3 GB at 20 s
    assertRefused(r, join(d, 'model.json'), /is a link to a file outside the model's folder|not a regular file/);
  });

  test('one shard listed twice is refused, not read twice', () => {
    const { d, json, weights } = tfjsFolder('tfjs-twice');
    const half = weights.subarray(0, weights.length / 2);
    assert.equal(weights.length % 2, 0);
    // The manifest declares all the weights; listing the half-size file twice adds up to them
    // (the old code read it twice and loaded the first half as both halves).
    writeFileSync(join(d, 'w.bin'), half);
    json.weightsManifest[0].paths = ['w.bin', 'w.bin'];
    writeFileSync(join(d, 'model.json'), JSON.stringify(json));
    assert.throws(() => lib.loadTfjsModel(join(d, 'model.json'), be), /weight shard "w\.bin" is the same file as "w\.bin", listed earlier/);
  });

  test('the sum of declared shard sizes is checked against fileBytes before any shard is read', () => {
    const { d, json, weights } = tfjsFolder('tfjs-sum');
    writeFileSync(join(d, 'w.bin'), weights);
    writeFileSync(join(d, 'model.json'), JSON.stringify(json));
    lib.loadTfjsModel(join(d, 'model.json'), be);
    const total = statSync(join(d, 'model.json')).size + weights.length;
    assert.throws(() => lib.loadTfjsModel(join(d, 'model.json'), { ...be, limits: { fileBytes: total - 1 } }),
      /model\.json and the weights it declares come to \d+ bytes, over the limit fileBytes/);
  });
});

describe('5. PyTorch state_dicts', () => {
  test('a 64 KB state_dict declaring a 320M-parameter LSTM is refused before it is built', async () => {
    const H = 4000, p = join(dir, 'torch-big.safetensors');
    const t = (shape: number[]) => new lib.Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
    writeFileSync(p, lib.encodeSafetensors({ 'lstm.weight_ih_l0': t([4 * H, 1]), 'lstm.weight_hh_l0': t([0, H]), 'lstm.weight_ih_l1': t([0, 0]), 'lstm.weight_ih_l2': t([0, 0]) }));
    const r = await bounded(await hostileChild(SCENARIOS), 'scenario:convert-torch', p, { timeoutMs: 60_000, maxMB: 600 });
    console.log(`  convert of a ${statSync(p).size}-byte state_dict: ${describeRun(r)}`); // old: 3.8 GB, 32 s
    assertRefused(r, p, /needs 320016000 weights but the state_dict holds 16000/);
    assert.ok(r.peakMB < 300, describeRun(r));
  });
});

describe('6. inputs and outputs without caps', () => {
  test('inspect: a .json input of 100,000 steps is cut to the last 200 unless --last says otherwise', async () => {
    const p = join(dir, 'long.json');
    writeFileSync(p, JSON.stringify(Array.from({ length: 100_000 }, (_, i) => Math.sin(i))));
    const x = (await lib.inspectInput(p, tinyModel(), {})).x;
    assert.deepEqual(x.shape, [1, 200, 1]); // old: all 100,000 (a heap crash after 93 s in the report)
  });

  test('inspect: the report size (steps × units × maps) and --last are checked before tracing', async () => {
    const m = tinyModel(); // 3 units × 6 maps = 18 cells a step
    const x = new lib.Tensor(new Float32Array(200), [1, 200, 1]);
    assert.throws(() => lib.inspectReport(m, x, { limits: { reportCells: 1000 } }), /a report of 200 steps draws 3600 heatmap cells .* over the limit reportCells = 1,000/);
    await assert.rejects(lib.inspectInput(join(dir, 'long.json'), m, {}, { last: 5000, limits: { steps: 1000 } } as never), /--last 5000 steps, over the limit steps/);
  });

  test('generate: length is checked against the steps budget before anything is generated', () => {
    const { model, vocab } = tinyLanguageModel(['a', 'b']);
    const v = lib.vocabFromJSON(vocab);
    assert.throws(() => lib.generateText(model, v, { length: 100, limits: { steps: 50 } } as never), /generating 100 tokens .* over the limit steps = 50/);
    const t0 = performance.now();
    assert.throws(() => lib.generateText(model, v, { length: 100_000_000 }), /over the limit steps = 1,000,000/);
    assert.ok(performance.now() - t0 < 1000);
  });

  test('lstm generate writes as it generates: the first bytes of a 400,000-character run arrive before it ends', () => {
    const p = join(dir, 'lm.safetensors');
    const { model, vocab } = tinyLanguageModel([...'abcdefgh ']);
    lib.saveModel(model, p, { vocab, languageModel: { level: 'char', seqLen: 8 } });
    const r = piped(`generate "${p}" -n 400000`);
    assert.equal(r.out.length, 10);
    assert.equal(r.stderr, '');
    assert.ok(r.ms < 20_000, `${r.ms.toFixed(0)} ms`); // old: all 400,000 first (about 30 s), then an EPIPE stack trace
  });

  test('padBatch takes 200,000 sequences (Math.max(...lengths) overflowed the stack at ~125k)', () => {
    const seqs = Array.from({ length: 200_000 }, (_, i) => Int32Array.of(2, 3, (i % 5) + 2));
    const { ids, lengths } = lib.padBatch(seqs);
    assert.deepEqual(ids.shape, [200_000, 3]);
    assert.equal(lengths.length, 200_000);
  });

  test('a label column with a class per row is refused before training (classes budget)', async () => {
    const texts = Array.from({ length: 1500 }, (_, i) => `w${i % 9} w${i % 4}`);
    const labels = texts.map((_, i) => `id-${i}`);
    const logged: string[] = [];
    const t0 = performance.now();
    await assert.rejects(lib.trainClassifier({ texts, labels }, { epochs: 1, progress: false, log: (m) => logged.push(m) }),
      /the labels take 1500 distinct values in 1500 rows \(is it the right label column\?\), over the limit classes = 1,000/);
    assert.equal(logged.length, 0);
    assert.ok(performance.now() - t0 < 2000);
  });

  test('a character vocabulary over the budget (40,000 distinct CJK characters) is refused', () => {
    let text = '';
    for (let c = 0x20000; c < 0x20000 + 40_000; c++) text += String.fromCodePoint(c); // CJK Extension B
    assert.throws(() => new lib.CharVocab().fit(text), /the text has 40000 distinct characters, over the limit vocabulary = 30,000/);
    assert.equal(new lib.CharVocab().fit(Array.from(text).slice(0, 20_000).join('')).size, 20_002);
  });

  test('--hidden 30000 on the reference backend is refused before the 14 GB of weights are allocated', async () => {
    const r = await bounded(await hostileChild(SCENARIOS), 'scenario:forecast-hidden', '30000', { timeoutMs: 60_000, maxMB: 1000 });
    console.log(`  forecast recipe, hidden 30000 (reference): ${describeRun(r)}`); // old: killed (memory), growing without bound
    assertRefused(r, null, /a forecast model of hidden size 30000 and 1 layer\(s\) would have 3600\d+ parameters, over the limit parameters = 2\^28/);
  });
});

describe('9. NaN/Inf weights', () => {
  test('a model file whose weights hold NaN is refused by load, info and convert, naming the tensor', () => {
    const m = tinyModel();
    m.flat[2] = Number.NaN;
    const p = join(dir, 'nan.safetensors');
    lib.saveModel(m, p);
    assert.throws(() => lib.loadModel(p, be), /nan\.safetensors: weight "lstm\.weight_ih_l0" holds NaN at index 2/);
    assert.throws(() => lib.describeModelFile(p), /holds NaN/);
    const out = join(dir, 'nan.onnx');
    assert.throws(() => lib.convertModel(p, out, be), /holds NaN/);
    assert.equal(existsSync(out), false);
  });

  test('PyTorch, ONNX and TF.js weights that are NaN or infinite are refused', () => {
    const sd = tinyModel().stateDict();
    sd['fc.weight']!.data[1] = Number.POSITIVE_INFINITY;
    const torch = join(dir, 'inf-torch.safetensors');
    lib.writeSafetensors(torch, sd, { format: 'pt' });
    assert.throws(() => lib.readAnyModel(torch, 'torch', be), /weight "fc\.weight" holds Infinity at index 1/);
    assert.throws(() => lib.loadTorchStateDict(tinyModel(), torch), /holds Infinity/);

    const m = tinyModel();
    m.flat[0] = Number.NaN;
    const onnx = join(dir, 'nan.onnx');
    lib.exportOnnx(m, onnx);
    assert.throws(() => lib.loadOnnx(onnx, be), /initializer "lstm\.W_l0" holds NaN at index 0/);
    assert.throws(() => lib.sequentialFromOnnx(onnx, be), /holds NaN/);

    const d = join(dir, 'tfjs-nan');
    mkdirSync(d);
    lib.saveTfjsModel(m, join(d, 'model.json'));
    assert.throws(() => lib.loadTfjsModel(join(d, 'model.json'), be), /holds NaN/);
  });
});

describe('13. control characters in what is printed from a file', () => {
  const p = join(dir, 'ctrl.safetensors');
  const { model, vocab } = tinyLanguageModel([CONTROL_TEXT]); // the only token it can emit
  lib.saveModel(model, p, { vocab, languageModel: { level: 'char', seqLen: 4 } });

  test('lstm generate and lstm info escape terminal sequences from tokens and layer names', () => {
    const named = join(dir, 'ctrl-layer.safetensors');
    const m2 = tinyLanguageModel(['a', 'b'], `lstm${CONTROL_TEXT.replace(/[.]/g, '')}`);
    lib.saveModel(m2.model, named, { vocab: m2.vocab, languageModel: { level: 'char', seqLen: 4 } });
    const gen = lstm(['generate', p, '-n', '20', '--temperature', '0']);
    assert.equal(gen.code, 0, gen.stderr);
    assertPrintable(gen.stdout, true);
    assert.match(gen.stdout, /\\x1b\]0;pwned\\x07/);
    for (const args of [['info', named], ['info', named, '--json'], ['info', p]]) {
      const r = lstm(args);
      assert.equal(r.code, 0, r.stderr);
      assertPrintable(r.stdout, true);
    }
    assert.doesNotThrow(() => JSON.parse(lstm(['info', named, '--json']).stdout)); // still valid JSON
  });

  test('every FormatError escapes control characters from the file (column names, cells, tensor names)', async () => {
    const csv = join(dir, 'ctrl.csv');
    writeFileSync(csv, `x\n1\n${CONTROL_TEXT}\n`);
    const e = await lib.readCsv(csv, { columns: ['x'] }).then(() => null, (err: Error) => err);
    assert.ok(e instanceof lib.FormatError);
    assertPrintable(e.message);
    assert.match(e.message, /found "\\x1b\]0;pwned\\x07\\x1b\[2J\\x9b31m\\u202e"/);
    const header = new TextEncoder().encode(JSON.stringify({ [CONTROL_TEXT]: { dtype: 'F128', shape: [1], data_offsets: [0, 4] } }));
    const bytes = new Uint8Array(8 + header.length + 4);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    assert.throws(() => lib.readSafetensors(bytes), (err: Error) => {
      assertPrintable(err.message);
      return /tensor "\\x1b\]0;pwned\\x07.*": unknown dtype "F128"/.test(err.message);
    });
  });
});

describe('14. layer names as file names', () => {
  test('a layer named "sub/folder" gives plain, unique plot file names; inspect writes only into --out', async () => {
    const m = new lib.Sequential([
      ['sub/folder', new lib.LSTM({ inputSize: 1, hiddenSize: 2, batchFirst: true, seed: 0, ...be })],
      ['sub_folder', new lib.LSTM({ inputSize: 2, hiddenSize: 2, batchFirst: true, seed: 1, ...be })],
      ['last', new lib.LastStep(be)], ['fc', new lib.Dense({ inputSize: 2, outputSize: 1, ...be })],
    ]);
    const report = lib.inspectReport(m, new lib.Tensor(Float32Array.from({ length: 12 }, (_, i) => i / 12), [1, 12, 1]));
    const names = report.svgs.map((s) => s.name);
    for (const n of names) assert.match(n, /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, n);
    assert.equal(new Set(names).size, names.length, 'names are unique');
    const p = join(dir, 'slash.safetensors');
    lib.saveModel(m, p);
    const csv = join(dir, 'series.csv');
    writeFileSync(csv, 'x\n' + Array.from({ length: 20 }, (_, i) => (i / 20).toFixed(3)).join('\n') + '\n');
    const out = join(dir, 'slash-report');
    const r = lstm(['inspect', p, csv, '--out', out]);
    assert.equal(r.code, 0, r.stderr); // old: ENOENT on out/sub/..., or files in a subfolder
    assert.ok(readdirSync(out, { withFileTypes: true }).every((f) => f.isFile()), 'no subfolders');
  });
});

describe('15. atomic writes: file mode and other machines\' temp files', () => {
  test('rewriting a 0600 model keeps it 0600', () => {
    const p = join(dir, 'private.safetensors');
    lib.saveModel(tinyModel(), p);
    chmodSync(p, 0o600);
    lib.saveModel(tinyModel(), p);
    assert.equal(statSync(p).mode & 0o777, 0o600); // old: 0644
    lib.writeFileAtomicSync(p, 'x');
    assert.equal(statSync(p).mode & 0o777, 0o600);
  });

  test('only this host\'s dead writers\' temp files are removed; another machine\'s (or an unknown format) are kept', async () => {
    const d = mkdtempSync(join(dir, 'temps-'));
    const p = join(d, 'm.json');
    const host = hostname().replace(/[^A-Za-z0-9-]/g, '-').slice(0, 48);
    const mine = `.m.json.${host}.99999999.aaaaaaaaaaaa.tmp`;
    const other = `.m.json.some-other-host.99999999.bbbbbbbbbbbb.tmp`;
    const hostless = `.m.json.99999999.cccccccccccc.tmp`; // no host: cannot tell whose
    for (const n of [mine, other, hostless]) writeFileSync(join(d, n), 'partial');
    await lib.writeFileAtomic(p, '{}');
    assert.deepEqual(readdirSync(d).sort(), [hostless, other, 'm.json'].sort()); // old: removed the host-less one (any PID dead here)
  });
});

describe('16. raw system errors', () => {
  test('a folder, a missing file and a non-model file given as a model are one line naming the file', () => {
    mkdirSync(join(dir, 'a-folder'));
    oneLine(lstm(['generate', join(dir, 'a-folder')]), /a-folder: cannot read: it is a folder, expected a file/); // old: "EISDIR: illegal operation on a directory, read"
    const txt = join(dir, 'not-a-model.txt');
    writeFileSync(txt, 'This is a text file, not a model.\n');
    oneLine(lstm(['generate', txt]), /not-a-model\.txt: not an lstm-ts model file \(not a safetensors file: header length \d+ is past the end/);
  });

  test('convert creates the output folder; a write error names the target, not the temp file', () => {
    const m = join(dir, 'conv.safetensors');
    lib.saveModel(tinyModel(), m);
    const out = join(dir, 'new', 'sub', 'x.onnx');
    const r = lstm(['convert', m, out]);
    assert.equal(r.code, 0, r.stderr); // old: ENOENT ... .x.onnx.<pid>.<hex>.tmp
    assert.ok(existsSync(out));
    assert.throws(() => lib.writeFileAtomicSync(join(dir, 'missing-folder', 'y.json'), '{}'), (e: Error) =>
      /missing-folder\/y\.json: cannot write: the folder .*missing-folder does not exist \(ENOENT\)/.test(e.message) && !e.message.includes('.tmp'));
  });

  test('--out naming an existing file fails at once, before training', () => {
    const r = lstm(['forecast', join(ROOT, 'data/airline-passengers.csv'), '--column', 'Passengers', '--epochs', '1', '--out', join(ROOT, 'README.md')]);
    oneLine(r, /--out .*README\.md: a file of that name exists; give a folder/); // old: a plan line, then "EEXIST: file already exists, mkdir"
  });

  test('lstm generate | head ends quietly with exit 0 (EPIPE)', () => {
    const p = join(dir, 'lm.safetensors');
    if (!existsSync(p)) lib.saveModel(tinyLanguageModel(['a', 'b']).model, p, { vocab: tinyLanguageModel(['a', 'b']).vocab, languageModel: { level: 'char', seqLen: 8 } });
    const r = piped(`generate "${p}" -n 200000`);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, ''); // old: "Error: write EPIPE" with a stack trace
  });

  test('a CSV with mixed CRLF and LF line endings is read', async () => {
    const p = join(dir, 'mixed.csv');
    writeFileSync(p, 'a,b\r\n1,2\r\n3,4\n5,6\n7,8\r\n');
    const t = await lib.readCsv(p);
    assert.deepEqual(Array.from(t.columns.b as Float64Array), [2, 4, 6, 8]); // old: "Invalid Record Length" with no word on line endings
  });
});
