/**
 * Writes the hostile files of issue 13 into a folder, so the before/after figures in the README's
 * Reliability section (and in the hardening report) can be reproduced:
 *
 *   npx tsx scripts/hostile/make.ts /tmp/hostile   # then run the commands it prints
 *
 * Each file is small; each attacked a loader, an interpreter or an output path of the CLI
 * before the budgets of src/io/limits.ts. Sizes marked "scaled" are smaller than in the issue
 * so that measuring the old code does not take the machine down (the shape of the attack is
 * the same; the old code's cost grows with the numbers given).
 */
import { mkdirSync, symlinkSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Dense, Embedding, LSTM, LastStep, Sequential, encodeSafetensors, Tensor, saveModel } from '../../src/index.js';
import { DataType, encodeModelProto } from '../../src/io/onnx/schema.js';
import { tensorProtoFrom } from '../../src/io/onnx/tensor-proto.js';
import { valueInfo } from '../../src/io/onnx/export.js';

const dir = resolve(process.argv[2] ?? 'out/hostile');
mkdirSync(dir, { recursive: true });
const at = (name: string): string => join(dir, name);
const be = { backend: 'reference' };
const commands: string[] = [];
const say = (cmd: string): void => void commands.push(cmd);

// 1. A wide CSV header: 700k short column names and one data row (2.8 MB).
{
  const n = Number(process.env.WIDE ?? 700_000);
  const names = Array.from({ length: n }, (_, i) => i.toString(36));
  writeFileSync(at('wide.csv'), names.join(',') + '\n' + names.map(() => '1').join(',') + '\n');
  say(`lstm forecast ${at('wide.csv')} --out ${at('out-wide')}`);
}

// 2. One 120 KB cell of digits ending in "x" (regex backtracking), and a 20 MB cell of digits
// that parses to Infinity (the error message quoted it whole).
{
  writeFileSync(at('cell.csv'), 'x\n' + '1'.repeat(120_000) + 'x\n');
  writeFileSync(at('bigcell.csv'), 'x\n' + '1'.repeat(20_000_000) + '\n');
  say(`lstm forecast ${at('cell.csv')} --column x --out ${at('out-cell')}`);
  say(`lstm forecast ${at('bigcell.csv')} --column x --out ${at('out-cell')} 2>&1 | wc -c`);
}

// 3. ONNX graphs: ConstantOfShape 2048×2048 then MatMul (166 bytes), and an LSTM node whose
// X, W, R come from ConstantOfShape (scaled: T·B = 2^18, hidden 256).
{
  const ints = (name: string, v: number[]) => tensorProtoFrom(name, DataType.INT64, [v.length], v);
  const one = { name: 'value', type: 4, t: tensorProtoFrom('', DataType.FLOAT, [1], [1]) };
  writeFileSync(at('matmul.onnx'), encodeModelProto({
    irVersion: 8, opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'g', initializer: [ints('s', [2048, 2048])], input: [],
      node: [
        { opType: 'ConstantOfShape', input: ['s'], output: ['a'], attribute: [one] as never },
        { opType: 'MatMul', input: ['a', 'a'], output: ['y'] },
      ],
      output: [valueInfo('y', DataType.FLOAT, [2048, 2048])],
    },
  }));
  const T = Number(process.env.ONNX_T ?? 4096), B = 64, H = Number(process.env.ONNX_H ?? 256);
  writeFileSync(at('lstm.onnx'), encodeModelProto({
    irVersion: 8, opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'g', initializer: [ints('xs', [T, B, 1]), ints('ws', [1, 4 * H, 1]), ints('rs', [1, 4 * H, H])], input: [],
      node: [
        { opType: 'ConstantOfShape', input: ['xs'], output: ['x'], attribute: [one] as never },
        { opType: 'ConstantOfShape', input: ['ws'], output: ['w'], attribute: [one] as never },
        { opType: 'ConstantOfShape', input: ['rs'], output: ['r'], attribute: [one] as never },
        { opType: 'LSTM', input: ['x', 'w', 'r'], output: ['y'], attribute: [{ name: 'hidden_size', type: 2, i: H }] as never },
      ],
      output: [valueInfo('y', DataType.FLOAT, [T, 1, B, H])],
    },
  }));
  say(`node --import tsx -e "import('./src/index.ts').then(m => m.loadOnnx('${at('matmul.onnx')}').run({}))"`);
  say(`node --import tsx -e "import('./src/index.ts').then(m => m.loadOnnx('${at('lstm.onnx')}').run({}))"`);
}

