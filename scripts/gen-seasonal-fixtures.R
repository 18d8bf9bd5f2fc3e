# Fixtures for test/recipes/seasonal.test.ts: R's seasonality test (the one forecast::thetaf
# applies) and the seasonal figure of stats::decompose(type = "additive") on a few series,
# written as JSON to test/fixtures/forecast/seasonal.json.
#   Rscript scripts/gen-seasonal-fixtures.R
set.seed(42)
cases <- list()
add <- function(name, x, m) {
  n <- length(x)
  r <- as.numeric(acf(x, lag.max = m, plot = FALSE)$acf)[-1]
  stat <- sqrt((1 + 2 * sum(r[-m]^2)) / n)
  seasonal <- n > 2 * m && abs(r[m]) / stat > qnorm(0.95)
  fig <- as.numeric(decompose(ts(x, frequency = m), type = "additive")$figure)
  cases[[length(cases) + 1]] <<- list(name = name, period = m, x = x, seasonal = seasonal, figure = fig)
}
t <- 1:60
add("monthly sine + noise", 10 + 2 * sin(2 * pi * t / 12) + rnorm(60, sd = 0.5), 12)
add("monthly white noise", rnorm(50), 12)
add("quarterly trend + season", 0.3 * (1:40) + rep(c(1, -2, 0.5, 0.5), 10) + rnorm(40, sd = 0.3), 4)
add("odd period 5, 23 points", sin(2 * pi * (1:23) / 5) + rnorm(23, sd = 0.2), 5)
add("log of a multiplicative monthly series", log(100 * exp(0.01 * (1:72)) * (1 + 0.2 * cos(2 * pi * (1:72) / 12)) * exp(rnorm(72, sd = 0.05))), 12)
writeLines(jsonlite::toJSON(cases, digits = NA, auto_unbox = TRUE, pretty = TRUE), "test/fixtures/forecast/seasonal.json")
cat("wrote test/fixtures/forecast/seasonal.json\n")
