# Writes schedulers.json: the learning rate of each of two parameter groups (SGD or Adam, lrs
# 0.1 and 0.05 unless a case says otherwise) after construction and after each step() of every
# torch.optim.lr_scheduler this project implements, for several option combinations; OneCycleLR
# also records momentum (SGD) or betas[0] (Adam) and the error for stepping past total_steps;
# ReduceLROnPlateau is fed a fixed metric sequence. "errors" holds PyTorch's message for bad
# arguments. Run with /usr/bin/python3 (torch 1.13).
import json
import math
import random
import warnings

import torch
from torch.optim import SGD, Adam
from torch.optim import lr_scheduler as S

warnings.simplefilter("ignore")


def make_optimizer(kind, lrs=(0.1, 0.05), initial_lrs=None):
    groups = []
    for i, lr in enumerate(lrs):
        g = {"params": [torch.zeros(2, requires_grad=True)], "lr": lr}
        if initial_lrs is not None:
            g["initial_lr"] = initial_lrs[i]
        groups.append(g)
    if kind == "SGD":
        return SGD(groups, lr=0.1, momentum=0.9)
    return Adam(groups, lr=0.1, betas=(0.9, 0.999))


# Each case: name, scheduler kind, its options (PyTorch names), optimizer kind, number of steps.
# The Java test builds the same scheduler from "options"; LambdaLR names its lambdas.
LAMBDAS = {
    "pow095": lambda e: 0.95 ** e,
    "warmup10": lambda e: min(1.0, (e + 1) / 10),
    "inv": lambda e: 1.0 / (1 + e),
    "step3": lambda e: 0.5 ** (e // 3),
}


def build(kind, opt, o):
    last_epoch = o.get("last_epoch", -1)
    if kind == "StepLR":
        return S.StepLR(opt, o["step_size"], gamma=o.get("gamma", 0.1), last_epoch=last_epoch)
    if kind == "MultiStepLR":
        return S.MultiStepLR(opt, o["milestones"], gamma=o.get("gamma", 0.1), last_epoch=last_epoch)
    if kind == "ExponentialLR":
        return S.ExponentialLR(opt, o["gamma"], last_epoch=last_epoch)
    if kind == "CosineAnnealingLR":
        return S.CosineAnnealingLR(opt, o["T_max"], eta_min=o.get("eta_min", 0), last_epoch=last_epoch)
    if kind == "LinearLR":
        return S.LinearLR(opt, start_factor=o.get("start_factor", 1.0 / 3), end_factor=o.get("end_factor", 1.0),
                          total_iters=o.get("total_iters", 5), last_epoch=last_epoch)
    if kind == "LambdaLR":
        names = o["lr_lambda"]
        fn = [LAMBDAS[n] for n in names] if isinstance(names, list) else LAMBDAS[names]
        return S.LambdaLR(opt, fn, last_epoch=last_epoch)
    if kind == "OneCycleLR":
        kw = {k: v for k, v in o.items() if k != "max_lr"}
        return S.OneCycleLR(opt, o["max_lr"], **kw)
    if kind == "ReduceLROnPlateau":
        return S.ReduceLROnPlateau(opt, **o)
    if kind == "Chain":
        # Two chainable schedulers on one optimizer, both stepped each epoch (ChainedScheduler).
        return S.ChainedScheduler([build(k, opt, so) for k, so in o["schedulers"]])
    raise ValueError(kind)


def momenta(opt):
    if "betas" in opt.defaults:
        return [g["betas"][0] for g in opt.param_groups]
    return [g["momentum"] for g in opt.param_groups]


def run_case(name, kind, options, optimizer="SGD", steps=40, lrs=(0.1, 0.05), initial_lrs=None, metrics=None):
    opt = make_optimizer(optimizer, lrs, initial_lrs)
    sched = build(kind, opt, options)
    case = {"name": name, "kind": kind, "options": options, "optimizer": optimizer, "group_lrs": list(lrs),
            "initial_lrs": initial_lrs, "lrs": [[g["lr"] for g in opt.param_groups]],
            "momentum": [momenta(opt)]}
    if metrics is not None:
        case["metrics"] = metrics
        steps = len(metrics)
    for i in range(steps):
        opt.step()
        if metrics is not None:
            sched.step(metrics[i])
        else:
            sched.step()
        case["lrs"].append([g["lr"] for g in opt.param_groups])
        case["momentum"].append(momenta(opt))
        assert sched._last_lr == case["lrs"][-1]
    if kind == "Chain":
        case["last_epoch"] = sched._schedulers[0].last_epoch
        return case
    case["last_epoch"] = sched.last_epoch
    if kind == "OneCycleLR":
        # PyTorch counts the refused step in last_epoch; Kindling leaves it, so it is recorded before.
        try:
            while True:
                opt.step()
                sched.step()
                case["lrs"].append([g["lr"] for g in opt.param_groups])
                case["momentum"].append(momenta(opt))
        except ValueError as e:
            case["past_end_error"] = str(e)
    return case


cases = []
# StepLR / MultiStepLR / ExponentialLR
cases.append(run_case("StepLR step_size=3 gamma=0.5", "StepLR", {"step_size": 3, "gamma": 0.5}))
cases.append(run_case("StepLR step_size=7 default gamma, Adam", "StepLR", {"step_size": 7}, "Adam", 50))
cases.append(run_case("StepLR resumed at last_epoch=5", "StepLR", {"step_size": 4, "gamma": 0.3, "last_epoch": 5},
                      steps=30, lrs=(0.03, 0.015), initial_lrs=(0.1, 0.05)))
cases.append(run_case("MultiStepLR repeated milestone", "MultiStepLR", {"milestones": [5, 12, 12, 20], "gamma": 0.3}))
cases.append(run_case("MultiStepLR unsorted, default gamma", "MultiStepLR", {"milestones": [8, 3]}, "Adam", 30))
cases.append(run_case("ExponentialLR gamma=0.9", "ExponentialLR", {"gamma": 0.9}))
cases.append(run_case("ExponentialLR gamma=0.97 100 steps", "ExponentialLR", {"gamma": 0.97}, "Adam", 100,
                      lrs=(0.3, 1e-3)))
# CosineAnnealingLR: past T_max the recursion takes its (2k+1)·T_max branch
cases.append(run_case("CosineAnnealingLR T_max=10", "CosineAnnealingLR", {"T_max": 10}, steps=65))
cases.append(run_case("CosineAnnealingLR T_max=7 eta_min=0.001", "CosineAnnealingLR", {"T_max": 7, "eta_min": 0.001},
                      "Adam", 40))
cases.append(run_case("CosineAnnealingLR resumed at last_epoch=3", "CosineAnnealingLR",
                      {"T_max": 12, "eta_min": 0.002, "last_epoch": 3}, steps=40, initial_lrs=(0.2, 0.1)))
cases.append(run_case("CosineAnnealingLR T_max=1", "CosineAnnealingLR", {"T_max": 1, "eta_min": 0.01}, steps=10))
# LinearLR
cases.append(run_case("LinearLR defaults", "LinearLR", {}, steps=30))
cases.append(run_case("LinearLR 0.5 -> 0.1 over 10", "LinearLR",
                      {"start_factor": 0.5, "end_factor": 0.1, "total_iters": 10}, "Adam", 30))
cases.append(run_case("LinearLR 1.0 -> 0.0 over 8", "LinearLR",
                      {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 8}, steps=20))
cases.append(run_case("LinearLR warm-up 0.01 -> 1 over 25", "LinearLR",
                      {"start_factor": 0.01, "end_factor": 1.0, "total_iters": 25}, steps=40))
# LambdaLR
cases.append(run_case("LambdaLR one lambda 0.95**e", "LambdaLR", {"lr_lambda": "pow095"}, steps=50))
cases.append(run_case("LambdaLR per-group lambdas", "LambdaLR", {"lr_lambda": ["warmup10", "inv"]}, "Adam", 40))
cases.append(run_case("LambdaLR resumed at last_epoch=6", "LambdaLR", {"lr_lambda": "step3", "last_epoch": 6},
                      steps=30, initial_lrs=(0.2, 0.1)))
# OneCycleLR
cases.append(run_case("OneCycleLR cos defaults, SGD", "OneCycleLR", {"max_lr": [1.0, 0.5], "total_steps": 50}, steps=50))
cases.append(run_case("OneCycleLR linear three_phase epochs*steps_per_epoch, Adam", "OneCycleLR",
                      {"max_lr": 0.01, "epochs": 4, "steps_per_epoch": 10, "pct_start": 0.25,
                       "anneal_strategy": "linear", "three_phase": True, "div_factor": 10.0,
                       "final_div_factor": 100.0}, "Adam", 40))
cases.append(run_case("OneCycleLR cos three_phase per-group momentum, SGD", "OneCycleLR",
                      {"max_lr": [0.4, 0.2], "total_steps": 60, "pct_start": 0.4, "three_phase": True,
                       "base_momentum": [0.8, 0.7], "max_momentum": [0.9, 0.99]}, steps=60))
cases.append(run_case("OneCycleLR no cycle_momentum, Adam", "OneCycleLR",
                      {"max_lr": 0.3, "total_steps": 33, "cycle_momentum": False, "pct_start": 0.1}, "Adam", 33))
cases.append(run_case("OneCycleLR linear pct_start=0.5 Adam betas", "OneCycleLR",
                      {"max_lr": [0.02, 0.01], "total_steps": 20, "anneal_strategy": "linear", "pct_start": 0.5,
                       "base_momentum": 0.5, "max_momentum": 0.9}, "Adam", 20))
# Chainable schedulers compose: each scales the lr the other left
cases.append(run_case("Chain LinearLR warm-up then ExponentialLR", "Chain",
                      {"schedulers": [["LinearLR", {"start_factor": 0.1, "total_iters": 5}],
                                      ["ExponentialLR", {"gamma": 0.9}]]}, steps=30))
cases.append(run_case("Chain StepLR and CosineAnnealingLR", "Chain",
                      {"schedulers": [["CosineAnnealingLR", {"T_max": 6, "eta_min": 0.001}],
                                      ["StepLR", {"step_size": 4, "gamma": 0.5}]]}, "Adam", 30))
# ReduceLROnPlateau: metrics drawn once from a fixed seed
rng = random.Random(7)
falling = [round(2.0 * math.exp(-i / 15) + rng.uniform(-0.02, 0.02) + (0.3 if i % 17 == 0 else 0), 4)
           for i in range(80)]
flat = [1.0, 0.9, 0.9, 0.9, 0.9, 0.95, 0.89, 0.8999, 0.9, 0.9, 0.9, 0.9, 0.9, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7,
        0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
rising = [round(0.5 + 0.4 * (1 - math.exp(-i / 10)) + rng.uniform(-0.01, 0.01), 4) for i in range(60)]
cases.append(run_case("ReduceLROnPlateau min rel defaults", "ReduceLROnPlateau", {}, metrics=flat + flat + flat + flat))
cases.append(run_case("ReduceLROnPlateau min rel patience=2 factor=0.5 cooldown=1 min_lr list", "ReduceLROnPlateau",
                      {"mode": "min", "factor": 0.5, "patience": 2, "cooldown": 1, "min_lr": [0.01, 0.001]},
                      metrics=falling))
cases.append(run_case("ReduceLROnPlateau min abs threshold=0.05", "ReduceLROnPlateau",
                      {"threshold": 0.05, "threshold_mode": "abs", "patience": 1, "factor": 0.7}, "Adam",
                      metrics=flat + falling))
cases.append(run_case("ReduceLROnPlateau max rel cooldown=3 min_lr=0.004", "ReduceLROnPlateau",
                      {"mode": "max", "patience": 0, "cooldown": 3, "factor": 0.8, "min_lr": 0.004,
                       "threshold": 0.001}, metrics=rising))
cases.append(run_case("ReduceLROnPlateau max abs eps=0.01 skips small decays", "ReduceLROnPlateau",
                      {"mode": "max", "threshold_mode": "abs", "threshold": 0.0, "patience": 1, "factor": 0.5,
                       "eps": 0.01}, metrics=flat + rising))


def error_of(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return str(e).strip("'\"")
    raise AssertionError("no error")


def sgd():
    return make_optimizer("SGD")


def no_momentum():
    return torch.optim.Adagrad([torch.zeros(2, requires_grad=True)], lr=0.1)


errors = {
    "initial_lr missing": error_of(lambda: S.StepLR(sgd(), 3, last_epoch=4)),
    "LambdaLR count": error_of(lambda: S.LambdaLR(sgd(), [LAMBDAS["inv"]] * 3)),
    "LinearLR start_factor": error_of(lambda: S.LinearLR(sgd(), start_factor=1.5)),
    "LinearLR end_factor": error_of(lambda: S.LinearLR(sgd(), end_factor=-0.1)),
    "OneCycleLR no total": error_of(lambda: S.OneCycleLR(sgd(), 0.1)),
    "OneCycleLR total_steps": error_of(lambda: S.OneCycleLR(sgd(), 0.1, total_steps=0)),
    "OneCycleLR epochs": error_of(lambda: S.OneCycleLR(sgd(), 0.1, epochs=-2, steps_per_epoch=3)),
    "OneCycleLR steps_per_epoch": error_of(lambda: S.OneCycleLR(sgd(), 0.1, epochs=2, steps_per_epoch=0)),
    "OneCycleLR pct_start": error_of(lambda: S.OneCycleLR(sgd(), 0.1, total_steps=10, pct_start=1.5)),
    "OneCycleLR anneal_strategy": error_of(lambda: S.OneCycleLR(sgd(), 0.1, total_steps=10, anneal_strategy="exp")),
    "OneCycleLR max_lr count": error_of(lambda: S.OneCycleLR(sgd(), [0.1, 0.2, 0.3], total_steps=10)),
    "OneCycleLR base_momentum count": error_of(lambda: S.OneCycleLR(sgd(), 0.1, total_steps=10, base_momentum=[0.8])),
    "OneCycleLR no momentum": error_of(lambda: S.OneCycleLR(no_momentum(), 0.1, total_steps=10)),
    "ReduceLROnPlateau factor": error_of(lambda: S.ReduceLROnPlateau(sgd(), factor=1.0)),
    "ReduceLROnPlateau mode": error_of(lambda: S.ReduceLROnPlateau(sgd(), mode="mean")),
    "ReduceLROnPlateau threshold_mode": error_of(lambda: S.ReduceLROnPlateau(sgd(), threshold_mode="pct")),
    "ReduceLROnPlateau min_lr count": error_of(lambda: S.ReduceLROnPlateau(sgd(), min_lr=[0.1])),
}

with open(__file__.replace("gen_schedulers.py", "schedulers.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases, "errors": errors}, f, indent=1)
print(len(cases), "cases,", len(errors), "errors")
