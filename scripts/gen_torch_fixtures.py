#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for lstm-ts (test/fixtures/torch/).

Run with Debian's python3-torch:  /usr/bin/python3 scripts/gen_torch_fixtures.py [--out DIR] [--only NAME...]

For every case below (torch.nn.LSTM / GRU / RNN in one configuration) it writes two files:

  NAME.state.safetensors  the model's state_dict exactly as safetensors.torch.save_file would
                          store it (PyTorch names, optional submodule prefix; F32, F16, BF16 or F64)
  NAME.data.safetensors   x, h0, c0 (if given), lengths (I64, if variable), output, h_n, c_n,
                          the fixed random loss weights R_output, R_h, R_c, and the gradients of
                          L = Σ output⊙R_output + Σ h_n⊙R_h + Σ c_n⊙R_c w.r.t. x (grad.x), the
                          initial states (grad.h0, grad.c0; zero states when none were given) and
                          every parameter (grad.<name>, without the prefix). __metadata__ holds
                          `config` (JSON, torch.nn argument names), `state_file`, `state_prefix`,
                          `dtype` (float32 or float64: the precision PyTorch computed in) and
                          `torch_version`.

Variable lengths go through pack_padded_sequence(enforce_sorted=False) and pad_packed_sequence
(total_length=T), as users do. F16/BF16 cases round the weights to that precision BEFORE running,
so the stored weights are exactly the ones used. The python `safetensors` package is not needed:
the files are written here with struct + json, following the format (8-byte little-endian header
length, JSON header padded with spaces to a multiple of 8, tensors sorted by name, contiguous data).
Whole models (MODEL_CASES: Embedding -> LSTM/GRU/RNN -> Linear) are written as NAME.state.safetensors
plus NAME.model.safetensors (see generate_model).

The test loaders (test/core/torch-fixtures.test.ts, test/core/torch-model-fixtures.test.ts) pick up
every *.data.safetensors / *.model.safetensors file in the folder, so new cases only need to be
added to CASES / MODEL_CASES and the script re-run.

