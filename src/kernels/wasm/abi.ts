/**
 * The contract between this backend's JavaScript and the kernel module compiled from
 * ./assembly: the functions the module exports, and the parameter blocks of the sequence
 * kernels (ForwardJob, BackwardJob in ./assembly/sequence.ts), which JavaScript fills in memory and
 * AssemblyScript reads as a class. A block's fields are declared here once, as an ordered list
 * of names; the module exports each field's byte offset (`ForwardJob_G`, ...) and the block's size
 * (`ForwardJob_size`), and `checkBlockLayouts` compares the two when the module loads, so a field
 * added, removed or moved on one side only stops the backend from loading with a message
 * naming the field (test/kernels/wasm-abi.test.ts).
 */

/** Exported kernels of the module (pointers are byte addresses; booleans are 0/1). */
export interface Kernels {
  matmulF32(C: number, A: number, B: number, m: number, n: number, k: number, flags: number, scratch: number, i0: number, i1: number, j0: number, j1: number): void;
  matmulF64(C: number, A: number, B: number, m: number, n: number, k: number, flags: number, scratch: number, i0: number, i1: number, j0: number, j1: number): void;
  matmulScratchBytes(): number;
  lstmFwdF32(g: number, cp: number, cn: number, m: number, B: number, H: number, len: number, t: number): void;
  lstmFwdF64(g: number, cp: number, cn: number, m: number, B: number, H: number, len: number, t: number): void;
  lstmBwdF32(g: number, cp: number, cn: number, dm: number, dc: number, dg: number, B: number, H: number, len: number, t: number): void;
  lstmBwdF64(g: number, cp: number, cn: number, dm: number, dc: number, dg: number, B: number, H: number, len: number, t: number): void;
  /** The LSTM cell kernels with peepholes P (3H): p_i, p_f, p_o. */
  lstmFwdPeepF32(g: number, cp: number, cn: number, m: number, P: number, B: number, H: number, len: number, t: number): void;
  lstmFwdPeepF64(g: number, cp: number, cn: number, m: number, P: number, B: number, H: number, len: number, t: number): void;
  lstmBwdPeepF32(g: number, cp: number, cn: number, dm: number, dc: number, dg: number, P: number, B: number, H: number, len: number, t: number): void;
  lstmBwdPeepF64(g: number, cp: number, cn: number, dm: number, dc: number, dg: number, P: number, B: number, H: number, len: number, t: number): void;
  /** dP (3H) += the peephole gradient of `rows` rows, for n units starting at the pointers (H: the row width). */
  lstmPeepGradF32(dP: number, dG: number, cp: number, cn: number, rows: number, H: number, n: number): void;
  lstmPeepGradF64(dP: number, dG: number, cp: number, cn: number, rows: number, H: number, n: number): void;
  gruFwdF32(xg: number, hg: number, hn: number, hp: number, hx: number, B: number, H: number, len: number, t: number): void;
  gruFwdF64(xg: number, hg: number, hn: number, hp: number, hx: number, B: number, H: number, len: number, t: number): void;
  gruBwdF32(g: number, hn: number, hp: number, dh: number, dx: number, dhg: number, dhp: number, B: number, H: number, len: number, t: number): void;
  gruBwdF64(g: number, hn: number, hp: number, dh: number, dx: number, dhg: number, dhp: number, B: number, H: number, len: number, t: number): void;
  rnnFwdF32(pre: number, n: number, act: number): void;
  rnnFwdF64(pre: number, n: number, act: number): void;
  rnnBwdF32(h: number, dh: number, dp: number, B: number, H: number, act: number, len: number, t: number): void;
  rnnBwdF64(h: number, dh: number, dp: number, B: number, H: number, act: number, len: number, t: number): void;
  fillRowsF32(dst: number, rows: number, cols: number, a: number, b: number): void;
  fillRowsF64(dst: number, rows: number, cols: number, a: number, b: number): void;
  sumRowsF32(dst: number, src: number, rows: number, cols: number, acc: number): void;
  sumRowsLdF32(dst: number, src: number, rows: number, cols: number, ld: number, acc: number): void;
  sumRowsF64(dst: number, src: number, rows: number, cols: number, acc: number): void;
  addF32(dst: number, a: number, b: number, n: number): void;
  addF64(dst: number, a: number, b: number, n: number): void;
  mulF32(dst: number, a: number, b: number, n: number): void;
  mulF64(dst: number, a: number, b: number, n: number): void;
  copyBytes(dst: number, src: number, n: number): void;
  keepInactiveRows(dst: number, src: number, rows: number, rowBytes: number, len: number, t: number): void;
  packPanelsF32(dst: number, W: number, K: number, N: number, trans: number): void;
  packPanelsCatF32(dst: number, W1: number, K1: number, W2: number, K2: number, N: number, b1: number, b2: number): void;
  packDotBytes(G: number, H: number, K: number): number;
  /** Rows per dot-product group of the split-by-units sequence kernel. */
  DOT_ROWS: WebAssembly.Global;
  /** Bytes between that kernel's step counters. */
  SYNC_STRIDE: WebAssembly.Global;
  /** params: a ForwardJob (weights packed by packPanelsF32). */
  seqFwdRowsF32(params: number, b0: number, b1: number, scratch: number): void;
  /** params: a ForwardJob (room for the weights packed by the kernel). */
  seqFwdUnitsF32(params: number, who: number, scratch: number): void;
  /** params: a BackwardJob. */
  seqBwdRowsF32(params: number, b0: number, b1: number, scratch: number): void;
  simdPeakF32(iters: number): number;
  activationsF32(x: number, sig: number, th: number, n: number): void;
}

