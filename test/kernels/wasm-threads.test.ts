/**
 * The WebAssembly thread pool's early end of a batch-1 sequence job (src/kernels/wasm/threads.ts,
 * `helpers`): the caller returns as soon as every step is done, without waiting for a worker to
 * leave its range, so a worker may still be inside seqFwdUnitsF32 (assembly/sequence.ts) after
 * its job is over, or enter it late. Such a worker must claim nothing: these tests call the
 * kernel as that late worker would, with the phases of a job already finished (and of one
 * numbered before the counters restarted), and check that it returns at once and leaves every
 * buffer as it was; then that later calls still give one thread's results bit for bit.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { LSTM } from '../../src/nn/recurrent.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Rng } from '../../src/tensor/rng.js';
import { listBackends } from '../../src/kernels/index.js';
import { REGION } from '../../src/kernels/wasm/adapter.js';
import { ForwardJob, blockBytes } from '../../src/kernels/wasm/abi.js';
import { need } from '../../src/kernels/wasm/load.js';
import { wasmThreadsReady } from '../../src/kernels/wasm/index.js';

const hasWasm = listBackends().includes('wasm');

/** Field `name` of the ForwardJob block at byte address p. */
function field(buffer: ArrayBufferLike, p: number, name: (typeof ForwardJob.fields)[number]): number {
  return new Int32Array(buffer, p, ForwardJob.fields.length)[ForwardJob.fields.indexOf(name)]!;
}

describe('wasm: a worker late from a finished batch-1 sequence job', { skip: !hasWasm && 'no wasm backend' }, () => {
  before(async () => {
    await wasmThreadsReady(2);
  });

  test('claims nothing and leaves every buffer as it was; later calls match one thread bit for bit', () => {
    const rt = need();
    const T = 7, I = 5, H = 130; // 130 units: two chunks of whole groups of 6 on 2 threads
    const rng = new Rng(11);
    const make = (backend: string) => new LSTM({ inputSize: I, hiddenSize: H, batchFirst: true, seed: 4, backend });
    const two = make('wasm'), one = make('wasm-1t');
    const x = new Tensor(Float32Array.from({ length: T * I }, () => rng.uniform(-2, 2)), [1, T, I]);
    const want = one.forward(x);
    const got = two.forward(x);
    assert.deepEqual(got.output.data, want.output.data);

    const pb = rt.heap.region(REGION.forwardJob, blockBytes(ForwardJob)); // the block of the job just run
    const buf = rt.heap.buffer;
    assert.equal(field(buf, pb, 'chunks'), 2, 'the job was split over two threads');
    const stride = rt.k.SYNC_STRIDE.value as number;
    const end = new Int32Array(buf, field(buf, pb, 'sync'), 1)[0]! + 1; // claim[0]: the job's last phase
    const base = end - T;
    const cache = two.inspect().directions[0]!;
    const before = [cache.gates, cache.h, cache.c!].map((a) => Float32Array.from(a));
    const words = () => Array.from({ length: 4 }, (_, i) => new Int32Array(buf, field(buf, pb, 'sync') + i * stride, 1)[0]!);
    const wordsBefore = words();
    // Late from this very job, as thread 1, then as thread 0; and a worker from a job numbered
    // just below 2³⁰, before the counters restarted from 0 (its phases are far above every counter).
    for (const [who, b, e] of [[1, base, end], [0, base, end], [1, 2 ** 30 - T, 2 ** 30]] as const) {
      rt.k.seqFwdUnitsF32(pb, who, rt.pool.scratch[0]!, b, e);
      [cache.gates, cache.h, cache.c!].forEach((a, i) => assert.deepEqual(Float32Array.from(a), before[i], `phases ${b}..${e - 1}, thread ${who}: buffer ${i} unchanged`));
      assert.deepEqual(words(), wordsBefore, 'no counter moved');
    }
    // The next jobs run as usual.
    for (let k = 0; k < 3; k++) {
      const xk = new Tensor(Float32Array.from({ length: T * I }, () => rng.uniform(-2, 2)), [1, T, I]);
      assert.deepEqual(two.forward(xk).output.data, one.forward(xk).output.data, `call ${k}`);
    }
  });
});
