#!/usr/bin/env Rscript
# Reference values from R's forecast package (8.20) for the classical forecasters in src/stats:
# ets(), thetaf(), auto.arima() and the tests and helpers behind them, on the bundled data, a
# dozen M3 series (read from ../shared/data/m3; only their values go into the fixtures) and
# seeded synthetic series. Writes test/fixtures/stats/*.json, which test/stats/*.test.ts read.
#
#   Rscript scripts/gen_stats_fixtures.R        (from the repository root; needs forecast, urca, jsonlite)
suppressMessages({
  library(forecast)
  library(jsonlite)
  library(urca)
})
stopifnot(packageVersion("forecast") == "8.20")
out_dir <- file.path("test", "fixtures", "stats")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)
write_json_file <- function(x, name) {
  writeLines(toJSON(x, digits = NA, auto_unbox = TRUE, null = "null", na = "null"), file.path(out_dir, name))
}

# ---- series --------------------------------------------------------------------------------
read_col <- function(file, col) as.numeric(read.csv(file)[[col]])
m3dir <- file.path("..", "shared", "data", "m3")
m3_train <- function(freq, id) {
  d <- read.csv(file.path(m3dir, paste0(freq, ".csv")))
  d <- d[d$id == id & d$split == "train", ]
  d$value[order(d$t)]
}
series <- list()
add <- function(name, y, period, h) series[[length(series) + 1]] <<- list(name = name, y = as.numeric(y), period = period, h = h)

add("airline", read_col("data/airline-passengers.csv", "Passengers"), 12, 18)
add("sunspots-last-240", tail(read_col("data/monthly-sunspots.csv", "Sunspots"), 240), 12, 18)
add("min-temperature-last-365", tail(read_col("data/daily-min-temperatures.csv", "Temp"), 365), 7, 14)
add("shampoo", c(266.0, 145.9, 183.1, 119.3, 180.3, 168.5, 231.8, 224.5, 192.8, 122.9, 336.5, 185.9,
                 194.3, 149.5, 210.1, 273.3, 191.4, 287.0, 226.0, 303.6, 289.9, 421.6, 264.5, 342.3,
                 339.7, 440.4, 315.9, 439.3, 401.3, 437.4, 575.5, 407.6, 682.0, 475.3, 581.3, 646.9), 12, 12)
monthly_ids <- head(readLines(file.path(m3dir, "sample-monthly-200.txt")), 10)
for (id in monthly_ids) add(paste0("M3-", id), m3_train("monthly", id), 12, 18)
for (id in head(readLines(file.path(m3dir, "sample-quarterly-100.txt")), 3)) add(paste0("M3-", id), m3_train("quarterly", id), 4, 8)
for (id in head(readLines(file.path(m3dir, "sample-yearly-100.txt")), 3)) add(paste0("M3-", id), m3_train("yearly", id), 1, 6)
set.seed(20240601)
t <- 1:96
add("synthetic-multiplicative", round(100 * (1 + 0.01 * t) * (1 + 0.3 * sin(2 * pi * t / 12)) * exp(rnorm(96, 0, 0.05)), 3), 12, 24)
add("synthetic-additive", round(50 + 0.2 * t + 5 * cos(2 * pi * t / 12) + rnorm(96, 0, 1), 3), 12, 24)
add("synthetic-negative", round(cumsum(rnorm(80)) - 5, 3), 1, 10)
add("synthetic-weekly", round(20 + 3 * sin(2 * pi * (1:140) / 7) + rnorm(140, 0, 1), 3), 7, 14)
add("short-12", c(12, 15, 14, 18, 17, 21, 19, 23, 25, 24, 28, 27), 1, 5)

# ---- ETS: the selected model, and every model of the default set on two series ---------------
model_set <- list(c("A", "N", "N", FALSE), c("A", "A", "N", TRUE), c("A", "A", "N", FALSE),
                  c("A", "N", "A", FALSE), c("A", "A", "A", TRUE), c("A", "A", "A", FALSE),
                  c("M", "N", "N", FALSE), c("M", "A", "N", TRUE), c("M", "A", "N", FALSE),
                  c("M", "N", "A", FALSE), c("M", "A", "A", TRUE), c("M", "A", "A", FALSE),
                  c("M", "N", "M", FALSE), c("M", "A", "M", TRUE), c("M", "A", "M", FALSE))
