#!/usr/bin/env python3
"""Golden reference data for Kindling's foundation ops, written by PyTorch.

How to regenerate (the JSON files are committed; CI never runs PyTorch):

    /usr/bin/python3 java/src/test/resources/golden/gen_golden.py

It needs PyTorch 1.13 for the CPU (Debian's python3-torch), and writes one compact JSON file per
op family next to itself: elementwise, views, reductions, linalg, joinindex, creation, random and
promotion. The Java tests in java/src/test/java/dev/kindling/golden read them.

File format (one object per file: {"family", "torch", "cases": [...]}):

  case    {"name", "op", "inputs": [input...], "args": {...},
           "out": tensor | "outs": [tensor...] | "error": "<torch's exception>",
           "base_out": tensor (in-place ops on a view: the base after the op),
           "rtol"/"atol" (optional tolerance overrides)}
          random cases instead hold {"name", "seed", "calls": [call...]} where a call is a case
          without a name, run in order after manual_seed(seed); "exact": true says the values
          must match bit for bit.
  input   a tensor {"dtype", "shape", "data", "ops"}: data is the row-major contents of a
          contiguous base of that shape; "ops" (optional) are views applied to the base to get
          the actual input, e.g. [["transpose", 0, 1]], [["slice", dim, start, end, step]],
          [["narrow", dim, start, length]], [["permute", [dims]]], [["expand", [shape]]] —
          the way non-contiguous inputs are made;
          or a Python scalar {"scalar": value, "kind": "int" | "float" | "bool"}.
  tensor  expected output {"dtype", "shape", "data"}, for views also "strides", "offset" and
          "shares" (whether it shares storage with the first input). Non-finite floats are
          written as the strings "nan", "inf", "-inf".

Values are small (a few to ~60 elements), drawn from fixed seeds or written out by hand, with
ties avoided wherever an index is the answer (argmax, max with indices). Running the script twice
gives byte-identical files.

Deliberately not matched (Kindling differs on purpose): PyTorch's dtype conversions, clone and
*_like keep a non-contiguous input's strides (memory_format=preserve) where Kindling returns
contiguous tensors, so the to() cases compare values but not strides, clone is recorded with
memory_format=contiguous_format and rand_like with a contiguous input; PyTorch 1.13's masked_fill
with an int64 mask silently fills nothing, which Kindling refuses (no case recorded).
"""
import json
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}
DTYPES = {v: k for k, v in NAMES.items()}
ALL = [torch.float32, torch.float64, torch.int64, torch.bool]
F32, F64, I64, BOOL = ALL


# ---------------------------------------------------------------------------------------------
# encoding

def enc_value(v, dtype):
    if dtype == torch.bool:
        return bool(v)
    if dtype == torch.int64:
        return int(v)
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if dtype == torch.float32:
        return _f32(v)
    return v


def _f32(v):
    # The shortest text that reads back as the same float32 (the JSON stays short).
    target = torch.tensor(v, dtype=torch.float32)
    for digits in range(6, 10):
        s = "%.*g" % (digits, v)
        if torch.tensor(float(s), dtype=torch.float32).item() == target.item():
            f = float(s)
            whole = f.is_integer() and abs(f) < 1e15 and math.copysign(1.0, f) > 0
            return int(f) if whole else f  # (-0.0 keeps its sign)
    return v


def enc_values(t):
    flat = t.detach().reshape(-1).tolist() if t.dim() > 0 else [t.item()]
    return [enc_value(v, t.dtype) for v in flat]


def enc_tensor(t, layout=False, base=None):
    d = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data": enc_values(t.contiguous())}
    if layout:
        d["strides"] = list(t.stride())
        d["offset"] = t.storage_offset()
        if base is not None:
            d["shares"] = t.storage().data_ptr() == base.storage().data_ptr()
    return d


def enc_out(r, layout=False, base=None):
    if isinstance(r, torch.Tensor):
        return {"out": enc_tensor(r, layout, base)}
    if isinstance(r, (tuple, list)):
        return {"outs": [enc_tensor(x, layout, base) for x in r]}
    raise TypeError(type(r))


# ---------------------------------------------------------------------------------------------
# inputs: a contiguous base plus the view ops that make the actual (often non-contiguous) input

class Inp:
    """An input tensor: `t` is what the op sees; `spec` rebuilds it (base data + view ops)."""

    def __init__(self, base, ops=()):
        self.base = base
        self.ops = [list(o) for o in ops]
        self.spec = {"dtype": NAMES[base.dtype], "shape": list(base.shape), "data": enc_values(base)}
        if self.ops:
            self.spec["ops"] = self.ops
        self.t = apply_ops(base, self.ops)


class Scalar:
    def __init__(self, value):
        self.value = value
        kind = "bool" if isinstance(value, bool) else ("int" if isinstance(value, int) else "float")
        self.spec = {"scalar": enc_value(value, F64) if kind == "float" else value, "kind": kind}
        self.t = value


def apply_ops(t, ops):
    for op in ops:
        name, a = op[0], op[1:]
        if name == "transpose":
            t = t.transpose(a[0], a[1])
        elif name == "permute":
            t = t.permute(*a[0])
        elif name == "slice":
            dim, start, end, step = a
            idx = [slice(None)] * t.dim()
            idx[dim] = slice(start, end, step)
            t = t[tuple(idx)]
        elif name == "narrow":
            t = t.narrow(a[0], a[1], a[2])
        elif name == "expand":
            t = t.expand(*a[0])
        elif name == "select":
            t = t.select(a[0], a[1])
        else:
            raise ValueError(name)
    return t


def same(a, b):
    return a.shape == b.shape and a.dtype == b.dtype and bool(
        torch.all((a == b) | (a != a) & (b != b)) if a.numel() else True)


def as_tensor(values, dtype, shape=None):
    t = torch.tensor(values, dtype=dtype)
    return t.reshape(shape) if shape is not None else t


def T(values, dtype=F32, shape=None):
    """A contiguous input."""
    return Inp(as_tensor(values, dtype, shape))


def TT(values, dtype=F32, shape=None, d0=0, d1=1):
    """The same values, laid out transposed: base is x.transpose(d0, d1), input base.transpose."""
    x = as_tensor(values, dtype, shape)
    inp = Inp(x.transpose(d0, d1).contiguous(), [["transpose", d0, d1]])
    assert same(inp.t, x) and (x.dim() < 2 or not inp.t.is_contiguous() or x.numel() <= 1)
    return inp


def TP(values, dtype, shape, perm):
    """The same values, laid out so that they are base.permute(perm)."""
    x = as_tensor(values, dtype, shape)
    inv = [perm.index(i) for i in range(len(perm))]
    inp = Inp(x.permute(*inv).contiguous(), [["permute", list(perm)]])
    assert same(inp.t, x)
    return inp


def junk(dtype):
    return {F32: -77.5, F64: -77.25, I64: -777, BOOL: True}[dtype]


def TS(values, dtype=F32, shape=None, dim=-1):
    """The same values as every second element along dim of a base twice as long (a step-2 slice)."""
    x = as_tensor(values, dtype, shape)
    dim = dim % x.dim()
    big = list(x.shape)
    big[dim] *= 2
    base = torch.full(big, junk(dtype), dtype=dtype)
    idx = [slice(None)] * x.dim()
    idx[dim] = slice(0, None, 2)
    base[tuple(idx)] = x
    inp = Inp(base, [["slice", dim, 0, big[dim], 2]])
    assert same(inp.t, x)
    return inp


def TN(values, dtype=F32, shape=None, dim=0):
    """The same values at an offset: narrow(dim, 1, n) of a base one longer on both ends."""
    x = as_tensor(values, dtype, shape)
    big = list(x.shape)
    big[dim] += 2
    base = torch.full(big, junk(dtype), dtype=dtype)
    base.narrow(dim, 1, x.shape[dim]).copy_(x)
    inp = Inp(base, [["narrow", dim, 1, x.shape[dim]]])
    assert same(inp.t, x)
    return inp


def TE(values, dtype, small_shape, shape):
    """An expanded (stride 0) input."""
    return Inp(as_tensor(values, dtype, small_shape), [["expand", list(shape)]])


def gen(seed, shape, dtype=F32, lo=-2.0, hi=2.0):
    """Values from a fixed seed, rounded to 3 decimals so the JSON stays short."""
    g = torch.Generator().manual_seed(seed)
    n = 1
    for s in shape:
        n *= s
    if dtype == BOOL:
        return (torch.rand(n, generator=g) < 0.5).tolist()
    if dtype == I64:
        return torch.randint(int(lo), int(hi) + 1, (n,), generator=g).tolist()
    v = torch.rand(n, generator=g, dtype=torch.float64) * (hi - lo) + lo
    return [round(x, 3) for x in v.tolist()]


def distinct(seed, shape, dtype=F32):
    """Values without ties (for argmax/argmin/max with indices): a shuffled range."""
    g = torch.Generator().manual_seed(seed)
    n = 1
    for s in shape:
        n *= s
    p = torch.randperm(n, generator=g)
    if dtype == I64:
        return (p * 3 - n).tolist()
    return [round(x * 0.37 - n * 0.15, 3) for x in p.tolist()]


# ---------------------------------------------------------------------------------------------
# case builder