The other direction:  --roundtrip  has lstm-ts build layers with its own seeded initialisation,
save them with saveTorchStateDict, and checks that torch.nn's strict load_state_dict accepts the
files and reproduces lstm-ts's outputs (needs node + npx tsx).  --check STATE DATA  does the same
for one pair of files.
"""
import argparse
import json
import os
import struct
import zlib
import sys

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

DTYPE_NAMES = {
    torch.float64: 'F64', torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16',
    torch.int64: 'I64', torch.int32: 'I32', torch.uint8: 'U8',
}


def tensor_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype in (torch.float16, torch.bfloat16):
        return t.view(torch.int16).numpy().tobytes()  # numpy has no bfloat16; same bits
    return t.numpy().tobytes()  # x86/arm hosts are little-endian, as the format requires


def write_safetensors(path, tensors, metadata=None):
    """Write a safetensors file by hand (struct + json), as safetensors.torch.save_file does."""
    assert sys.byteorder == 'little'
    header, chunks, pos = {}, [], 0
    if metadata:
        header['__metadata__'] = {k: str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        t = tensors[name]
        raw = tensor_bytes(t)
        header[name] = {'dtype': DTYPE_NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [pos, pos + len(raw)]}
        chunks.append(raw)
        pos += len(raw)
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * (-len(h) % 8)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for c in chunks:
            f.write(c)
    os.replace(tmp, path)


def read_safetensors(path):
    """Minimal reader (for --check): returns ({name: tensor}, metadata)."""
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop('__metadata__', None)
    inv = {v: k for k, v in DTYPE_NAMES.items()}
    out = {}
    for name, e in header.items():
        b, en = e['data_offsets']
        raw = bytearray(data[8 + n + b:8 + n + en])
        dt = inv[e['dtype']]
        if dt in (torch.float16, torch.bfloat16):
            t = torch.frombuffer(raw, dtype=torch.int16).view(dt) if raw else torch.empty(0, dtype=dt)
        else:
            t = torch.frombuffer(raw, dtype=dt) if raw else torch.empty(0, dtype=dt)
        out[name] = t.reshape(e['shape']).clone()
    return out, meta


# name, kind, constructor kwargs, options:
#   T, B (None = unbatched input (T, I)), h0 (given initial states), lengths (list, variable
#   lengths), state ('F32' | 'F16' | 'BF16' | 'F64'; F64 runs everything in float64),
#   prefix (state_dict saved from a wrapper model whose submodule is named so, next to a Linear)
CASES = [
    # LSTM
    ('lstm_1l', 'LSTM', dict(input_size=3, hidden_size=4), dict(T=5, B=2)),
    ('lstm_1l_h0', 'LSTM', dict(input_size=3, hidden_size=4), dict(T=5, B=2, h0=True)),
    ('lstm_2l_h0', 'LSTM', dict(input_size=3, hidden_size=4, num_layers=2), dict(T=4, B=3, h0=True)),
    ('lstm_bidir', 'LSTM', dict(input_size=3, hidden_size=4, bidirectional=True), dict(T=5, B=2)),
    ('lstm_2l_bidir_h0', 'LSTM', dict(input_size=2, hidden_size=3, num_layers=2, bidirectional=True), dict(T=4, B=2, h0=True)),
    ('lstm_proj', 'LSTM', dict(input_size=3, hidden_size=5, proj_size=2), dict(T=4, B=2, h0=True)),
    ('lstm_2l_bidir_proj', 'LSTM', dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True, proj_size=3), dict(T=4, B=2, h0=True)),
    ('lstm_batch_first_2l', 'LSTM', dict(input_size=3, hidden_size=4, num_layers=2, batch_first=True), dict(T=5, B=3, h0=True)),
    ('lstm_nobias', 'LSTM', dict(input_size=3, hidden_size=4, bias=False), dict(T=4, B=2, h0=True)),
    ('lstm_t1', 'LSTM', dict(input_size=3, hidden_size=4, num_layers=2), dict(T=1, B=3, h0=True)),
    ('lstm_unbatched', 'LSTM', dict(input_size=3, hidden_size=4, bidirectional=True), dict(T=4, B=None, h0=True)),
    ('lstm_lengths', 'LSTM', dict(input_size=3, hidden_size=4), dict(T=5, B=4, lengths=[3, 5, 1, 4])),
    ('lstm_lengths_h0_2l_bidir', 'LSTM', dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True), dict(T=5, B=4, h0=True, lengths=[2, 5, 1, 4])),
    ('lstm_lengths_bf_proj_bidir', 'LSTM', dict(input_size=2, hidden_size=4, proj_size=2, bidirectional=True, batch_first=True), dict(T=4, B=3, h0=True, lengths=[4, 2, 3])),
    ('lstm_dropout_eval', 'LSTM', dict(input_size=3, hidden_size=4, num_layers=2, dropout=0.5), dict(T=4, B=2, h0=True)),
    ('lstm_prefix', 'LSTM', dict(input_size=3, hidden_size=4, num_layers=2), dict(T=4, B=2, h0=True, prefix='lstm.')),
    ('lstm_f16', 'LSTM', dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True), dict(T=4, B=2, h0=True, state='F16')),
    ('lstm_bf16', 'LSTM', dict(input_size=3, hidden_size=4, proj_size=2), dict(T=4, B=2, h0=True, state='BF16')),
    ('lstm_f64_2l_bidir_proj', 'LSTM', dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True, proj_size=2), dict(T=5, B=3, h0=True, lengths=[5, 2, 4], state='F64')),
    ('lstm_larger', 'LSTM', dict(input_size=8, hidden_size=16, num_layers=2), dict(T=12, B=4, h0=True)),
    ('lstm_3l_proj_lengths_bf', 'LSTM', dict(input_size=6, hidden_size=20, num_layers=3, proj_size=8, batch_first=True), dict(T=16, B=5, h0=True, lengths=[16, 3, 9, 16, 1])),
    # GRU
    ('gru_1l', 'GRU', dict(input_size=3, hidden_size=4), dict(T=5, B=2)),
    ('gru_2l_bidir_h0', 'GRU', dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True), dict(T=4, B=2, h0=True)),
    ('gru_batch_first', 'GRU', dict(input_size=3, hidden_size=4, batch_first=True), dict(T=4, B=3, h0=True)),
    ('gru_nobias', 'GRU', dict(input_size=3, hidden_size=4, bias=False), dict(T=4, B=2, h0=True)),
    ('gru_lengths_bidir', 'GRU', dict(input_size=3, hidden_size=4, bidirectional=True), dict(T=5, B=3, h0=True, lengths=[5, 1, 3])),
    ('gru_t1_unbatched', 'GRU', dict(input_size=3, hidden_size=4), dict(T=1, B=None, h0=True)),
    ('gru_larger_bidir_lengths', 'GRU', dict(input_size=6, hidden_size=24, num_layers=2, bidirectional=True), dict(T=20, B=4, lengths=[20, 7, 1, 13])),
    ('gru_f64', 'GRU', dict(input_size=3, hidden_size=4, num_layers=2), dict(T=4, B=2, h0=True, state='F64')),
    # RNN
    ('rnn_tanh', 'RNN', dict(input_size=3, hidden_size=4), dict(T=5, B=2)),
    ('rnn_relu_2l_bidir_h0', 'RNN', dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True, nonlinearity='relu'), dict(T=4, B=2, h0=True)),
    ('rnn_lengths_2l', 'RNN', dict(input_size=3, hidden_size=4, num_layers=2), dict(T=5, B=3, h0=True, lengths=[2, 5, 3])),
    ('rnn_nobias_batch_first', 'RNN', dict(input_size=3, hidden_size=4, bias=False, batch_first=True), dict(T=4, B=2, h0=True)),
    ('rnn_relu_f64_lengths', 'RNN', dict(input_size=3, hidden_size=4, nonlinearity='relu', bidirectional=True), dict(T=4, B=3, h0=True, lengths=[4, 1, 3], state='F64')),
]


# Whole models (name, layers): an optional Embedding (token ids in) or float input, one recurrent
# layer (batch_first), and a Linear head on every step. Saved as NAME.state.safetensors (the whole
# model's state_dict: embed.weight, rnn.weight_ih_l0, ..., fc.weight, fc.bias) and
# NAME.model.safetensors (ids or x, output, R_output, grad.<name> for every parameter, grad.x).
MODEL_CASES = [
    ('model_embed_lstm_fc', [
        ('embed', 'Embedding', dict(num_embeddings=10, embedding_dim=4, padding_idx=0)),
        ('rnn', 'LSTM', dict(input_size=4, hidden_size=6, num_layers=2, batch_first=True)),
        ('fc', 'Linear', dict(in_features=6, out_features=3)),
    ], dict(T=5, B=3)),
    ('model_bilstm_proj_fc', [
        ('rnn', 'LSTM', dict(input_size=3, hidden_size=5, proj_size=2, bidirectional=True, batch_first=True)),
        ('fc', 'Linear', dict(in_features=4, out_features=2)),
    ], dict(T=4, B=2)),
    ('model_embed_gru_fc_nobias', [
        ('embed', 'Embedding', dict(num_embeddings=7, embedding_dim=3)),
        ('rnn', 'GRU', dict(input_size=3, hidden_size=4, bidirectional=True, batch_first=True)),
        ('fc', 'Linear', dict(in_features=8, out_features=5, bias=False)),
    ], dict(T=6, B=2)),
]


class Stack(nn.Module):
    """Layers applied in order; a recurrent layer passes on its output sequence."""

    def __init__(self, layers):
        super().__init__()
        self.names = []
        for name, kind, kw in layers:
            setattr(self, name, getattr(nn, kind)(**kw))
            self.names.append(name)

    def forward(self, x):
        for name in self.names:
            m = getattr(self, name)
            x = m(x)[0] if isinstance(m, nn.RNNBase) else m(x)
        return x


def generate_model(name, layers, opt, out_dir, seed):
    torch.manual_seed(seed)
    model = Stack(layers).eval()
    T, B = opt['T'], opt['B']
    first_kind, first_kw = layers[0][1], layers[0][2]
    if first_kind == 'Embedding':
        x = torch.randint(0, first_kw['num_embeddings'], (B, T))
        x[0, -1] = 0  # make sure id 0 (the padding index, if any) occurs
    else:
        x = torch.randn(B, T, first_kw['input_size'], requires_grad=True)
    output = model(x)
    R = torch.randn(*output.shape)
    (output * R).sum().backward()
    write_safetensors(os.path.join(out_dir, f'{name}.state.safetensors'), {k: v.detach() for k, v in model.state_dict().items()}, {'format': 'pt'})
    data = {'output': output.detach(), 'R_output': R}
    if first_kind == 'Embedding':
        data['ids'] = x
    else:
        data['x'] = x.detach()
        data['grad.x'] = x.grad
    for pname, p in model.named_parameters():
        data[f'grad.{pname}'] = p.grad if p.grad is not None else torch.zeros_like(p)
    desc = [dict(name=n, type=k, **({**config_of(k, kw)} if k in ('LSTM', 'GRU', 'RNN') else kw)) for n, k, kw in layers]
    for d in desc:
        d.pop('kind', None)
    meta = {'model': json.dumps(desc), 'state_file': f'{name}.state.safetensors', 'dtype': 'float32',
            'torch_version': torch.__version__, 'seed': str(seed), 'loss': 'sum(output*R_output)'}
    write_safetensors(os.path.join(out_dir, f'{name}.model.safetensors'), data, meta)


class Wrapper(nn.Module):
    """A model whose recurrent submodule carries a name prefix, with a head beside it."""

    def __init__(self, rnn, head_in):
        super().__init__()
        self.lstm = rnn
        self.fc = nn.Linear(head_in, 1)


def config_of(kind, kw):
    """The layer's full configuration in torch.nn argument names."""
    c = dict(kind=kind, input_size=kw['input_size'], hidden_size=kw['hidden_size'], num_layers=kw.get('num_layers', 1),
             bias=kw.get('bias', True), batch_first=kw.get('batch_first', False), dropout=kw.get('dropout', 0.0),
             bidirectional=kw.get('bidirectional', False))
    if kind == 'LSTM':
        c['proj_size'] = kw.get('proj_size', 0)
    if kind == 'RNN':
        c['nonlinearity'] = kw.get('nonlinearity', 'tanh')
    return c


