# R forecast's auto.arima() on M3 series of one frequency: per series the chosen model, its AICc
# and the sMAPE and MASE on the test part (as in ../shared/data/m3/README.md), and the mean of
# each. ../shared/data/m3 has R's auto.arima scores but not its models; this gives the models,
# so that scripts/m3-stats.ts's ARIMA (its --out has ours) can be compared series by series: the
# README's account of where the two choose different models comes from it. Not run in CI (the
# M3 data live outside the repository); about 5 CPU s per monthly series on a loaded machine.
#
#   Rscript scripts/m3-arima-r.R [monthly] [out.csv|-] [sample|IDS_FILE]
#
# "sample" restricts the run to ../shared/data/m3/sample-<freq>-*.txt; IDS_FILE to the ids it
# lists, one a line.
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
freq <- if (length(args) >= 1) args[1] else "monthly"
out <- if (length(args) >= 2 && args[2] != "-") args[2] else NA
period <- c(monthly = 12, quarterly = 4, yearly = 1, other = 1)[[freq]]
horizon <- c(monthly = 18, quarterly = 8, yearly = 6, other = 8)[[freq]]
d <- read.csv(file.path("..", "shared", "data", "m3", paste0(freq, ".csv")))
ids <- unique(d$id)
if (length(args) >= 3) {
  ids <- if (args[3] == "sample") readLines(Sys.glob(file.path("..", "shared", "data", "m3", paste0("sample-", freq, "-*.txt")))[1]) else readLines(args[3])
}
rows <- vector("list", length(ids))
t0 <- proc.time()
for (i in seq_along(ids)) {
  s <- d[d$id == ids[i], ]
  y <- ts(s$value[s$split == "train"], frequency = period)
  actual <- s$value[s$split == "test"]
  fit <- auto.arima(y)
  fc <- as.numeric(forecast(fit, h = horizon)$mean)
  scale <- mean(abs(diff(as.numeric(y), lag = period)))
  rows[[i]] <- data.frame(id = ids[i], smape = mean(200 * abs(actual - fc) / (abs(actual) + abs(fc))),
                          mase = mean(abs(actual - fc)) / scale,
                          model = forecast:::arima.string(fit, padding = FALSE), aicc = fit$aicc)
  if (i %% 100 == 0) message(freq, ": ", i, "/", length(ids))
}
cpu <- proc.time() - t0
res <- do.call(rbind, rows)
if (!is.na(out)) write.csv(res, out, row.names = FALSE)
cat(sprintf("R auto.arima, M3 %s, %d series: sMAPE %.2f, MASE %.3f, CPU %.0f s\n",
            freq, nrow(res), mean(res$smape), mean(res$mase), cpu[["user.self"]] + cpu[["sys.self"]]))
