/** Data: CSV loading, scalers, series helpers, sliding windows, text files and vocabularies. */
export {
  readCsv, fillMissing, numericColumn, assertFinite, oneHot,
  type ReadCsvOptions, type CsvTable, type CsvReport, type MissingPolicy,
} from './csv.js';
export { MinMaxScaler, StandardScaler, scalerFromJSON, type Scaler, type ScalerJSON, type Rows } from './scalers.js';
export { slidingWindows, windowCount, type WindowOptions, type Windows } from './windows.js';
export { CharVocab, WordVocab, vocabFromJSON, tokenize, padBatch, withDefaults, PAD_ID, UNK_ID, type VocabJSON } from './text.js';
export {
  difference, trendStrength, forecastMetrics, naiveForecast, extendDates, futureLabels, type Metrics,
} from './series.js';
export { readTextHead } from './text-file.js';
export { readPanelCsv, type ReadPanelOptions, type Panel, type PanelSeries } from './panel-csv.js';
