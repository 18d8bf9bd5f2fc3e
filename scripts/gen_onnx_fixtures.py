#!/usr/bin/env python3
"""Generate the ONNX import fixtures in test/fixtures/onnx from PyTorch.

Each case is a small torch.nn model (nn.LSTM stacks of 1-2 layers, bidirectional, batch_first,
with a Linear head; one GRU and one RNN) exported with torch.onnx.export (opset 14, one at opset 11; dynamic
batch and sequence axes). Next to NAME.onnx we write NAME.json holding the inputs (with a batch
and sequence length different from the ones used at export, so the dynamic axes are exercised)
and torch's outputs for them. Run with Debian's python3-torch: /usr/bin/python3 scripts/gen_onnx_fixtures.py
"""
import json
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'onnx')


class Net(nn.Module):
    """A recurrent stack plus a Linear head, on every step or on the last one."""

    def __init__(self, rnn, head_in, head_out, last_step, with_state):
        super().__init__()
        self.rnn = rnn
        self.fc = nn.Linear(head_in, head_out)
        self.last_step = last_step
        self.with_state = with_state

    def forward(self, x, *state):
        if self.with_state:
            st = state if isinstance(self.rnn, nn.LSTM) else state[0]
            out, hn = self.rnn(x, st)
        else:
            out, hn = self.rnn(x)
        if self.last_step:
            out = out[:, -1, :] if self.rnn.batch_first else out[-1]
        y = self.fc(out)
        hn = hn[0] if isinstance(hn, tuple) else hn
        return y, hn


def case(name, rnn, head_out, last_step=False, with_state=False, shape=(3, 4), opset=14):
    D = 2 if rnn.bidirectional else 1
    net = Net(rnn, D * rnn.hidden_size, head_out, last_step, with_state).eval()
    I, L, H = rnn.input_size, rnn.num_layers, rnn.hidden_size

    def make_inputs(B, T):
        x = torch.randn((B, T, I) if rnn.batch_first else (T, B, I))
        ins = [x]
        if with_state:
            ins.append(torch.randn(L * D, B, H))
            if isinstance(rnn, nn.LSTM):
                ins.append(torch.randn(L * D, B, H))
        return ins

    names = ['x', 'h0', 'c0'][: (1 if not with_state else (3 if isinstance(rnn, nn.LSTM) else 2))]
    b_ax, t_ax = (0, 1) if rnn.batch_first else (1, 0)
    dyn = {'x': {b_ax: 'batch', t_ax: 'seq'}, 'y': {0: 'batch'} if last_step else {b_ax: 'batch', t_ax: 'seq'}, 'hn': {1: 'batch'}}
    for n in names[1:]:
        dyn[n] = {1: 'batch'}
    path = os.path.join(OUT, name + '.onnx')
    torch.onnx.export(net, tuple(make_inputs(2, 5)), path, input_names=names, output_names=['y', 'hn'],
                      dynamic_axes=dyn, opset_version=opset)
    B, T = shape
    ins = make_inputs(B, T)
    with torch.no_grad():
        y, hn = net(*ins)

    def enc(t):
        return {'shape': list(t.shape), 'data': [float(v) for v in t.reshape(-1).tolist()]}

    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump({'inputs': {n: enc(t) for n, t in zip(names, ins)}, 'outputs': {'y': enc(y), 'hn': enc(hn)}}, f)
    print(name, os.path.getsize(path), 'bytes')


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)  # layers are built before case() runs; one seed makes the files reproducible
    case('lstm1', nn.LSTM(3, 5), 2)
    case('lstm2_bf', nn.LSTM(3, 4, num_layers=2, batch_first=True), 2, last_step=True)
    case('lstm1_bi', nn.LSTM(2, 3, bidirectional=True), 1, with_state=True)
    case('lstm2_bi_bf', nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True), 2, last_step=True)
    case('gru2_bi', nn.GRU(3, 4, num_layers=2, bidirectional=True), 2, with_state=True)
    case('rnn1_relu_bf', nn.RNN(3, 4, nonlinearity='relu', batch_first=True), 1)
    # Opset 11: Squeeze/Unsqueeze take axes as attributes, as older exports do.
    case('lstm2_bi_bf_opset11', nn.LSTM(2, 3, num_layers=2, bidirectional=True, batch_first=True), 2, last_step=True, with_state=True, opset=11)


if __name__ == '__main__':
    main()
