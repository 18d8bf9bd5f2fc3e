/**
 * The parameter blocks shared by src/kernels/wasm/abi.ts (the field lists JavaScript writes)
 * and src/kernels/wasm/assembly/sequence.ts (the classes the kernels read): the committed
 * module agrees with abi.ts, and the load-time check refuses a module or a list that does not —
 * a field only on one side, or fields in another order — naming the field. The last test
 * compiles the AssemblyScript sources with a field added to RowsJob, as someone extending the
 * kernel would, and shows the check refusing that module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import asc from 'assemblyscript/asc';
import { BLOCKS, RowsJob, UnitsJob, blockBytes, checkBlockLayouts, type BlockLayout } from '../../src/kernels/wasm/abi.js';
import { WASM_SIMD } from '../../src/kernels/wasm/build/bytes.js';

const root = join(import.meta.dirname, '../..');

/** The exports of an instance of `bytes` (a module importing a shared memory). */
function exportsOf(bytes: Uint8Array): WebAssembly.Exports {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  return new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), { env: { memory, abort() {} } }).exports;
}

const committed = exportsOf(Uint8Array.from(atob(WASM_SIMD), (c) => c.charCodeAt(0)));
const i32 = (v: number): WebAssembly.Global => new WebAssembly.Global({ value: 'i32' }, v);

test('the committed module lays out RowsJob and UnitsJob as abi.ts lists them', () => {
  assert.doesNotThrow(() => checkBlockLayouts(committed));
  assert.deepEqual(BLOCKS.map((b) => b.name), ['RowsJob', 'UnitsJob']);
  assert.equal((committed.RowsJob_size as WebAssembly.Global).value, blockBytes(RowsJob));
  assert.equal((committed.UnitsJob_size as WebAssembly.Global).value, blockBytes(UnitsJob));
  assert.equal((committed.UnitsJob_failed as WebAssembly.Global).value, 4 * UnitsJob.fields.indexOf('failed'));
});

test('a field only in the module is refused', () => {
  const n = blockBytes(RowsJob);
  const module = { ...committed, RowsJob_extra: i32(n), RowsJob_size: i32(n + 4) };
  assert.throws(() => checkBlockLayouts(module), (e: Error) =>
    /RowsJob: 60 bytes in the module, 56 here/.test(e.message) && /RowsJob\.extra: in the module, not declared here/.test(e.message));
});

test('a field only in abi.ts is refused', () => {
  const blocks: BlockLayout[] = [{ name: 'RowsJob', fields: [...RowsJob.fields, 'extra'] }];
  assert.throws(() => checkBlockLayouts(committed, blocks), /RowsJob\.extra: declared here, not in the module/);
});

test('the same fields in another order are refused', () => {
  const fields = [...UnitsJob.fields];
  const [t, b] = [fields.indexOf('T'), fields.indexOf('B')];
  [fields[t], fields[b]] = [fields[b]!, fields[t]!];
  assert.throws(() => checkBlockLayouts(committed, [{ name: 'UnitsJob', fields }]),
    (e: Error) => /UnitsJob\.B: at byte 40 in the module, 36 here/.test(e.message) && /UnitsJob\.T: at byte 36 in the module, 40 here/.test(e.message));
});

test('a module without the layout exports is refused', () => {
  const { RowsJob_size: _size, ...rest } = committed;
  assert.throws(() => checkBlockLayouts(rest), /the module exports no RowsJob_size/);
});

test('a field added to the AssemblyScript RowsJob class (and nowhere else) makes the check refuse the rebuilt module', async () => {
  const sequence = resolve(root, 'src/kernels/wasm/assembly/sequence.ts');
  const source = readFileSync(sequence, 'utf8');
  const declared = 'G: usize; Hs: usize; Cs: usize; X: usize; Wip: usize;';
  assert.ok(source.includes(declared), 'RowsJob declaration found');
  const edited = source.replace(declared, 'G: usize; Hs: usize; Cs: usize; X: usize; peephole: usize; Wip: usize;');
  let wasm: Uint8Array | null = null;
  let stderr = '';
  const { error } = await asc.main([
    'src/kernels/wasm/assembly/index.ts', '-o', 'out.wasm', '-O0', '--noAssert', '--runtime', 'stub', '--importMemory',
    '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '65536', '--enable', 'simd', '--enable', 'threads',
  ], {
    readFile: (name, baseDir) => {
      const path = resolve(baseDir, name);
      if (path === sequence) return edited;
      return existsSync(path) ? readFileSync(path, 'utf8') : null;
    },
    writeFile: (name, contents) => { if (name.endsWith('.wasm')) wasm = contents as Uint8Array; },
    listFiles: () => [],
    stderr: { write: (s: string | Uint8Array) => { stderr += String(s); return true; } } as never,
    baseDir: root,
  });
  assert.equal(error, null, stderr);
  assert.ok(wasm, 'asc wrote a module');
  const rebuilt = exportsOf(wasm!);
  assert.equal((rebuilt.RowsJob_size as WebAssembly.Global).value, blockBytes(RowsJob) + 4);
  assert.throws(() => checkBlockLayouts(rebuilt), (e: Error) => {
    console.log(e.message);
    return /RowsJob: 60 bytes in the module, 56 here/.test(e.message) && /RowsJob\.Wip: at byte 20 in the module, 16 here/.test(e.message);
  });
});