class Family:
    def __init__(self, name):
        self.name = name
        self.cases = []
        self.names = set()

    def add(self, name, op, inputs, fn, args=None, layout=False, tol=None, inplace=False):
        """Runs fn(*actual inputs) with PyTorch and records the case (or the error it raises)."""
        assert name not in self.names, name
        self.names.add(name)
        c = {"name": name, "op": op, "inputs": [i.spec for i in inputs]}
        if args:
            c["args"] = args
        try:
            r = fn(*[i.t for i in inputs])
        except Exception as e:  # PyTorch refuses: the Java side must refuse too
            c["error"] = "%s: %s" % (type(e).__name__, str(e).split("\n")[0][:160])
            self.cases.append(c)
            return c
        first = inputs[0].t if inputs and isinstance(inputs[0], Inp) else None
        c.update(enc_out(r, layout, first if layout else None))
        if inplace and inputs[0].ops:
            c["base_out"] = enc_tensor(inputs[0].base)
        if tol:
            c["rtol"], c["atol"] = tol
        self.cases.append(c)
        return c

    def write(self):
        path = os.path.join(HERE, self.name + ".json")
        with open(path, "w") as f:
            f.write("{\"family\":%s,\"torch\":%s,\"cases\":[\n" % (json.dumps(self.name), json.dumps(torch.__version__)))
            f.write(",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in self.cases))
            f.write("\n]}\n")
        json.loads(open(path).read())  # must be strict JSON
        print("%-12s %4d cases -> %s" % (self.name, len(self.cases), os.path.relpath(path)))


def tname(dt):
    return {F32: "f32", F64: "f64", I64: "i64", BOOL: "b"}[dt]


def sample(dtype, n=3, zero_dim=False, seed=0):
    """Small per-dtype values for promotion tables: no zeros (safe to divide), no ties."""
    base = {F32: [1.5, -2.25, 3.0, 0.5], F64: [2.5, 0.75, -1.5, 4.0], I64: [3, -2, 5, 7],
            BOOL: [True, False, True, True]}[dtype]
    if zero_dim:
        return torch.tensor(base[seed % 4], dtype=dtype)
    return torch.tensor(base[:n], dtype=dtype)


NAN, INF = float("nan"), float("inf")


# ---------------------------------------------------------------------------------------------
# elementwise

def elementwise():
    F = Family("elementwise")
    pos = [0.25, 0.5, 1.0, 2.0, 3.5, 10.0]
    mixed = [-3.0, -1.5, -0.25, 0.0, 0.75, 2.0]
    special = [NAN, INF, -INF, 0.0, -0.0, 1.0]

    unary = {
        "neg": torch.neg, "abs": torch.abs, "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt,
        "rsqrt": torch.rsqrt, "sin": torch.sin, "cos": torch.cos, "tanh": torch.tanh,
        "sigmoid": torch.sigmoid, "relu": torch.relu, "sign": torch.sign,
        "reciprocal": torch.reciprocal, "square": torch.square, "log1p": torch.log1p,
        "expm1": torch.expm1, "floor": torch.floor, "ceil": torch.ceil, "round": torch.round,
        "logical_not": torch.logical_not,
    }
    positive_only = {"log", "sqrt", "rsqrt", "log1p"}
    for op, fn in unary.items():
        vals = pos if op in positive_only else mixed
        F.add(op + "/f32", op, [T(vals, F32, [2, 3])], fn)
        F.add(op + "/f64/transposed", op, [TT(vals, F64, [2, 3])], fn)
        F.add(op + "/i64/sliced", op, [TS([1, 4, 9, 2, 0, 3] if op in positive_only else [-3, -1, 0, 2, 5, 7], I64, [2, 3])], fn)
        F.add(op + "/bool", op, [T([True, False, True], BOOL)], fn)
        F.add(op + "/f32/special", op, [T(special, F32)], fn)
        F.add(op + "/f32/0-dim", op, [T(0.75, F32)], fn)
    F.add("round/f32/halves", "round", [T([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5], F32)], torch.round)
    F.add("log/f32/negative", "log", [T([-1.0, 0.0, 1.0], F32)], torch.log)
    F.add("sqrt/f32/negative", "sqrt", [T([-4.0, 0.0, 4.0], F32)], torch.sqrt)
    F.add("sigmoid/f32/large", "sigmoid", [T([-100.0, -20.0, 20.0, 100.0], F32)], torch.sigmoid)
    F.add("exp/f32/permuted", "exp", [TP(gen(1, [2, 3, 4]), F32, [2, 3, 4], [2, 0, 1])], torch.exp)
    F.add("tanh/f32/expanded", "tanh", [TE([0.5, -1.0, 2.0], F32, [3, 1], [3, 4])], torch.tanh)
    F.add("neg/f32/narrowed", "neg", [TN(gen(2, [3, 4]), F32, [3, 4], dim=0)], torch.neg)

    lrelu = torch.nn.functional.leaky_relu
    F.add("leaky_relu/f32", "leaky_relu", [T(mixed, F32)], lambda x: lrelu(x, 0.1), {"negative_slope": 0.1})
    F.add("leaky_relu/f64/transposed", "leaky_relu", [TT(mixed, F64, [2, 3])], lambda x: lrelu(x, 0.2), {"negative_slope": 0.2})
    F.add("leaky_relu/f32/nan", "leaky_relu", [T([NAN, -INF, INF], F32)], lambda x: lrelu(x, 0.01), {"negative_slope": 0.01})
    F.add("leaky_relu/i64", "leaky_relu", [T([1, -2], I64)], lambda x: lrelu(x, 0.01), {"negative_slope": 0.01})

    # binary tensor-tensor, each op over shapes that broadcast and layouts that are not contiguous
    binary = {
        "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "pow": torch.pow,
        "remainder": torch.remainder, "atan2": torch.atan2, "maximum": torch.maximum,
        "minimum": torch.minimum, "eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le,
        "gt": torch.gt, "ge": torch.ge, "logical_and": torch.logical_and,
        "logical_or": torch.logical_or, "logical_xor": torch.logical_xor,
    }
    for op, fn in binary.items():
        a_vals = [0.5, 1.5, 2.0] if op == "pow" else [1.5, -2.0, 3.25]
        b_vals = [[2.0], [-1.5]] if op != "pow" else [[2.0], [0.5]]
        F.add(op + "/bcast[3]+[2,1]", op, [T(a_vals, F32), T(b_vals, F32)], fn)
        a3 = gen(10, [2, 1, 4], lo=0.1 if op == "pow" else -2)
        b3 = gen(11, [3, 1], lo=-1.5)
        F.add(op + "/bcast[2,1,4]+[3,1]", op, [T(a3, F32, [2, 1, 4]), T(b3, F32, [3, 1])], fn)
        F.add(op + "/0-dim+[2,3]", op, [T(2.0, F32), T(gen(12, [2, 3], lo=0.5), F32, [2, 3])], fn)
        F.add(op + "/transposed+sliced", op,
              [TT(gen(13, [3, 4], lo=0.25), F64, [3, 4]), TS(gen(14, [3, 4], lo=-1.0), F64, [3, 4], dim=1)], fn)
        F.add(op + "/i64", op, [T([7, -7, 5, 0, 3, -4], I64, [2, 3]), T([2, 3, 1] if op == "pow" else [2, 3, -3], I64)], fn)
        F.add(op + "/bool", op, [T([True, True, False, False], BOOL), T([True, False, True, False], BOOL)], fn)
        F.add(op + "/expanded+narrowed", op,
              [TE([1.0, 2.0, 4.0], F32, [3, 1], [3, 4]), TN(gen(15, [3, 4], lo=0.5), F32, [3, 4], dim=1)], fn)
        F.add(op + "/shape-mismatch", op, [T([1.0, 2.0, 3.0], F32), T([1.0, 2.0], F32)], fn)
    special2a = [NAN, 1.0, INF, -INF, 0.0, 2.0]
    special2b = [1.0, NAN, INF, 2.0, 0.0, -0.0]
    for op in ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "lt", "remainder", "atan2"]:
        F.add(op + "/f32/special", op, [T(special2a, F32), T(special2b, F32)], binary[op])
    F.add("div/i64/by-zero", "div", [T([1, -1, 0], I64), T([0, 0, 0], I64)], torch.div)
    F.add("remainder/f32/signs", "remainder", [T([5.5, -5.5, 5.5, -5.5], F32), T([2.0, 2.0, -2.0, -2.0], F32)], torch.remainder)
    F.add("remainder/i64/signs", "remainder", [T([7, -7, 7, -7], I64), T([3, 3, -3, -3], I64)], torch.remainder)
    F.add("remainder/i64/by-zero", "remainder", [T([7, 1], I64), T([0, 1], I64)], torch.remainder)
    F.add("pow/i64/negative-exponent", "pow", [T([2, 3], I64), T([-1, 2], I64)], torch.pow)
    F.add("pow/i64/one-to-negative", "pow", [T([1, -1, -1], I64), T([-3, -3, -2], I64)], torch.pow)

    # add/sub with alpha
    F.add("add/alpha/f32", "add", [T([1.0, 2.0, 3.0], F32), T([[1.0], [0.5]], F32)], lambda a, b: torch.add(a, b, alpha=2.5), {"alpha": 2.5})
    F.add("sub/alpha/transposed", "sub", [TT(gen(16, [2, 3]), F64, [2, 3]), T(gen(17, [3]), F64)], lambda a, b: torch.sub(a, b, alpha=0.5), {"alpha": 0.5})
    F.add("add/alpha/i64", "add", [T([1, 2, 3], I64), T([4, 5, 6], I64)], lambda a, b: torch.add(a, b, alpha=3), {"alpha": 3})
    F.add("add/alpha/i64-fractional", "add", [T([1, 2], I64), T([4, 5], I64)], lambda a, b: torch.add(a, b, alpha=0.5), {"alpha": 0.5})

    # tensor-scalar and scalar-tensor
    for op in ["add", "sub", "mul", "div", "pow", "remainder", "eq", "ne", "lt", "le", "gt", "ge"]:
        fn = binary[op]
        F.add(op + "/scalar-float/f32", op, [T([0.5, 1.5, 3.0], F32), Scalar(2.5)], fn)
        F.add(op + "/scalar-float/i64-transposed", op, [TT([1, 2, 3, 4, 5, 6], I64, [2, 3]), Scalar(1.5)], fn)
        if op in ("add", "sub", "mul", "div", "pow"):
            F.add(op + "/scalar-int/i64", op, [T([1, 2, 3], I64), Scalar(2)], fn)
            F.add(op + "/scalar-int/f32-sliced", op, [TS([0.5, 1.5, 3.0, 4.0], F32, [2, 2]), Scalar(3)], fn)
    F.add("rsub/f32", "rsub", [T([0.5, 1.5, 3.0], F32), Scalar(2.0)], lambda a, s: s - a)
    F.add("rsub/i64", "rsub", [T([1, 2, 3], I64), Scalar(2.5)], lambda a, s: s - a)
    F.add("rdiv/f32", "rdiv", [T([0.5, 1.5, -4.0], F32), Scalar(3.0)], lambda a, s: s / a)
    F.add("rdiv/i64", "rdiv", [TT([1, 2, 4, 8], I64, [2, 2]), Scalar(1.0)], lambda a, s: s / a)
    F.add("rpow/f32", "rpow", [T([0.5, 1.5, -2.0], F32), Scalar(2.0)], lambda a, s: s ** a)
    F.add("rpow/i64", "rpow", [T([0, 1, 3], I64), Scalar(0.5)], lambda a, s: s ** a)

    # clamp and friends (Java takes double bounds: float bounds are fractional, int bounds integral)
    cv = [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5, NAN]
    F.add("clamp/f32", "clamp", [T(cv, F32)], lambda x: torch.clamp(x, -1.0, 1.0), {"min": -1.0, "max": 1.0})
    F.add("clamp/f64/transposed", "clamp", [TT(gen(20, [3, 4]), F64, [3, 4])], lambda x: torch.clamp(x, -0.5, 0.75), {"min": -0.5, "max": 0.75})
    F.add("clamp/min>max", "clamp", [T(cv, F32)], lambda x: torch.clamp(x, 1.0, -1.0), {"min": 1.0, "max": -1.0})
    F.add("clamp/min-only", "clamp_min", [T(cv, F32)], lambda x: torch.clamp(x, min=0.25), {"min": 0.25})
    F.add("clamp/max-only", "clamp_max", [TS(cv, F32, [2, 4])], lambda x: torch.clamp(x, max=0.25), {"max": 0.25})
    F.add("clamp/i64-int-bounds", "clamp", [T([-5, -1, 0, 3, 9], I64)], lambda x: torch.clamp(x, -1, 3), {"min": -1, "max": 3})
    F.add("clamp/i64-float-bounds", "clamp", [T([-5, -1, 0, 3, 9], I64)], lambda x: torch.clamp(x, -1.5, 2.5), {"min": -1.5, "max": 2.5})
    F.add("clamp/bool-int-bounds", "clamp", [T([True, False], BOOL)], lambda x: torch.clamp(x, 0, 1), {"min": 0, "max": 1})

    # where, masked_fill
    cond = [True, False, False, True, True, False]
    F.add("where/same-shape", "where", [T(cond, BOOL, [2, 3]), T(gen(21, [2, 3]), F32, [2, 3]), T(gen(22, [2, 3]), F32, [2, 3])], torch.where)
    F.add("where/bcast", "where", [T([[True], [False]], BOOL), T([1.0, 2.0, 3.0], F32), T(-1.0, F32)], torch.where)
    F.add("where/promote-i64-f64", "where", [T([True, False, True], BOOL), T([1, 2, 3], I64), T([0.5], F64)], torch.where)
    F.add("where/promote-bool-i64", "where", [T([True, False], BOOL), T([True, False], BOOL), T([7, 8], I64)], torch.where)
    F.add("where/noncontiguous", "where", [TT(cond, BOOL, [2, 3]), TS(gen(23, [2, 3]), F64, [2, 3]), TT(gen(24, [2, 3]), F64, [2, 3])], torch.where)
    F.add("where/cond-not-bool", "where", [T([1, 0], I64), T([1.0, 2.0], F32), T([3.0, 4.0], F32)], torch.where)
    F.add("masked_fill/f32", "masked_fill", [T(gen(25, [2, 3]), F32, [2, 3]), T(cond, BOOL, [2, 3])], lambda x, m: x.masked_fill(m, -9.5), {"value": -9.5})
    F.add("masked_fill/bcast-mask", "masked_fill", [TT(gen(26, [2, 3]), F64, [2, 3]), T([True, False, True], BOOL)], lambda x, m: x.masked_fill(m, 0.5), {"value": 0.5})
    F.add("masked_fill/i64", "masked_fill", [T([1, 2, 3, 4], I64), T([False, True, True, False], BOOL)], lambda x, m: x.masked_fill(m, 7), {"value": 7})
    F.add("masked_fill/bool", "masked_fill", [T([True, False, True], BOOL), T([True, True, False], BOOL)], lambda x, m: x.masked_fill(m, 0), {"value": 0})
    F.add("masked_fill/nan-value", "masked_fill", [T([1.0, 2.0], F32), T([True, False], BOOL)], lambda x, m: x.masked_fill(m, NAN), {"value": "nan"})
    # (Not recorded: PyTorch 1.13 takes an int64 mask and silently fills nothing; Kindling refuses it.)
    F.add("masked_fill/mask-too-big", "masked_fill", [T([1.0, 2.0], F32), T([[True, False], [False, True]], BOOL)], lambda x, m: x.masked_fill(m, 1.0), {"value": 1.0})

    # in place: the result is the first input after the op (and its base when it is a view)
    def ip(name, op, inputs, fn, args=None):
        F.add(name, op, inputs, fn, args, inplace=True)

    ip("add_/f32", "add_", [T(gen(30, [2, 3]), F32, [2, 3]), T([1.0, 2.0, 3.0], F32)], lambda a, b: a.add_(b))
    ip("add_/transposed-view", "add_", [TT(gen(31, [2, 3]), F32, [2, 3]), T([[10.0], [20.0]], F32)], lambda a, b: a.add_(b))
    ip("add_/sliced-view", "add_", [TS(gen(32, [2, 3]), F64, [2, 3]), T(gen(33, [2, 3]), F64, [2, 3])], lambda a, b: a.add_(b))
    ip("add_/alpha", "add_", [T(gen(34, [3]), F32), T(gen(35, [3]), F32)], lambda a, b: a.add_(b, alpha=-2.0), {"alpha": -2.0})
    ip("add_/scalar", "add_", [TN(gen(36, [2, 2]), F32, [2, 2], dim=1), Scalar(0.5)], lambda a, s: a.add_(s))
    ip("add_/f32+i64", "add_", [T([0.5, 1.5], F32), T([1, 2], I64)], lambda a, b: a.add_(b))
    ip("add_/i64+f32", "add_", [T([1, 2], I64), T([0.5, 1.5], F32)], lambda a, b: a.add_(b))
    ip("add_/bcast-to-self-fails", "add_", [T([1.0, 2.0, 3.0], F32), T([[1.0], [2.0]], F32)], lambda a, b: a.add_(b))
    ip("sub_/f64", "sub_", [TT(gen(37, [3, 2]), F64, [3, 2]), T(gen(38, [2]), F64)], lambda a, b: a.sub_(b))
    ip("sub_/alpha", "sub_", [T(gen(39, [3]), F32), T(gen(40, [3]), F32)], lambda a, b: a.sub_(b, alpha=3.0), {"alpha": 3.0})
    ip("sub_/scalar", "sub_", [T([1.0, 2.0], F32), Scalar(0.25)], lambda a, s: a.sub_(s))
    ip("mul_/f32", "mul_", [TS(gen(41, [2, 3]), F32, [2, 3]), T(gen(42, [3]), F32)], lambda a, b: a.mul_(b))
    ip("mul_/scalar", "mul_", [TT(gen(43, [2, 3]), F32, [2, 3]), Scalar(-1.5)], lambda a, s: a.mul_(s))
    ip("mul_/i64-by-float-fails", "mul_", [T([1, 2], I64), Scalar(2.5)], lambda a, s: a.mul_(s))
    ip("div_/f32", "div_", [T(gen(44, [2, 3]), F32, [2, 3]), T([[2.0], [-4.0]], F32)], lambda a, b: a.div_(b))
    ip("div_/scalar", "div_", [TT(gen(45, [2, 2]), F64, [2, 2]), Scalar(4.0)], lambda a, s: a.div_(s))
    ip("div_/i64-fails", "div_", [T([4, 6], I64), T([2, 3], I64)], lambda a, b: a.div_(b))
    ip("pow_/scalar", "pow_", [T([0.5, 2.0, 3.0], F32), Scalar(2.0)], lambda a, s: a.pow_(s))
    for op in ["neg_", "abs_", "exp_", "log_", "sqrt_", "tanh_", "sigmoid_", "relu_"]:
        vals = pos if op in ("log_", "sqrt_") else mixed
        ip(op + "/f32-transposed", op, [TT(vals, F32, [2, 3])], lambda a, op=op: getattr(a, op)())
    ip("exp_/i64-fails", "exp_", [T([1, 2], I64)], lambda a: a.exp_())
    ip("clamp_/f32", "clamp_", [TT(gen(46, [2, 3]), F32, [2, 3])], lambda a: a.clamp_(-0.5, 0.5), {"min": -0.5, "max": 0.5})
    ip("clamp_/i64", "clamp_", [T([-5, 0, 5], I64)], lambda a: a.clamp_(-1, 1), {"min": -1, "max": 1})
    ip("clamp_/i64-float-bounds-fails", "clamp_", [T([-5, 0, 5], I64)], lambda a: a.clamp_(-1.5, 1.5), {"min": -1.5, "max": 1.5})
    ip("clamp_/min-only", "clamp_min_", [TS(gen(47, [4]), F32, [4])], lambda a: a.clamp_(min=0.0), {"min": 0.0})
    ip("clamp_/max-only", "clamp_max_", [T(gen(48, [4]), F64)], lambda a: a.clamp_(max=0.0), {"max": 0.0})
    ip("fill_/f32-transposed", "fill_", [TT(gen(49, [2, 3]), F32, [2, 3])], lambda a: a.fill_(2.5), {"value": 2.5})
    ip("fill_/i64-sliced", "fill_", [TS([1, 2, 3, 4], I64, [2, 2])], lambda a: a.fill_(-3), {"value": -3})
    ip("fill_/bool", "fill_", [T([True, False], BOOL)], lambda a: a.fill_(True), {"value": 1})
    ip("zero_/f64-transposed", "zero_", [TT(gen(50, [2, 3]), F64, [2, 3])], lambda a: a.zero_())
    ip("zero_/i64-sliced", "zero_", [TS([1, 2, 3, 4, 5, 6], I64, [2, 3], dim=0)], lambda a: a.zero_())
    ip("copy_/same", "copy_", [T(gen(51, [2, 3]), F32, [2, 3]), T(gen(52, [2, 3]), F32, [2, 3])], lambda a, b: a.copy_(b))
    ip("copy_/bcast-into-transposed", "copy_", [TT(gen(53, [2, 3]), F32, [2, 3]), T([1.0, 2.0, 3.0], F32)], lambda a, b: a.copy_(b))
    ip("copy_/f64-into-i64", "copy_", [T([0, 0, 0, 0], I64), T([1.7, -1.7, 2.5, -0.5], F64)], lambda a, b: a.copy_(b))
    ip("copy_/i64-into-bool", "copy_", [T([False, False, True], BOOL), T([2, 0, 0], I64)], lambda a, b: a.copy_(b))
    ip("copy_/bool-into-f32-sliced", "copy_", [TS([0.5, 0.5, 0.5], F32, [3]), T([True, False, True], BOOL)], lambda a, b: a.copy_(b))
    ip("copy_/shape-mismatch", "copy_", [T([1.0, 2.0], F32), T([1.0, 2.0, 3.0], F32)], lambda a, b: a.copy_(b))
    ip("masked_fill_/transposed", "masked_fill_", [TT(gen(54, [2, 3]), F32, [2, 3]), T([[True], [False]], BOOL)], lambda a, m: a.masked_fill_(m, 3.0), {"value": 3.0})
    ip("masked_fill_/i64", "masked_fill_", [T([1, 2, 3], I64), T([True, False, True], BOOL)], lambda a, m: a.masked_fill_(m, -1), {"value": -1})
    return F


