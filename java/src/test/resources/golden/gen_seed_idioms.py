# Reference numbers for SeedIdiomsTest (d): BatchNorm running stats inside a small conv net after
# several training batches, and the eval output. Run: /usr/bin/python3 gen_seed_idioms.py
import json
import torch
import torch.nn as nn

torch.manual_seed(0)


def t(x):
    return {"shape": list(x.shape), "dtype": str(x.dtype).replace("torch.", ""),
            "data": x.detach().reshape(-1).tolist()}


net = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU())
with torch.no_grad():
    net[1].weight.uniform_(0.5, 1.5)
    net[1].bias.uniform_(-0.5, 0.5)
state = {k: t(v) for k, v in net.state_dict().items()}
batches = [torch.randn(4, 2, 5, 5) for _ in range(3)]
net.train()
for b in batches:
    net(b)
probe = torch.randn(2, 2, 5, 5)
net.eval()
out = net(probe)
json.dump({
    "state": state,
    "batches": [t(b) for b in batches],
    "probe": t(probe),
    "running_mean": t(net[1].running_mean),
    "running_var": t(net[1].running_var),
    "num_batches_tracked": int(net[1].num_batches_tracked),
    "eval_out": t(out),
    "trainable_after_freezing_two": [n for n, p in (lambda m: ([p.requires_grad_(False) for c in list(m.children())[:2] for p in c.parameters()], m)[1])(
        nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 5), nn.Linear(5, 2))).named_parameters() if p.requires_grad],
}, open("seed_idioms.json", "w"))
