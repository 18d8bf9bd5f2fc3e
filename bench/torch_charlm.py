"""PyTorch side of the time-to-quality benchmark (run by bench/ttq.ts, `npm run bench:ttq`).

  python3 bench/torch_charlm.py --dir TASK --seconds 300 --eval-every 15 --threads 2

Trains the character language model of bench/ttq-data.ts from its task directory (the same
initial weights, batches and held-out text as lstm-ts and TF.js): nn.Embedding(V, 64) →
nn.LSTM(64, 256, num_layers=2, batch_first=True) → nn.Linear(256, V), CrossEntropyLoss, Adam
(lr 2e-3, betas 0.9/0.999, eps 1e-8), no clipping, for `seconds` of training time; evaluates
held-out bits/char before the first step, every `eval_every` seconds and at the end (not counted
as training time), under torch.no_grad() in eval mode. Prints `@@BENCH {json}`: the curve, the
median step time, the peak resident memory and the BLAS this process used.
"""
import argparse
import json
import math
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_bench import blas_info  # noqa: E402


def read_i32(path):
    with open(path, "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.int32).long()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--eval-every", type=float, required=True)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    with open(os.path.join(a.dir, "meta.json")) as f:
        meta = json.load(f)
    p = meta["plan"]
    T, B, E, H, L, V = p["seqLen"], p["batchSize"], p["embedding"], p["hidden"], p["layers"], meta["vocabSize"]
    train, val, order = (read_i32(os.path.join(a.dir, n)) for n in ("train.i32", "val.i32", "order.i32"))
    with open(os.path.join(a.dir, "weights.f32"), "rb") as f:
        blob = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)

    class CharLM(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(V, E)
            self.lstm = torch.nn.LSTM(E, H, num_layers=L, batch_first=True)
            self.fc = torch.nn.Linear(H, V)

        def forward(self, x):
            return self.fc(self.lstm(self.emb(x))[0])

    model = CharLM()
    # The shared initial weights, by PyTorch name (lstm-ts wrote them with the same names and layouts).
    state = {w["name"]: blob[w["offset"]:w["offset"] + math.prod(w["shape"])].view(*w["shape"]).clone() for w in meta["weights"]}
    model.load_state_dict(state)
    opt = torch.optim.Adam(model.parameters(), lr=p["lr"], betas=(p["beta1"], p["beta2"]), eps=p["eps"])
    loss_fn = torch.nn.CrossEntropyLoss()

    def batch(ids, idx):
        starts = idx * T
        rows = starts.unsqueeze(1) + torch.arange(T + 1)
        chunk = ids[rows]
        return chunk[:, :T], chunk[:, 1:]

    eval_idx = torch.arange(meta["evalChunks"])

    def evaluate():
        model.eval()
        total, n = 0.0, 0
        with torch.no_grad():
            for s in range(0, len(eval_idx), 64):
                x, y = batch(val, eval_idx[s:s + 64])
                total += loss_fn(model(x).reshape(-1, V), y.reshape(-1)).item() * y.numel()
                n += y.numel()
        model.train()
        return total / n / math.log(2)

    curve = [{"seconds": 0.0, "steps": 0, "bitsPerChar": evaluate()}]
    times, trained, nxt, s = [], 0.0, a.eval_every, 0
    while trained < a.seconds and s < meta["steps"]:
        t0 = time.perf_counter()
        x, y = batch(train, order[s * B:(s + 1) * B])
        opt.zero_grad()
        loss_fn(model(x).reshape(-1, V), y.reshape(-1)).backward()
        opt.step()
        s += 1
        dt = time.perf_counter() - t0
        times.append(dt)
        trained += dt
        if trained >= nxt or trained >= a.seconds or s == meta["steps"]:
            curve.append({"seconds": trained, "steps": s, "bitsPerChar": evaluate()})
            while nxt <= trained:
                nxt += a.eval_every
    info = {"torch": torch.__version__, "blas": blas_info()["blas"]}
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("\n@@BENCH " + json.dumps({"ok": True, "impl": "torch", "label": "PyTorch", "threads": a.threads, "curve": curve,
                                     "stepSeconds": statistics.median(times) if times else float("nan"), "maxRssKB": rss, "info": info}))


if __name__ == "__main__":
    main()
