#!/usr/bin/python3
"""Writes repr.json: PyTorch's own repr() of tensors, the golden strings for TensorFormatterTest.

Run with Debian's PyTorch (torch 1.13): /usr/bin/python3 gen_repr.py
Each case gives the values of a contiguous base tensor (row-major), its shape and dtype, the view
ops applied after it (to print non-contiguous tensors) and the exact repr() string. Float values
are written as strings (Python's repr of the exact double, with nan/inf) so that no JSON reader
rounds or rejects them; a float32 base holds float32 values, so the Java side can cast back exactly.
"""
import json
import math
import os

import torch

DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64, "bool": torch.bool}
cases = []


def case(name, values, shape, dtype="float32", ops=()):
    base = torch.tensor(values, dtype=DTYPES[dtype]).reshape(shape)
    t = base
    for op in ops:
        if op[0] == "transpose":
            t = t.transpose(op[1], op[2])
        elif op[0] == "slice":  # dim, start, end, step
            idx = [slice(None)] * t.dim()
            idx[op[1]] = slice(op[2], op[3], op[4])
            t = t[tuple(idx)]
        else:
            raise ValueError(op)
    flat = base.reshape(-1).tolist()
    if dtype in ("float32", "float64"):
        flat = [repr(float(v)) for v in flat]
    cases.append({"name": name, "dtype": dtype, "shape": list(shape), "values": flat,
                  "ops": [list(op) for op in ops], "contiguous": t.is_contiguous(), "repr": repr(t)})


def rng_values(n, seed, scale=1.0, shift=0.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(n, generator=g, dtype=torch.float64) * scale + shift).tolist()


nan, inf = math.nan, math.inf

# --- floats: integer-valued, fixed, scientific
case("float_2x2_integers", [1, 2, 3, 4], [2, 2])
case("float_1d_fractions", [0.5, -1.25, 3.14159], [3])
case("float_2x3_mixed_signs", [-1.5, 2.25, -0.125, 10.0, -7.75, 0.3], [2, 3])
case("float_integers_widths", [1, 10, 100, -5], [4])
case("float_sci_large", [1e10, 2.5, -3.0], [3])
case("float_sci_small_min", [1e-5, 1.0, -0.5], [3])
case("float_sci_ratio", [1.5, 2000.5], [2])
case("float_no_sci_ratio_exactly_1000", [0.5, 500.0, 1.25], [3])
case("float_int_mode_sci_ratio", [1, 1001, 2000], [3])
case("float_int_mode_sci_large", [1e9, 2], [2])
case("float_int_mode_big_no_sci", [12345678, 20000], [2])
case("float_int_mode_nan_width", [nan, 100.0, -3.0], [3])
case("float_sci_small_only", [1.5e-7, -2.5e-6, 3e-5], [3])
case("float_precision_tenths", [0.1 * i for i in range(6)], [2, 3])
case("float_rounding_half_even", [0.00015, 0.00025, 0.03125, 0.12345, 0.09375], [5], "float64")
case("float32_rounding", [0.00015, 0.00025, 0.03125, 0.12345, 0.09375], [5])
case("float_extremes", [3.4e38, 1e-38, -1.0], [3])
case("float_denormal", [1.4e-45, 1.0], [2])

# --- special values
case("float_nan_inf_fractions", [nan, inf, -inf, 1.5, -2.25], [5])
case("float_nan_inf_integers", [nan, inf, -inf, 1.0, 2.0], [5])
case("float_all_nan", [nan, nan], [2])
case("float_inf_only", [inf, -inf], [2])
case("float_nan_sci", [nan, 1e-6, 1.0], [3])
case("float_zeros", [0, 0, 0, 0], [2, 2])
case("float_negative_zero_int_mode", [-0.0, 0.0, 2.0], [3])
case("float_negative_zero_fixed", [-0.0, 1.5], [2])
case("float_negative_zero_sci", [-0.0, 1e-6], [2])
case("float_small_negative_fixed", [-0.00012, 0.1, 0.05], [3])

# --- 0-dim
case("scalar_float", 3.5, [])
case("scalar_float_integer", 3.0, [])
case("scalar_float_sci", 1e-7, [])
case("scalar_float_negative_zero", -0.0, [])
case("scalar_int64", 7, [], "int64")
case("scalar_bool", True, [], "bool")
case("scalar_float64_nan", nan, [], "float64")
case("scalar_float64", -2.75, [], "float64")