def generate(name, kind, kw, opt, out_dir, seed):
    torch.manual_seed(seed)
    state_dtype = opt.get('state', 'F32')
    dtype = torch.float64 if state_dtype == 'F64' else torch.float32
    rnn = getattr(nn, kind)(**kw)
    rnn.eval()  # dropout (if any) off: the comparison is deterministic
    if state_dtype in ('F16', 'BF16'):
        half = torch.float16 if state_dtype == 'F16' else torch.bfloat16
        with torch.no_grad():
            for p in rnn.parameters():
                p.copy_(p.to(half).to(torch.float32))  # the stored (rounded) weights are the ones used
    rnn = rnn.to(dtype)
    L, D = kw.get('num_layers', 1), 2 if kw.get('bidirectional') else 1
    H = kw['hidden_size']
    Hout = kw.get('proj_size', 0) or H
    T, B, I = opt['T'], opt['B'], kw['input_size']
    bf = kw.get('batch_first', False)
    unb = B is None
    xshape = (T, I) if unb else ((B, T, I) if bf else (T, B, I))
    sshape = lambda w: (L * D, w) if unb else (L * D, B, w)
    x = torch.randn(*xshape, dtype=dtype, requires_grad=True)
    given = opt.get('h0', False)
    h0 = (torch.randn(*sshape(Hout), dtype=dtype) * 0.5 if given else torch.zeros(*sshape(Hout), dtype=dtype)).requires_grad_()
    c0 = (torch.randn(*sshape(H), dtype=dtype) * 0.5 if given else torch.zeros(*sshape(H), dtype=dtype)).requires_grad_()
    hx = (h0, c0) if kind == 'LSTM' else h0
    lengths = opt.get('lengths')
    if lengths is not None:
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=bf, enforce_sorted=False)
        out_p, hn = rnn(packed, hx)
        output, _ = pad_packed_sequence(out_p, batch_first=bf, total_length=T)
    else:
        output, hn = rnn(x, hx)
    h_n, c_n = (hn if kind == 'LSTM' else (hn, None))
    R_output = torch.randn(*output.shape, dtype=dtype)
    R_h = torch.randn(*h_n.shape, dtype=dtype)
    loss = (output * R_output).sum() + (h_n * R_h).sum()
    R_c = None
    if c_n is not None:
        R_c = torch.randn(*c_n.shape, dtype=dtype)
        loss = loss + (c_n * R_c).sum()
    loss.backward()

    prefix = opt.get('prefix', '')
    if prefix:
        model = Wrapper(rnn, D * Hout).to(dtype)
        assert prefix == 'lstm.'
        state = model.state_dict()
    else:
        state = rnn.state_dict()
    store = {'F16': torch.float16, 'BF16': torch.bfloat16, 'F32': torch.float32, 'F64': torch.float64}[state_dtype]
    state = {k: v.detach().to(store) for k, v in state.items()}
    state_file = f'{name}.state.safetensors'
    write_safetensors(os.path.join(out_dir, state_file), state, {'format': 'pt'})

    data = {'x': x.detach(), 'output': output.detach(), 'h_n': h_n.detach(), 'R_output': R_output, 'R_h': R_h,
            'grad.x': x.grad, 'grad.h0': h0.grad}
    if given:
        data['h0'] = h0.detach()
    if kind == 'LSTM':
        data.update({'c_n': c_n.detach(), 'R_c': R_c, 'grad.c0': c0.grad})
        if given:
            data['c0'] = c0.detach()
    if lengths is not None:
        data['lengths'] = torch.tensor(lengths, dtype=torch.int64)
    for pname, p in rnn.named_parameters():
        data[f'grad.{pname}'] = p.grad
    meta = {
        'config': json.dumps(config_of(kind, kw)), 'state_file': state_file, 'state_prefix': prefix,
        'state_dtype': state_dtype, 'dtype': 'float64' if dtype == torch.float64 else 'float32',
        'torch_version': torch.__version__, 'seed': str(seed),
        'loss': 'sum(output*R_output) + sum(h_n*R_h) + sum(c_n*R_c)',
    }
    write_safetensors(os.path.join(out_dir, f'{name}.data.safetensors'), data, meta)


