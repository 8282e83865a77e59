#!/usr/bin/env python3
"""Golden reference data for dev.kindling.nn's convolutions, written by torch.nn.functional.

Regenerate (the JSON is committed; CI never runs PyTorch):

    /usr/bin/python3 java/src/test/resources/golden/gen_conv.py

Writes conv.json next to itself: {"torch", "cases": [...], "repr": [...]}, a case being
  {"name", "fn" (conv1d | conv2d | conv_transpose2d), "stride", "padding", "dilation",
   "output_padding" (transposed only), "groups",
   "input", "weight", "bias" (optional), "grad_out": tensors {"shape", "data"} (float32),
   "out", "grad_input", "grad_weight", "grad_bias" (optional)},
a repr entry {"module", "args", "kwargs", "repr"} for str(torch.nn.ConvXd(*args, **kwargs)), and
an init entry {"module", "args", "seed", "weight", "bias"}: the parameters after torch.manual_seed(seed).
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
gen = torch.Generator().manual_seed(4321)
cases = []


def enc(t):
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def randn(*shape):
    return torch.randn(*shape, generator=gen)


def add(name, fn, x_shape, w_shape, bias, **opts):
    x = randn(*x_shape).requires_grad_()
    w = randn(*w_shape).requires_grad_()
    b = randn(w_shape[1] * opts.get("groups", 1) if fn == "conv_transpose2d" else w_shape[0]).requires_grad_() \
        if bias else None
    out = getattr(F, fn)(x, w, b, **opts)
    go = randn(*out.shape)
    out.backward(go)
    c = {"name": name, "fn": fn, "input": enc(x.detach()), "weight": enc(w.detach()),
         "grad_out": enc(go), "out": enc(out.detach()), "grad_input": enc(x.grad), "grad_weight": enc(w.grad)}
    for k, v in opts.items():
        c[k] = list(v) if isinstance(v, tuple) else v
    if b is not None:
        c["bias"] = enc(b.detach())
        c["grad_bias"] = enc(b.grad)
    cases.append(c)


add("conv2d_plain", "conv2d", (2, 3, 5, 5), (4, 3, 3, 3), True, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1)
add("conv2d_stride_pad", "conv2d", (2, 2, 7, 6), (3, 2, 3, 2), True, stride=(2, 1), padding=(1, 0), dilation=(1, 1), groups=1)
add("conv2d_dilation_groups", "conv2d", (1, 4, 8, 8), (6, 2, 3, 3), False, stride=(2, 3), padding=(1, 2), dilation=(2, 1), groups=2)
add("conv2d_depthwise", "conv2d", (2, 3, 4, 4), (6, 1, 2, 2), True, stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=3)
add("conv2d_dcgan", "conv2d", (2, 1, 8, 8), (4, 1, 4, 4), False, stride=(2, 2), padding=(1, 1), dilation=(1, 1), groups=1)
add("conv_transpose2d_plain", "conv_transpose2d", (2, 3, 3, 3), (3, 2, 3, 3), True, stride=(1, 1), padding=(0, 0),
    output_padding=(0, 0), groups=1, dilation=(1, 1))
add("conv_transpose2d_dcgan", "conv_transpose2d", (2, 4, 3, 3), (4, 2, 4, 4), False, stride=(2, 2), padding=(1, 1),
    output_padding=(0, 0), groups=1, dilation=(1, 1))
add("conv_transpose2d_output_padding", "conv_transpose2d", (1, 2, 4, 3), (2, 3, 3, 2), True, stride=(2, 3),
    padding=(1, 0), output_padding=(1, 2), groups=1, dilation=(1, 1))
add("conv_transpose2d_groups_dilation", "conv_transpose2d", (2, 4, 3, 3), (4, 1, 2, 3), True, stride=(1, 2),
    padding=(0, 1), output_padding=(0, 1), groups=2, dilation=(2, 1))
add("conv1d_plain", "conv1d", (2, 3, 9), (4, 3, 3), True, stride=1, padding=0, dilation=1, groups=1)
add("conv1d_options", "conv1d", (2, 4, 10), (6, 2, 3), True, stride=2, padding=1, dilation=2, groups=2)

reprs = []
for mod, args, kw in [
    ("Conv2d", [1, 64, 4, 2, 1], {"bias": False}),
    ("Conv2d", [3, 8, 3], {}),
    ("Conv2d", [4, 8, 3], {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}),
    ("ConvTranspose2d", [100, 64, 4, 1, 0], {"bias": False}),
    ("ConvTranspose2d", [4, 8, 3], {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2, "dilation": 1}),
    ("Conv1d", [3, 6, 5], {"stride": 2}),
    ("Conv1d", [4, 4, 3], {"padding": 1, "dilation": 2, "groups": 4, "bias": False}),
]:
    reprs.append({"module": mod, "args": args, "kwargs": kw, "repr": str(getattr(nn, mod)(*args, **kw))})

# Default initialisation after the same seed: weight then bias, U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
inits = []
for mod, args in [("Conv2d", [3, 4, 3]), ("ConvTranspose2d", [4, 2, 3, 2, 1]), ("Conv1d", [2, 3, 5])]:
    torch.manual_seed(7)
    m = getattr(nn, mod)(*args)
    inits.append({"module": mod, "args": args, "seed": 7, "weight": enc(m.weight.detach()),
                  "bias": enc(m.bias.detach())})

with open(os.path.join(HERE, "conv.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases, "repr": reprs, "init": inits}, f)
print(len(cases), "cases,", len(reprs), "reprs")
