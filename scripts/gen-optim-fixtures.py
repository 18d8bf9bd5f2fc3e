#!/usr/bin/env python3
"""Generate test/fixtures/optim/torch-optim.json: PyTorch's optimizer steps, learning-rate
schedules and gradient clipping on small float64 cases, for test/optim/*.test.ts.
Run with the system Python that has torch (1.13): /usr/bin/python3 scripts/gen-optim-fixtures.py"""
import json, math, os
import torch

torch.manual_seed(0)
w0 = [0.5, -1.25, 2.0, 0.0, -0.3]
grads = [[0.1, -0.2, 0.3, 0.0, 1.5], [-0.4, 0.25, 0.05, -1.0, 0.2], [0.3, 0.3, -0.6, 0.7, -0.1], [1.0, -0.5, 0.2, 0.1, 0.0]]

configs = [
    ("sgd", {"lr": 0.1}),
    ("sgd", {"lr": 0.1, "momentum": 0.9}),
    ("sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("sgd", {"lr": 0.05, "momentum": 0.5, "dampening": 0.3}),
    ("rmsprop", {"lr": 0.01}),
    ("rmsprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.8, "centered": True, "weight_decay": 0.1}),
    ("adam", {"lr": 0.01}),
    ("adam", {"lr": 0.02, "betas": (0.8, 0.99), "weight_decay": 0.1, "amsgrad": True}),
    ("adamw", {"lr": 0.01}),
    ("adamw", {"lr": 0.05, "weight_decay": 0.5, "eps": 1e-6}),
]
classes = {"sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}
out = {"w0": w0, "grads": grads, "optimizers": []}
for name, kw in configs:
    p = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
    opt = classes[name]([p], **kw)
    steps = []
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        steps.append(p.detach().tolist())
    kw = {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()}
    out["optimizers"].append({"name": name, "options": kw, "steps": steps})

def lrs(make, n, metrics=None):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1)
    s = make(opt)
    res = []
    for e in range(n):
        opt.step()
        if metrics is None:
            s.step()
        else:
            s.step(metrics[e])
        res.append(opt.param_groups[0]["lr"])
    return res

plateau_metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.89, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
out["schedules"] = [
    {"name": "step", "options": {"stepSize": 3, "gamma": 0.5}, "lrs": lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5), 12)},
    {"name": "cosine", "options": {"tMax": 5, "etaMin": 0.01}, "lrs": lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 5, 0.01), 14)},
    {"name": "plateau", "options": {"patience": 2, "factor": 0.5, "cooldown": 1}, "metrics": plateau_metrics,
     "lrs": lrs(lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, patience=2, factor=0.5, cooldown=1), 12, plateau_metrics)},
]

g = torch.tensor(grads[0], dtype=torch.float64)
p = torch.nn.Parameter(torch.zeros(5, dtype=torch.float64)); p.grad = g.clone()
norm = torch.nn.utils.clip_grad_norm_([p], 0.5)
out["clipNorm"] = {"grad": grads[0], "maxNorm": 0.5, "norm": float(norm), "clipped": p.grad.tolist()}
p.grad = g.clone(); torch.nn.utils.clip_grad_value_([p], 0.25)
out["clipValue"] = {"grad": grads[0], "clipValue": 0.25, "clipped": p.grad.tolist()}

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "..", "test", "fixtures", "optim", "torch-optim.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path, "torch", torch.__version__)