# --- empty
case("empty_float_1d", [], [0])
case("empty_float_0x3", [], [0, 3])
case("empty_float_2x0x3", [], [2, 0, 3])
case("empty_int64", [], [0], "int64")
case("empty_bool_2x0", [], [2, 0], "bool")
case("empty_float64", [], [0], "float64")

# --- other dtypes
case("int64_mixed_signs", [-5, 10, 300, 0], [4], "int64")
case("int64_2d_large", [2 ** 40, -1, 7, -(2 ** 33)], [2, 2], "int64")
case("int64_extremes", [-(2 ** 63), 2 ** 63 - 1], [2], "int64")
case("bool_2x3", [True, False, True, False, False, True], [2, 3], "bool")
case("float64_2x2_fractions", [0.5, -1.25, 2.0, 3.75], [2, 2], "float64")
case("float64_integers", [1, 2, 3], [3], "float64")
case("float64_huge_exponents", [1e100, 1e-100, -2.5e-300], [3], "float64")

# --- wide rows that wrap at 80 characters
case("float_1d_wraps", rng_values(25, 1), [25])
case("float_2d_wraps", rng_values(60, 2), [3, 20])
case("float_1d_sci_wraps", rng_values(14, 3, 1e-5), [14])
case("int64_1d_wraps", list(range(-20, 40, 3)) * 2, [40], "int64")
case("bool_1d_wraps", [i % 3 == 0 for i in range(30)], [30], "bool")
case("float64_wraps_suffix", rng_values(30, 4), [30], "float64")
case("float64_suffix_newline", [-1.0e-5, 2.5, 3.0, -4.0, 5.0, 6.0], [6], "float64")
case("float64_suffix_last_line", rng_values(12, 5, 1e-5), [12], "float64")
case("float64_suffix_fits", [1.5, 2.5], [1, 2], "float64")

# --- more dims
case("float_3d_integers", list(range(24)), [2, 3, 4])
case("float_3d_fractions", rng_values(12, 6), [3, 2, 2])
case("int64_4d", list(range(-12, 12)), [2, 2, 2, 3], "int64")
case("float_4d_wraps", rng_values(2 * 2 * 15, 7), [2, 1, 2, 15])

# --- summarised (numel > 1000)
case("summarised_float_1d", [i / 4 for i in range(2000)], [2000])
case("summarised_float_2d", rng_values(1600, 8), [40, 40])
case("summarised_int64_3d", list(range(2000)), [20, 10, 10], "int64")
case("summarised_short_rows", [float(i) for i in range(1200)], [2, 600])
case("summarised_4d", [float(i % 97) - 48 for i in range(4 * 5 * 6 * 10)], [4, 5, 6, 10])
case("summarised_bool", [i % 7 == 0 for i in range(1500)], [1500], "bool")
case("summarised_float64_wide", rng_values(1100, 9, 1e6), [1100], "float64")
case("summarised_float64_sci", rng_values(1100, 11, 1e9), [1100], "float64")
case("summarised_int64_hidden_wide_values", [1] * 3 + [10 ** 12] * 1000 + [-2] * 3, [1006], "int64")
case("summarised_exactly_1000_not", [float(i) for i in range(1000)], [1000])
case("summarised_edge_only_decides_format", [0.5] * 3 + [1e9] * 1000 + [0.25] * 3, [1006])

# --- non-contiguous inputs
case("transposed_float_2d", [0.5 * i for i in range(12)], [3, 4], ops=[("transpose", 0, 1)])
case("transposed_int64_3d", list(range(24)), [2, 3, 4], "int64", ops=[("transpose", 0, 2)])
case("sliced_step_2", [float(i) for i in range(10)], [10], ops=[("slice", 0, 1, 9, 2)])
case("transposed_summarised", rng_values(1200, 10), [30, 40], ops=[("transpose", 0, 1)])
case("transposed_bool", [True, False, False, True, True, False], [2, 3], "bool", ops=[("transpose", 0, 1)])

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "repr.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
    f.write("\n")
print(f"wrote {len(cases)} cases to {out}")