// 4. TF.js weight shards: a symlink to a file outside the folder, a symlink to /dev/zero with a
// [0] weight, and one 1 MB shard listed 2048 times (scaled from 2 GiB: 256 times = 256 MiB).
{
  const model = new Sequential([['fc', new Dense({ inputSize: 2, outputSize: 1, ...be })]]);
  const topology = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'fc', units: 1, activation: 'linear', use_bias: true, batch_input_shape: [null, 2] } }] } };
  void model;
  const tfjsDir = (name: string, weights: unknown[], paths: string[], shard?: (d: string) => void): string => {
    const d = at(name);
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d);
    shard?.(d);
    writeFileSync(join(d, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: topology, weightsManifest: [{ paths, weights }] }));
    return join(d, 'model.json');
  };
  const secret = at('secret.txt');
  writeFileSync(secret, 'x'.repeat(12)); // 12 bytes = the size the manifest below declares
  const link = tfjsDir('tfjs-symlink', [{ name: 'fc/kernel', shape: [2, 1], dtype: 'float32' }, { name: 'fc/bias', shape: [1], dtype: 'float32' }], ['w.bin'],
    (d) => symlinkSync(secret, join(d, 'w.bin')));
  const zero = tfjsDir('tfjs-devzero', [{ name: 'fc/kernel', shape: [0], dtype: 'float32' }], ['w.bin'], (d) => symlinkSync('/dev/zero', join(d, 'w.bin')));
  const reps = Number(process.env.TFJS_REPEATS ?? 256);
  const rep = tfjsDir('tfjs-repeat', [{ name: 'fc/kernel', shape: [reps * 262144], dtype: 'float32' }], Array.from({ length: reps }, () => 'w.bin'),
    (d) => writeFileSync(join(d, 'w.bin'), new Uint8Array(1 << 20)));
  say(`lstm convert ${link} ${at('stolen.safetensors')}`);
  say(`lstm info ${zero}`);
  say(`lstm info ${rep}`);
}

// 5. A PyTorch state_dict (64 KB) whose names and shapes declare a 3-layer LSTM of hidden size
// 4000: weight_ih_l0 is real (16000×1), the rest are zero-size tensors (scaled from the issue's
// 9.5 GB by using 3 layers instead of more).
{
  const H = Number(process.env.TORCH_H ?? 4000), L = Number(process.env.TORCH_L ?? 3);
  const t = (shape: number[]) => new Tensor(new Float32Array(shape.reduce((p, d) => p * d, 1)), shape);
  const sd: Record<string, Tensor> = { 'lstm.weight_ih_l0': t([4 * H, 1]), 'lstm.weight_hh_l0': t([0, H]) };
  for (let l = 1; l < L; l++) sd[`lstm.weight_ih_l${l}`] = t([0, 0]);
  writeFileSync(at('torch-big.safetensors'), encodeSafetensors(sd));
  say(`lstm --backend reference convert ${at('torch-big.safetensors')} ${at('torch-big.onnx')}`);
}

// 6. Inputs and outputs without caps.
{
  const ts = new Sequential([['lstm', new LSTM({ inputSize: 1, hiddenSize: 16, batchFirst: true, seed: 0, ...be })], ['last', new LastStep(be)], ['fc', new Dense({ inputSize: 16, outputSize: 1, seed: 1, ...be })]]);
  saveModel(ts, at('series.safetensors'));
  const steps = Number(process.env.INSPECT_T ?? 100_000);
  writeFileSync(at('long.json'), JSON.stringify(Array.from({ length: steps }, (_, i) => Math.sin(i / 10))));
  writeFileSync(at('long.csv'), 'x\n' + Array.from({ length: 5000 }, (_, i) => Math.sin(i / 10).toFixed(4)).join('\n') + '\n');
  say(`lstm inspect ${at('series.safetensors')} ${at('long.json')} --out ${at('out-inspect')}`);
  say(`lstm inspect ${at('series.safetensors')} ${at('long.csv')} --last 5000 --out ${at('out-inspect')}`);

  const chars = 'abcdefghijklmnopqrstuvwxyz .\n';
  const lm = new Sequential([
    ['emb', new Embedding({ numEmbeddings: chars.length + 2, embeddingDim: 8, seed: 0, ...be })],
    ['lstm', new LSTM({ inputSize: 8, hiddenSize: 16, batchFirst: true, seed: 1, ...be })],
    ['fc', new Dense({ inputSize: 16, outputSize: chars.length + 2, seed: 2, ...be })],
  ], { task: 'language-model' });
  saveModel(lm, at('lm.safetensors'), { vocab: { type: 'char', tokens: ['<pad>', '<unk>', ...chars] }, languageModel: { level: 'char', seqLen: 16 } });
  say(`lstm generate ${at('lm.safetensors')} -n 100000000 | head -c 100`);

  const rows = Number(process.env.CLASSIFY_ROWS ?? 200_000);
  writeFileSync(at('many.jsonl'), Array.from({ length: rows }, (_, i) => JSON.stringify({ text: `w${i % 50} w${i % 7}`, label: i % 2 ? 'a' : 'b' })).join('\n') + '\n');
  writeFileSync(at('labels.jsonl'), Array.from({ length: 100_000 }, (_, i) => JSON.stringify({ text: `w${i % 50} w${i % 7}`, label: `l${i}` })).join('\n') + '\n');
  say(`lstm classify ${at('many.jsonl')} --text text --label label --epochs 1 --out ${at('out-classify')}`);
  say(`lstm classify ${at('labels.jsonl')} --text text --label label --epochs 1 --out ${at('out-classify')}`);

  let cjk = '';
  const ranges: Array<[number, number]> = [[0x4e00, 0x9fff], [0x3400, 0x4dbf], [0x20000, 0x2a6df]];
  let want = Number(process.env.CJK ?? 69_000);
  for (const [a, b] of ranges) for (let c = a; c <= b && want > 0; c++, want--) cjk += String.fromCodePoint(c);
  writeFileSync(at('cjk.txt'), cjk);
  say(`lstm train-text ${at('cjk.txt')} --epochs 1 --out ${at('out-cjk')}`);
  say(`lstm --backend reference forecast data/airline-passengers.csv --column Passengers --hidden 30000 --epochs 1 --out ${at('out-hidden')}`);
}