def check(state_path, data_path):
    """Load a state_dict written by lstm-ts into torch.nn and compare with the output it stored."""
    data, meta = read_safetensors(data_path)
    cfg = json.loads(meta['config'])
    kind = cfg.pop('kind')
    prefix = meta.get('state_prefix', '')
    state, _ = read_safetensors(state_path)
    state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    rnn = getattr(nn, kind)(**cfg).eval()
    rnn.load_state_dict(state)  # strict: PyTorch accepts our names and shapes
    dtype = next(iter(state.values())).dtype
    rnn = rnn.to(dtype)
    x = data['x'].to(dtype)
    hx = None
    if 'h0' in data:
        hx = (data['h0'].to(dtype), data['c0'].to(dtype)) if kind == 'LSTM' else data['h0'].to(dtype)
    with torch.no_grad():
        if 'lengths' in data:
            bf = cfg.get('batch_first', False)
            packed = pack_padded_sequence(x, data['lengths'].to(torch.int64), batch_first=bf, enforce_sorted=False)
            out_p, hn = rnn(packed, hx)
            output, _ = pad_packed_sequence(out_p, batch_first=bf, total_length=x.shape[1 if bf else 0])
        else:
            output, hn = rnn(x, hx)
    h_n = hn[0] if kind == 'LSTM' else hn
    diffs = {'output': (output - data['output'].to(dtype)).abs().max().item(), 'h_n': (h_n - data['h_n'].to(dtype)).abs().max().item()}
    if kind == 'LSTM':
        diffs['c_n'] = (hn[1] - data['c_n'].to(dtype)).abs().max().item()
    return diffs


