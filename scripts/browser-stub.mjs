// The esbuild plugin that makes the library bundle for browsers: every Node built-in module
// (node:fs, node:path, ...) and the two Node-only dependencies (csv-parse, which streams files,
// and cli-progress, the terminal progress bar) resolve to a stub module instead. The stub
// exports every name the real module has (read from it here, at build time, so a new import
// cannot go missing), each a function that throws a clear error when called. The library only
// calls them on paths a page never takes: the functions that read or write files by path.
// The library's own Node-only engine module (src/io/onnx/onnxruntime-engine.ts, which loads the
// native onnxruntime-node) is stubbed too: compile() imports it dynamically, and in a page
// 'onnxruntime' then fails with a clear error and 'auto' picks the WebAssembly kernels.
// Used by scripts/build-package.mjs (dist/browser/lstm-ts.js), scripts/build-web.mjs (the
// explorer) and web/test-pages/build.mjs.
import { builtinModules } from 'node:module';

/** npm dependencies of the library that only make sense in Node. */
const NODE_ONLY_PACKAGES = ['csv-parse', 'cli-progress'];

export const NODE_ONLY_MESSAGE = 'is Node-only: in a browser, the lstm-ts functions that read or write files by path ' +
  '(loadModel, saveModel, readCsv, readSafetensors(path), fit checkpoints, ...) are not available; ' +
  'use the ones that take or return bytes (decodeModel, encodeModel, readSafetensors(bytes), ...)';

/** The source of a stub for `id`: every export name of the real module, each a throwing function. */
async function stubSource(id) {
  const real = await import(id);
  const names = new Set(Object.keys(real).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n)));
  if (real.default && typeof real.default === 'object') {
    for (const n of Object.keys(real.default)) if (/^[A-Za-z_$][\w$]*$/.test(n)) names.add(n);
  }
  const lines = [
    `const unavailable = (name) => function () { throw new Error(${JSON.stringify(id)} + '.' + name + ' ' + ${JSON.stringify(NODE_ONLY_MESSAGE)}); };`,
  ];
  for (const n of names) lines.push(`export const ${n} = /* @__PURE__ */ unavailable(${JSON.stringify(n)});`);
  lines.push(`export default { ${[...names].join(', ')} };`);
  return lines.join('\n');
}

/** The stub of src/io/onnx/onnxruntime-engine.ts: the names compile() takes from it. */
const ENGINE_STUB = [
  `const nodeOnly = () => { throw new Error('the onnxruntime engine is Node-only (it runs onnxruntime-node); in a browser the WebAssembly kernels run inference'); };`,
  'export const createOnnxruntimeEngine = nodeOnly;',
  'export const loadOnnxruntime = nodeOnly;',
].join('\n');

/** esbuild plugin: Node built-ins, NODE_ONLY_PACKAGES and the onnxruntime engine → stubs (see the header). */
export const nodeStub = {
  name: 'node-stub',
  setup(b) {
    b.onResolve({ filter: /\/onnxruntime-engine\.js$/ }, (args) => ({ path: args.path, namespace: 'engine-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'engine-stub' }, () => ({ loader: 'js', contents: ENGINE_STUB }));
    const names = [...builtinModules, ...NODE_ONLY_PACKAGES].map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    const filter = new RegExp(`^(node:.*|${names.join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'node-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, async (args) => ({ loader: 'js', contents: await stubSource(args.path) }));
  },
};