// 9. A model file whose weights hold NaN.
{
  const m = new Sequential([['lstm', new LSTM({ inputSize: 1, hiddenSize: 4, batchFirst: true, seed: 0, ...be })], ['last', new LastStep(be)], ['fc', new Dense({ inputSize: 4, outputSize: 1, seed: 1, ...be })]]);
  m.flat[3] = Number.NaN;
  saveModel(m, at('nan.safetensors'), { forecast: undefined });
  say(`lstm info ${at('nan.safetensors')} && lstm convert ${at('nan.safetensors')} ${at('nan.onnx')}`);
}

// 13, 14. Control characters in vocabulary tokens and layer names; a layer name with "/".
{
  const esc = '\u001b]0;pwned\u0007\u001b[2J';
  const lm = new Sequential([
    ['emb', new Embedding({ numEmbeddings: 4, embeddingDim: 2, seed: 0, ...be })],
    [`lstm${esc}`, new LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: true, seed: 1, ...be })],
    ['fc', new Dense({ inputSize: 3, outputSize: 4, seed: 2, ...be })],
  ], { task: 'language-model' });
  saveModel(lm, at('ctrl.safetensors'), { vocab: { type: 'char', tokens: ['<pad>', '<unk>', esc, 'a'] }, languageModel: { level: 'char', seqLen: 4 } });
  say(`lstm generate ${at('ctrl.safetensors')} -n 5 | od -c | head -3`);
  say(`lstm info ${at('ctrl.safetensors')} | od -c | grep -c 033`);
  const slash = new Sequential([
    ['sub/folder', new LSTM({ inputSize: 1, hiddenSize: 2, batchFirst: true, seed: 0, ...be })],
    ['b', new LSTM({ inputSize: 2, hiddenSize: 2, batchFirst: true, seed: 0, ...be })],
    ['last', new LastStep(be)], ['fc', new Dense({ inputSize: 2, outputSize: 1, seed: 1, ...be })],
  ]);
  saveModel(slash, at('slash.safetensors'));
  say(`lstm inspect ${at('slash.safetensors')} ${at('long.csv')} --out ${at('out-slash/report')}; find ${at('out-slash')} | head`);
}

// 16. Raw system errors.
{
  if (!existsSync(at('a-folder'))) mkdirSync(at('a-folder'));
  writeFileSync(at('not-a-model.txt'), 'This is a text file, not a model.\n');
  writeFileSync(at('mixed-eol.csv'), 'a,b\r\n1,2\r\n3,4\n5,6\n7,8\r\n');
  say(`lstm generate ${at('a-folder')}`);
  say(`lstm generate ${at('not-a-model.txt')}`);
  say(`lstm convert ${at('series.safetensors')} ${at('no/such/folder/x.onnx')}`);
  say(`lstm forecast data/airline-passengers.csv --column Passengers --epochs 1 --out README.md`);
  say(`lstm forecast ${at('mixed-eol.csv')} --column a --out ${at('out-eol')}`);
}

console.log(`wrote hostile files to ${dir}; try (prefix with /usr/bin/time -v for time and memory):`);
for (const c of commands) console.log('  ' + c);
