#!/usr/bin/env python3
"""What PyTorch prints for the autograd tour, the reference for AutogradTourTest.

    /usr/bin/python3 examples/src/test/resources/autograd_tour/gen_autograd_tour.py

Runs each step of dev.kindling.examples.AutogradTour in PyTorch, as a REPL transcript: the step's
code after '>>> ' (continuation lines after '... '), then what it printed. Writes
torch_output.txt beside this script; object addresses are written as 0x… since they differ from
run to run. The Java tour prints the same '>>> ' lines and, under each, the Java it runs and what
that printed; the test checks that PyTorch's lines appear in the Java output, in order.
"""
import contextlib
import io
import os
import re
import warnings

import torch

# Reading a non-leaf's .grad is part of the tour (it is None); PyTorch's warning about it goes
# to stderr and is not part of the transcript.
warnings.filterwarnings("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))

# (section title or None, code) in the tour's order; the Java tour has the same list.
STEPS = [
    ("1. A tensor that requires grad, and what is computed from it", None),
    (None, "x = torch.ones(2, 2, requires_grad=True)"),
    (None, "print(x)"),
    (None, "y = x + 2"),
    (None, "print(y)"),
    (None, "print(y.grad_fn)"),
    (None, "print(x.grad_fn)"),
    (None, "z = y * y * 3\nout = z.mean()"),
    (None, "print(z, out)"),
    ("2. requires_grad_() switches recording on in place", None),
    (None, "a = torch.tensor([[2., 3.], [4., 5.]])\na = ((a * 3) / (a - 1))"),
    (None, "print(a.requires_grad)"),
    (None, "a.requires_grad_(True)\nprint(a.requires_grad)"),
    (None, "b = (a * a).sum()\nprint(b.grad_fn)"),
    ("3. The graph: grad_fn, next_functions, is_leaf, AccumulateGrad", None),
    (None, "print(x.is_leaf, y.is_leaf, out.is_leaf)"),
    (None, "print(out.grad_fn.next_functions)"),
    (None, "print(z.grad_fn.next_functions)"),
    (None, "yy = z.grad_fn.next_functions[0][0]\nprint(yy.next_functions)"),
    (None, "acc = y.grad_fn.next_functions[0][0]\nprint(acc)"),
    (None, "print(acc.variable)"),
    ("4. backward() fills .grad of the leaves", None),
    (None, "print(x.grad)"),
    (None, "out.backward()\nprint(x.grad)"),
    (None, "print(y.grad)"),
    ("5. retain_grad() keeps the gradient of a non-leaf", None),
    (None, "x.grad = None\ny = x + 2\ny.retain_grad()\nout = (y * y * 3).mean()\nout.backward()"),
    (None, "print(y.grad)"),
    (None, "print(x.grad)"),
    ("6. backward(gradient): vector-Jacobian products", None),
    (None, "x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x * 2\nv = torch.tensor([0.1, 1.0, 0.0001])\ny.backward(v)"),
    (None, "print(x.grad)"),
    ("7. The graph is freed by backward unless retain_graph=True", None),
    (None, "x.grad = None\nout = (x * x).sum()\nout.backward()"),
    (None, "try:\n    out.backward()\nexcept RuntimeError as e:\n    print('error:', e)"),
    (None, "out = (x * x).sum()\nout.backward(retain_graph=True)\nout.backward()\nprint(x.grad)"),
    ("8. Hooks see (and may replace) a gradient on its way", None),
    (None, "x.grad = None\ny = x * 2\nh = y.register_hook(lambda g: print('hook saw', g) or g * 10)\ny.sum().backward()"),
    (None, "print(x.grad)"),
    (None, "h.remove()\nx.grad = None\n(x * 2).sum().backward()\nprint(x.grad)"),
    ("9. torch.autograd.grad, and gradients of gradients", None),
    (None, "x = torch.tensor([1., 2., 3.], requires_grad=True)\n(dx,) = torch.autograd.grad(x.pow(3).sum(), x, create_graph=True)"),
    (None, "print(dx.detach(), dx.requires_grad)"),
    (None, "(d2,) = torch.autograd.grad(dx.sum(), x)\nprint(d2)"),
    (None, "print(x.grad)"),
    ("10. no_grad, detach and .data", None),
    (None, "print(x.requires_grad, (x ** 2).requires_grad)"),
    (None, "with torch.no_grad():\n    print((x ** 2).requires_grad)"),
    (None, "d = x.detach()\nprint(d.requires_grad, d.is_leaf, d.grad_fn)"),
    (None, "print(x.eq(d).all())"),
    ("11. The GAN idioms: detach the fake batch, freeze the critic, clip its weights", None),
    (None, "w = torch.tensor([0.5, -0.25, 0.005], requires_grad=True)\nfake = w * 3"),
    (None, "print(fake.detach().requires_grad, fake.requires_grad)"),
    (None, "w.requires_grad_(False)\nprint((w * 3).requires_grad)\nw.requires_grad_(True)"),
    (None, "w.data.clamp_(-0.01, 0.01)\nprint(w)"),
]

ADDRESS = re.compile(r"0x[0-9a-f]+")


def transcript():
    env = {"torch": torch}
    out = io.StringIO()
    for title, code in STEPS:
        if title is not None:
            out.write("\n## " + title + "\n")
            continue
        lines = code.split("\n")
        out.write(">>> " + lines[0] + "\n")
        for line in lines[1:]:
            out.write("... " + line + "\n")
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(compile(code, "<tour>", "exec"), env)
        out.write(buf.getvalue())
    return ADDRESS.sub("0x…", out.getvalue())


def main():
    text = transcript()
    path = os.path.join(HERE, "torch_output.txt")
    with open(path, "w") as f:
        f.write("# What PyTorch %s prints for the autograd tour (gen_autograd_tour.py)\n" % torch.__version__.split("a")[0])
        f.write(text)
    print("wrote", path)


if __name__ == "__main__":
    main()