// ------------------------------------------------------------------------------ parameter blocks

/** Cell kinds of the blocks' `mode` field (MODE_* in ./assembly/sequence.ts). */
export const MODE = { lstm: 0, gru: 1, rnn: 2 } as const;

/** The forward sequence kernels' parameters: int32 fields (pointers are byte addresses, 0 = absent), in this order. */
const FORWARD_JOB = ['mode', 'act', 'X', 'G', 'Hs', 'Cs', 'M', 'HN', 'HG', 'Wih', 'Whh', 'Whr', 'Wi', 'Wh', 'Wr', 'bIh', 'bHh',
  'T', 'B', 'I', 'H', 'Hout', 'lengths', 'rev', 'sync', 'chunks', 'cu', 'cuOut', 'mayWait', 'failed', 'XH'] as const;
/** The backward sequence kernel's parameters, likewise. */
const BACKWARD_JOB = ['mode', 'act', 'G', 'Hs', 'Cs', 'HN', 'dHs', 'dhRun', 'dcRun', 'dm', 'dG', 'dHg', 'Wh', 'Wr',
  'T', 'B', 'H', 'Hout', 'lengths', 'rev'] as const;

/** A parameter block as AssemblyScript declares it: a class name and its int32 fields in order. */
export interface BlockLayout<F extends string = string> {
  name: string;
  fields: readonly F[];
}

export const ForwardJob: BlockLayout<(typeof FORWARD_JOB)[number]> = { name: 'ForwardJob', fields: FORWARD_JOB };
export const BackwardJob: BlockLayout<(typeof BACKWARD_JOB)[number]> = { name: 'BackwardJob', fields: BACKWARD_JOB };
/** Every block shared with the module (the load check covers these). */
export const BLOCKS: readonly BlockLayout[] = [ForwardJob, BackwardJob];

/** Bytes of a block. */
export function blockBytes(b: BlockLayout): number {
  return 4 * b.fields.length;
}

/** Write `values` (every field, by name) as block `b` at byte address p of `buffer`. */
export function writeBlock<F extends string>(buffer: ArrayBufferLike, p: number, b: BlockLayout<F>, values: Record<F, number>): void {
  const v = new Int32Array(buffer, p, b.fields.length);
  for (let i = 0; i < b.fields.length; i++) v[i] = values[b.fields[i]!];
}

/**
 * Throw unless each block's fields are where the module puts them: for block B, the module
 * exports B_size (bytes) and B_<field> (byte offset) for every field of its class, and field i
 * here must be at 4·i there, with no field on either side that the other lacks.
 */
export function checkBlockLayouts(exports: WebAssembly.Exports, blocks: readonly BlockLayout[] = BLOCKS): void {
  const value = (name: string): number | undefined => {
    const g = exports[name];
    return g instanceof WebAssembly.Global ? Number(g.value) : undefined;
  };
  const problems: string[] = [];
  for (const b of blocks) {
    const prefix = `${b.name}_`;
    const size = value(`${prefix}size`);
    if (size === undefined) {
      problems.push(`${b.name}: the module exports no ${prefix}size`);
      continue;
    }
    if (size !== blockBytes(b)) problems.push(`${b.name}: ${size} bytes in the module, ${blockBytes(b)} here`);
    b.fields.forEach((f, i) => {
      const at = value(prefix + f);
      if (at === undefined) problems.push(`${b.name}.${f}: declared here, not in the module`);
      else if (at !== 4 * i) problems.push(`${b.name}.${f}: at byte ${at} in the module, ${4 * i} here`);
    });
    const known = new Set([...b.fields, 'size'].map((f) => prefix + f));
    for (const name of Object.keys(exports)) {
      if (name.startsWith(prefix) && !known.has(name)) problems.push(`${b.name}.${name.slice(prefix.length)}: in the module, not declared here`);
    }
  }
  if (problems.length) {
    throw new Error(`wasm backend: the kernel module's parameter blocks do not match src/kernels/wasm/abi.ts ` +
      `(rebuild with npm run build:wasm, or update the block there): ${problems.join('; ')}`);
  }
}