# ---------------------------------------------------------------------------------------------
# views

def views():
    F = Family("views")
    x24 = list(range(24))

    def v(name, op, inputs, fn, args=None):
        return F.add(name, op, inputs, fn, args, layout=True)

    v("view/[2,3,4]->[6,4]", "view", [T(x24, F32, [2, 3, 4])], lambda t: t.view(6, 4), {"shape": [6, 4]})
    v("view/infer", "view", [T(x24, I64, [2, 3, 4])], lambda t: t.view(-1, 12), {"shape": [-1, 12]})
    v("view/to-0-dim", "view", [T([5.0], F32)], lambda t: t.view([]), {"shape": []})
    v("view/0-dim-to-[1,1]", "view", [T(5.0, F32)], lambda t: t.view(1, 1), {"shape": [1, 1]})
    v("view/transposed-split-ok", "view", [TT(x24, F32, [4, 6])], lambda t: t.view(2, 2, 6), {"shape": [2, 2, 6]})
    v("view/transposed-merge-fails", "view", [TT(x24, F32, [4, 6])], lambda t: t.view(24), {"shape": [24]})
    v("view/sliced-keeps-stride", "view", [TS(x24, F64, [4, 6], dim=0)], lambda t: t.view(2, 2, 6), {"shape": [2, 2, 6]})
    v("view/bad-numel", "view", [T(x24, F32, [2, 3, 4])], lambda t: t.view(5, 5), {"shape": [5, 5]})
    v("view/two-inferred", "view", [T(x24, F32, [2, 3, 4])], lambda t: t.view(-1, -1), {"shape": [-1, -1]})
    v("reshape/contiguous-is-view", "reshape", [T(x24, F32, [2, 3, 4])], lambda t: t.reshape(4, -1), {"shape": [4, -1]})
    v("reshape/transposed-copies", "reshape", [TT(x24, F32, [4, 6])], lambda t: t.reshape(24), {"shape": [24]})
    v("reshape/permuted-copies", "reshape", [TP(x24, I64, [2, 3, 4], [1, 2, 0])], lambda t: t.reshape(6, 4), {"shape": [6, 4]})
    v("reshape/bool", "reshape", [T(gen(1, [6], BOOL), BOOL, [6])], lambda t: t.reshape(3, 2), {"shape": [3, 2]})
    v("transpose/0,1", "transpose", [T(x24, F32, [4, 6])], lambda t: t.transpose(0, 1), {"dim0": 0, "dim1": 1})
    v("transpose/negative-dims", "transpose", [T(x24, F64, [2, 3, 4])], lambda t: t.transpose(-1, -3), {"dim0": -1, "dim1": -3})
    v("transpose/of-transposed", "transpose", [TT(x24, F32, [4, 6])], lambda t: t.transpose(1, 0), {"dim0": 1, "dim1": 0})
    v("transpose/0-dim", "transpose", [T(3.0, F32)], lambda t: t.transpose(0, -1), {"dim0": 0, "dim1": -1})
    v("transpose/dim-out-of-range", "transpose", [T(x24, F32, [4, 6])], lambda t: t.transpose(0, 2), {"dim0": 0, "dim1": 2})
    v("t/2-d", "t", [T(x24[:6], I64, [2, 3])], lambda t: t.t())
    v("t/1-d", "t", [T(x24[:6], I64, [6])], lambda t: t.t())
    v("t/3-d-fails", "t", [T(x24, I64, [2, 3, 4])], lambda t: t.t())
    v("mT/3-d", "mT", [T(x24, F32, [2, 3, 4])], lambda t: t.mT)
    v("permute/[2,0,1]", "permute", [T(x24, F32, [2, 3, 4])], lambda t: t.permute(2, 0, 1), {"dims": [2, 0, 1]})
    v("permute/negative", "permute", [TT(x24, F64, [4, 6])], lambda t: t.permute(-1, 0), {"dims": [-1, 0]})
    v("permute/repeated-fails", "permute", [T(x24, F32, [2, 3, 4])], lambda t: t.permute(0, 0, 1), {"dims": [0, 0, 1]})
    v("permute/wrong-count-fails", "permute", [T(x24, F32, [2, 3, 4])], lambda t: t.permute(1, 0), {"dims": [1, 0]})
    v("narrow/dim0", "narrow", [T(x24, F32, [4, 6])], lambda t: t.narrow(0, 1, 2), {"dim": 0, "start": 1, "length": 2})
    v("narrow/negative-start", "narrow", [TT(x24, I64, [4, 6])], lambda t: t.narrow(1, -3, 2), {"dim": 1, "start": -3, "length": 2})
    v("narrow/too-long-fails", "narrow", [T(x24, F32, [4, 6])], lambda t: t.narrow(1, 4, 3), {"dim": 1, "start": 4, "length": 3})

    def sl(t, dim, start, end, step):
        idx = [slice(None)] * t.dim()
        idx[dim] = slice(start, end, step)
        return t[tuple(idx)]
    for (dim, start, end, step) in [(0, 0, 4, 2), (1, 1, 6, 2), (1, -4, -1, 1), (1, 0, 100, 3), (0, 3, 1, 1), (-1, -100, 100, 4)]:
        v("slice/%d:%d:%d@%d" % (start, end, step, dim), "slice", [T(x24, F32, [4, 6])],
          lambda t, a=(dim, start, end, step): sl(t, *a), {"dim": dim, "start": start, "end": end, "step": step})
    v("slice/of-transposed", "slice", [TT(x24, F64, [4, 6])], lambda t: sl(t, 0, 1, 4, 2), {"dim": 0, "start": 1, "end": 4, "step": 2})
    v("slice/of-sliced", "slice", [TS(x24, I64, [4, 6], dim=1)], lambda t: sl(t, 1, 1, 6, 2), {"dim": 1, "start": 1, "end": 6, "step": 2})
    v("select/0", "select", [T(x24, F32, [2, 3, 4])], lambda t: t.select(0, 1), {"dim": 0, "index": 1})
    v("select/negative", "select", [TT(x24, F32, [4, 6])], lambda t: t.select(-1, -2), {"dim": -1, "index": -2})
    v("select/out-of-range", "select", [T(x24, F32, [4, 6])], lambda t: t.select(0, 4), {"dim": 0, "index": 4})
    v("expand/[3,1]->[3,4]", "expand", [T([1.0, 2.0, 3.0], F32, [3, 1])], lambda t: t.expand(3, 4), {"shape": [3, 4]})
    v("expand/new-leading", "expand", [T([1, 2, 3], I64)], lambda t: t.expand(2, 2, 3), {"shape": [2, 2, 3]})
    v("expand/-1-keeps", "expand", [TT(x24[:6], F32, [2, 1, 3], d0=0, d1=2)], lambda t: t.expand(-1, 4, -1), {"shape": [-1, 4, -1]})
    v("expand/0-dim", "expand", [T(7.0, F64)], lambda t: t.expand(2, 3), {"shape": [2, 3]})
    v("expand/bad-fails", "expand", [T([1.0, 2.0, 3.0], F32)], lambda t: t.expand(2, 4), {"shape": [2, 4]})
    v("squeeze/all", "squeeze", [T(x24[:6], F32, [1, 2, 1, 3, 1])], lambda t: t.squeeze())
    v("squeeze/dim", "squeeze", [T(x24[:6], F32, [1, 2, 1, 3])], lambda t: t.squeeze(2), {"dim": 2})
    v("squeeze/dim-not-1-is-noop", "squeeze", [T(x24[:6], F32, [2, 3])], lambda t: t.squeeze(0), {"dim": 0})
    v("squeeze/all-of-0-dim", "squeeze", [T(1.0, F32)], lambda t: t.squeeze())
    v("squeeze/expanded", "squeeze", [TE([1.0, 2.0], F32, [2, 1, 1], [2, 1, 3])], lambda t: t.squeeze(1), {"dim": 1})
    for d in [0, 1, 2, -1, -3]:
        v("unsqueeze/%d" % d, "unsqueeze", [T(x24[:6], F32, [2, 3])], lambda t, d=d: t.unsqueeze(d), {"dim": d})
    v("unsqueeze/transposed", "unsqueeze", [TT(x24[:6], F32, [2, 3])], lambda t: t.unsqueeze(1), {"dim": 1})
    v("unsqueeze/out-of-range", "unsqueeze", [T(x24[:6], F32, [2, 3])], lambda t: t.unsqueeze(3), {"dim": 3})
    v("flatten/all", "flatten", [T(x24, F32, [2, 3, 4])], lambda t: t.flatten())
    v("flatten/1..2", "flatten", [T(x24, I64, [2, 3, 4])], lambda t: t.flatten(1, 2), {"start_dim": 1, "end_dim": 2})
    v("flatten/0..-2", "flatten", [T(x24, F32, [2, 3, 4])], lambda t: t.flatten(0, -2), {"start_dim": 0, "end_dim": -2})
    v("flatten/transposed-copies", "flatten", [TT(x24, F32, [4, 6])], lambda t: t.flatten())
    v("flatten/0-dim", "flatten", [T(2.0, F32)], lambda t: t.flatten())
    v("flatten/start-after-end", "flatten", [T(x24, F32, [2, 3, 4])], lambda t: t.flatten(2, 0), {"start_dim": 2, "end_dim": 0})
    v("contiguous/already", "contiguous", [T(x24, F32, [4, 6])], lambda t: t.contiguous())
    v("contiguous/transposed", "contiguous", [TT(x24, F32, [4, 6])], lambda t: t.contiguous())
    v("contiguous/sliced", "contiguous", [TS(x24, I64, [4, 6], dim=1)], lambda t: t.contiguous())
    v("contiguous/expanded", "contiguous", [TE([1, 2, 3], I64, [3, 1], [3, 4])], lambda t: t.contiguous())
    v("contiguous/permuted-bool", "contiguous", [TP(gen(2, [24], BOOL), BOOL, [2, 3, 4], [2, 0, 1])], lambda t: t.contiguous())
    v("clone/transposed", "clone", [TT(x24, F64, [4, 6])], lambda t: t.clone(memory_format=torch.contiguous_format))
    for src in ALL:
        for dst in ALL:
            vals = {F32: [1.5, -2.7, 0.0, 3.0], F64: [2.25, -0.5, 0.0, 7.0], I64: [3, -2, 0, 1],
                    BOOL: [True, False, False, True]}[src]
            c = v("to/%s->%s" % (tname(src), tname(dst)), "to", [TT(vals, src, [2, 2])], lambda t, d=dst: t.to(d), {"dtype": NAMES[dst]})
            if src != dst:
                # PyTorch's copy keeps the input's (transposed) strides (memory_format=preserve);
                # Kindling's conversions are contiguous: compare values, not strides.
                del c["out"]["strides"]
    v("to/same-dtype-shares", "to", [T([1.0, 2.0], F32)], lambda t: t.to(F32), {"dtype": "float32"})
    v("get/[1]", "get", [T(x24, F32, [2, 3, 4])], lambda t: t[1], {"indices": [1]})
    v("get/[1,-1]", "get", [T(x24, F32, [2, 3, 4])], lambda t: t[1, -1], {"indices": [1, -1]})
    # Writing through a view changes the base.
    F.add("write-through/select-fill_", "select_fill_", [T(x24[:6], I64, [2, 3])],
          lambda t: (t.select(1, 1).fill_(100), t)[1], {"dim": 1, "index": 1, "value": 100})
    return F


