/**
 * The layer order, checked on the import graph of src/, web/src, demos/ and bench/: no import
 * circle (file by file), and no import that goes up the order the README's Layout section gives:
 *
 *   tensor < kernels < nn, optim < train < io, data, stats < recipes < trace, plot, report
 *     < src/index.ts (the public API; src/internal.ts for bench) < cli, web, demos, bench
 *
 * A file may import its own folder, any lower layer, and nothing above. Folders on the same
 * layer may not import each other, except the few edges in SAME_LAYER with their reason. Front
 * ends (src/cli, web/src, demos, bench) import nothing of src/ but its entry, src/index.ts
 * (bench also src/internal.ts, the documented entry for kernel-level hooks).
 *
 * `import type` counts like any import: a type from a higher layer couples the lower one to
 * it just as much (the circle this test was written against went through `import type
 * { Sequential }` in train/), and the compiler, not the runtime, is where such a knot bites.
 * Dynamic `import('...')` with a literal path counts too; re-exports (`export ... from`) count.
 *
 * `LAYERING_ROOT=/some/checkout node scripts/run-tests.mjs layering` checks another checkout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(process.env.LAYERING_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const SCANNED = ['src', 'web/src', 'demos', 'bench'];

/** Layers, lowest first: folders (or single files) of the repository. */
const LAYERS: string[][] = [
  ['src/tensor'],
  ['src/kernels'],
  ['src/nn', 'src/optim'],
  ['src/train'],
  ['src/io', 'src/data', 'src/stats'],
  ['src/recipes'],
  ['src/trace', 'src/plot', 'src/report'],
  ['src/index.ts', 'src/internal.ts'],
  ['src/cli', 'web/src', 'demos', 'bench'],
];

/** Imports between folders of one layer that are allowed, each with its reason. */
const SAME_LAYER: Array<{ from: string; to: string; why: string }> = [
  { from: 'src/data', to: 'src/io/errors.ts', why: 'FormatError is the one error every loader throws, CSV and text included' },
  { from: 'src/data', to: 'src/io/limits.ts', why: 'the budgets every loader checks (fileBytes, csvColumns, vocabulary), CSV and text included' },
  { from: 'src/data', to: 'src/io/read-file.ts', why: 'every loader reads a path the same way: a regular file within fileBytes, never a FIFO or a device' },
  { from: 'src/report', to: 'src/trace', why: 'the inspect report shows what trace() recorded' },
  { from: 'src/report', to: 'src/plot', why: 'the inspect report draws its charts with plot/' },
];

/** Front ends and the entries of src/ they may import. */
const FRONT_ENDS: Record<string, string[]> = {
  'src/cli': ['src/index.ts'],
  'web/src': ['src/index.ts'],
  demos: ['src/index.ts'],
  bench: ['src/index.ts', 'src/internal.ts'],
};

const EXCLUDED = ['src/kernels/wasm/assembly/']; // AssemblyScript, compiled to WebAssembly on its own

interface Edge {
  from: string;
  to: string;
  line: number;
  typeOnly: boolean;
}

function walk(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  const out: string[] = [];
  for (const name of readdirSync(abs)) {
    const rel = `${dir}/${name}`;
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...walk(rel));
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') && !EXCLUDED.some((e) => rel.startsWith(e))) out.push(rel);
  }
  return out;
}

/** A relative specifier from `from` to a repository path (the .js of a .ts source maps back), or null for packages and node: modules. */
function resolveSpecifier(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const target = relative(ROOT, resolve(ROOT, dirname(from), spec)).split('\\').join('/');
  for (const c of [target, target.replace(/\.js$/, '.ts'), target.replace(/\.mjs$/, '.mts'), `${target}.ts`, `${target}/index.ts`]) {
    if (existsSync(join(ROOT, c)) && statSync(join(ROOT, c)).isFile()) return c;
  }
  return target; // a missing file still names its folder
}

