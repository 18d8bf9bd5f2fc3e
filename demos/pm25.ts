/**
 * Demo 3, multivariate forecasting: next-hour PM2.5 at the US Embassy in Beijing from the
 * previous 24 hours of PM2.5 and weather (dew point, temperature, pressure, cumulated wind
 * speed, hours of snow and rain, the categorical wind direction `cbwd` one-hot encoded, and
 * the hour of day as sin/cos),
 * against persistence (next hour = this hour). Missing PM2.5 cells ('NA') are linearly
 * interpolated for use as INPUTS, and every window whose TARGET hour was missing is left out
 * of training and evaluation, so no score is computed against an invented value; the demo
 * reports how many there were. Train on a seeded sample of windows from 2010–2013, test on
 * every scorable hour of 2014 (the last 8,760 rows).
 *
 * The model predicts the change from the last observed hour (in standardised units) and adds
 * it back: it starts at persistence and learns the correction.
 */
import { join } from 'node:path';
import { writeFileAtomicSync, LSTM, Rng, Tensor, fit, StandardScaler, oneHot, readCsv, slidingWindows, numericColumn, Dense, LastStep, Sequential, gatherRows, lineChart } from '../src/index.js';
import { mainIfEntry, posInt, round, type Demo } from './runner.js';
import { mae, mse } from './metrics.js';

const FILE = 'data/pollution.csv';
const NUMERIC = ['pm2.5', 'DEWP', 'TEMP', 'PRES', 'Iws', 'Is', 'Ir'];
const LOOKBACK = 24;
const TEST_HOURS = 8760; // 2014

