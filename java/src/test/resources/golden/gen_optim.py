# Writes optim.json: 50-step trajectories of torch.optim's SGD, Adam, AdamW, RMSprop and Adagrad
# (torch 1.13, single-tensor code: foreach=False) on a small fixed problem, for the meaningful
# option combinations, float32 and float64, param groups with their own options and options
# changed mid-training; and the seed's per-layer learning-rate idioms on a small conv net
# (groups by parameter name, groups by identity, RMSprop over unfrozen children only).
# Run with /usr/bin/python3 (torch 1.13).
import json

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(2024)

STEPS = 50
RECORD = [1, 2, 3, 5, 10, 20, 21, 30, 40, 50]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def tensor_json(t):
    return {"shape": list(t.shape), "data": flat(t)}


# ---- the fixed problem -------------------------------------------------------------------------
# Parameters W [3, 4], b [3], c [2]. Loss at step s (counting from 1):
#   mean((X @ W^T + b - (Y + shift(s)))^2)  +  (s % 3 == 0 ? sum((c - (T + shift(s)))^2) : nothing)
# with shift(s) = ((7 s) mod 11 - 5) / 10, a target that moves every step: the gradients stay far
# from zero, so float32 rounding in computing them (which differs between any two libraries) stays
# small next to them and the trajectories can be compared tightly. c has no gradient on two steps
# out of three (zero_grad(set_to_none=True)): the optimizer must skip it then, and its step count
# lags behind the others'.
X = torch.randn(6, 4)
Y = torch.randn(6, 3)
T = torch.tensor([0.5, -0.25])
W0 = torch.randn(3, 4) * 0.5
B0 = torch.randn(3) * 0.5
C0 = torch.randn(2)


def shift(step):
    return ((7 * step) % 11 - 5) / 10


def loss_at(step, W, b, c, maximize):
    x, y, t = X.to(W.dtype), Y.to(W.dtype), T.to(W.dtype)
    loss = (x.matmul(W.t()).add(b).sub(y.add(shift(step)))).pow(2).mean()
    if step % 3 == 0:
        loss = loss + c.sub(t.add(shift(step))).pow(2).sum()
    return -loss if maximize else loss


def build(algo, params_or_groups, options):
    opts = dict(options)
    if "betas" in opts:
        opts["betas"] = tuple(opts["betas"])
    cls = getattr(torch.optim, algo)
    opts["foreach"] = False  # the single-tensor code, whose order of operations Kindling follows
    return cls(params_or_groups, **opts)


def run_case(name, algo, options, dtype="float32", groups=None, changes=(), maximize=False):
    dt = torch.float32 if dtype == "float32" else torch.float64
    W = W0.clone().to(dt).requires_grad_()
    b = B0.clone().to(dt).requires_grad_()
    c = C0.clone().to(dt).requires_grad_()
    params = [W, b, c]
    if groups is None:
        opt = build(algo, params, options)
    else:
        pg = []
        for g in groups:
            d = dict(g["options"])
            if "betas" in d:
                d["betas"] = tuple(d["betas"])
            d["params"] = [params[i] for i in g["params"]]
            pg.append(d)
        opt = build(algo, pg, options)
    traj = []
    for step in range(1, STEPS + 1):
        opt.zero_grad(set_to_none=True)
        loss_at(step, W, b, c, maximize).backward()
        opt.step()
        if step in RECORD:
            traj.append({"step": step, "params": [flat(p) for p in params]})
        for ch in changes:
            if ch["after_step"] == step:
                v = ch["value"]
                opt.param_groups[ch["group"]][ch["key"]] = tuple(v) if isinstance(v, list) else v
    final_state = []
    for p in params:
        st = opt.state.get(p, {})
        entry = {}
        for k, v in st.items():
            if torch.is_tensor(v):
                entry[k] = float(v.item()) if k == "step" else flat(v)
            elif v is None:
                entry[k] = None
            else:
                entry[k] = v
        final_state.append(entry)
    return {"name": name, "algo": algo, "dtype": dtype, "options": options, "groups": groups,
            "changes": list(changes), "maximize_loss": maximize, "trajectory": traj,
            "final_state": final_state}


cases = []
F32, F64 = "float32", "float64"

