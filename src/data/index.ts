/** Data: CSV loading, scalers, sliding windows, text vocabularies and batching. */
export {
  readCsv, fillMissing, numericColumn, assertFinite, oneHot,
  type ReadCsvOptions, type CsvTable, type CsvReport, type MissingPolicy,
} from './csv.js';
export { MinMaxScaler, StandardScaler, scalerFromJSON, type Scaler, type ScalerJSON, type Rows } from './scalers.js';
export { slidingWindows, windowCount, type WindowOptions, type Windows } from './windows.js';
export { CharVocab, WordVocab, vocabFromJSON, tokenize, padBatch, PAD_ID, UNK_ID, type VocabJSON } from './text.js';
