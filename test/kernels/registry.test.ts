/**
 * Importing the package changes no state: no WebAssembly module is compiled and no default
 * backend chosen at import (bundlers may then treat it as free of side effects). The first
 * getBackend() is the step that loads the kernels in Node and makes 'wasm' the default, so a
 * Node user still gets the WebAssembly backend without calling anything. Node's test runner
 * runs each test file in its own process, so the import below is this process's first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('importing lstm-ts compiles nothing; the first getBackend() loads the kernels and returns wasm', async () => {
  let compiled = 0; // kernel modules compiled (a dependency, protobufjs's `long`, compiles a module of its own)
  const { Module, compile } = WebAssembly;
  const count = (m: WebAssembly.Module): WebAssembly.Module => {
    if (Module.exports(m).some((e) => e.name === 'seqFwdRowsF32')) compiled++;
    return m;
  };
  WebAssembly.Module = new Proxy(Module, { construct: (target, args) => count(Reflect.construct(target, args)) });
  WebAssembly.compile = async (bytes) => count(await compile(bytes));
  try {
    const lib = await import('../../src/index.js');
    assert.equal(compiled, 0, 'the kernel module was compiled at import');
    assert.equal(lib.getBackend().name, 'wasm');
    assert.equal(compiled, 1);
    assert.deepEqual(lib.listBackends(), ['reference', 'wasm', 'wasm-1t']);
    lib.setBackend('reference');
    assert.equal(lib.getBackend().name, 'reference');
  } finally {
    WebAssembly.Module = Module;
    WebAssembly.compile = compile;
  }
});