# ---------------------------------------------------------------------------------------------
# reductions

def reductions():
    F = Family("reductions")
    x = gen(100, [2, 3, 4])
    xi = gen(101, [2, 3, 4], I64, -5, 5)
    xb = gen(102, [2, 3, 4], BOOL)

    def fn_reduce(name):
        def f(t, dim=None, keepdim=False):
            g = getattr(torch, name)
            if dim is None:
                return g(t)
            return g(t, dim=dim, keepdim=keepdim)
        return f

    for op in ["sum", "mean", "prod", "amax", "amin", "logsumexp", "any", "all"]:
        g = fn_reduce(op)
        dims_list = [None, 0, -1, [0, 2], [1]] if op not in ("prod", "any", "all", "logsumexp") else [None, 0, -1]
        if op in ("amax", "amin"):
            dims_list = [0, -1, [0, 2], [1], [0, 1, 2]]
        if op == "logsumexp":
            dims_list = [0, -1, [0, 2]]
        for dims in dims_list:
            for keep in ([False] if dims is None else [False, True]):
                if op in ("any", "all") and dims is not None and isinstance(dims, list):
                    continue
                tag = "all" if dims is None else str(dims).replace(" ", "")
                args = {} if dims is None else {"dim": dims, "keepdim": keep}
                F.add("%s/f32/%s%s" % (op, tag, "/keepdim" if keep else ""), op, [T(x, F32, [2, 3, 4])],
                      lambda t, d=dims, k=keep: g(t, d, k), args)
        args0 = {"dim": 1, "keepdim": False}
        F.add(op + "/f64/transposed", op, [TT(x, F64, [2, 3, 4], d0=0, d1=2)], lambda t: g(t, 1, False), args0)
        F.add(op + "/f32/sliced", op, [TS(x, F32, [2, 3, 4], dim=2)], lambda t: g(t, 1, False), args0)
        F.add(op + "/i64", op, [T(xi, I64, [2, 3, 4])], lambda t: g(t, 1, False), args0)
        if op != "logsumexp":  # (logsumexp always names its dims)
            F.add(op + "/i64/all", op, [T(xi, I64, [2, 3, 4])], lambda t: g(t))
        F.add(op + "/bool", op, [T(xb, BOOL, [2, 3, 4])], lambda t: g(t, 1, False), args0)
        F.add(op + "/0-dim", op, [T(1.5, F32)], lambda t: g(t, 0, False), args0 | {"dim": 0})
        F.add(op + "/dim-out-of-range", op, [T(x, F32, [2, 3, 4])], lambda t: g(t, 3, False), {"dim": 3, "keepdim": False})
        if op not in ("any", "all"):
            F.add(op + "/nan", op, [T([1.0, NAN, 2.0, 3.0], F32, [2, 2])], lambda t: g(t, 1, False), args0)
    F.add("sum/expanded", "sum", [TE([1.0, 2.0, 3.0], F32, [3, 1], [3, 4])], lambda t: t.sum(0), {"dim": 0, "keepdim": False})
    F.add("sum/permuted", "sum", [TP(x, F32, [2, 3, 4], [1, 2, 0])], lambda t: t.sum((0, 2)), {"dim": [0, 2], "keepdim": False})
    F.add("sum/repeated-dim", "sum", [T(x, F32, [2, 3, 4])], lambda t: t.sum((0, 0)), {"dim": [0, 0], "keepdim": False})
    F.add("mean/i64/all-fails", "mean", [T(xi, I64, [2, 3, 4])], lambda t: t.mean())
    F.add("logsumexp/large", "logsumexp", [T([1000.0, 1000.0, -1000.0, 0.0], F32, [2, 2])], lambda t: torch.logsumexp(t, 1), {"dim": 1, "keepdim": False})
    F.add("logsumexp/-inf", "logsumexp", [T([-INF, -INF, 0.0, -INF], F32, [2, 2])], lambda t: torch.logsumexp(t, 1), {"dim": 1, "keepdim": False})
    F.add("amax/empty-dims-is-all", "amax", [T(x, F32, [2, 3, 4])], lambda t: torch.amax(t, dim=[]), {"dim": [], "keepdim": False})

    for op in ["var", "std"]:
        g = getattr(torch, op)
        F.add(op + "/all", op, [T(x, F32, [2, 3, 4])], lambda t: g(t))
        F.add(op + "/dim", op, [T(x, F32, [2, 3, 4])], lambda t: g(t, 1), {"dim": 1})
        F.add(op + "/dim-keepdim", op, [T(x, F32, [2, 3, 4])], lambda t: g(t, -1, keepdim=True), {"dim": -1, "keepdim": True})
        for corr in [0, 1, 2]:
            F.add("%s/dims[0,2]/correction%d" % (op, corr), op, [TT(x, F64, [2, 3, 4], d0=1, d1=2)],
                  lambda t, c=corr: g(t, dim=[0, 2], correction=c), {"dim": [0, 2], "correction": corr, "keepdim": False})
        F.add(op + "/all/correction0-keepdim", op, [TS(x, F32, [2, 3, 4], dim=1)],
              lambda t: g(t, dim=None, correction=0, keepdim=True), {"dim": [], "correction": 0, "keepdim": True})
        F.add(op + "/one-element", op, [T([2.0], F32)], lambda t: g(t))
        F.add(op + "/i64-fails", op, [T(xi, I64, [2, 3, 4])], lambda t: g(t))
        F.add(op + "/nan", op, [T([1.0, NAN, 2.0, 3.0], F32, [2, 2])], lambda t: g(t, 1), {"dim": 1})

    xd = distinct(103, [2, 3, 4])
    xdi = distinct(104, [2, 3, 4], I64)
    for op in ["max", "min"]:
        g = getattr(torch, op)
        F.add(op + "/all", op, [T(xd, F32, [2, 3, 4])], lambda t: g(t))
        for d in [0, 1, -1]:
            for keep in [False, True]:
                F.add("%s/dim%d%s" % (op, d, "/keepdim" if keep else ""), op, [T(xd, F32, [2, 3, 4])],
                      lambda t, d=d, k=keep: tuple(g(t, d, keepdim=k)), {"dim": d, "keepdim": keep})
        F.add(op + "/transposed", op, [TT(xd, F64, [2, 3, 4], d0=0, d1=2)], lambda t: tuple(g(t, 2)), {"dim": 2, "keepdim": False})
        F.add(op + "/i64", op, [TS(xdi, I64, [2, 3, 4], dim=1)], lambda t: tuple(g(t, 1)), {"dim": 1, "keepdim": False})
        F.add(op + "/bool", op, [T([False, True, False, False, False, True], BOOL, [2, 3])], lambda t: tuple(g(t, 1)), {"dim": 1, "keepdim": False})
        F.add(op + "/nan", op, [T([1.0, NAN, 2.0, 3.0], F32, [2, 2])], lambda t: tuple(g(t, 1)), {"dim": 1, "keepdim": False})
        F.add(op + "/nan/all", op, [T([1.0, NAN, 2.0, 3.0], F32, [2, 2])], lambda t: g(t))
    for op in ["argmax", "argmin"]:
        g = getattr(torch, op)
        F.add(op + "/all", op, [T(xd, F32, [2, 3, 4])], lambda t: g(t))
        F.add(op + "/all-transposed", op, [TT(xd, F32, [2, 3, 4], d0=0, d1=1)], lambda t: g(t))
        for d in [0, 2, -2]:
            for keep in [False, True]:
                F.add("%s/dim%d%s" % (op, d, "/keepdim" if keep else ""), op, [T(xd, F32, [2, 3, 4])],
                      lambda t, d=d, k=keep: g(t, d, keepdim=k), {"dim": d, "keepdim": keep})
        F.add(op + "/i64-sliced", op, [TS(xdi, I64, [2, 3, 4], dim=2)], lambda t: g(t, 1), {"dim": 1, "keepdim": False})
        F.add(op + "/f64-permuted", op, [TP(xd, F64, [2, 3, 4], [2, 0, 1])], lambda t: g(t, 0), {"dim": 0, "keepdim": False})
        F.add(op + "/nan", op, [T([1.0, NAN, 2.0, 3.0], F32, [2, 2])], lambda t: g(t, 1), {"dim": 1, "keepdim": False})
    for op in ["softmax", "log_softmax"]:
        g = getattr(torch, op)
        for d in [0, 1, -1]:
            F.add("%s/dim%d" % (op, d), op, [T(x, F32, [2, 3, 4])], lambda t, d=d: g(t, d), {"dim": d})
        F.add(op + "/f64-transposed", op, [TT(x, F64, [2, 3, 4], d0=1, d1=2)], lambda t: g(t, 1), {"dim": 1})
        F.add(op + "/sliced", op, [TS(x, F32, [2, 3, 4], dim=2)], lambda t: g(t, -1), {"dim": -1})
        F.add(op + "/large", op, [T([1000.0, 0.0, -1000.0, 999.0], F32, [2, 2])], lambda t: g(t, 1), {"dim": 1})
        F.add(op + "/-inf", op, [T([-INF, 0.0, 1.0, -INF], F32, [2, 2])], lambda t: g(t, 1), {"dim": 1})
        F.add(op + "/0-dim", op, [T(2.0, F32)], lambda t: g(t, 0), {"dim": 0})
        F.add(op + "/i64-fails", op, [T([1, 2, 3], I64)], lambda t: g(t, 0), {"dim": 0})
    return F


