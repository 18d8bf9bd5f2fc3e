/** Data: CSV loading, scalers, sliding windows, text vocabularies and batching. */
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
export {
  planForecast, FORECAST_DEFAULTS, runForecast, trainForecaster, buildForecastModel, fitScaler, minimumLength, SeriesForecaster, ModeForecaster, WINDOW_BUDGET, CHEAP_ENSEMBLE,
  type ForecastPlan, type ForecastMode, type ForecastOptions, type ForecastResult, type TrainForecastResult,
} from './forecast.js';
export {
  trainLanguageModel, evaluateLanguageModel, buildLanguageModel, generateText, nextTokenChunks, unigramLoss, sampleLogits, StatefulRunner, LM_DEFAULTS,
  type LanguageModelPlan, type TrainTextResult,
} from './language-model.js';
export {
  readLabelledTexts, trainClassifier, classificationMetrics, TextClassifier, CLASSIFIER_DEFAULTS, type ClassifierPlan, type LabelledTexts,
} from './classify.js';
export { readTextHead } from './text-file.js';
