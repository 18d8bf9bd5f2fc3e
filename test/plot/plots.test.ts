/**
 * The SVG plots the explorer, the lesson and the inspect report draw: the cell diagrams of
 * LSTM, GRU and plain RNN show the traced values of the chosen unit and fade what a lesson step
 * does not point at; a log-scale loss chart puts its ticks at powers of ten and breaks at
 * values ≤ 0; the forget-gate chart's unit numbers never overlap; a heatmap's input label stays
 * inside the picture however long it is (the report used to clip "Passengers (scaled)").
 * Text widths are estimated at 0.6 em per Latin character, a conservative bound for the
 * system sans-serif fonts (the browser test measures the real ones).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GRU, LSTM, RNN, TERMS, Tensor, forgetBars, fmt2, heatmap, lineChart, sequentialScale, stepDiagram, trace } from '../../src/index.js';

const attr = (tag: string, name: string): string | undefined => tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];

/** Every <text data-v="k">value</text> of an SVG, as { k: value }. */
function shownValues(svg: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of svg.matchAll(/<text data-v="(\w+)"[^>]*>([^<]*)</g)) out[m[1]!] = m[2]!;
  for (const m of svg.matchAll(/<text class="value" data-k="\w+" data-v="(\w+)"[^>]*>([^<]*)</g)) out[m[1]!] = m[2]!;
  return out;
}

test('cell diagrams: LSTM, GRU and RNN show the traced values of the chosen unit at the chosen step', () => {
  const x = Tensor.zeros([6, 1, 1]);
  x.data.forEach((_, i) => (x.data[i] = Math.sin(i)));
  const t = 3, u = 2;
  const val = (tt: Tensor): string => fmt2(tt.data[t * tt.shape[2]! + u]!);
  const lstm = new LSTM({ inputSize: 1, hiddenSize: 4, seed: 1 });
  const dl = trace(lstm, x).directions[0]!;
  const sl = shownValues(stepDiagram(dl, x, lstm, t, TERMS.en, { unit: u }));
  assert.deepEqual(
    [sl.f, sl.i, sl.g, sl.o, sl.c, sl.cPrev, sl.h, sl.hPrev, sl.x],
    [val(dl.gates.forget!), val(dl.gates.input!), val(dl.gates.candidate!), val(dl.gates.output!), val(dl.cell!), val(dl.cellPrev!),
      val(dl.hidden), val(dl.hiddenPrev), fmt2(x.data[t]!)],
  );
  const f = dl.gates.forget!.data[t * 4 + u]!, c0 = dl.cellPrev!.data[t * 4 + u]!;
  assert.equal(sl.fc, fmt2(f * c0));
  assert.equal(sl.tanhC, fmt2(Math.tanh(dl.cell!.data[t * 4 + u]!)));

  const gru = new GRU({ inputSize: 1, hiddenSize: 4, seed: 1 });
  const dg = trace(gru, x).directions[0]!;
  const sg = shownValues(stepDiagram(dg, x, gru, t, TERMS['zh-TW'], { unit: u }));
  assert.deepEqual([sg.r, sg.z, sg.n, sg.h, sg.hPrev], [val(dg.gates.reset!), val(dg.gates.update!), val(dg.gates.new!), val(dg.hidden), val(dg.hiddenPrev)]);

  const rnn = new RNN({ inputSize: 1, hiddenSize: 4, seed: 1 });
  const dr = trace(rnn, x).directions[0]!;
  const svg = stepDiagram(dr, x, rnn, t, TERMS['zh-TW'], { unit: u });
  assert.deepEqual([shownValues(svg).h, shownValues(svg).hPrev], [val(dr.hidden), val(dr.hiddenPrev)]);
  assert.ok(svg.includes('tanh 層') && svg.includes('沒有記憶細胞'), 'the deck\'s single tanh layer, and no memory cell');
});