# ---------------------------------------------------------------------------------------------
# linear algebra

def linalg():
    F = Family("linalg")
    cases = [
        ("1d.1d", [4], [4]), ("1d.2d", [3], [3, 4]), ("2d.1d", [2, 3], [3]), ("2d.2d", [2, 3], [3, 4]),
        ("3d.2d", [2, 2, 3], [3, 4]), ("2d.3d", [2, 3], [2, 3, 4]), ("3d.1d", [2, 3, 4], [4]),
        ("1d.3d", [3], [2, 3, 4]), ("bcast[2,1,2,3].[3,3,2]", [2, 1, 2, 3], [3, 3, 2]),
        ("bcast[1,2,3].[4,3,2]", [1, 2, 3], [4, 3, 2]),
    ]
    for i, (tag, sa, sb) in enumerate(cases):
        F.add("matmul/" + tag, "matmul", [T(gen(200 + i, sa), F32, sa), T(gen(300 + i, sb), F32, sb)], torch.matmul)
    F.add("matmul/f64-transposed", "matmul", [TT(gen(210, [3, 4]), F64, [3, 4]), TT(gen(211, [4, 2]), F64, [4, 2])], torch.matmul)
    F.add("matmul/batched-transposed", "matmul", [TT(gen(212, [2, 3, 4]), F32, [2, 3, 4], d0=1, d1=2), TS(gen(213, [2, 4, 2]), F32, [2, 4, 2], dim=1)], torch.matmul)
    F.add("matmul/batch-permuted", "matmul", [TP(gen(214, [2, 3, 4]), F32, [2, 3, 4], [1, 0, 2]), T(gen(215, [4, 5]), F32, [4, 5])], torch.matmul)
    F.add("matmul/expanded", "matmul", [TE(gen(216, [3, 4]), F32, [1, 3, 4], [2, 3, 4]), T(gen(217, [2, 4, 2]), F32, [2, 4, 2])], torch.matmul)
    F.add("matmul/i64", "matmul", [T(gen(218, [2, 3], I64, -3, 3), I64, [2, 3]), T(gen(219, [3, 2], I64, -3, 3), I64, [3, 2])], torch.matmul)
    F.add("matmul/shape-mismatch", "matmul", [T(gen(220, [2, 3]), F32, [2, 3]), T(gen(221, [4, 5]), F32, [4, 5])], torch.matmul)
    F.add("matmul/batch-mismatch", "matmul", [T(gen(222, [2, 2, 3]), F32, [2, 2, 3]), T(gen(223, [3, 3, 2]), F32, [3, 3, 2])], torch.matmul)
    F.add("matmul/dtype-mismatch", "matmul", [T(gen(224, [2, 3]), F32, [2, 3]), T(gen(225, [3, 2]), F64, [3, 2])], torch.matmul)
    F.add("matmul/0-dim-fails", "matmul", [T(2.0, F32), T([1.0, 2.0], F32)], torch.matmul)
    F.add("matmul/nan-inf", "matmul", [T([1.0, NAN, 0.0, 1.0], F32, [2, 2]), T([INF, 1.0, 1.0, 2.0], F32, [2, 2])], torch.matmul)
    F.add("mm/f32", "mm", [T(gen(230, [3, 5]), F32, [3, 5]), T(gen(231, [5, 2]), F32, [5, 2])], torch.mm)
    F.add("mm/f64-both-transposed", "mm", [TT(gen(232, [3, 4]), F64, [3, 4]), TT(gen(233, [4, 3]), F64, [4, 3])], torch.mm)
    F.add("mm/sliced", "mm", [TS(gen(234, [3, 4]), F32, [3, 4], dim=1), TS(gen(235, [4, 2]), F32, [4, 2], dim=0)], torch.mm)
    F.add("mm/i64", "mm", [T([1, 2, 3, 4], I64, [2, 2]), T([5, -6, 7, 8], I64, [2, 2])], torch.mm)
    F.add("mm/1-d-fails", "mm", [T([1.0, 2.0], F32), T([1.0, 2.0], F32)], torch.mm)
    F.add("mm/shape-mismatch", "mm", [T(gen(236, [2, 3]), F32, [2, 3]), T(gen(237, [2, 3]), F32, [2, 3])], torch.mm)
    F.add("mm/empty-inner", "mm", [T([], F32, [2, 0]), T([], F32, [0, 3])], torch.mm)
    F.add("bmm/f32", "bmm", [T(gen(240, [2, 3, 4]), F32, [2, 3, 4]), T(gen(241, [2, 4, 2]), F32, [2, 4, 2])], torch.bmm)
    F.add("bmm/f64-transposed", "bmm", [TT(gen(242, [3, 2, 4]), F64, [3, 2, 4], d0=1, d1=2), TP(gen(243, [3, 4, 2]), F64, [3, 4, 2], [2, 0, 1])], torch.bmm)
    F.add("bmm/batch-mismatch", "bmm", [T(gen(244, [2, 3, 4]), F32, [2, 3, 4]), T(gen(245, [3, 4, 2]), F32, [3, 4, 2])], torch.bmm)
    F.add("bmm/2-d-fails", "bmm", [T(gen(246, [3, 4]), F32, [3, 4]), T(gen(247, [4, 2]), F32, [4, 2])], torch.bmm)
    return F


