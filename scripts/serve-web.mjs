#!/usr/bin/env node
// Serves the explorer on 127.0.0.1 only (never on other interfaces): builds web/dist, then a
// small static file server with the right content types. `startServer` is also used by the
// browser test (port 0 = a random free port).
// Usage: node scripts/serve-web.mjs [port]   (default 8080; a busy port is a one-line error)
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildWeb } from './build-web.mjs';

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
  const isolation = isolate ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
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

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  // Failures are one line (a busy port is the common one), never a stack trace.
  const arg = process.argv[2] ?? '8080';
  const port = Number(arg);
  try {
    if (!/^\d+$/.test(arg) || port > 65535) throw new Error(`port must be a number from 0 to 65535, got "${arg}"`);
    const { outdir, ms } = await buildWeb();
    const { url } = await startServer(outdir, port);
    console.log(`built in ${ms} ms; explorer at ${url} (Ctrl-C to stop)`);
  } catch (e) {
    const why = e?.code === 'EADDRINUSE' ? `port ${port} is in use (another explorer?); give another: npm run explorer -- ${port + 1}`
      : e?.code === 'EACCES' ? `port ${port} needs more privileges; give one above 1023` : (e?.message ?? String(e)).split('\n')[0];
    process.stderr.write(`explorer: error: ${why}\n`);
    process.exit(1);
  }
}