ets_summary <- function(fit, h) {
  fc <- forecast(fit, h = h, level = c(80, 95))
  par <- fit$par
  list(method = fit$method, alpha = unname(par["alpha"]), beta = unname(par["beta"]),
       gamma = unname(par["gamma"]), phi = unname(par["phi"]),
       aicc = fit$aicc, aic = fit$aic, bic = fit$bic, loglik = fit$loglik, sigma2 = fit$sigma2, mse = fit$mse,
       initstate = unname(fit$initstate), mean = as.numeric(fc$mean),
       lower80 = as.numeric(fc$lower[, 1]), upper80 = as.numeric(fc$upper[, 1]),
       lower95 = as.numeric(fc$lower[, 2]), upper95 = as.numeric(fc$upper[, 2]))
}
ets_cases <- lapply(series, function(s) {
  y <- ts(s$y, frequency = s$period)
  c(s, list(r = ets_summary(ets(y), s$h)))
})
every_model <- lapply(series[c(1, 5)], function(s) {
  y <- ts(s$y, frequency = s$period)
  fits <- lapply(model_set, function(ms) {
    fit <- ets(y, model = paste0(ms[1], ms[2], ms[3]), damped = as.logical(ms[4]))
    c(list(model = paste0(ms[1], ms[2], ms[3]), damped = as.logical(ms[4])), ets_summary(fit, s$h))
  })
  list(name = s$name, y = s$y, period = s$period, h = s$h, fits = fits)
})
# The initial states ets() starts from (before optimisation), for the decomposition / Fourier paths.
init_series <- c(series[c(1, 4, 5)], list(list(name = "airline-first-30", y = series[[1]]$y[1:30], period = 12)))
init_cases <- lapply(init_series, function(s) {
  y <- ts(s$y, frequency = s$period)
  list(name = s$name, y = s$y, period = s$period,
       MAM = unname(forecast:::initstate(y, "A", "M")), AAA = unname(forecast:::initstate(y, "A", "A")),
       ANN = unname(forecast:::initstate(y, "N", "N")))
})
# Series too short to estimate (n <= parameters + 4): ets() falls back to Holt / SES by least squares.
tiny <- lapply(list(c(5, 6), c(1, 2, 4), c(1, 2, 3, 4, 5, 6)), function(y) {
  fc <- forecast(ets(y), h = 2, level = c(80, 95))
  list(y = y, method = fc$method, mean = as.numeric(fc$mean), upper95 = as.numeric(fc$upper[, 2]))
})
write_json_file(list(cases = ets_cases, everyModel = every_model, initialStates = init_cases, tiny = tiny), "ets.json")

# ---- Theta ---------------------------------------------------------------------------------
theta_cases <- lapply(series, function(s) {
  y <- ts(s$y, frequency = s$period)
  fc <- thetaf(y, h = s$h, level = c(80, 95))
  c(s, list(r = list(alpha = unname(fc$model$alpha), drift = unname(fc$model$drift), sigma2 = unname(fc$model$sigma),
                     mean = as.numeric(fc$mean), lower80 = as.numeric(fc$lower[, 1]), upper80 = as.numeric(fc$upper[, 1]),
                     lower95 = as.numeric(fc$lower[, 2]), upper95 = as.numeric(fc$upper[, 2]),
                     fitted = as.numeric(fc$fitted))))
})
write_json_file(list(cases = theta_cases), "theta.json")