# ---------------------------------------------------------------------------------------------
# joining and indexing

def joinindex():
    F = Family("joinindex")
    a = gen(400, [2, 3])
    b = gen(401, [2, 3])
    c = gen(402, [4, 3])
    F.add("cat/dim0", "cat", [T(a, F32, [2, 3]), T(c, F32, [4, 3])], lambda x, y: torch.cat([x, y], 0), {"dim": 0})
    F.add("cat/dim1", "cat", [T(a, F32, [2, 3]), T(b, F32, [2, 3]), T(a[:4], F32, [2, 2])], lambda x, y, z: torch.cat([x, y, z], 1), {"dim": 1})
    F.add("cat/dim-1-noncontiguous", "cat", [TT(a, F64, [2, 3]), TS(b, F64, [2, 3])], lambda x, y: torch.cat([x, y], -1), {"dim": -1})
    F.add("cat/one", "cat", [TT(a, F32, [2, 3])], lambda x: torch.cat([x], 0), {"dim": 0})
    F.add("cat/i64", "cat", [T([1, 2], I64), T([3], I64)], lambda x, y: torch.cat([x, y]), {"dim": 0})
    F.add("cat/bool", "cat", [T([True], BOOL), T([False, True], BOOL)], lambda x, y: torch.cat([x, y]), {"dim": 0})
    F.add("cat/promotes-i64-f32", "cat", [T([1, 2], I64), T([0.5], F32)], lambda x, y: torch.cat([x, y]), {"dim": 0})
    F.add("cat/promotes-bool-f64", "cat", [T([True], BOOL), T([0.5], F64)], lambda x, y: torch.cat([x, y]), {"dim": 0})
    F.add("cat/expanded", "cat", [TE([1.0, 2.0], F32, [2, 1], [2, 3]), T(b, F32, [2, 3])], lambda x, y: torch.cat([x, y], 0), {"dim": 0})
    F.add("cat/3-d-middle", "cat", [T(gen(403, [2, 2, 3]), F32, [2, 2, 3]), TP(gen(404, [2, 1, 3]), F32, [2, 1, 3], [2, 0, 1])], lambda x, y: torch.cat([x, y], 1), {"dim": 1})
    F.add("cat/shape-mismatch", "cat", [T(a, F32, [2, 3]), T(c, F32, [4, 3])], lambda x, y: torch.cat([x, y], 1), {"dim": 1})
    F.add("cat/ndim-mismatch", "cat", [T(a, F32, [2, 3]), T([1.0, 2.0, 3.0], F32)], lambda x, y: torch.cat([x, y], 0), {"dim": 0})
    F.add("cat/dim-out-of-range", "cat", [T(a, F32, [2, 3]), T(b, F32, [2, 3])], lambda x, y: torch.cat([x, y], 2), {"dim": 2})
    F.add("cat/0-dim-fails", "cat", [T(1.0, F32), T(2.0, F32)], lambda x, y: torch.cat([x, y]), {"dim": 0})
    for d in [0, 1, 2, -1]:
        F.add("stack/dim%d" % d, "stack", [T(a, F32, [2, 3]), TT(b, F32, [2, 3])], lambda x, y, d=d: torch.stack([x, y], d), {"dim": d})
    F.add("stack/0-dim", "stack", [T(1.0, F64), T(2.0, F64), T(3.0, F64)], lambda x, y, z: torch.stack([x, y, z]), {"dim": 0})
    F.add("stack/i64-sliced", "stack", [TS([1, 2, 3], I64, [3]), T([4, 5, 6], I64)], lambda x, y: torch.stack([x, y], 1), {"dim": 1})
    F.add("stack/shape-mismatch", "stack", [T(a, F32, [2, 3]), T(c, F32, [4, 3])], lambda x, y: torch.stack([x, y]), {"dim": 0})
    F.add("stack/dim-out-of-range", "stack", [T(a, F32, [2, 3]), T(b, F32, [2, 3])], lambda x, y: torch.stack([x, y], 3), {"dim": 3})

    x = gen(410, [5, 4])
    F.add("split/size2-dim0", "split", [T(x, F32, [5, 4])], lambda t: torch.split(t, 2, 0), {"split_size": 2, "dim": 0}, layout=True)
    F.add("split/size3-dim1", "split", [TT(x, F32, [5, 4])], lambda t: torch.split(t, 3, 1), {"split_size": 3, "dim": 1}, layout=True)
    F.add("split/size-bigger", "split", [T(x, F32, [5, 4])], lambda t: torch.split(t, 7, 0), {"split_size": 7, "dim": 0}, layout=True)
    F.add("split/sizes", "split", [T(x, F64, [5, 4])], lambda t: torch.split(t, [1, 3, 1], 0), {"sizes": [1, 3, 1], "dim": 0}, layout=True)
    F.add("split/sizes-negative-dim", "split", [TS(x, F32, [5, 4], dim=1)], lambda t: torch.split(t, [3, 1], -1), {"sizes": [3, 1], "dim": -1}, layout=True)
    F.add("split/sizes-bad-sum", "split", [T(x, F32, [5, 4])], lambda t: torch.split(t, [2, 2], 0), {"sizes": [2, 2], "dim": 0})
    for n in [1, 2, 3, 5, 6]:
        F.add("chunk/%d-dim0" % n, "chunk", [T(x, F32, [5, 4])], lambda t, n=n: torch.chunk(t, n, 0), {"chunks": n, "dim": 0}, layout=True)
    F.add("chunk/3-dim1-transposed", "chunk", [TT(x, F32, [5, 4])], lambda t: torch.chunk(t, 3, 1), {"chunks": 3, "dim": 1}, layout=True)
    F.add("chunk/bool", "chunk", [T(gen(411, [6], BOOL), BOOL, [6])], lambda t: torch.chunk(t, 4, 0), {"chunks": 4, "dim": 0}, layout=True)

    y = gen(420, [3, 4])
    F.add("index_select/dim0", "index_select", [T(y, F32, [3, 4]), T([2, 0, 2], I64)], lambda t, i: torch.index_select(t, 0, i), {"dim": 0})
    F.add("index_select/dim1-transposed", "index_select", [TT(y, F64, [3, 4]), T([3, 1], I64)], lambda t, i: torch.index_select(t, 1, i), {"dim": 1})
    F.add("index_select/negative-dim", "index_select", [TS(y, F32, [3, 4], dim=0), TS([1, 1, 0], I64, [3])], lambda t, i: torch.index_select(t, -1, i), {"dim": -1})
    F.add("index_select/i64", "index_select", [T([10, 20, 30], I64), T([2, 2, 0, 1], I64)], lambda t, i: torch.index_select(t, 0, i), {"dim": 0})
    F.add("index_select/bool", "index_select", [T([True, False, True], BOOL), T([1, 0], I64)], lambda t, i: torch.index_select(t, 0, i), {"dim": 0})
    F.add("index_select/0-dim-index", "index_select", [T(y, F32, [3, 4]), T(1, I64)], lambda t, i: torch.index_select(t, 0, i), {"dim": 0})
    F.add("index_select/out-of-range", "index_select", [T(y, F32, [3, 4]), T([3], I64)], lambda t, i: torch.index_select(t, 0, i), {"dim": 0})
    F.add("index_select/negative-index", "index_select", [T(y, F32, [3, 4]), T([-1], I64)], lambda t, i: torch.index_select(t, 0, i), {"dim": 0})
    F.add("index_select/float-index", "index_select", [T(y, F32, [3, 4]), T([1.0], F32)], lambda t, i: torch.index_select(t, 0, i), {"dim": 0})
    F.add("index_select/2-d-index", "index_select", [T(y, F32, [3, 4]), T([[0, 1]], I64)], lambda t, i: torch.index_select(t, 0, i), {"dim": 0})
    gi = [[0, 0, 1], [2, 1, 0]]
    F.add("gather/dim1", "gather", [T(y, F32, [3, 4]), T(gi, I64)], lambda t, i: torch.gather(t, 1, i), {"dim": 1})
    F.add("gather/dim0", "gather", [T(y, F32, [3, 4]), T([[2, 1, 0, 0]], I64)], lambda t, i: torch.gather(t, 0, i), {"dim": 0})
    F.add("gather/transposed-input-and-index", "gather", [TT(y, F64, [3, 4]), TT(gi, I64, [2, 3])], lambda t, i: torch.gather(t, -1, i), {"dim": -1})
    F.add("gather/3-d", "gather", [T(gen(421, [2, 3, 2]), F32, [2, 3, 2]), T([0, 2, 1, 1, 2, 0], I64, [2, 3, 1])], lambda t, i: torch.gather(t, 1, i), {"dim": 1})
    F.add("gather/i64", "gather", [T([5, 6, 7], I64), T([2, 2, 0], I64)], lambda t, i: torch.gather(t, 0, i), {"dim": 0})
    F.add("gather/out-of-range", "gather", [T(y, F32, [3, 4]), T([[4]], I64)], lambda t, i: torch.gather(t, 1, i), {"dim": 1})
    F.add("gather/index-too-big", "gather", [T(y, F32, [3, 4]), T([[0]] * 4, I64)], lambda t, i: torch.gather(t, 0, i), {"dim": 0})
    F.add("gather/ndim-mismatch", "gather", [T(y, F32, [3, 4]), T([0, 1], I64)], lambda t, i: torch.gather(t, 1, i), {"dim": 1})
    si = [[0, 1, 0, 2], [2, 2, 1, 0]]
    src = gen(422, [2, 4])
    F.add("scatter_add/dim0", "scatter_add", [T(y, F32, [3, 4]), T(si, I64), T(src, F32, [2, 4])], lambda t, i, s: torch.scatter_add(t, 0, i, s), {"dim": 0})
    F.add("scatter_add/dim1-dups", "scatter_add", [T([0.0] * 6, F32, [2, 3]), T([[0, 0, 2], [1, 1, 1]], I64), T([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], F32, [2, 3])], lambda t, i, s: torch.scatter_add(t, 1, i, s), {"dim": 1})
    F.add("scatter_add/noncontiguous", "scatter_add", [TT(y, F64, [3, 4]), TS(si, I64, [2, 4], dim=1), TT(src, F64, [2, 4])], lambda t, i, s: torch.scatter_add(t, 0, i, s), {"dim": 0})
    F.add("scatter_add/src-bigger", "scatter_add", [T([0.0] * 3, F32, [3]), T([0, 2], I64), T([1.0, 2.0, 3.0, 4.0], F32)], lambda t, i, s: torch.scatter_add(t, 0, i, s), {"dim": 0})
    F.add("scatter_add/i64", "scatter_add", [T([1, 2, 3], I64), T([0, 0, 2], I64), T([10, 20, 30], I64)], lambda t, i, s: torch.scatter_add(t, 0, i, s), {"dim": 0})
    F.add("scatter_add/out-of-range", "scatter_add", [T([0.0] * 3, F32, [3]), T([3], I64), T([1.0], F32)], lambda t, i, s: torch.scatter_add(t, 0, i, s), {"dim": 0})
    F.add("scatter_add/dtype-mismatch", "scatter_add", [T([0.0] * 3, F32, [3]), T([0], I64), T([1.0], F64)], lambda t, i, s: torch.scatter_add(t, 0, i, s), {"dim": 0})
    F.add("scatter_add_/dim0", "scatter_add_", [T(y, F32, [3, 4]), T(si, I64), T(src, F32, [2, 4])], lambda t, i, s: t.scatter_add_(0, i, s), {"dim": 0}, inplace=True)
    F.add("scatter_add_/into-transposed-view", "scatter_add_", [TT(y, F32, [3, 4]), T(si, I64), T(src, F32, [2, 4])], lambda t, i, s: t.scatter_add_(0, i, s), {"dim": 0}, inplace=True)
    return F