# SGD
cases.append(run_case("sgd_plain", "SGD", {"lr": 0.05}))
cases.append(run_case("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}))
cases.append(run_case("sgd_momentum_dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}))
cases.append(run_case("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}))
cases.append(run_case("sgd_weight_decay", "SGD", {"lr": 0.05, "weight_decay": 0.1}))
cases.append(run_case("sgd_momentum_weight_decay", "SGD", {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.05}))
cases.append(run_case("sgd_maximize", "SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01, "maximize": True},
                      maximize=True))
cases.append(run_case("sgd_nesterov_wd_f64", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True,
                                                     "weight_decay": 0.01}, dtype=F64))
cases.append(run_case("sgd_maximize_dampening_f64", "SGD", {"lr": 0.03, "momentum": 0.7, "dampening": 0.2,
                                                            "maximize": True}, dtype=F64, maximize=True))
cases.append(run_case("sgd_groups_and_changes", "SGD", {"lr": 0.05, "momentum": 0.9},
                      groups=[{"params": [0], "options": {}},
                              {"params": [1, 2], "options": {"lr": 0.02, "weight_decay": 0.1, "momentum": 0.5}}],
                      changes=[{"after_step": 20, "group": 0, "key": "lr", "value": 0.01},
                               {"after_step": 20, "group": 1, "key": "momentum", "value": 0.9}]))

# Adam
cases.append(run_case("adam_default", "Adam", {"lr": 0.01}))
cases.append(run_case("adam_amsgrad", "Adam", {"lr": 0.01, "amsgrad": True}))
cases.append(run_case("adam_weight_decay", "Adam", {"lr": 0.01, "weight_decay": 0.1}))
cases.append(run_case("adam_betas_eps", "Adam", {"lr": 0.02, "betas": [0.8, 0.99], "eps": 1e-6}))
cases.append(run_case("adam_maximize", "Adam", {"lr": 0.01, "maximize": True}, maximize=True))
cases.append(run_case("adam_amsgrad_wd_maximize", "Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.05,
                                                           "maximize": True}, maximize=True))
cases.append(run_case("adam_lib_defaults", "Adam", {}))
cases.append(run_case("adam_amsgrad_wd_f64", "Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}, dtype=F64))
cases.append(run_case("adam_groups_and_changes", "Adam", {"lr": 0.01},
                      groups=[{"params": [0, 2], "options": {"amsgrad": True}},
                              {"params": [1], "options": {"lr": 0.05, "betas": [0.5, 0.9], "weight_decay": 0.1}}],
                      changes=[{"after_step": 20, "group": 0, "key": "lr", "value": 0.002},
                               {"after_step": 20, "group": 1, "key": "betas", "value": [0.9, 0.999]}]))

# AdamW
cases.append(run_case("adamw_default", "AdamW", {"lr": 0.01}))
cases.append(run_case("adamw_weight_decay_amsgrad", "AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}))
cases.append(run_case("adamw_maximize", "AdamW", {"lr": 0.01, "maximize": True, "weight_decay": 0.05}, maximize=True))
cases.append(run_case("adamw_no_decay", "AdamW", {"lr": 0.01, "weight_decay": 0.0}))
cases.append(run_case("adamw_amsgrad_f64", "AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True,
                                                     "betas": [0.85, 0.995]}, dtype=F64))
cases.append(run_case("adamw_groups_and_changes", "AdamW", {"lr": 0.01},
                      groups=[{"params": [0], "options": {"weight_decay": 0.0}},
                              {"params": [1, 2], "options": {"lr": 0.03, "weight_decay": 0.2}}],
                      changes=[{"after_step": 20, "group": 1, "key": "lr", "value": 0.005},
                               {"after_step": 20, "group": 0, "key": "weight_decay", "value": 0.1}]))

# RMSprop
cases.append(run_case("rmsprop_default", "RMSprop", {}))
cases.append(run_case("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True}))
cases.append(run_case("rmsprop_momentum", "RMSprop", {"lr": 0.005, "momentum": 0.9}))
cases.append(run_case("rmsprop_centered_momentum", "RMSprop", {"lr": 0.005, "momentum": 0.5, "centered": True}))
cases.append(run_case("rmsprop_alpha_eps_wd", "RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.1}))
cases.append(run_case("rmsprop_maximize", "RMSprop", {"lr": 0.01, "momentum": 0.3, "maximize": True}, maximize=True))
cases.append(run_case("rmsprop_centered_momentum_wd_f64", "RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True,
                                                                       "weight_decay": 0.05}, dtype=F64))
cases.append(run_case("rmsprop_groups_and_changes", "RMSprop", {"lr": 0.01},
                      groups=[{"params": [0], "options": {"centered": True}},
                              {"params": [1, 2], "options": {"lr": 0.003, "momentum": 0.9}}],
                      changes=[{"after_step": 20, "group": 0, "key": "lr", "value": 0.002},
                               {"after_step": 20, "group": 1, "key": "alpha", "value": 0.9}]))

# Adagrad
cases.append(run_case("adagrad_default", "Adagrad", {"lr": 0.1}))
cases.append(run_case("adagrad_lr_decay", "Adagrad", {"lr": 0.1, "lr_decay": 0.05}))
cases.append(run_case("adagrad_weight_decay", "Adagrad", {"lr": 0.1, "weight_decay": 0.1}))
cases.append(run_case("adagrad_initial_accumulator_eps", "Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5,
                                                                     "eps": 1e-6}))
cases.append(run_case("adagrad_maximize", "Adagrad", {"lr": 0.1, "lr_decay": 0.01, "maximize": True}, maximize=True))
cases.append(run_case("adagrad_lib_defaults", "Adagrad", {}))
cases.append(run_case("adagrad_all_f64", "Adagrad", {"lr": 0.1, "lr_decay": 0.02, "weight_decay": 0.05,
                                                     "initial_accumulator_value": 0.1}, dtype=F64))
cases.append(run_case("adagrad_groups_and_changes", "Adagrad", {"lr": 0.1},
                      groups=[{"params": [0], "options": {}},
                              {"params": [1, 2], "options": {"lr": 0.05, "lr_decay": 0.1}}],
                      changes=[{"after_step": 20, "group": 0, "key": "lr", "value": 0.02},
                               {"after_step": 20, "group": 1, "key": "weight_decay", "value": 0.1}]))


# ---- the seed's per-layer learning-rate idioms on a small conv net ------------------------------
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 2, 3)  # 8x8 -> 6x6
        self.conv2 = nn.Conv2d(2, 3, 3)  # -> 4x4
        self.conv3 = nn.Conv2d(3, 3, 1)
        self.conv4 = nn.Conv2d(3, 2, 3)  # -> 2x2
        self.conv5 = nn.Conv2d(2, 2, 1)
        self.fc1 = nn.Linear(8, 6)
        self.fc2 = nn.Linear(6, 3)

    def forward(self, x):
        x = torch.tanh(self.conv1(x))
        x = torch.tanh(self.conv2(x))
        x = torch.tanh(self.conv3(x))
        x = torch.tanh(self.conv4(x))
        x = torch.tanh(self.conv5(x))
        x = torch.tanh(self.fc1(x.flatten(1)))
        return self.fc2(x)


net0 = Net()
initial = {k: v.detach().clone() for k, v in net0.state_dict().items()}
XI = torch.randn(4, 1, 8, 8)
YI = torch.randn(4, 3)
IDIOM_STEPS = 5


def fresh_net():
    net = Net()
    net.load_state_dict(initial)
    return net


def train(net, opt):
    for _ in range(IDIOM_STEPS):
        opt.zero_grad()
        F.mse_loss(net(XI), YI).backward()
        opt.step()
    return {k: flat(v) for k, v in net.named_parameters()}


idioms = {}
lr = 1e-3

# (a) one group per parameter, built from named_parameters() by name: biases at twice the rate and
# fc2 at ten times, both without weight decay; the rest with the base rate and weight decay.
net = fresh_net()
groups = []
for key, value in dict(net.named_parameters()).items():
    if key.startswith("fc2"):
        groups += [{"params": [value], "lr": lr * 10, "weight_decay": 0}]
    elif "bias" in key:
        groups += [{"params": [value], "lr": lr * 2, "weight_decay": 0}]
    else:
        groups += [{"params": [value], "lr": lr, "weight_decay": 5e-4}]
opt = torch.optim.SGD(groups, lr=lr, momentum=0.9, weight_decay=5e-4, foreach=False)
idioms["by_name"] = {"params": train(net, opt), "group_lrs": [g["lr"] for g in opt.param_groups],
                     "group_weight_decays": [g["weight_decay"] for g in opt.param_groups]}

# (b) a base group without conv5's and conv4's parameters (by identity); those get lr * 100.
net = fresh_net()
ignored_params = list(map(id, net.conv5.parameters())) + list(map(id, net.conv4.parameters()))
base_params = filter(lambda p: id(p) not in ignored_params, net.parameters())
opt = torch.optim.SGD([{"params": base_params},
                       {"params": net.conv5.parameters(), "lr": lr * 100},
                       {"params": net.conv4.parameters(), "lr": lr * 100}], lr=lr, momentum=0.9, foreach=False)
idioms["by_identity"] = {"params": train(net, opt), "group_sizes": [len(g["params"]) for g in opt.param_groups]}

# (c) freeze the first three children, then RMSprop over the parameters that still require grad.
net = fresh_net()
ct = 0
for child in net.children():
    ct += 1
    if ct < 4:
        for param in child.parameters():
            param.requires_grad = False
opt = torch.optim.RMSprop(filter(lambda p: p.requires_grad, net.parameters()), lr=1e-3, foreach=False)
idioms["unfrozen_rmsprop"] = {"params": train(net, opt), "group_sizes": [len(g["params"]) for g in opt.param_groups]}

out = {
    "steps": STEPS,
    "problem": {"X": tensor_json(X), "Y": tensor_json(Y), "T": tensor_json(T), "W": tensor_json(W0),
                "b": tensor_json(B0), "c": tensor_json(C0)},
    "cases": cases,
    "idiom_net": {"initial": {k: tensor_json(v) for k, v in initial.items()}, "x": tensor_json(XI),
                  "y": tensor_json(YI), "steps": IDIOM_STEPS},
    "idioms": idioms,
}
with open(__file__.replace("gen_optim.py", "optim.json"), "w") as f:
    json.dump(out, f)
print(len(cases), "cases")
