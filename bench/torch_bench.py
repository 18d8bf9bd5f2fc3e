"""PyTorch CPU side of the lstm-ts benchmark (run by bench/run.ts, one process per row).

  python3 bench/torch_bench.py --spec '{"kind":"train","batch":32,...}' --threads 1 --budget 8
      times one workload (the spec comes from bench/workloads.ts) and prints `@@BENCH {json}`.
  python3 bench/torch_bench.py --check data.json --spec '{...}' --runs 2
      loads the shared weights and inputs (bench/data.ts) and prints the outputs or losses
      as JSON, for the cross-implementation test in test/bench/.
  python3 bench/torch_bench.py --info
      prints which BLAS library PyTorch calls (and OpenBLAS's build and core) and torch's CPU
      capability, as `@@BENCH {json}` (see blas_info).

Inference: nn.LSTM(batch_first=True) under torch.inference_mode(), returning every step's
output. Training step: nn.LSTM → last step → nn.Linear(H, 1) → MSELoss → backward → Adam
(lr 1e-3, betas 0.9/0.999, eps 1e-8). Timing follows bench/harness.ts: warm up (3 calls or 20%
of the budget), then repeat until the budget is spent; median and minimum in milliseconds.
"""
import argparse
import json
import resource
import statistics
import sys
import time

import torch