# ---------------------------------------------------------------------------------------------
# creation and reading values out

def creation():
    F = Family("creation")
    for dt in ALL:
        n = tname(dt)
        F.add("zeros/" + n, "zeros", [], lambda dt=dt: torch.zeros(2, 3, dtype=dt), {"shape": [2, 3], "dtype": NAMES[dt]})
        F.add("ones/" + n, "ones", [], lambda dt=dt: torch.ones(3, 1, 2, dtype=dt), {"shape": [3, 1, 2], "dtype": NAMES[dt]})
        F.add("eye/%s/3x4" % n, "eye", [], lambda dt=dt: torch.eye(3, 4, dtype=dt), {"n": 3, "m": 4, "dtype": NAMES[dt]})
    F.add("zeros/0-dim", "zeros", [], lambda: torch.zeros([]), {"shape": [], "dtype": "float32"})
    F.add("zeros/empty", "zeros", [], lambda: torch.zeros(0, 3), {"shape": [0, 3], "dtype": "float32"})
    F.add("full/f32", "full", [], lambda: torch.full((2, 2), 2.5), {"shape": [2, 2], "value": 2.5, "dtype": "float32"})
    F.add("full/f64", "full", [], lambda: torch.full((3,), -1.25, dtype=F64), {"shape": [3], "value": -1.25, "dtype": "float64"})
    F.add("full/i64", "full", [], lambda: torch.full((2,), 7, dtype=I64), {"shape": [2], "value": 7, "dtype": "int64"})
    F.add("full/bool", "full", [], lambda: torch.full((2,), True), {"shape": [2], "value": 1, "dtype": "bool"})
    F.add("full/nan", "full", [], lambda: torch.full((2,), NAN), {"shape": [2], "value": "nan", "dtype": "float32"})
    F.add("eye/n", "eye", [], lambda: torch.eye(3), {"n": 3})
    F.add("eye/4x2", "eye", [], lambda: torch.eye(4, 2), {"n": 4, "m": 2})
    F.add("eye/0", "eye", [], lambda: torch.eye(0), {"n": 0})
    F.add("eye/negative-fails", "eye", [], lambda: torch.eye(-1), {"n": -1})
    F.add("scalar/f32", "scalar", [], lambda: torch.tensor(2.5), {"value": 2.5, "dtype": "float32"})
    F.add("scalar/f64", "scalar", [], lambda: torch.tensor(0.1, dtype=F64), {"value": 0.1, "dtype": "float64"})
    F.add("scalar/i64", "scalar", [], lambda: torch.tensor(-3), {"value": -3, "dtype": "int64"})
    F.add("scalar/bool", "scalar", [], lambda: torch.tensor(True), {"value": 1, "dtype": "bool"})

    for (s, e, st) in [(0, 5, 1), (2, 11, 3), (5, -3, -2), (3, 3, 1), (0, 10, 4)]:
        F.add("arange/i64/%d,%d,%d" % (s, e, st), "arange", [], lambda s=s, e=e, st=st: torch.arange(s, e, st), {"start": s, "end": e, "step": st})
    F.add("arange/end-only", "arange", [], lambda: torch.arange(4), {"end": 4})
    for (s, e, st, dt) in [(0.0, 1.0, 0.1, F32), (-1.0, 1.0, 0.25, F32), (1.0, 0.0, -0.3, F64), (0.5, 2.0, 0.5, F64), (0.0, 3.0, 1.0, F32)]:
        F.add("arange/%s/%g,%g,%g" % (tname(dt), s, e, st), "arange", [],
              lambda s=s, e=e, st=st, dt=dt: torch.arange(s, e, st, dtype=dt), {"start": s, "end": e, "step": st, "dtype": NAMES[dt]})
    F.add("arange/i64-from-float-args", "arange", [], lambda: torch.arange(0.0, 5.0, 1.5, dtype=I64), {"start": 0.0, "end": 5.0, "step": 1.5, "dtype": "int64"})
    F.add("arange/zero-step-fails", "arange", [], lambda: torch.arange(0.0, 1.0, 0.0), {"start": 0.0, "end": 1.0, "step": 0.0, "dtype": "float32"})
    F.add("arange/wrong-sign-fails", "arange", [], lambda: torch.arange(0.0, 1.0, -0.5), {"start": 0.0, "end": 1.0, "step": -0.5, "dtype": "float32"})
    for (s, e, n, dt) in [(0.0, 1.0, 5, F32), (-2.0, 3.0, 11, F32), (1.0, -1.0, 4, F64), (0.0, 10.0, 1, F32), (0.0, 1.0, 0, F32), (0.0, 10.0, 6, I64), (0.1, 0.9, 7, F64)]:
        F.add("linspace/%s/%g,%g,%d" % (tname(dt), s, e, n), "linspace", [],
              lambda s=s, e=e, n=n, dt=dt: torch.linspace(s, e, n, dtype=dt), {"start": s, "end": e, "steps": n, "dtype": NAMES[dt]})
    F.add("linspace/negative-steps-fails", "linspace", [], lambda: torch.linspace(0, 1, -1), {"start": 0.0, "end": 1.0, "steps": -1, "dtype": "float32"})

    # *_like: shape and dtype of the input (a non-contiguous one gives a contiguous result)
    for dt in ALL:
        n = tname(dt)
        vals = {F32: [1.5, 2.5, 3.5, 4.5, 5.5, 6.5], F64: [1.0] * 6, I64: [1, 2, 3, 4, 5, 6], BOOL: [True] * 6}[dt]
        F.add("zeros_like/" + n, "zeros_like", [TT(vals, dt, [2, 3])], torch.zeros_like)
        F.add("ones_like/" + n, "ones_like", [TS(vals, dt, [2, 3])], torch.ones_like)
        F.add("full_like/" + n, "full_like", [T(vals, dt, [3, 2])], lambda t: torch.full_like(t, 1 if dt in (I64, BOOL) else 2.5),
              {"value": 1 if dt in (I64, BOOL) else 2.5})
        c = F.add("empty_like/" + n, "empty_like", [TT(vals, dt, [2, 3])], torch.empty_like)
        del c["out"]["data"]  # undefined values: only shape and dtype are compared

    # reading values out: item and the toXxxArray copies (row-major, converted)
    F.add("item/f32", "item", [T([2.5], F32)], lambda t: torch.tensor(t.item(), dtype=F64))
    F.add("item/f64-0-dim", "item", [T(0.1, F64)], lambda t: torch.tensor(t.item(), dtype=F64))
    F.add("item/i64", "item", [T([[-7]], I64)], lambda t: torch.tensor(t.item(), dtype=F64))
    F.add("item/bool", "item", [T(True, BOOL)], lambda t: torch.tensor(float(t.item()), dtype=F64))
    F.add("item/of-view", "item", [TN([3.0], F32, [1])], lambda t: torch.tensor(t.item(), dtype=F64))
    F.add("item/many-fails", "item", [T([1.0, 2.0], F32)], lambda t: t.item())
    F.add("item/nan", "item", [T(NAN, F32)], lambda t: torch.tensor(t.item(), dtype=F64))
    F.add("itemLong/i64", "itemLong", [T([9007199254740993], I64)], lambda t: torch.tensor(t.item(), dtype=I64))
    conv = {"toFloatArray": F32, "toDoubleArray": F64, "toLongArray": I64, "toBooleanArray": BOOL}
    srcs = {F32: [1.5, -2.7, 0.0, 1e20, 0.1, -0.9], F64: [0.1, -2.5, 3.9999999, 1e-300, 2.0, -0.0],
            I64: [1, -2, 0, 9007199254740993, -5, 16777217], BOOL: [True, False, True, False, False, True]}
    for op, to in conv.items():
        for dt in ALL:
            vals = srcs[dt]
            if to == I64 and dt == F32:
                vals = [1.5, -2.7, 0.0, 1e10, 0.1, -0.9]
            F.add("%s/%s-transposed" % (op, tname(dt)), op, [TT(vals, dt, [2, 3])], lambda t, to=to: t.to(to).reshape(-1))
    F.add("toFloatArray/expanded", "toFloatArray", [TE([1.0, 2.0], F32, [2, 1], [2, 3])], lambda t: t.reshape(-1))
    F.add("toLongArray/sliced", "toLongArray", [TS([1, 2, 3, 4, 5, 6], I64, [2, 3], dim=0)], lambda t: t.reshape(-1))
    F.add("toDoubleArray/0-dim", "toDoubleArray", [T(3.25, F64)], lambda t: t.reshape(-1))
    return F