export const pm25Demo: Demo = {
  name: 'pm25',
  title: 'Beijing PM2.5: next hour from the previous 24 hours',
  summary: 'multivariate LSTM forecast against persistence, missing values handled and reported',
  options: [
    { flags: '--train-windows <n>', description: 'training windows sampled from 2010–2013 (default: all of them; quick 1500)', parse: posInt },
    { flags: '--epochs <n>', description: 'max training epochs, early stopping on validation (default 12; quick 3)', parse: posInt },
  ],
  async run({ quick, seed, out, opts, log }) {
    const table = await readCsv(FILE, { columns: [...NUMERIC, 'hour', 'cbwd'], categorical: ['cbwd'], missing: 'interpolate' });
    const N = table.rows;
    const missingLines = table.report.missing['pm2.5'] ?? [];
    const missingSet = new Set(missingLines);
    const observed = Uint8Array.from(table.lines, (line) => (missingSet.has(line) ? 0 : 1));
    const wind = oneHot(table.columns.cbwd as string[]);
    const K = wind.categories.length, F = NUMERIC.length + K + 2;
    const series = new Float64Array(N * F);
    NUMERIC.forEach((name, j) => {
      const v = numericColumn(table, name);
      for (let i = 0; i < N; i++) series[i * F + j] = v[i]!;
    });
    const hour = numericColumn(table, 'hour');
    for (let i = 0; i < N; i++) {
      for (let k = 0; k < K; k++) series[i * F + NUMERIC.length + k] = wind.data[i * K + k]!;
      series[i * F + F - 2] = Math.sin((2 * Math.PI * hour[i]!) / 24);
      series[i * F + F - 1] = Math.cos((2 * Math.PI * hour[i]!) / 24);
    }
    for (const name of NUMERIC) if (name !== 'pm2.5' && table.report.missing[name]?.length) throw new Error(`${FILE}: unexpected missing values in "${name}"`);

    // Standardise with statistics of the training span only.
    const testStart = N - TEST_HOURS;
    const scaler = new StandardScaler().fit(series.subarray(0, testStart * F), F);
    const scaled = scaler.transform(series);
    const w = slidingWindows(new Tensor(Float32Array.from(scaled), [N, F]), { lookback: LOOKBACK, horizon: 1, targetColumns: [0] });
    const pm = numericColumn(table, 'pm2.5'); // interpolated µg/m³
    const pmStd = scaler.std[0]!;

    // Scorable windows: the target hour was observed. Train: target before 2014; test: in 2014.
    const trainIdx: number[] = [], testIdx: number[] = [];
    let skippedTrain = 0, skippedTest = 0;
    for (let m = 0; m < w.targetStart.length; m++) {
      const t = w.targetStart[m]!;
      const isTest = t >= testStart;
      if (!observed[t]) {
        if (isTest) skippedTest++;
        else skippedTrain++;
        continue;
      }
      (isTest ? testIdx : trainIdx).push(m);
    }
    const rng = new Rng(seed);
    rng.shuffle(trainIdx);
    const nTrain = Math.min(trainIdx.length, (opts.trainWindows as number | undefined) ?? (quick ? 1500 : Infinity));
    const trainSel = Int32Array.from(trainIdx.slice(0, nTrain));
    const testSel = Int32Array.from(quick ? testIdx.slice(0, 2000) : testIdx);

    // Target: change from the last input hour, standardised.
    const delta = (sel: Int32Array): Tensor => {
      const y = Tensor.zeros([sel.length, 1]);
      sel.forEach((m, i) => {
        const t = w.targetStart[m]!;
        y.data[i] = (pm[t]! - pm[t - 1]!) / pmStd;
      });
      return y;
    };
    const xTrain = gatherRows(w.x, trainSel, 0, trainSel.length), yTrain = delta(trainSel);
    const xTest = gatherRows(w.x, testSel, 0, testSel.length);
    const actual = Float64Array.from(testSel, (m) => pm[w.targetStart[m]!]!);
    const persistence = Float64Array.from(testSel, (m) => pm[w.targetStart[m]! - 1]!);

    const hidden = quick ? 16 : 32;
    const model = new Sequential([
      ['lstm', new LSTM({ inputSize: F, hiddenSize: hidden, batchFirst: true, seed, init: { unitForgetBias: true } })],
      ['last', new LastStep()],
      ['fc', new Dense({ inputSize: hidden, outputSize: 1, seed: seed + 1 })],
    ]);
    const epochs = (opts.epochs as number | undefined) ?? (quick ? 3 : 12);
    const history = await fit(model, {
      x: xTrain, y: yTrain, validation: { split: 0.1 }, epochs, batchSize: 32, seed, loss: 'mse',
      optimizer: { name: 'adam', lr: 0.003 }, clipNorm: 1, progress: false, earlyStopping: { patience: 3, restoreBest: true },
      callbacks: { onEpochEnd: (e) => log(`epoch ${e.epoch}/${e.epochs}: loss ${e.loss.toFixed(4)}, val ${e.valLoss.toFixed(4)}`) },
    });
    const d = model.predict(xTest, { batchSize: 512 });
    const lstm = Float64Array.from(persistence, (p, i) => p + d.data[i]! * pmStd);

    const plots: string[] = [];
    if (out) {
      const first = Math.min(24 * 7, actual.length); // one week of 2014, hour by hour
      const hours = Array.from({ length: first }, (_, i) => w.targetStart[testSel[i]!]! - testStart);
      const p = join(out, 'pm25-week.svg');
      writeFileAtomicSync(p, lineChart({
        title: 'PM2.5, first week of the 2014 test year: next-hour forecasts', xLabel: 'hour of 2014', yLabel: 'PM2.5 (µg/m³)',
        series: [
          { name: 'actual', x: hours, y: Array.from(actual.subarray(0, first)) },
          { name: 'persistence', x: hours, y: Array.from(persistence.subarray(0, first)), dashed: true },
          { name: 'LSTM', x: hours, y: Array.from(lstm.subarray(0, first)) },
        ],
      }));
      plots.push(p);
    }
    const row = (name: string, pred: Float64Array, seconds: number | null) => ({
      model: name, rmse: round(Math.sqrt(mse(actual, pred)), 3), mae: round(mae(actual, pred), 3), seconds: seconds === null ? null : round(seconds, 1),
    });
    return {
      columns: [{ key: 'model', label: 'model' }, { key: 'rmse', label: 'RMSE (µg/m³)', digits: 2 }, { key: 'mae', label: 'MAE (µg/m³)', digits: 2 }, { key: 'seconds', label: 'train seconds', digits: 1 }],
      rows: [row('persistence (next hour = this hour)', persistence, null), row(`LSTM ${hidden}, 24 h × ${F} features`, lstm, history.seconds)],
      notes: [
        `Missing PM2.5: ${missingLines.length} of ${N} hourly rows (${(100 * missingLines.length / N).toFixed(1)}%) are 'NA'. Strategy: linear interpolation (leading gap: first valid value) for inputs only; the ${skippedTrain} training-span and ${skippedTest} test windows whose target hour was missing are excluded.`,
        `Features (${F}): ${NUMERIC.join(', ')}, cbwd one-hot (${wind.categories.join(', ')}) and sin/cos of the hour of day, standardised with 2010–2013 statistics.`,
        `Training: ${nTrain} windows sampled (seeded) from 2010–2013 (a random 10% of them validate: early stopping with patience 3, best weights restored; ${history.epochs} of at most ${epochs} epochs run), batch 32, Adam lr 0.003, clipping at 1; the LSTM predicts the change from the last hour. Test: ${testSel.length} scorable hours of 2014${quick ? ' (quick: the first 2000)' : ''}.`,
      ],
      plots,
      extra: { missingPm25: missingLines.length, rows: N, history: { loss: history.loss, valLoss: history.valLoss } },
    };
  },
};

await mainIfEntry(pm25Demo, import.meta.url);
