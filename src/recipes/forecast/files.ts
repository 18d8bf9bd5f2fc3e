/**
 * The model file of a forecast: an ensemble is ONE file, written atomically and read back as a
 * whole, so an interrupted run or two runs into the same folder can never leave members of
 * different models side by side (they used to be NAME.2.safetensors, ... next to the file).
 * Written by saveForecast and read back by openForecast (and so by `lstm predict`, `lstm eval`,
 * `lstm info` through openModel).
 *
 * Layout. The weights of member 1 are the file's ordinary tensors (any safetensors reader sees
 * one model); member k ≥ 2 is stored as extra tensors `__member<k>__.<parameter name>`, the
 * same architecture. The metadata holds
 *   forecast  { plan, parts, column, file, dateColumn, members, series }   (the forecaster's
 *             toJSON; where the series came from; how many members the file holds; the series'
 *             length, fingerprint and the rows that trained it, for lstm eval)
 *   training  { seconds, histories }      metrics { model, baselines }
 * A checkpoint of one member (or the best weights after a NaN stop) is a one-member file.
 */
import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomicSync } from '../../io/atomic.js';
import { FormatError } from '../../io/errors.js';
import { assertFiniteWeights } from '../../io/finite.js';
import { configParameterCount, encodeModel, loadModel, type LoadedModel } from '../../io/model-file.js';
import { Sequential } from '../../nn/sequential.js';
import type { Tensor } from '../../tensor/tensor.js';
import { SeriesForecaster, type ForecastResult } from './single-series.js';

/** Most ensemble members a forecast model file may declare. */
const MAX_MEMBERS = 1000;

/** Where the series came from, stored with the forecaster (the CLI's --column, the CSV, its --date column). */
export interface ForecastSource {
  column: string;
  file?: string;
  dateColumn?: string | null;
}

/** Name prefix of the tensors of ensemble member k (from 0; member 0 has none). */
export function memberPrefix(k: number): string {
  return `__member${k + 1}__.`;
}

/** The `forecast` metadata of a model file: the forecaster's JSON, its source and the member count. */
export function forecastMetadata(forecaster: unknown, source: ForecastSource, members: number): Record<string, unknown> {
  return { ...(forecaster as Record<string, unknown>), column: source.column, file: source.file, dateColumn: source.dateColumn ?? null, members };
}

/**
 * Save every model of a runForecast result into the one file `path` (see the layout above),
 * with the plan, the source, the training histories (and `seconds`, the wall time) and the
 * hold-out scores. Creates the directory. Returns the files written (just `path`).
 */
export function saveForecast(path: string, result: ForecastResult, source: ForecastSource, seconds?: number): string[] {
  const members = result.forecaster.models;
  fs.mkdirSync(dirname(path), { recursive: true });
  const meta = {
    // `series`: which data trained it (the first trainRows of these rows), so eval can score the rest.
    forecast: { ...forecastMetadata(result.forecaster.toJSON(), source, members.length), series: { ...result.series, trainRows: result.holdoutStart } },
    training: { seconds, histories: result.histories.map((h) => ({ epochs: h.epochs, bestEpoch: h.bestEpoch, loss: h.loss, valLoss: h.valLoss })) },
    metrics: { model: result.metrics, baselines: result.baselines },
  };
  const others: Record<string, Tensor> = Object.create(null);
  members.forEach((m, k) => {
    if (k === 0) return;
    for (const [name, t] of Object.entries(m.stateDict())) others[memberPrefix(k) + name] = t;
  });
  writeFileAtomicSync(path, encodeModel(members[0]!, meta, others));
  return [path];
}

/** A forecaster read back from its file, with the column (and date column) it was trained on. */
export interface OpenedForecast {
  forecaster: SeriesForecaster;
  column: string;
  dateColumn: string | null;
}

/**
 * The forecaster of a model file written by saveForecast (`loaded` is loadModel(path)): members
 * 2.. are rebuilt from its `__member<k>__.` tensors with member 1's architecture. A member count
 * out of range, a member missing, extra or of the wrong size is a FormatError naming the file.
 */
export function openForecast(path: string, loaded: LoadedModel = loadModel(path)): OpenedForecast {
  const meta = loaded.metadata as Record<string, unknown>;
  const f = meta.forecast as { column?: string; dateColumn?: string | null; members?: number };
  const count = f.members ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_MEMBERS) throw new FormatError(path, `metadata forecast.members must be an integer in 1..${MAX_MEMBERS}, got ${JSON.stringify(f.members)}`);
  // Group the member tensors by k; anything else starting with __member is not ours.
  const groups = new Map<number, Record<string, Tensor>>();
  for (const name of Object.keys(loaded.extraTensors)) {
    const m = /^__member(\d+)__\.(.+)$/.exec(name);
    if (!m) continue;
    const k = Number(m[1]) - 1;
    if (!(k >= 1 && k < count)) throw new FormatError(path, `tensor "${name.slice(0, 60)}" belongs to member ${k + 1}, but the file declares ${count} member(s)`);
    if (!groups.has(k)) groups.set(k, Object.create(null) as Record<string, Tensor>);
    groups.get(k)![m[2]!] = loaded.extraTensors[name]!;
  }
  if (count > 1 && groups.size === 0) {
    throw new FormatError(path, `declares an ensemble of ${count} models stored as separate files (NAME.2.safetensors, ...), as older versions wrote them; such sets can mix runs and are no longer read: run lstm forecast again`);
  }
  const config = loaded.model.config();
  const size = configParameterCount(config);
  const members = [loaded.model];
  for (let k = 1; k < count; k++) {
    const weights = groups.get(k);
    if (!weights) throw new FormatError(path, `ensemble member ${k + 1} of ${count} is missing (no "${memberPrefix(k)}" tensors)`);
    const held = Object.values(weights).reduce((n, t) => n + t.size, 0);
    if (held !== size) throw new FormatError(path, `ensemble member ${k + 1} holds ${held} weights, member 1's architecture needs ${size}`);
    assertFiniteWeights(weights, path, config.dtype === 'float64' ? 'float64' : 'float32');
    const model = Sequential.fromConfig(config, { backend: loaded.model.backend.name });
    try {
      model.loadStateDict(weights);
    } catch (e) {
      throw new FormatError(path, `ensemble member ${k + 1}: ${(e as Error).message}`, { cause: e });
    }
    members.push(model.eval() as Sequential);
  }
  return { forecaster: SeriesForecaster.fromJSON(meta.forecast, members), column: f.column ?? 'value', dateColumn: f.dateColumn ?? null };
}

/**
 * The forecast as CSV text (`lstm forecast`'s forecast.csv): one row per hold-out point with the
 * actual value, the model's forecast and both baselines, then one per step past the end.
 * `labels` name the series' points (dates or indices), `future` the forecast steps.
 */
export function forecastCsv(result: ForecastResult, labels: readonly string[], future: readonly string[]): string {
  const { holdout, holdoutStart } = result;
  const n = holdoutStart + holdout.actual.length;
  const csv = ['index,date,kind,actual,forecast,last_value,seasonal_naive'];
  for (let i = 0; i < holdout.actual.length; i++) {
    const idx = holdoutStart + i;
    csv.push([idx, JSON.stringify(labels[idx]), 'holdout', holdout.actual[i], holdout.predicted[i], holdout.last[i], holdout.seasonal ? holdout.seasonal[i] : ''].join(','));
  }
  result.forecast.forEach((v, i) => csv.push([n + i, JSON.stringify(future[i]), 'future', '', v, '', ''].join(',')));
  return csv.join('\n') + '\n';
}
