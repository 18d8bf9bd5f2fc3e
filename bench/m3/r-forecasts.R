# R forecast-package forecasts on M3 series, for `npm run bench:m3` to score beside lstm-ts: on
# the validation windows (each series' training part minus its last h points, the same cut as
# `npm run bench:m3 -- --validation`), so development can compare against ETS, Theta and
# auto.arima without touching the test parts; or on the test parts ("test": fitted on the whole
# training part, as ../shared/data/m3's baselines were), which gives R's auto.arima, and so comb
# (the mean of ets, auto.arima and thetaf, formed by bench/m3/run.ts), on series the shared files
# hold them for only the 200-series sample of (monthly). Every method with forecast 8.20's
# defaults: forecast(ets(x)), forecast(auto.arima(x)), thetaf(x), x = ts(train, frequency = f).
# Writes long format id,method,h,value,lo80,hi80,lo95,hi95, one series at a time to OUT.tmp,
# renamed to OUT at the end; the same command run again after an interruption resumes from OUT.tmp. Not run in CI. auto.arima costs
# 0.4 to 14 s of CPU per monthly series (about 4 s on average), so a full monthly run is split:
#
#   Rscript bench/m3/r-forecasts.R [set] [validation|test] [methods] [out.csv] [all|sample|nonsample|IDS_FILE] [i/k]
#   e.g. Rscript bench/m3/r-forecasts.R monthly validation ets,theta out/m3/r-validation-monthly.csv
#        Rscript bench/m3/r-forecasts.R monthly test arima out/m3/r-test-monthly-0.csv nonsample 0/2
#
# The fifth argument picks the series (the fixed sample, the series outside it, or the ids a
# file lists one a line), the sixth every k-th of them starting at the i-th (0-based), taken in
# a fixed random order.
# bench/m3/run.ts reads every out/m3/r-MODE-SET*.csv.
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
set <- if (length(args) >= 1) args[1] else "monthly"
mode <- if (length(args) >= 2) args[2] else "validation"
methods <- if (length(args) >= 3) strsplit(args[3], ",")[[1]] else c("ets", "theta")
out <- if (length(args) >= 4) args[4] else sprintf("out/m3/r-%s-%s.csv", mode, set)
select <- if (length(args) >= 5) args[5] else "all"
shard <- if (length(args) >= 6) as.integer(strsplit(args[6], "/")[[1]]) else c(0L, 1L)
if (!(mode %in% c("validation", "test"))) stop("mode must be validation or test, got ", mode)
info <- list(monthly = c(18, 12), quarterly = c(8, 4), yearly = c(6, 1), other = c(8, 1))[[set]]
if (is.null(info)) stop("set must be monthly, quarterly, yearly or other, got ", set)
h <- info[1]; freq <- info[2]
dir <- file.path("..", "shared", "data", "m3")
d <- read.csv(file.path(dir, paste0(set, ".csv")), stringsAsFactors = FALSE)
ids <- unique(d$id)
if (select != "all") {
  sampleIds <- function() readLines(Sys.glob(file.path(dir, paste0("sample-", set, "-*.txt")))[1])
  ids <- switch(select, sample = sampleIds(), nonsample = setdiff(ids, sampleIds()), readLines(select))
}
# A fixed random order (the same in every shard), so that an interrupted run has done a random subset.
set.seed(2026)
ids <- ids[sample.int(length(ids))]
ids <- ids[seq_along(ids) %% shard[2] == shard[1]]
dir.create(dirname(out), recursive = TRUE, showWarnings = FALSE)
tmp <- paste0(out, ".tmp")
header <- "id,method,h,value,lo80,hi80,lo95,hi95"
# Resume: keep the series an earlier, interrupted run of the same command completed in OUT.tmp.
done <- character(0)
if (file.exists(tmp)) {
  old <- read.csv(tmp, stringsAsFactors = FALSE)
  counts <- table(old$id[complete.cases(old)])
  done <- intersect(names(counts)[counts == length(methods) * h], ids)
  old <- old[old$id %in% done, ]
  message("resuming: ", length(done), " series done")
}
cat(header, "\n", file = tmp, sep = "")
if (length(done)) write.table(old, tmp, append = TRUE, sep = ",", quote = FALSE, row.names = FALSE, col.names = FALSE)
ids <- setdiff(ids, done)
t0 <- proc.time()
for (i in seq_along(ids)) {
  y <- d$value[d$id == ids[i] & d$split == "train"]
  if (mode == "validation") y <- y[1:(length(y) - h)]
  x <- ts(y, frequency = freq)
  for (m in methods) {
    f <- switch(m,
      ets = forecast(ets(x), h = h, level = c(80, 95)),
      theta = thetaf(x, h = h, level = c(80, 95)),
      arima = forecast(auto.arima(x), h = h, level = c(80, 95)),
      stop("unknown method ", m, " (known: ets, theta, arima)"))
    write.table(data.frame(id = ids[i], method = m, h = 1:h, value = as.numeric(f$mean),
      lo80 = as.numeric(f$lower[, 1]), hi80 = as.numeric(f$upper[, 1]), lo95 = as.numeric(f$lower[, 2]), hi95 = as.numeric(f$upper[, 2])),
      tmp, append = TRUE, sep = ",", quote = FALSE, row.names = FALSE, col.names = FALSE)
  }
  if (i %% 50 == 0) message(set, " ", mode, ": ", i, "/", length(ids), ", ", round((proc.time() - t0)[["elapsed"]]), " s")
}
invisible(file.rename(tmp, out))
cpu <- proc.time() - t0
cat(sprintf("wrote %s: %d series (%d new), %s; %.0f s CPU, %.0f s wall\n", out, length(ids) + length(done), length(ids), paste(methods, collapse = ","),
            cpu[["user.self"]] + cpu[["sys.self"]], cpu[["elapsed"]]))
