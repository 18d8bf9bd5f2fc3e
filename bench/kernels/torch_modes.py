"""PyTorch side of bench/kernels/modes.ts: one recurrent layer's forward + backward per call.

  /usr/bin/python3 bench/kernels/torch_modes.py --cases '[{"name":..,"mode":"gru","B":..}]' --threads 2 --budget 1.5

For each case: nn.LSTM / nn.GRU / nn.RNN (batch_first, PyTorch's default initialisation), x (B,T,I)
with requires_grad (so the input gradient is computed, as lstm-ts's Layer.backward does), then
per call `out, _ = layer(x); out.backward(g)` with a fixed g. Warm-up 3 calls, then calls until
`budget` seconds are spent (at least 3). Prints `@@RESULT {"samples": {case: [wall ms, ...]}, "cpu":
{case: [CPU ms, ...]}, ...}` and the BLAS this process mapped.
"""
import argparse
import json
import time

import torch


def loaded_blas():
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({l.split()[-1].rsplit("/", 1)[-1] for l in f if "blas" in l.lower() and ".so" in l})
    except OSError:
        return "unknown"
    return ", ".join(libs) or "none mapped"


def build(c):
    torch.manual_seed(1)
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[c["mode"]]
    layer = cls(c["I"], c["H"], num_layers=c["L"], batch_first=True)
    x = (torch.rand(c["B"], c["T"], c["I"]) * 2 - 1).requires_grad_(True)
    g = torch.rand(c["B"], c["T"], c["H"]) * 2 - 1

    def call():
        out, _ = layer(x)
        out.backward(g)

    return call


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--budget", type=float, default=1.5)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    out, cpus = {}, {}
    for c in json.loads(a.cases):
        call = build(c)
        for _ in range(3):
            call()
        times, cpu, t_end = [], [], time.perf_counter() + a.budget
        while len(times) < 3 or time.perf_counter() < t_end:
            t0, c0 = time.perf_counter(), time.process_time()
            call()
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        out[c["name"]] = times
        cpus[c["name"]] = cpu
    print("@@RESULT " + json.dumps({"samples": out, "cpu": cpus, "blas": loaded_blas(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
