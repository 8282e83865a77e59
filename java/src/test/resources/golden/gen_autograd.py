#!/usr/bin/env python3
"""Golden data for Kindling's autograd idioms, written by PyTorch.

How to regenerate (autograd.json is committed; CI never runs PyTorch):

    /usr/bin/python3 java/src/test/resources/golden/gen_autograd.py

Each top-level key of autograd.json is one idiom of the seed's training code, run here exactly
as a PyTorch user writes it; dev.kindling.autograd.AutogradIdiomsTest does the same with the Java
API and compares what PyTorch printed: values, gradients, grad_fn names, the next_functions
structure, requires_grad / is_leaf flags and the wording of errors.

Format: tensors are {"dtype", "shape", "data"} (row-major data); a grad_fn is
{"name", "next": [[name or null, input_nr], ...]}; an error is the exception's message.
Running the script twice gives byte-identical output.
"""
import json
import os
import warnings

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}


def enc(t):
    """A tensor (or None) as {"dtype", "shape", "data"}."""
    if t is None:
        return None
    t = t.detach()
    data = t.reshape(-1).tolist()
    return {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data": data}


def fn_name(fn):
    return None if fn is None else type(fn).__name__


def grad_fn(t):
    """grad_fn's name and its next_functions as (name or None, input_nr) pairs."""
    fn = t.grad_fn
    if fn is None:
        return None
    return {"name": fn_name(fn), "next": [[fn_name(n), nr] for n, nr in fn.next_functions]}


def error(body):
    try:
        body()
    except RuntimeError as e:
        return str(e)
    raise AssertionError("expected an error")


def tour():
    # The autograd tutorial: y = x + 2; z = y * y * 3; out = z.mean(); out.backward()
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    before = x.grad
    out.backward()
    yy = z.grad_fn.next_functions[0][0]  # the MulBackward0 of y * y
    return {
        "x": enc(x), "y": enc(y), "z": enc(z), "out": enc(out),
        "x_grad_fn": grad_fn(x), "y_grad_fn": grad_fn(y), "z_grad_fn": grad_fn(z), "out_grad_fn": grad_fn(out),
        "yy_next": [[fn_name(n), nr] for n, nr in yy.next_functions],
        "x_is_leaf": x.is_leaf, "y_is_leaf": y.is_leaf, "out_is_leaf": out.is_leaf,
        "y_requires_grad": y.requires_grad,
        "x_grad_before_backward": enc(before),
        "x_grad": enc(x.grad),
        "y_grad_after_backward": enc(y.grad),  # None (PyTorch warns: non-leaf .grad is not populated)
    }


def retain_grad():
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    y.retain_grad()
    z = y * y * 3
    out = z.mean()
    out.backward()
    return {"y_retains_grad": y.retains_grad, "y_grad": enc(y.grad), "z_grad": enc(z.grad), "x_grad": enc(x.grad)}


def hooks():
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    seen = []

    def hook(g):
        seen.append(g.clone())
        return g * 2

    h = y.register_hook(hook)
    (y * y * 3).mean().backward()
    with_hook = x.grad.clone()
    h.remove()
    x.grad = None
    seen_before_remove = len(seen)
    (y * y * 3).mean().backward()
    return {
        "hook_saw": enc(seen[0]), "x_grad_with_hook": enc(with_hook),
        "calls_with_hook": seen_before_remove, "calls_after_remove": len(seen) - seen_before_remove,
        "x_grad_after_remove": enc(x.grad),
    }


def autograd_grad():
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    g_plain, = torch.autograd.grad(z.sum(), y, retain_graph=True)
    g_graph, = torch.autograd.grad(z.sum(), y, create_graph=True)
    # second order: d/dx x^3 = 3x^2, d2/dx2 = 6x
    u = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    d1, = torch.autograd.grad(u.pow(3).sum(), u, create_graph=True)
    d2, = torch.autograd.grad(d1.sum(), u)
    return {
        "dz_dy": enc(g_plain), "dz_dy_requires_grad": g_plain.requires_grad,
        "dz_dy_graph": enc(g_graph), "dz_dy_graph_requires_grad": g_graph.requires_grad,
        "x_grad_untouched": enc(x.grad),
        "u": enc(u), "d1": enc(d1), "d1_requires_grad": d1.requires_grad, "d2": enc(d2),
    }


def backward_gradient():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    v = torch.tensor([0.1, 1.0, 0.0001])
    y.backward(v)
    vector = x.grad.clone()

    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = (a * a).sum()
    out.backward()
    twice = error(lambda: out.backward())

    b = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = (b * b).sum()
    out.backward(retain_graph=True)
    first = b.grad.clone()
    out.backward()
    return {"v": enc(v), "x_grad": enc(vector), "second_time_error": twice,
            "retain_first": enc(first), "retain_second": enc(b.grad)}


def detach():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    info = {"d_requires_grad": d.requires_grad, "d_is_leaf": d.is_leaf, "d_grad_fn": grad_fn(d)}
    d.add_(1)  # shares storage with y
    info["y_after_d_add_"] = enc(y)
    y2 = x * 3
    y2.detach_()
    info.update({"y2_requires_grad": y2.requires_grad, "y2_is_leaf": y2.is_leaf, "y2_grad_fn": grad_fn(y2), "y2": enc(y2)})
    return info


def requires_grad_rules():
    a = torch.tensor([1.0, 2.0, 3.0])
    b = torch.tensor([4.0, 5.0, 6.0], requires_grad=True)
    with torch.no_grad():
        no_grad_sum = (a + b).requires_grad
        no_grad_b_sum = b.sum().requires_grad
        with torch.enable_grad():
            nested_enable = (a + b).requires_grad
    return {
        "int_requires_grad_error": error(lambda: torch.arange(3).requires_grad_()),
        "a_requires_grad": a.requires_grad,
        "a_plus_b": (a + b).requires_grad, "a_plus_a": (a + a).requires_grad,
        "b_sum": b.sum().requires_grad, "b_view": b.view(3, 1).requires_grad,
        "b_gt_0": (b > 0).requires_grad, "b_argmax": b.argmax().requires_grad,
        "no_grad_a_plus_b": no_grad_sum, "no_grad_b_sum": no_grad_b_sum,
        "enable_grad_inside_no_grad": nested_enable,
    }


def inplace():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    leaf_error = error(lambda: x.add_(1))
    with torch.no_grad():
        x.mul_(2)
    # a saved tensor modified in place
    w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = w * 2
    z = y * y
    y.add_(1)
    saved_error = error(lambda: z.sum().backward())
    return {"leaf_error": leaf_error, "x_after_no_grad_mul_": enc(x), "x_requires_grad": x.requires_grad,
            "x_is_leaf": x.is_leaf, "saved_error": saved_error}


def gradient_penalty():
    # WGAN-GP: penalty = ((||dD(x)/dx||_2 - 1)^2).mean(), D a small function of w; the penalty's
    # gradient w.r.t. w needs double backward through matmul, tanh / log_softmax, pow, sum, sqrt.
    g = torch.Generator().manual_seed(7)
    x0 = torch.randn(4, 3, generator=g, dtype=torch.float64)
    w0 = torch.randn(3, 5, generator=g, dtype=torch.float64)
    out = {"x": enc(x0), "w": enc(w0)}
    critics = {
        "tanh": lambda x, w: (x @ w).tanh().sum(dim=1),
        "log_softmax": lambda x, w: (x @ w).log_softmax(dim=1).select(1, 0),
        "softmax": lambda x, w: (x @ w).softmax(dim=-1).narrow(1, 1, 2).sum(dim=1),
    }
    for name, D in critics.items():
        x = x0.clone().requires_grad_()
        w = w0.clone().requires_grad_()
        d = D(x, w)
        grad, = torch.autograd.grad(d.sum(), x, create_graph=True)
        norm = grad.pow(2).sum(dim=1).sqrt()
        penalty = ((norm - 1) ** 2).mean()
        penalty.backward()
        out[name] = {"d": enc(d), "grad": enc(grad), "grad_requires_grad": grad.requires_grad, "norm": enc(norm),
                     "penalty": enc(penalty), "w_grad": enc(w.grad), "x_grad": enc(x.grad)}
    return out


def main():
    # reading a non-leaf's .grad is part of the idiom (it is None); PyTorch's warning about it is expected
    warnings.filterwarnings("ignore", message="The .grad attribute of a Tensor that is not a leaf")
    doc = {
        "torch": torch.__version__.split("a")[0],
        "tour": tour(),
        "retain_grad": retain_grad(),
        "hooks": hooks(),
        "autograd_grad": autograd_grad(),
        "backward_gradient": backward_gradient(),
        "detach": detach(),
        "requires_grad_rules": requires_grad_rules(),
        "inplace": inplace(),
        "gradient_penalty": gradient_penalty(),
    }
    path = os.path.join(HERE, "autograd.json")
    # one idiom per line: readable diffs, small file
    lines = ["  %s: %s" % (json.dumps(k), json.dumps(v)) for k, v in doc.items()]
    with open(path, "w") as f:
        f.write("{\n" + ",\n".join(lines) + "\n}\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
