/**
 * The model files of a forecast: how an ensemble is laid out on disk and what its metadata
 * says, written by saveForecast and read back by openForecast (and so by `lstm predict`,
 * `lstm eval`, `lstm info` through openModel).
 *
 * Layout. Member 1 is `NAME.safetensors`, member k is `NAME.k.safetensors` beside it; each is a
 * complete model file whose metadata holds
 *   forecast  { plan, parts, column, file, dateColumn, members }   (the forecaster's toJSON plus
 *             where the series came from and how many member files there are)
 *   training  { seconds, histories }      metrics { model, baselines }      member  k − 1
 * Members are written last to first, so `NAME.safetensors` appearing completes the set.
 * A checkpoint of one member (or the best weights after a NaN stop) is a one-member file.
 */
import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { FormatError } from '../../io/errors.js';
import { loadModel, saveModel, type LoadedModel } from '../../io/model-file.js';
import { SeriesForecaster, type ForecastResult } from './single-series.js';

/** Most ensemble members a forecast model file may declare. */
const MAX_MEMBERS = 1000;

/** Where the series came from, stored with the forecaster (the CLI's --column, the CSV, its --date column). */
export interface ForecastSource {
  column: string;
  file?: string;
  dateColumn?: string | null;
}

/** File of ensemble member k (from 0): `path` itself, then NAME.2.safetensors, NAME.3.safetensors, ... */
export function memberPath(path: string, k: number): string {
  if (k === 0) return path;
  if (!path.endsWith('.safetensors')) throw new RangeError(`${path}: an ensemble needs a file name ending in .safetensors (members are NAME.2.safetensors, ...)`);
  return path.replace(/\.safetensors$/, `.${k + 1}.safetensors`);
}

/** The `forecast` metadata of a model file: the forecaster's JSON, its source and the member count. */
export function forecastMetadata(forecaster: unknown, source: ForecastSource, members: number): Record<string, unknown> {
  return { ...(forecaster as Record<string, unknown>), column: source.column, file: source.file, dateColumn: source.dateColumn ?? null, members };
}

/**
 * Save every model of a runForecast result: member 1 to `path`, the others beside it, each with
 * the plan, the source, the training histories (and `seconds`, the wall time) and the hold-out
 * scores. Creates the directory. Returns the files written, member 1 first.
 */
export function saveForecast(path: string, result: ForecastResult, source: ForecastSource, seconds?: number): string[] {
  const members = result.forecaster.models;
  const files = members.map((_, k) => memberPath(path, k));
  fs.mkdirSync(dirname(path), { recursive: true });
  const meta = {
    forecast: forecastMetadata(result.forecaster.toJSON(), source, members.length),
    training: { seconds, histories: result.histories.map((h) => ({ epochs: h.epochs, bestEpoch: h.bestEpoch, loss: h.loss, valLoss: h.valLoss })) },
    metrics: { model: result.metrics, baselines: result.baselines },
  };
  for (let k = members.length - 1; k >= 0; k--) saveModel(members[k]!, files[k]!, { ...meta, member: k });
  return files;
}

/** A forecaster read back from its files, with the column (and date column) it was trained on. */
export interface OpenedForecast {
  forecaster: SeriesForecaster;
  column: string;
  dateColumn: string | null;
}

/**
 * The forecaster of a model file written by saveForecast (`loaded` is loadModel(path)): its
 * other members are loaded from beside it. A member count out of range is a FormatError.
 */
export function openForecast(path: string, loaded: LoadedModel = loadModel(path)): OpenedForecast {
  const meta = loaded.metadata as Record<string, unknown>;
  const f = meta.forecast as { column?: string; dateColumn?: string | null; members?: number };
  // Ensemble members sit next to the file as NAME.2.safetensors, ...; a hostile count must not
  // make us load the same file forever.
  const count = f.members ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_MEMBERS) throw new FormatError(path, `metadata forecast.members must be an integer in 1..${MAX_MEMBERS}, got ${JSON.stringify(f.members)}`);
  if (count > 1 && !path.endsWith('.safetensors')) throw new FormatError(path, `an ensemble of ${count} models needs a file name ending in .safetensors (members are NAME.2.safetensors, ...)`);
  const members = [loaded.model];
  for (let k = 1; k < count; k++) members.push(loadModel(memberPath(path, k)).model);
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