def build(spec, data=None):
    B, T, I, H, L = (spec[k] for k in ("batch", "steps", "input", "hidden", "layers"))
    torch.manual_seed(1)
    lstm = torch.nn.LSTM(I, H, num_layers=L, batch_first=True)
    fc = torch.nn.Linear(H, 1)
    if data is not None:
        with torch.no_grad():
            for l, lw in enumerate(data["layers"]):
                Il = I if l == 0 else H
                getattr(lstm, f"weight_ih_l{l}").copy_(torch.tensor(lw["wIh"]).view(4 * H, Il))
                getattr(lstm, f"weight_hh_l{l}").copy_(torch.tensor(lw["wHh"]).view(4 * H, H))
                getattr(lstm, f"bias_ih_l{l}").copy_(torch.tensor(lw["bIh"]))
                getattr(lstm, f"bias_hh_l{l}").copy_(torch.tensor(lw["bHh"]))
            fc.weight.copy_(torch.tensor(data["fcW"]).view(1, H))
            fc.bias.copy_(torch.tensor(data["fcB"]))
        x = torch.tensor(data["x"], dtype=torch.float32).view(B, T, I)
        y = torch.tensor(data["y"], dtype=torch.float32).view(B, 1)
    else:
        x = torch.rand(B, T, I) * 2 - 1
        y = torch.rand(B, 1) * 2 - 1
    if spec["kind"] == "inference":
        lstm.eval()

        def run():
            with torch.inference_mode():
                out, _ = lstm(x)
            return out

        return run
    params = list(lstm.parameters()) + list(fc.parameters())
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = torch.nn.MSELoss()

    def step():
        opt.zero_grad()
        out, _ = lstm(x)
        loss = loss_fn(fc(out[:, -1]), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def mapped_libraries(word):
    """Paths of the shared libraries mapped into this process whose path contains `word`."""
    try:
        with open("/proc/self/maps") as f:
            return sorted({l.split()[-1] for l in f if word in l.lower() and ".so" in l})
    except OSError:
        return []


def blas_info():
    """Which BLAS PyTorch calls and which kernels run, as this process sees it.

    Debian's python3-torch calls whatever libblas.so.3 the dynamic linker finds: by default the
    one Debian's alternatives system points to (libopenblas0-pthread installs OpenBLAS there
    with a higher priority than the reference BLAS of libblas3). Reported: the library mapped
    after a matrix product, the alternatives link, OpenBLAS's own build string and the core it
    picked for this CPU (openblas_get_config / openblas_get_corename, when it is OpenBLAS), and
    torch's own CPU capability (its non-BLAS kernels) and BLAS_INFO from torch.__config__.show().
    """
    import ctypes
    import os
    import sysconfig

    torch.ones(8, 8) @ torch.ones(8, 8)  # makes sure the BLAS is loaded
    libs = mapped_libraries("blas")
    info = {"blasLibraries": ", ".join(libs) or "none mapped"}
    arch = sysconfig.get_config_var("MULTIARCH") or ""
    link = f"/etc/alternatives/libblas.so.3-{arch}" if arch else "/etc/alternatives/libblas.so.3"
    info["blasAlternative"] = f"{link} -> {os.path.realpath(link)}" if os.path.exists(link) else f"{link}: absent"
    openblas = next((p for p in libs if "openblas" in p.rsplit("/", 1)[-1]), None)
    if openblas:
        try:
            lib = ctypes.CDLL(openblas)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            config = lib.openblas_get_config().decode()
            info["blasConfig"] = config
            info["blas"] = f"{' '.join(config.split()[:2])}, core {lib.openblas_get_corename().decode()}"
        except (OSError, AttributeError) as e:
            info["blas"] = f"OpenBLAS {openblas.rsplit('/', 1)[-1]} (openblas_get_config not reachable: {e})"
    elif any("/blas/libblas" in p for p in libs):
        info["blas"] = "reference BLAS (Debian libblas3, unoptimised)"
    else:
        info["blas"] = info["blasLibraries"]
    config = torch.__config__.show()
    cap = next((l.split(":", 1)[1].strip() for l in config.splitlines() if "CPU capability usage" in l), "unknown")
    blas_build = next((w.split("=", 1)[1].rstrip(",") for w in config.replace(",", " ").split() if w.startswith("BLAS_INFO=")), "unknown")
    info["torchCpuCapability"] = cap
    info["torchBlasInfo"] = blas_build
    return info


def timed(fn, cpu_times):
    """Wall-clock ms of one call; its process CPU time (ms, all threads) goes to cpu_times."""
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    cpu_times.append((time.process_time() - c0) * 1000)
    return (time.perf_counter() - t0) * 1000


def measure(fn, budget_ms, max_runs=2000):
    cpu = []
    first = timed(fn, cpu)
    warm, warmup_runs = first, 1
    while warmup_runs < 3 and warm < 0.2 * budget_ms:
        warm += timed(fn, cpu)
        warmup_runs += 1
    cpu.clear()
    samples = []
    start = time.perf_counter()
    while len(samples) < max_runs and (not samples or (time.perf_counter() - start) * 1000 < budget_ms):
        if samples and (time.perf_counter() - start) * 1000 + statistics.median(samples) > budget_ms * 1.1:
            break
        samples.append(timed(fn, cpu))
    return {"samples": samples, "median": statistics.median(samples), "min": min(samples),
            "cpuMedian": statistics.median(cpu), "warmupRuns": warmup_runs}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--budget", type=float, default=8)
    ap.add_argument("--check")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--info", action="store_true", help="print the BLAS and kernel information as @@BENCH JSON and exit")
    a = ap.parse_args()
    if a.info:
        print("\n@@BENCH " + json.dumps({"ok": True, "torch": torch.__version__, "python": sys.version.split()[0], **blas_info()}))
        return
    spec = json.loads(a.spec)
    torch.set_num_threads(a.threads)
    if a.check:
        with open(a.check) as f:
            fn = build(spec, json.load(f))
        outs = [fn() for _ in range(a.runs)]
        res = [o if isinstance(o, float) else o.reshape(-1).tolist() for o in outs]
        print(json.dumps(res))
        return
    timing = measure(build(spec), a.budget * 1000)
    info = {"torch": torch.__version__, "python": sys.version.split()[0], "blas": blas_info()["blas"]}
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print("\n@@BENCH " + json.dumps({"ok": True, **timing, "info": info, "maxRssKB": rss}))


if __name__ == "__main__":
    main()