/** Every import of `file`: import/export declarations and dynamic import() of a literal path. */
function importsOf(file: string): Edge[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const edges: Edge[] = [];
  const add = (spec: ts.Expression, node: ts.Node, typeOnly: boolean): void => {
    let e = spec;
    while (ts.isAsExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
    if (!ts.isStringLiteralLike(e)) return;
    const to = resolveSpecifier(file, e.text);
    if (to) edges.push({ from: file, to, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, node, !!node.importClause?.isTypeOnly);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier) add(node.moduleSpecifier, node, node.isTypeOnly);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) add(node.arguments[0], node, false);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal as ts.Expression, node, true);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

/** The layer entry (folder or file) a path belongs to, and its layer index; null outside every layer. */
function placeOf(path: string): { unit: string; layer: number } | null {
  let best: { unit: string; layer: number } | null = null;
  LAYERS.forEach((units, layer) => {
    for (const unit of units) {
      if ((path === unit || path.startsWith(unit + '/')) && (!best || unit.length > best.unit.length)) best = { unit, layer };
    }
  });
  return best;
}

/** What is wrong with one import, or null. */
export function violation(e: Edge): string | null {
  const from = placeOf(e.from), to = placeOf(e.to);
  if (!from || !to || from.unit === to.unit) return null;
  const where = `${e.from}:${e.line} imports ${e.to}${e.typeOnly ? ' (import type)' : ''}`;
  const entries = FRONT_ENDS[from.unit];
  if (entries && to.layer < from.layer) {
    return entries.includes(to.unit) ? null : `${where}: front end ${from.unit} may import only ${entries.join(' or ')}`;
  }
  if (to.layer > from.layer) return `${where}: ${from.unit} (layer ${from.layer}) imports ${to.unit}, which is above it (layer ${to.layer})`;
  if (to.layer === from.layer && !SAME_LAYER.some((s) => from.unit === s.from && (e.to === s.to || e.to.startsWith(s.to + '/')))) {
    return `${where}: ${from.unit} and ${to.unit} are on the same layer (${to.layer}) and may not import each other`;
  }
  return null;
}

/** Import circles among files (strongly connected components of more than one file, or a file importing itself), each as a path. */
export function circles(edges: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  // Tarjan's algorithm, iterative over an explicit stack so deep graphs cannot overflow.
  let counter = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>(), stack: string[] = [];
  const found: string[][] = [];
  for (const start of next.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; i: number }> = [{ node: start, i: 0 }];
    index.set(start, counter); low.set(start, counter++); stack.push(start); onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1]!;
      const succ = next.get(top.node) ?? [];
      if (top.i < succ.length) {
        const w = succ[top.i++]!;
        if (!index.has(w)) {
          index.set(w, counter); low.set(w, counter++); stack.push(w); onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) low.set(work[work.length - 1]!.node, Math.min(low.get(work[work.length - 1]!.node)!, low.get(top.node)!));
      if (low.get(top.node) === index.get(top.node)) {
        const scc: string[] = [];
        let w: string;
        do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== top.node);
        if (scc.length > 1 || succ.includes(top.node)) found.push(cyclePath(scc, next));
      }
    }
  }
  return found;
}

/** One concrete circle through a strongly connected component: a → b → … → a. */
function cyclePath(scc: string[], next: Map<string, string[]>): string[] {
  const inside = new Set(scc);
  const start = [...scc].sort()[0]!;
  // Breadth-first from start back to start, inside the component.
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const n = queue.shift()!;
    for (const w of next.get(n) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let c = n; c !== start; c = prev.get(c)!) path.splice(1, 0, c);
        return [...path, start];
      }
      if (!prev.has(w)) { prev.set(w, n); queue.push(w); }
    }
  }
  return [...scc, scc[0]!];
}

const files = SCANNED.flatMap(walk);
const edges = files.flatMap(importsOf);

test('layering: the scanned folders hold source files', () => {
  assert.ok(files.some((f) => f.startsWith('src/nn/')), `no src/nn files under ${ROOT}`);
  assert.ok(edges.length > 100, `only ${edges.length} imports found`);
});

test('layering: no import circle', () => {
  const found = circles(edges);
  assert.equal(found.length, 0, `import circles:\n${found.map((c) => '  ' + c.join(' → ')).join('\n')}`);
});

test('layering: no import goes up the layer order or sideways', () => {
  const bad = edges.map(violation).filter((v): v is string => v !== null);
  assert.equal(bad.length, 0, `imports against the layer order:\n${bad.map((b) => '  ' + b).join('\n')}`);
});

test('layering: every same-layer allowance is still used', () => {
  const unused = SAME_LAYER.filter((a) => !edges.some((e) => placeOf(e.from)?.unit === a.from && (e.to === a.to || e.to.startsWith(a.to + '/'))));
  assert.deepEqual(unused, [], 'remove allowances no import needs any more');
});

test('layering: the checks catch an upward import, a sideways one, a front end past the entry, and a circle', () => {
  const edge = (from: string, to: string): Edge => ({ from, to, line: 1, typeOnly: true });
  assert.match(violation(edge('src/nn/sequential.ts', 'src/train/fit.ts'))!, /src\/nn \(layer 2\) imports src\/train, which is above it/);
  assert.match(violation(edge('src/data/csv.ts', 'src/io/model-file.ts'))!, /same layer/);
  assert.match(violation(edge('src/cli/commands/info.ts', 'src/io/convert.ts'))!, /front end src\/cli may import only src\/index.ts/);
  assert.match(violation(edge('web/src/main.ts', 'src/internal.ts'))!, /front end web\/src may import only src\/index.ts/);
  assert.equal(violation(edge('src/data/csv.ts', 'src/io/errors.ts')), null);
  assert.equal(violation(edge('bench/kernels/matmul.ts', 'src/internal.ts')), null);
  assert.equal(violation(edge('src/recipes/classify.ts', 'src/train/fit.ts')), null);
  const ring = [edge('src/a.ts', 'src/b.ts'), edge('src/b.ts', 'src/c.ts'), edge('src/c.ts', 'src/a.ts'), edge('src/c.ts', 'src/d.ts')];
  assert.deepEqual(circles(ring), [['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/a.ts']]);
  assert.deepEqual(circles(ring.slice(1)), []);
});

test('layering: every scanned file sits on a layer', () => {
  const outside = files.filter((f) => !placeOf(f));
  assert.deepEqual(outside, []);
});