# ---------------------------------------------------------------------------------------------
# random: manual_seed(s), then calls in order; each call's values are compared

class RandomFamily(Family):
    def seq(self, name, seed, calls):
        assert name not in self.names, name
        self.names.add(name)
        torch.manual_seed(seed)
        out = []
        for (op, inputs, fn, args, exact) in calls:
            c = {"op": op, "inputs": [i.spec for i in inputs]}
            if args:
                c["args"] = args
            r = fn(*[i.t for i in inputs])
            c.update(enc_out(r))
            if inputs and inputs[0].ops:
                c["base_out"] = enc_tensor(inputs[0].base)
            c["exact"] = exact
            if not exact:
                c["rtol"], c["atol"] = 1e-5, 1e-6
            out.append(c)
        self.cases.append({"name": name, "seed": seed, "calls": out})


def random_family():
    F = RandomFamily("random")

    def rand(shape, dt=F32):
        return ("rand", [], lambda: torch.rand(*shape, dtype=dt), {"shape": shape, "dtype": NAMES[dt]}, True)

    def randn(shape, dt=F32):
        return ("randn", [], lambda: torch.randn(*shape, dtype=dt), {"shape": shape, "dtype": NAMES[dt]}, False)

    def randint(lo, hi, shape):
        return ("randint", [], lambda: torch.randint(lo, hi, shape), {"low": lo, "high": hi, "shape": shape}, True)

    def randperm(n):
        return ("randperm", [], lambda: torch.randperm(n), {"n": n}, True)

    def inplace(op, inp, fn, args, exact):
        return (op, [inp], fn, args, exact)

    for seed in [0, 1, 42, 2**32 + 7]:
        F.seq("rand/f32/seed%d" % seed, seed, [rand([5]), rand([2, 3])])
    F.seq("rand/f64", 3, [rand([4], F64), rand([2, 2], F64)])
    F.seq("rand/then-randint", 5, [rand([3]), randint(0, 10, [6]), rand([2])])
    F.seq("randint/ranges", 7, [randint(-5, 5, [8]), randint(0, 2, [5]), randint(100, 1000, [3, 2]), randint(0, 2**33, [4])])
    F.seq("randperm/small", 11, [randperm(1), randperm(5), randperm(10)])
    F.seq("randperm/40", 12, [randperm(40)])
    F.seq("randn/f32/few", 0, [randn([5]), randn([3])])
    F.seq("randn/f32/16", 0, [randn([16])])
    F.seq("randn/f32/20", 2, [randn([4, 5])])
    F.seq("randn/f32/40", 3, [randn([40])])
    F.seq("randn/f64/few", 4, [randn([3], F64), randn([2], F64)])
    F.seq("randn/f64/18", 4, [randn([18], F64)])
    F.seq("randn/then-rand", 8, [randn([3]), rand([3]), randn([1])])
    F.seq("rand_like/randn_like", 9, [
        # (Contiguous input: for a transposed one PyTorch's rand_like keeps the input's strides
        # and so draws in another order; Kindling's *_like results are always contiguous.)
        ("rand_like", [T([0.0] * 6, F64, [2, 3])], lambda t: torch.rand_like(t), None, True),
        ("randn_like", [T([0.0] * 4, F32, [2, 2])], lambda t: torch.randn_like(t), None, False)])
    F.seq("uniform_/f32", 13, [inplace("uniform_", T([0.0] * 6, F32, [2, 3]), lambda t: t.uniform_(-2.0, 3.0), {"from": -2.0, "to": 3.0}, True)])
    F.seq("uniform_/f32/inexact-bounds", 13, [inplace("uniform_", T([0.0] * 6, F32, [2, 3]), lambda t: t.uniform_(-0.1, 0.3), {"from": -0.1, "to": 0.3}, True)])
    F.seq("uniform_/f64", 14, [inplace("uniform_", T([0.0] * 5, F64), lambda t: t.uniform_(0.1, 0.2), {"from": 0.1, "to": 0.2}, True)])
    F.seq("uniform_/transposed-view", 15, [inplace("uniform_", TT([0.0] * 12, F32, [3, 4]), lambda t: t.uniform_(), {"from": 0.0, "to": 1.0}, True)])
    F.seq("uniform_/sliced-view", 15, [inplace("uniform_", TS([0.0] * 6, F32, [2, 3], dim=1), lambda t: t.uniform_(), {"from": 0.0, "to": 1.0}, True)])
    F.seq("normal_/f32/few", 16, [inplace("normal_", T([0.0] * 6, F32, [2, 3]), lambda t: t.normal_(1.0, 0.5), {"mean": 1.0, "std": 0.5}, False)])
    F.seq("normal_/f32/many", 16, [inplace("normal_", T([0.0] * 24, F32, [4, 6]), lambda t: t.normal_(0.0, 0.02), {"mean": 0.0, "std": 0.02}, False)])
    F.seq("normal_/f64/many", 17, [inplace("normal_", T([0.0] * 20, F64, [20]), lambda t: t.normal_(-1.0, 2.0), {"mean": -1.0, "std": 2.0}, False)])
    F.seq("normal_/transposed-view-many", 18, [inplace("normal_", TT([0.0] * 20, F32, [4, 5]), lambda t: t.normal_(), {"mean": 0.0, "std": 1.0}, False)])
    F.seq("normal_/sliced-view-few", 18, [inplace("normal_", TS([0.0] * 6, F64, [2, 3], dim=0), lambda t: t.normal_(), {"mean": 0.0, "std": 1.0}, False)])
    F.seq("bernoulli_/f32", 19, [inplace("bernoulli_", T([0.0] * 10, F32), lambda t: t.bernoulli_(0.3), {"p": 0.3}, True)])
    F.seq("bernoulli_/f64-transposed", 20, [inplace("bernoulli_", TT([0.0] * 12, F64, [3, 4]), lambda t: t.bernoulli_(0.5), {"p": 0.5}, True)])
    F.seq("bernoulli_/i64", 21, [inplace("bernoulli_", T([0] * 8, I64), lambda t: t.bernoulli_(0.7), {"p": 0.7}, True)])
    F.seq("bernoulli_/bool", 22, [inplace("bernoulli_", T([False] * 8, BOOL), lambda t: t.bernoulli_(0.5), {"p": 0.5}, True)])
    F.seq("mixed/init-like", 23, [
        inplace("normal_", T([0.0] * 32, F32, [4, 8]), lambda t: t.normal_(0.0, 0.02), {"mean": 0.0, "std": 0.02}, False),
        inplace("uniform_", T([0.0] * 8, F32), lambda t: t.uniform_(-0.125, 0.125), {"from": -0.125, "to": 0.125}, True),
        rand([2]), randperm(6), randn([2])])
    return F


# ---------------------------------------------------------------------------------------------
# type promotion: every dtype pair, dimensioned / 0-dim / Python scalars, out-of-place and in-place

def promotion():
    F = Family("promotion")
    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "eq": torch.eq, "lt": torch.lt,
           "maximum": torch.maximum, "logical_and": torch.logical_and}
    for op, fn in ops.items():
        for da in ALL:
            for db in ALL:
                tiers = [("nd", "nd"), ("nd", "0d"), ("0d", "nd"), ("0d", "0d")]
                for ka, kb in (tiers if op not in ("maximum", "logical_and") else tiers[:2]):
                    a = sample(da, zero_dim=(ka == "0d"), seed=0)
                    b = sample(db, zero_dim=(kb == "0d"), seed=2)
                    F.add("%s/%s-%s+%s-%s" % (op, tname(da), ka, tname(db), kb), op, [Inp(a), Inp(b)], fn)
        if op in ("maximum", "logical_and"):
            continue
        for da in ALL:
            for ka in ["nd", "0d"]:
                a = sample(da, zero_dim=(ka == "0d"), seed=1)
                for s in [2, 2.5, True]:
                    if op in ("eq", "lt") and isinstance(s, int) and not isinstance(s, bool):
                        s = 2  # small: int and float comparisons agree
                    kind = "bool" if isinstance(s, bool) else type(s).__name__
                    F.add("%s/%s-%s+%s" % (op, tname(da), ka, kind), op, [Inp(a), Scalar(s)], fn)
    # wrapped numbers never widen within a category; 0-dim tensors of a higher category do
    F.add("add/f32+f64-0d-keeps-f32", "add", [Inp(torch.tensor([1.5, 2.5])), Inp(torch.tensor(0.1, dtype=F64))], torch.add)
    F.add("add/i64+f64-0d-gives-f64", "add", [Inp(torch.tensor([1, 2])), Inp(torch.tensor(0.1, dtype=F64))], torch.add)
    F.add("add/f64-0d+f32-0d-gives-f64", "add", [Inp(torch.tensor(1.5, dtype=F64)), Inp(torch.tensor(0.25))], torch.add)
    F.add("mul/i64+big-int", "mul", [Inp(torch.tensor([3, -2])), Scalar(2**40)], torch.mul)
    F.add("eq/i64+int-beyond-float32", "eq", [Inp(torch.tensor([16777217, 16777216])), Scalar(16777217)], torch.eq)
    F.add("gt/i64+int-beyond-float32", "gt", [Inp(torch.tensor([16777217, 16777216])), Scalar(16777216)], torch.gt)
    F.add("add/i64-0d+float-gives-f32", "add", [Inp(torch.tensor(3)), Scalar(0.5)], torch.add)
    F.add("div/bool+bool-gives-f32", "div", [Inp(torch.tensor([True, False])), Inp(torch.tensor([True, True]))], torch.div)
    F.add("div/i64-0d+i64-0d-gives-f32", "div", [Inp(torch.tensor(7)), Inp(torch.tensor(2))], torch.div)
    # in place: the result type must be castable to self's dtype (same or lower category)
    for op in ["add_", "mul_"]:
        for da in ALL:
            for db in ALL:
                a = sample(da)
                b = sample(db, zero_dim=True, seed=3)
                F.add("%s/%s+%s-0d" % (op, tname(da), tname(db)), op, [Inp(a), Inp(b)], lambda x, y, op=op: getattr(x, op)(y), inplace=True)
            for s in [2, 2.5]:
                F.add("%s/%s+%s" % (op, tname(da), type(s).__name__), op, [Inp(sample(da)), Scalar(s)], lambda x, y, op=op: getattr(x, op)(y), inplace=True)
    for da in ALL:
        for db in ALL:
            F.add("sub_/%s+%s" % (tname(da), tname(db)), "sub_", [Inp(sample(da)), Inp(sample(db))], lambda x, y: x.sub_(y), inplace=True)
            F.add("div_/%s+%s" % (tname(da), tname(db)), "div_", [Inp(sample(da)), Inp(sample(db))], lambda x, y: x.div_(y), inplace=True)
    return F


def main():
    torch.set_num_threads(1)
    for make in [elementwise, views, reductions, linalg, joinindex, creation, random_family, promotion]:
        make().write()


if __name__ == "__main__":
    main()
