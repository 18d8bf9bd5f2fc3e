#!/usr/bin/env python3
"""Generate test/fixtures/train/torch-train.json: a few full-batch training steps of small
models in PyTorch (float64), for test/train/torch-train.test.ts to repeat with lstm-ts's
Sequential + loss + clipping + optimizer and compare the weights.
Run with the system Python that has torch (1.13): /usr/bin/python3 scripts/gen-train-fixtures.py"""
import json, os
import torch
import torch.nn as nn

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


def sd(m):
    return {k: {"shape": list(v.shape), "data": v.detach().flatten().tolist()} for k, v in m.state_dict().items()}


class Forecaster(nn.Module):
    """LSTM → each row's last valid step → Linear (many-to-one)."""
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(2, 4, batch_first=True)
        self.fc = nn.Linear(4, 1)

    def forward(self, x, lengths):
        out, _ = self.lstm(x)  # padding is at the end, so steps < length do not see it
        last = out[torch.arange(x.shape[0]), torch.tensor(lengths) - 1]
        return self.fc(last)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(2, 3, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(6, 1)

    def forward(self, x, lengths):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])  # full-length sequences here (bidirectional needs no padding)


class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(6, 3, padding_idx=0)
        self.gru = nn.GRU(3, 4, batch_first=True)
        self.fc = nn.Linear(4, 6)

    def forward(self, x, lengths):
        out, _ = self.gru(self.emb(x))
        return self.fc(out)


def run(name, model, x, y, lengths, loss_fn, make_opt, steps, clip):
    init = sd(model)
    opt = make_opt(model.parameters())
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        out = model(x, lengths)
        if isinstance(loss_fn, nn.CrossEntropyLoss):
            loss = loss_fn(out.reshape(-1, out.shape[-1]), y.reshape(-1))
        else:
            loss = loss_fn(out, y)
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        losses.append(loss.item())
    return {"name": name, "init": init, "final": sd(model), "losses": losses, "steps": steps, "clipNorm": clip,
            "x": x.tolist(), "y": y.tolist(), "lengths": lengths}


cases = []
x = torch.randn(3, 5, 2)
lengths = [5, 2, 4]
for b, L in enumerate(lengths):
    x[b, L:] = 0
y = torch.randn(3, 1)
cases.append(dict(run("lstm-forecaster-mse-adam-clip", Forecaster(), x, y, lengths, nn.MSELoss(),
                      lambda p: torch.optim.Adam(p, lr=0.05), 4, 1.0), loss="mse", optimizer={"name": "adam", "lr": 0.05}))
xc = torch.randn(4, 3, 2)
yc = torch.tensor([[0.], [1.], [1.], [0.]])
cases.append(dict(run("bigru-classifier-bce-rmsprop", Classifier(), xc, yc, None, nn.BCEWithLogitsLoss(),
                      lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.5), 3, None), loss="bce", optimizer={"name": "rmsprop", "lr": 0.01, "momentum": 0.5}))
ids = torch.tensor([[1, 2, 3, 4], [5, 1, 0, 0], [2, 2, 3, 0]])
tgt = torch.tensor([[2, 3, 4, 5], [1, 2, -100, -100], [2, 3, 1, -100]])
cases.append(dict(run("embedding-gru-lm-ce-sgd-nesterov", LM(), ids, tgt, [4, 2, 3], nn.CrossEntropyLoss(),
                      lambda p: torch.optim.SGD(p, lr=0.5, momentum=0.9, nesterov=True), 3, 5.0), loss="cross-entropy", optimizer={"name": "sgd", "lr": 0.5, "momentum": 0.9, "nesterov": True}))

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "..", "test", "fixtures", "train", "torch-train.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print("wrote", path)
