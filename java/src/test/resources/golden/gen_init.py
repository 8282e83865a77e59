#!/usr/bin/env python3
"""Golden reference data for dev.kindling.nn.init.Init, written by PyTorch's torch.nn.init.

Regenerate (the JSON is committed; CI never runs PyTorch):

    /usr/bin/python3 java/src/test/resources/golden/gen_init.py

Writes init.json next to itself: {"torch", "gains": [...], "fans": [...], "cases": [...]}.
  gain  {"nonlinearity", "param" (absent = default), "value"}
  fan   {"shape", "fan_in", "fan_out"}
  case  {"name", "fn" (torch.nn.init name), "seed", "shape", "dtype", "args": {...},
         "data": values after manual_seed(seed) and the call, "mean", "std",
         "exact": true when Kindling's generator must give these values bit for bit
                  (uniform draws; normal draws in float64 or below 16 elements),
         "atol": tolerance otherwise}
"""
import json
import math
import os

import torch
import torch.nn.init as init

HERE = os.path.dirname(os.path.abspath(__file__))
DT = {"float32": torch.float32, "float64": torch.float64}

gains = []
for nl, p in [("linear", None), ("conv1d", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
              ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 0.0), ("selu", None),
              ("conv_transpose2d", None)]:
    g = {"nonlinearity": nl, "value": init.calculate_gain(nl, p) if p is not None else init.calculate_gain(nl)}
    if p is not None:
        g["param"] = p
    gains.append(g)

fans = []
for shape in [(3, 5), (16, 8, 3, 3), (4, 2, 7), (6, 3, 2, 2, 2), (1, 1)]:
    fi, fo = init._calculate_fan_in_and_fan_out(torch.empty(shape))
    fans.append({"shape": list(shape), "fan_in": fi, "fan_out": fo})

cases = []


def case(name, fn, seed, shape, dtype, args, exact, atol=0.0, call=None):
    torch.manual_seed(seed)
    t = torch.empty(shape, dtype=DT[dtype])
    if call is None:
        getattr(init, fn)(t, **args)
    else:
        call(t)
    flat = t.reshape(-1).tolist()
    c = {"name": name, "fn": fn, "seed": seed, "shape": list(shape), "dtype": dtype, "args": args,
         "mean": t.double().mean().item(), "std": t.double().std().item() if t.numel() > 1 else 0.0,
         "exact": exact, "atol": atol}
    if t.numel() <= 4096:
        c["data"] = flat
    cases.append(c)


case("uniform", "uniform_", 1, (3, 5), "float32", {"a": -2.0, "b": 3.0}, True)
case("uniform_f64", "uniform_", 2, (4, 6), "float64", {"a": -0.5, "b": 0.5}, True)
case("xavier_uniform", "xavier_uniform_", 3, (20, 30), "float32", {"gain": 1.0}, True)
case("xavier_uniform_conv_relu_gain", "xavier_uniform_", 4, (4, 3, 3, 3), "float32",
     {"gain": init.calculate_gain("relu")}, True)
case("kaiming_uniform_default", "kaiming_uniform_", 5, (16, 8, 3, 3), "float32", {}, True)
case("kaiming_uniform_fan_out", "kaiming_uniform_", 6, (10, 20), "float32",
     {"a": 0.1, "mode": "fan_out", "nonlinearity": "leaky_relu"}, True)
case("kaiming_uniform_relu", "kaiming_uniform_", 7, (7, 5), "float64",
     {"a": 0.0, "mode": "fan_in", "nonlinearity": "relu"}, True)
case("kaiming_uniform_linear_sqrt5", "kaiming_uniform_", 8, (6, 4), "float32", {"a": math.sqrt(5)}, True)
case("normal_f64", "normal_", 9, (20, 10), "float64", {"mean": 1.5, "std": 0.5}, True)
case("normal_small_f32", "normal_", 10, (3, 5), "float32", {"mean": -1.0, "std": 2.0}, True)
case("xavier_normal_small", "xavier_normal_", 11, (3, 4), "float32", {"gain": 2.0}, True)
case("xavier_normal_f64", "xavier_normal_", 12, (30, 20), "float64", {"gain": 1.0}, True)
case("kaiming_normal_f64", "kaiming_normal_", 13, (6, 4, 3), "float64",
     {"a": 0.0, "mode": "fan_out", "nonlinearity": "relu"}, True)
case("kaiming_normal_f32_large", "kaiming_normal_", 14, (256, 512), "float32", {}, False, 1e-5)
case("xavier_normal_f32", "xavier_normal_", 15, (40, 50), "float32", {"gain": 1.0}, False, 1e-5)
case("trunc_normal_f64", "trunc_normal_", 16, (5, 7), "float64", {"mean": 0.5, "std": 2.0, "a": -1.0, "b": 3.0},
     False, 1e-12)
case("trunc_normal_f32_large", "trunc_normal_", 17, (300, 300), "float32",
     {"mean": 0.0, "std": 1.0, "a": -2.0, "b": 2.0}, False, 2e-6)
case("orthogonal_tall_f64", "orthogonal_", 18, (6, 4), "float64", {"gain": 1.0}, False, 1e-12)
case("orthogonal_wide_f64", "orthogonal_", 19, (3, 7), "float64", {"gain": 2.0}, False, 1e-12)
case("orthogonal_conv_f64", "orthogonal_", 20, (4, 2, 2, 2), "float64", {"gain": 1.0}, False, 1e-12)
case("orthogonal_small_f32", "orthogonal_", 21, (3, 3), "float32", {"gain": 1.0}, False, 1e-6)
case("orthogonal_f32", "orthogonal_", 22, (20, 30), "float32", {"gain": 1.0}, False, 1e-4)
case("constant", "constant_", 0, (2, 3), "float32", {"val": 0.25}, True)
case("ones", "ones_", 0, (2, 3), "float32", {}, True)
case("zeros", "zeros_", 0, (2, 3), "float64", {}, True)
case("eye", "eye_", 0, (3, 5), "float32", {}, True)
case("dirac", "dirac_", 0, (4, 3, 3), "float32", {}, True)
case("dirac_groups2_4d", "dirac_", 0, (4, 3, 3, 2), "float32", {"groups": 2}, True)
case("dirac_5d", "dirac_", 0, (2, 4, 1, 3, 3), "float32", {}, True)

out = {"torch": torch.__version__, "gains": gains, "fans": fans, "cases": cases}
with open(os.path.join(HERE, "init.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