# The lstm-ts side of --roundtrip: layers with lstm-ts's own seeded initialisation, saved with
# saveTorchStateDict, plus their input, initial states and outputs for check() to compare.
ROUNDTRIP_TS = r"""
import { GRU, LSTM, RNN, Rng, Tensor, saveTorchStateDict, writeSafetensors } from '%(src)s';
const out = process.argv[2];
const rnd = (shape: number[], r: Rng) => { const t = Tensor.zeros(shape); for (let i = 0; i < t.size; i++) t.data[i] = r.uniform(-1, 1); return t; };
const cases: Array<[string, string, Record<string, any>, number[] | null]> = %(cases)s;
for (const [name, kind, cfg, lengths] of cases) {
  const o: any = { inputSize: cfg.input_size, hiddenSize: cfg.hidden_size, numLayers: cfg.num_layers ?? 1, bidirectional: cfg.bidirectional ?? false,
    projSize: cfg.proj_size ?? 0, batchFirst: cfg.batch_first ?? false, nonlinearity: cfg.nonlinearity ?? 'tanh', bias: cfg.bias ?? true, seed: 77 };
  const layer = kind === 'LSTM' ? new LSTM(o) : kind === 'GRU' ? new GRU(o) : new RNN(o);
  const r = new Rng(5), B = 3, T = 4;
  const x = rnd(layer.batchFirst ? [B, T, cfg.input_size] : [T, B, cfg.input_size], r);
  const LD = layer.numLayers * layer.numDirections;
  const h0 = rnd([LD, B, layer.hOut], r), c0 = rnd([LD, B, layer.hiddenSize], r);
  const res = layer.forward(x, { h0, ...(kind === 'LSTM' ? { c0 } : {}), ...(lengths ? { lengths } : {}) });
  saveTorchStateDict(layer, `${out}/${name}.state.safetensors`);
  const data: Record<string, Tensor> = { x, h0, output: res.output, h_n: res.h };
  if (kind === 'LSTM') { data.c0 = c0; data.c_n = res.c!; }
  if (lengths) data.lengths = Tensor.from(lengths);
  writeSafetensors(`${out}/${name}.data.safetensors`, data, { config: JSON.stringify({ kind, ...cfg }), state_prefix: '' });
}
"""