# ---- ARIMA: auto.arima on every series, fixed-order fits, the tests behind d and D ------------
arima_summary <- function(fit, h) {
  fc <- forecast(fit, h = h, level = c(80, 95))
  list(method = forecast:::arima.string(fit), arma = fit$arma, coef = unname(fit$coef),
       aicc = fit$aicc, aic = fit$aic, loglik = fit$loglik, sigma2 = fit$sigma2,
       mean = as.numeric(fc$mean), lower80 = as.numeric(fc$lower[, 1]), upper80 = as.numeric(fc$upper[, 1]),
       lower95 = as.numeric(fc$lower[, 2]), upper95 = as.numeric(fc$upper[, 2]))
}
arima_cases <- lapply(series, function(s) {
  y <- ts(s$y, frequency = s$period)
  c(s, list(r = arima_summary(auto.arima(y), s$h)))
})
air <- ts(series[[1]]$y, frequency = 12)
fixed_fits <- list(
  list(name = "airline (0,1,1)(0,1,1)", y = series[[1]]$y, order = c(0, 1, 1, 0, 1, 1, 12), regressor = "none", method = "CSS-ML",
       r = arima_summary(Arima(air, c(0, 1, 1), c(0, 1, 1)), 12)),
  list(name = "airline (2,1,0)(0,1,0)", y = series[[1]]$y, order = c(2, 1, 0, 0, 1, 0, 12), regressor = "none", method = "CSS-ML",
       r = arima_summary(Arima(air, c(2, 1, 0), c(0, 1, 0)), 12)),
  list(name = "airline (1,1,1) drift", y = series[[1]]$y, order = c(1, 1, 1, 0, 0, 0, 1), regressor = "drift", method = "CSS-ML",
       r = arima_summary(Arima(as.numeric(air), c(1, 1, 1), include.drift = TRUE), 12)),
  list(name = "airline (2,0,1) mean", y = series[[1]]$y, order = c(2, 0, 1, 0, 0, 0, 1), regressor = "intercept", method = "CSS-ML",
       r = arima_summary(Arima(as.numeric(air), c(2, 0, 1)), 12)),
  list(name = "airline (1,0,0)(1,1,0) ML", y = series[[1]]$y, order = c(1, 0, 0, 1, 1, 0, 12), regressor = "none", method = "ML",
       r = arima_summary(Arima(air, c(1, 0, 0), c(1, 1, 0), method = "ML"), 12)),
  list(name = "airline (0,1,1)(0,1,1) CSS", y = series[[1]]$y, order = c(0, 1, 1, 0, 1, 1, 12), regressor = "none", method = "CSS",
       r = arima_summary(Arima(air, c(0, 1, 1), c(0, 1, 1), method = "CSS"), 12)))
tests <- lapply(series, function(s) {
  y <- ts(s$y, frequency = s$period)
  k <- ur.kpss(s$y, type = "mu", use.lag = trunc(3 * sqrt(length(s$y)) / 13))
  list(name = s$name, y = s$y, period = s$period, kpss = k@teststat[1], ndiffs = ndiffs(s$y),
       nsdiffs = if (s$period > 1 && length(s$y) > 2 * s$period) nsdiffs(y) else 0,
       strength = if (s$period > 1 && length(s$y) > 2 * s$period) forecast:::seas.heuristic(y) else NULL)
})
stl_cases <- lapply(series[c(1, 5)], function(s) {
  f <- stl(ts(s$y, frequency = s$period), s.window = 11)
  list(name = s$name, y = s$y, period = s$period, seasonal = as.numeric(f$time.series[, "seasonal"]), trend = as.numeric(f$time.series[, "trend"]))
})
write_json_file(list(cases = arima_cases, fixed = fixed_fits, tests = tests, stl = stl_cases), "arima.json")

# ---- helpers: qnorm, pf, decompose, acf ------------------------------------------------------
air <- ts(series[[1]]$y, frequency = 12)
dm <- decompose(air, "multiplicative")
da <- decompose(ts(series[[5]]$y, frequency = 12), "additive")
write_json_file(list(
  qnorm = lapply(c(1e-10, 0.001, 0.025, 0.1, 0.5, 0.8, 0.975, 0.999999), function(p) list(p = p, q = qnorm(p))),
  pf = lapply(list(c(2.5, 11, 120), c(1.2, 364, 3285), c(40, 23, 100), c(0.7, 3, 9)),
              function(a) list(f = a[1], d1 = a[2], d2 = a[3], upper = pf(a[1], a[2], a[3], lower.tail = FALSE))),
  decompose = list(
    list(name = "airline", y = series[[1]]$y, period = 12, type = "multiplicative",
         trend = as.numeric(dm$trend), figure = as.numeric(dm$figure)),
    list(name = series[[5]]$name, y = series[[5]]$y, period = 12, type = "additive",
         trend = as.numeric(da$trend), figure = as.numeric(da$figure))),
  acf = list(y = series[[1]]$y, lag = 24, r = as.numeric(acf(series[[1]]$y, lag.max = 24, plot = FALSE)$acf)),
  nelderMead = local({
    rosen <- function(x) 100 * (x[2] - x[1]^2)^2 + (1 - x[1])^2
    o <- optim(c(-1.2, 1), rosen, method = "Nelder-Mead")
    list(start = c(-1.2, 1), par = o$par, value = o$value, evaluations = unname(o$counts[1]))
  })
), "numeric.json")
cat("wrote", out_dir, "\n")
