/**
 * Classical forecasting: ETS, the Theta method and auto-ARIMA as in R's forecast package,
 * season detection, and the accuracy measures of the M competitions. Same layer as src/data;
 * depends only on src/tensor (for the seeded Rng).
 */
export { type Forecast, type ForecastSpec } from './result.js';
export {
  ets, fitEts, forecastEts, etsInitialState, etsForm,
  type EtsModel, type EtsOptions, type EtsForecast, type EtsForecastOptions, type EtsComponents, type EtsError, type EtsTrend, type EtsSeason,
} from './ets.js';
export { theta, thetaSeasonalityTest, type ThetaModel, type ThetaForecast } from './theta.js';
export {
  detectSeason, seasonScores, scoreSeason, samplingInterval, autocorrelation, CALENDAR_SEASONS, DEFAULT_SEASON_CANDIDATES,
  type SeasonOptions, type SeasonScore, type SamplingInterval,
} from './season.js';
export { decompose, centredMovingAverage, type Decomposition } from './decompose.js';
export {
  smape, mase, rmse, meanAbsoluteError, naiveScale, coverage, pinballLoss, ranks, rankMethods, forecastAccuracy, type ForecastAccuracy,
} from './metrics.js';
export { nelderMead, bfgs, numericHessian, type MinimizeResult, type NelderMeadOptions, type BfgsOptions, type BfgsResult } from './optimize.js';
export {
  autoArima, fitAutoArima, forecastArima, type AutoArimaOptions, type ArimaForecast,
} from './auto-arima.js';
export {
  fitArima, predictArima, stationaryCovariance, arimaName, ArimaFitError,
  type ArimaModel, type ArimaOrder, type ArimaRegressor, type ArimaMethod, type ArimaFitOptions, type ArimaStateSpace,
} from './arima.js';
export { stl, seasonalStrength, type StlOptions, type StlResult } from './stl.js';
export { ndiffs, nsdiffs, kpssStatistic, kpssPValue, isConstant } from './unit-root.js';
