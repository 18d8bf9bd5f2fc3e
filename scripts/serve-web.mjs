#!/usr/bin/env node
// Serves the explorer on 127.0.0.1 only (never on other interfaces): builds web/dist, then a
// small static file server with the right content types and the cross-origin isolation headers
// (ISOLATION_HEADERS of build-web.mjs). `startServer` is also used by the browser tests (port 0
// = a random free port).
// Usage: npm run explorer -- [--port N] [--no-isolate]   (default port 8080; --no-isolate serves
// without the isolation headers, as most static hosts do)
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ISOLATION_HEADERS, buildWeb } from './build-web.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.json': 'application/json', '.map': 'application/json', '.png': 'image/png',
  '.wasm': 'application/wasm', '.safetensors': 'application/octet-stream',
};

/**
 * Serve `dir` on 127.0.0.1:`port`; resolves to { server, url }. `isolate: false` leaves out the
 * cross-origin isolation headers (the page then runs the WebAssembly kernels single-threaded).
 */
export function startServer(dir, port = 0, { isolate = true } = {}) {
  const isolation = isolate ? ISOLATION_HEADERS : {};
  const base = resolve(dir);
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      let file = normalize(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) throw Object.assign(new Error('outside'), { code: 'ENOENT' });
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      // Cross-origin isolation lets the WebAssembly kernels use a shared memory (see web/src/worker.ts).
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...isolation,
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${server.address().port}/` }));
  });
}

/** `--port N` (or a bare N, as before) and `--no-isolate`; { error } with a one-line message for anything else. */
function parseArgs(argv) {
  const out = { port: 8080, isolate: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = a === '--port' ? argv[++i] : a.startsWith('--port=') ? a.slice(7) : /^\d+$/.test(a) ? a : null;
    if (a === '--no-isolate') out.isolate = false;
    else if (value !== null && /^\d+$/.test(value ?? '') && Number(value) < 65536) out.port = Number(value);
    else return { error: `explorer: ${value === null ? `unknown option ${a}` : `--port wants a number from 0 to 65535, got ${value ?? 'nothing'}`} (usage: npm run explorer -- [--port N] [--no-isolate])` };
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = parseArgs(process.argv.slice(2));
  if (args.error) {
    console.error(args.error);
    process.exit(2);
  }
  // Listen first, so a busy port is reported before anything is built.
  const outdir = join(root, 'web', 'dist');
  let url;
  try {
    ({ url } = await startServer(outdir, args.port, { isolate: args.isolate }));
  } catch (e) {
    const busy = e.code === 'EADDRINUSE', denied = e.code === 'EACCES';
    console.error(busy ? `explorer: port ${args.port} is already in use; pick another: npm run explorer -- --port ${args.port + 1}`
      : denied ? `explorer: not allowed to listen on port ${args.port}; pick one above 1023: npm run explorer -- --port 8080`
        : `explorer: cannot listen on 127.0.0.1:${args.port}: ${e.message}`);
    process.exit(1);
  }
  const { ms } = await buildWeb(outdir);
  console.log(`built in ${ms} ms; explorer at ${url}${args.isolate ? '' : ' (not cross-origin isolated)'} (Ctrl-C to stop)`);
}