ROUNDTRIP_CASES = [
    ('lstm_full', 'LSTM', dict(input_size=3, hidden_size=5, num_layers=2, bidirectional=True, proj_size=2, batch_first=True), [4, 2, 3]),
    ('lstm_plain', 'LSTM', dict(input_size=3, hidden_size=4), None),
    ('gru_bidir', 'GRU', dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True), [1, 4, 3]),
    ('rnn_relu_nobias', 'RNN', dict(input_size=3, hidden_size=4, nonlinearity='relu', bias=False), [2, 4, 4]),
]


def roundtrip():
    """lstm-ts saves layers (saveTorchStateDict); torch.nn loads them strictly and must reproduce lstm-ts's outputs."""
    import subprocess
    import tempfile
    root = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
    worst = 0.0
    with tempfile.TemporaryDirectory() as d:
        ts = os.path.join(d, 'export.ts')
        with open(ts, 'w') as f:
            f.write(ROUNDTRIP_TS % {'src': os.path.join(root, 'src', 'index.ts'), 'cases': json.dumps(ROUNDTRIP_CASES)})
        subprocess.run(['npx', 'tsx', ts, d], cwd=root, check=True)
        for name, *_ in ROUNDTRIP_CASES:
            diffs = check(os.path.join(d, f'{name}.state.safetensors'), os.path.join(d, f'{name}.data.safetensors'))
            print(name, json.dumps(diffs))
            worst = max(worst, *diffs.values())
    print('largest difference', worst)
    return worst < 1e-5


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument('--out', default=os.path.join(here, '..', 'test', 'fixtures', 'torch'))
    ap.add_argument('--only', nargs='*', help='generate only these case names')
    ap.add_argument('--check', nargs=2, metavar=('STATE', 'DATA'),
                    help='load STATE (written by lstm-ts) into torch.nn, run DATA\'s input, print the largest differences')
    ap.add_argument('--roundtrip', action='store_true',
                    help='have lstm-ts save layers with saveTorchStateDict and check torch.nn reproduces their outputs')
    args = ap.parse_args()
    if args.roundtrip:
        sys.exit(0 if roundtrip() else 1)
    if args.check:
        diffs = check(*args.check)
        print(json.dumps(diffs))
        sys.exit(0 if max(diffs.values()) < 1e-5 else 1)
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    for name, kind, kw, opt in CASES:
        if args.only and name not in args.only:
            continue
        generate(name, kind, kw, opt, args.out, seed=zlib.crc32(name.encode()))  # stable per name
        print('wrote', name)
    for name, layers, opt in MODEL_CASES:
        if args.only and name not in args.only:
            continue
        generate_model(name, layers, opt, args.out, seed=zlib.crc32(name.encode()))
        print('wrote', name)


if __name__ == '__main__':
    main()
