/** Forecasting recipes: one series (`lstm forecast`), its ensembles and their model files. */
export {
  planForecast, FORECAST_DEFAULTS, runForecast, trainForecaster, buildForecastModel, fitScaler, minimumLength, SeriesForecaster, ModeForecaster, WINDOW_BUDGET, CHEAP_ENSEMBLE,
  type ForecastPlan, type ForecastMode, type ForecastOptions, type ForecastResult, type TrainForecastResult,
} from './single-series.js';
export { saveForecast, openForecast, forecastCsv, forecastMetadata, memberPrefix, type ForecastSource, type OpenedForecast } from './files.js';
