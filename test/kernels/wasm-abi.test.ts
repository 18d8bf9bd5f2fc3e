/**
 * The parameter blocks shared by src/kernels/wasm/abi.ts (the field lists JavaScript writes)
 * and src/kernels/wasm/assembly/sequence.ts (the classes the kernels read): the committed
 * module agrees with abi.ts, and the load-time check refuses a module or a list that does not —
 * a field only on one side, or fields in another order — naming the field. The last test
 * compiles the AssemblyScript sources with a field added to ForwardJob, as someone extending the
 * kernel would, and shows the check refusing that module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import asc from 'assemblyscript/asc';
import { BLOCKS, ForwardJob, BackwardJob, blockBytes, checkBlockLayouts, type BlockLayout } from '../../src/kernels/wasm/abi.js';
import { WASM_SIMD } from '../../src/kernels/wasm/build/bytes.js';

const root = join(import.meta.dirname, '../..');

/** The exports of an instance of `bytes` (a module importing a shared memory). */
function exportsOf(bytes: Uint8Array): WebAssembly.Exports {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  return new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), { env: { memory, abort() {} } }).exports;
}

const committed = exportsOf(Uint8Array.from(atob(WASM_SIMD), (c) => c.charCodeAt(0)));
const i32 = (v: number): WebAssembly.Global => new WebAssembly.Global({ value: 'i32' }, v);

test('the committed module lays out ForwardJob and BackwardJob as abi.ts lists them', () => {
  assert.doesNotThrow(() => checkBlockLayouts(committed));
  assert.deepEqual(BLOCKS.map((b) => b.name), ['ForwardJob', 'BackwardJob']);
  assert.equal((committed.ForwardJob_size as WebAssembly.Global).value, blockBytes(ForwardJob));
  assert.equal((committed.BackwardJob_size as WebAssembly.Global).value, blockBytes(BackwardJob));
  assert.equal((committed.ForwardJob_failed as WebAssembly.Global).value, 4 * ForwardJob.fields.indexOf('failed'));
});

test('a field only in the module is refused', () => {
  const n = blockBytes(ForwardJob);
  const module = { ...committed, ForwardJob_extra: i32(n), ForwardJob_size: i32(n + 4) };
  assert.throws(() => checkBlockLayouts(module), (e: Error) =>
    e.message.includes(`ForwardJob: ${n + 4} bytes in the module, ${n} here`) && /ForwardJob\.extra: in the module, not declared here/.test(e.message));
});

test('a field only in abi.ts is refused', () => {
  const blocks: BlockLayout[] = [{ name: 'ForwardJob', fields: [...ForwardJob.fields, 'extra'] }];
  assert.throws(() => checkBlockLayouts(committed, blocks), /ForwardJob\.extra: declared here, not in the module/);
});

test('the same fields in another order are refused', () => {
  const fields = [...BackwardJob.fields];
  const [t, b] = [fields.indexOf('T'), fields.indexOf('B')];
  [fields[t], fields[b]] = [fields[b]!, fields[t]!];
  assert.throws(() => checkBlockLayouts(committed, [{ name: 'BackwardJob', fields }]),
    (e: Error) => /BackwardJob\.B: at byte 60 in the module, 56 here/.test(e.message) && /BackwardJob\.T: at byte 56 in the module, 60 here/.test(e.message));
});

test('a module without the layout exports is refused', () => {
  const { ForwardJob_size: _size, ...rest } = committed;
  assert.throws(() => checkBlockLayouts(rest), /the module exports no ForwardJob_size/);
});

test('a field added to the AssemblyScript ForwardJob class (and nowhere else) makes the check refuse the rebuilt module', async () => {
  const sequence = resolve(root, 'src/kernels/wasm/assembly/sequence.ts');
  const source = readFileSync(sequence, 'utf8');
  const declared = 'X: usize; G: usize; Hs: usize; Cs: usize;';
  assert.ok(source.includes(declared), 'ForwardJob declaration found');
  const edited = source.replace(declared, 'X: usize; peephole: usize; G: usize; Hs: usize; Cs: usize;');
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
  assert.equal((rebuilt.ForwardJob_size as WebAssembly.Global).value, blockBytes(ForwardJob) + 4);
  assert.throws(() => checkBlockLayouts(rebuilt), (e: Error) => {
    console.log(e.message);
    const n = blockBytes(ForwardJob);
    return e.message.includes(`ForwardJob: ${n + 4} bytes in the module, ${n} here`) && /ForwardJob\.G: at byte 16 in the module, 12 here/.test(e.message);
  });
});
