/** Forecasting recipes: one series (`lstm forecast`), its ensembles and their model files; the global (many-series) forecaster and its quantile forecasts. */
export {
  planForecast, FORECAST_DEFAULTS, runForecast, trainForecaster, buildForecastModel, fitScaler, minimumLength, SeriesForecaster, ModeForecaster, WINDOW_BUDGET, CHEAP_ENSEMBLE,
  type ForecastPlan, type ForecastMode, type ForecastOptions, type ForecastResult, type TrainForecastResult,
} from './single-series.js';
export { saveForecast, openForecast, forecastCsv, forecastMetadata, memberPrefix, type ForecastSource, type OpenedForecast } from './files.js';
export {
  fitGlobalForecaster, fineTuneGlobalForecaster, GlobalForecaster, saveGlobalForecaster, loadGlobalForecaster, planGlobal, buildGlobalModel, seriesFrame, sesAlpha, GLOBAL_DEFAULTS,
  type GlobalForecasterOptions, type GlobalPlan, type SeriesFrame, type GlobalSeries, type GlobalSeriesInput, type FineTuneOptions,
} from './global.js';
export {
  DEFAULT_QUANTILES, checkLevels, sortQuantiles, quantileAt, centralInterval, intervalCoverage, movePoint, spreadQuantiles, calibrateSpread, shrinkSpread, calibratedFactors, SPREAD_PRIOR, type QuantileForecast,
} from './quantiles.js';
export { seasonalityTest, seasonalFigure } from './seasonal.js';
export {
  backtestPanel, fitPanel, fitCalibrated, validateOn, CALIBRATION_POINTS, VALIDATION_SHARE, validationWindows, baselinesAndPool, LSTM_ALONE, cutSeries, panelWindows, intervalLevels, naiveWithIntervals, defaultBaselines, minTrainLength, LSTM_METHOD, BASELINES,
  type BaselineName, type BacktestOptions, type HoldoutForecasts, type BacktestResult, type SeriesBacktest, type Scores, type PanelInput, type CalibratedFit, type CalibrationPool,
} from './backtest.js';
export {
  forecastPanel, detectPanelSeason, panelForecastCsv, csvField, quantileColumn,
  type DatedPanelInput, type PanelForecastOptions, type PanelForecastResult,
} from './panel.js';
export {
  baselinePoint, simplexGrid, weightedPoint, shrinkWeights, chooseWeights, fitCombination, applyCombination, poolForecasts, COMBINED_METHOD, POOL_METHODS, FORECAST_METHODS, WEIGHT_STEP, WEIGHT_PRIOR,
  type PoolMethod, type ForecastMethod, type ValidationSet, type ChosenWeights, type Combination,
} from './combine.js';
export { fitClassical, CLASSICAL_WORKER_MIN_SERIES, type ClassicalFit, type ClassicalFits, type ClassicalRequest } from './classical.js';
