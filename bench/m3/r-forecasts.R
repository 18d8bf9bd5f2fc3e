# R forecast-package baselines on M3 windows the shared data set does not hold: by default the
# validation windows (each series' training part minus its last h points, the same cut as
# `npm run bench:m3 -- --validation`), so development can compare against ETS, Theta and
# auto.arima without touching the test parts. Writes long format id,method,h,value,lo80,hi80,lo95,hi95.
#
#   Rscript bench/m3/r-forecasts.R [set] [validation|test] [methods] [out.csv]
#   e.g. Rscript bench/m3/r-forecasts.R monthly validation ets,theta out/m3/r-validation-monthly.csv
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
set <- if (length(args) >= 1) args[1] else "monthly"
mode <- if (length(args) >= 2) args[2] else "validation"
methods <- if (length(args) >= 3) strsplit(args[3], ",")[[1]] else c("ets", "theta")
out <- if (length(args) >= 4) args[4] else sprintf("out/m3/r-%s-%s.csv", mode, set)
info <- list(monthly = c(18, 12), quarterly = c(8, 4), yearly = c(6, 1), other = c(8, 1))[[set]]
h <- info[1]; freq <- info[2]
d <- read.csv(file.path("..", "shared", "data", "m3", paste0(set, ".csv")), stringsAsFactors = FALSE)
ids <- unique(d$id)
dir.create(dirname(out), recursive = TRUE, showWarnings = FALSE)
rows <- list()
for (id in ids) {
  y <- d$value[d$id == id & d$split == "train"]
  if (mode == "validation") y <- y[1:(length(y) - h)]
  x <- ts(y, frequency = freq)
  for (m in methods) {
    f <- switch(m,
      ets = forecast(ets(x), h = h, level = c(80, 95)),
      theta = thetaf(x, h = h, level = c(80, 95)),
      arima = forecast(auto.arima(x), h = h, level = c(80, 95)))
    rows[[length(rows) + 1]] <- data.frame(id = id, method = m, h = 1:h, value = as.numeric(f$mean),
      lo80 = as.numeric(f$lower[, 1]), hi80 = as.numeric(f$upper[, 1]), lo95 = as.numeric(f$lower[, 2]), hi95 = as.numeric(f$upper[, 2]))
  }
}
write.csv(do.call(rbind, rows), out, row.names = FALSE, quote = FALSE)
cat("wrote", out, "\n")