test('cell diagram highlight: the named parts stay, everything else fades; tooltips carry the deck\'s words', () => {
  const x = Tensor.zeros([3, 1, 1]);
  const lstm = new LSTM({ inputSize: 1, hiddenSize: 2, seed: 1 });
  const svg = stepDiagram(trace(lstm, x).directions[0]!, x, lstm, 1, TERMS.en, { highlight: ['forget'] });
  const layers = [...svg.matchAll(/<g class="layer" data-k="(\w)"[^>]*>/g)].map((m) => [m[1], attr(m[0], 'opacity')]);
  assert.deepEqual(layers, [['f', undefined], ['i', '0.22'], ['g', '0.22'], ['o', '0.22']]);
  assert.match(svg, /<g class="layer" data-k="f"[^>]*><title>forget gate: The forget gate reads/);
  // Two diagrams on one page must not share element ids (arrow markers, gradients).
  const ids = (s: string): string[] => [...s.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]!);
  const again = stepDiagram(trace(lstm, x).directions[0]!, x, lstm, 1, TERMS.en);
  assert.deepEqual(ids(svg).filter((id) => ids(again).includes(id)), []);
});

test('lineChart logY: ticks at powers of ten, values ≤ 0 break the line', () => {
  const svg = lineChart({ logY: true, series: [{ name: 'loss', x: [1, 2, 3, 4, 5], y: [2, 0.1, 0.003, 0, 2e-4] }] });
  const ticks = [...svg.matchAll(/text-anchor="end" dominant-baseline="middle">([^<]+)</g)].map((m) => m[1]);
  assert.deepEqual(ticks, ['10⁻⁴', '0.001', '0.01', '0.1', '1', '10']);
  // Many decades: every other one, so the labels keep their room.
  const wide = lineChart({ logY: true, series: [{ name: 'g', x: [1, 2], y: [1, 1e-11] }] });
  assert.deepEqual([...wide.matchAll(/dominant-baseline="middle">([^<]+)</g)].map((m) => m[1]), ['10⁻¹⁰', '10⁻⁸', '10⁻⁶', '10⁻⁴', '0.01', '1']);
  const d = svg.match(/<path d="([^"]+)" fill="none" stroke="#0072B2"/)![1]!;
  assert.equal((d.match(/M/g) ?? []).length, 2, `two pieces around the zero: ${d}`);
  // Linear charts are unchanged: ticks on a 1-2-5 grid.
  assert.ok(lineChart({ series: [{ name: 'a', x: [0, 1], y: [0, 1] }] }).includes('>0.2<'));
});

test('forgetBars: unit numbers never overlap, even with 128 units; f_t is drawn on its own 0..1 axis', () => {
  for (const n of [8, 12, 40, 128, 300]) {
    const svg = forgetBars({ title: 't', cPrev: new Float32Array(n).fill(0.3), f: new Float32Array(n).fill(0.5), keptLabel: 'k', droppedLabel: 'd', unitLabel: 'unit' });
    const labels = [...svg.matchAll(/<text x="([\d.]+)" y="\d+" font-size="10" text-anchor="middle">(\d+)</g)].map((m) => ({ x: Number(m[1]), s: m[2]! }));
    assert.ok(labels.length >= 2, `${n} units: ${labels.length} labels`);
    for (let k = 1; k < labels.length; k++) {
      const room = labels[k]!.x - labels[k - 1]!.x, need = 0.6 * 10 * (labels[k]!.s.length + labels[k - 1]!.s.length) / 2 + 2;
      assert.ok(room >= need, `${n} units: labels ${labels[k - 1]!.s} and ${labels[k]!.s} are ${room.toFixed(1)} px apart, need ${need}`);
    }
    assert.equal([...svg.matchAll(/<g data-unit=/g)].length, n);
  }
});

test('heatmap: the input label stays inside the picture, however long', () => {
  for (const label of ['x', 'Passengers (scaled)', 'a very long column name that goes on and on and on and on and on (scaled)']) {
    const svg = heatmap({ title: 'input gate', values: [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], scale: sequentialScale(), input: { label, values: [1, 2, 3] } });
    const width = Number(attr(svg, 'width'));
    const tag = svg.match(/<text class="input-label"[^>]*>([^<]*)</)!;
    const x = Number(attr(tag[0], 'x')), w = 0.6 * 10 * Array.from(tag[1]!).length;
    assert.equal(attr(tag[0], 'text-anchor'), undefined, 'anchored at its start');
    assert.ok(x >= 0 && x + w <= width, `${label}: spans ${x}..${x + w} in ${width}`);
    if (label.length < 25) assert.equal(tag[1], label); // short labels are shown whole
  }
});
