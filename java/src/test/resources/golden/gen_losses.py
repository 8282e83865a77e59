#!/usr/bin/env python3
"""Golden reference data for dev.kindling.nn.F's losses, written by torch.nn.functional.

Regenerate (the JSON is committed; CI never runs PyTorch):

    /usr/bin/python3 java/src/test/resources/golden/gen_losses.py

Writes losses.json next to itself: {"torch", "cases": [...]}, a case being
  {"name", "fn" (torch.nn.functional name), "reduction",
   "input", "target", "weight"/"pos_weight" (optional): tensors {"dtype", "shape", "data"},
   "options": {"ignore_index", "label_smoothing", "beta", "log_target"} (those that apply),
   "out": the loss, "grad_out": the gradient fed to backward (ones-like for reduced losses,
   a fixed tensor for reduction='none'), "grad": d(loss·grad_out)/d(input)}.
All tensors are float32 except int64 class-index targets.
"""
import json
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}
cases = []
gen = torch.Generator().manual_seed(1234)


def enc(t):
    return {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data": t.reshape(-1).tolist()}


def randn(*shape):
    return torch.randn(*shape, generator=gen)


def rand(*shape):
    return torch.rand(*shape, generator=gen)


def add(name, fn, inp, target, reductions=("none", "mean", "sum"), weight=None, pos_weight=None, **opts):
    for red in reductions:
        x = inp.clone().requires_grad_()
        kw = dict(opts)
        if weight is not None:
            kw["weight"] = weight
        if pos_weight is not None:
            kw["pos_weight"] = pos_weight
        out = getattr(F, fn)(x, target, reduction=red, **kw)
        go = torch.ones_like(out) if red != "none" else (torch.arange(out.numel(), dtype=torch.float32)
                                                        .reshape(out.shape) * 0.25 - 0.5)
        out.backward(go)
        c = {"name": name + "_" + red, "fn": fn, "reduction": red, "input": enc(inp), "target": enc(target),
             "options": opts, "out": enc(out.detach()), "grad_out": enc(go), "grad": enc(x.grad)}
        if weight is not None:
            c["weight"] = enc(weight)
        if pos_weight is not None:
            c["pos_weight"] = enc(pos_weight)
        cases.append(c)


x34 = randn(3, 4)
t34 = randn(3, 4)
add("mse", "mse_loss", x34, t34)
add("l1", "l1_loss", x34, t34)
add("smooth_l1", "smooth_l1_loss", randn(2, 5) * 2, randn(2, 5), beta=1.0)
add("smooth_l1_beta", "smooth_l1_loss", randn(2, 5) * 2, randn(2, 5), beta=0.5)
add("smooth_l1_beta0", "smooth_l1_loss", randn(2, 5), randn(2, 5), beta=0.0)

p = rand(3, 4) * 0.9 + 0.05
tb = (rand(3, 4) > 0.5).float()
add("bce", "binary_cross_entropy", p, tb)
add("bce_soft_target", "binary_cross_entropy", p, rand(3, 4))
add("bce_weight", "binary_cross_entropy", p, tb, weight=rand(3, 4) + 0.5)
add("bce_weight_broadcast", "binary_cross_entropy", p, tb, weight=rand(4) + 0.5)

z = randn(4, 3) * 3
tz = (rand(4, 3) > 0.5).float()
add("bce_logits", "binary_cross_entropy_with_logits", z, tz)
add("bce_logits_weight", "binary_cross_entropy_with_logits", z, rand(4, 3), weight=rand(4, 3) + 0.5)
add("bce_logits_pos_weight", "binary_cross_entropy_with_logits", z, tz, pos_weight=torch.tensor([0.5, 2.0, 3.0]))
add("bce_logits_both", "binary_cross_entropy_with_logits", z, tz, weight=rand(3) + 0.5,
    pos_weight=torch.tensor([1.5, 0.25, 4.0]))
add("bce_logits_large", "binary_cross_entropy_with_logits", torch.tensor([[-60.0, 40.0, 0.5, -2.0]]),
    torch.tensor([[1.0, 0.0, 0.3, 1.0]]))

logits = randn(5, 4)
cls = torch.tensor([0, 3, 1, 1, 2])
cls_ign = torch.tensor([0, -100, 1, 3, -100])
cls_ign2 = torch.tensor([2, 1, 1, 2, 0])
w4 = torch.tensor([0.5, 1.0, 2.0, 0.25])
add("ce", "cross_entropy", logits, cls)
add("ce_weight", "cross_entropy", logits, cls, weight=w4)
add("ce_ignore_default", "cross_entropy", logits, cls_ign)
add("ce_ignore_weight", "cross_entropy", logits, cls_ign, weight=w4)
add("ce_ignore_index_2", "cross_entropy", logits, cls_ign2, ignore_index=2)
add("ce_label_smoothing", "cross_entropy", logits, cls, label_smoothing=0.1)
add("ce_label_smoothing_weight_ignore", "cross_entropy", logits, cls_ign, weight=w4, label_smoothing=0.2)
add("ce_label_smoothing_ignore", "cross_entropy", logits, cls_ign, label_smoothing=0.3)
probs = torch.softmax(randn(5, 4), 1)
add("ce_probs", "cross_entropy", logits, probs)
add("ce_probs_weight_smoothing", "cross_entropy", logits, probs, weight=w4, label_smoothing=0.15)
img = randn(2, 3, 2, 2)
img_t = torch.tensor([[[0, 2], [1, -100]], [[2, 2], [0, 1]]])
add("ce_spatial", "cross_entropy", img, img_t, weight=torch.tensor([1.0, 0.5, 2.0]))
add("ce_spatial_smoothing", "cross_entropy", img, img_t, label_smoothing=0.1)
add("ce_unbatched", "cross_entropy", randn(4), torch.tensor(2))
add("ce_unbatched_probs", "cross_entropy", randn(4), torch.softmax(randn(4), 0))

logp = torch.log_softmax(randn(5, 4), 1)
add("nll", "nll_loss", logp, cls)
add("nll_weight_ignore", "nll_loss", logp, cls_ign, weight=w4)
add("nll_ignore_index", "nll_loss", logp, cls_ign2, ignore_index=1)
add("nll_spatial", "nll_loss", torch.log_softmax(img, 1), img_t)

lq = torch.log_softmax(randn(3, 5), 1)
tp = torch.softmax(randn(3, 5), 1)
tp[0, 1] = 0.0
add("kl_div", "kl_div", lq, tp, reductions=("none", "mean", "sum", "batchmean"))
add("kl_div_log_target", "kl_div", lq, torch.log_softmax(randn(3, 5), 1),
    reductions=("none", "mean", "sum", "batchmean"), log_target=True)

with open(os.path.join(HERE, "losses.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
    f.write("\n")
print(len(cases), "cases")
