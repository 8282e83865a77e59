"""Golden values for Kindling's pooling and upsampling (pool.json), from torch 1.13 CPU.

Run with /usr/bin/python3 (the interpreter that has torch). For each case: the float32 input,
the op's arguments, the output, a fixed incoming gradient and the gradient w.r.t. the input.
Max-pooling inputs are a random permutation of distinct values, so no window has a tie.
Also the reprs of the pooling modules.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()],
            "dtype": "float32"}


def distinct(shape):
    n = 1
    for s in shape:
        n *= s
    return (torch.randperm(n).float() / n - 0.5).reshape(shape)


cases = []


def add(name, fn, args, x):
    x = x.clone().requires_grad_(True)
    y = fn(x)
    g = torch.randn(y.shape)
    y.backward(g)
    cases.append({"name": name, "fn": fn.__name__ if hasattr(fn, "__name__") else name, "args": args,
                  "input": tensor_json(x), "out": tensor_json(y), "grad_out": tensor_json(g),
                  "grad": tensor_json(x.grad)})


max_combos = [
    dict(kernel_size=[2, 2], stride=[2, 2], padding=[0, 0], dilation=[1, 1], ceil_mode=False),
    dict(kernel_size=[3, 3], stride=[2, 2], padding=[1, 1], dilation=[1, 1], ceil_mode=False),
    dict(kernel_size=[3, 2], stride=[2, 1], padding=[1, 0], dilation=[1, 1], ceil_mode=True),
    dict(kernel_size=[2, 3], stride=[3, 2], padding=[1, 1], dilation=[2, 1], ceil_mode=True),
    dict(kernel_size=[3, 3], stride=[1, 1], padding=[0, 1], dilation=[1, 2], ceil_mode=False),
    dict(kernel_size=[2, 2], stride=[1, 1], padding=[1, 1], dilation=[1, 1], ceil_mode=False),
]
for i, c in enumerate(max_combos):
    for shape in ([2, 3, 7, 6], [3, 5, 8]):
        x = distinct(shape)
        add("max_pool2d_%d_%dd" % (i, len(shape)),
            lambda t, c=c: F.max_pool2d(t, c["kernel_size"], c["stride"], c["padding"], c["dilation"],
                                        c["ceil_mode"]), dict(op="max_pool2d", **c), x)

avg_combos = [
    dict(kernel_size=[2, 2], stride=[2, 2], padding=[0, 0], ceil_mode=False, count_include_pad=True),
    dict(kernel_size=[3, 3], stride=[2, 2], padding=[1, 1], ceil_mode=False, count_include_pad=True),
    dict(kernel_size=[3, 3], stride=[2, 2], padding=[1, 1], ceil_mode=False, count_include_pad=False),
    dict(kernel_size=[3, 2], stride=[2, 1], padding=[1, 0], ceil_mode=True, count_include_pad=True),
    dict(kernel_size=[3, 2], stride=[2, 3], padding=[1, 1], ceil_mode=True, count_include_pad=False),
    dict(kernel_size=[2, 3], stride=[3, 2], padding=[1, 1], ceil_mode=True, count_include_pad=True),
]
for i, c in enumerate(avg_combos):
    x = torch.randn(2, 3, 7, 6)
    add("avg_pool2d_%d" % i,
        lambda t, c=c: F.avg_pool2d(t, c["kernel_size"], c["stride"], c["padding"], c["ceil_mode"],
                                    c["count_include_pad"]), dict(op="avg_pool2d", **c), x)

for i, o in enumerate([[3, 2], [1, 1], [4, 5], [10, 9], [7, 6]]):
    x = torch.randn(2, 3, 7, 6)
    add("adaptive_avg_pool2d_%d" % i, lambda t, o=o: F.adaptive_avg_pool2d(t, o),
        dict(op="adaptive_avg_pool2d", output_size=o), x)

for i, s in enumerate([[4, 5], [14, 12], [3, 4], [7, 13]]):
    x = torch.randn(2, 3, 7, 6)
    add("nearest_size_%d" % i, lambda t, s=s: F.interpolate(t, size=s, mode="nearest"),
        dict(op="nearest", size=s), x)
for i, f in enumerate([[2.0, 2.0], [1.5, 3.0], [0.5, 0.7], [2.3, 1.7]]):
    x = torch.randn(2, 3, 7, 6)
    add("nearest_scale_%d" % i, lambda t, f=f: F.interpolate(t, scale_factor=f, mode="nearest"),
        dict(op="nearest", scale_factor=f), x)

reprs = {
    "MaxPool2d(2)": repr(nn.MaxPool2d(2)),
    "MaxPool2d(3, 1, 1, 2, True)": repr(nn.MaxPool2d(3, 1, 1, 2, ceil_mode=True)),
    "MaxPool2d((2, 3), (1, 2), (1, 0), (1, 1), False)": repr(nn.MaxPool2d((2, 3), (1, 2), (1, 0), (1, 1))),
    "AvgPool2d(2)": repr(nn.AvgPool2d(2)),
    "AvgPool2d(3, 2, 1)": repr(nn.AvgPool2d(3, 2, 1)),
    "AvgPool2d((2, 3), (1, 2), (1, 0), True, False)": repr(nn.AvgPool2d((2, 3), (1, 2), (1, 0), True, False)),
    "AdaptiveAvgPool2d(2)": repr(nn.AdaptiveAvgPool2d(2)),
    "AdaptiveAvgPool2d((2, 3))": repr(nn.AdaptiveAvgPool2d((2, 3))),
    "Upsample(scale_factor=2)": repr(nn.Upsample(scale_factor=2)),
    "Upsample(scale_factor=(1.5, 2))": repr(nn.Upsample(scale_factor=(1.5, 2))),
    "Upsample(size=3)": repr(nn.Upsample(size=3)),
    "Upsample(size=(3, 4))": repr(nn.Upsample(size=(3, 4))),
}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pool.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases, "reprs": reprs}, f)
print("wrote", out, len(cases), "cases")
