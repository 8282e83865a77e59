# Writes nn_module.json: what PyTorch says about a few module trees, for NnModuleGoldenTest.
# For each net: named_parameters keys, state_dict keys, named_modules / named_children names,
# named_buffers keys and repr(net). Also Linear forward/backward values with fixed weights, and
# load_state_dict error texts. Run with /usr/bin/python3 (torch 1.13):
#   /usr/bin/python3 gen_nn_module.py > nn_module.json
import json
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.25), nn.Linear(8, 8, bias=False))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(8, 3), nn.LogSoftmax(dim=1))
        self.register_buffer("steps", torch.zeros(1))
        self.register_buffer("scratch", torch.zeros(2), persistent=False)

    def forward(self, x):
        return self.classifier(self.features(x))


class Shared(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2)
        self.b = self.a
        self.head = nn.Linear(2, 1)


def nets():
    yield "seq", nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Sequential(nn.Linear(512, 10), nn.Dropout(0.5)))
    yield "net", Net()
    yield "shared", Shared()
    yield "activations", nn.Sequential(nn.LeakyReLU(0.2), nn.LeakyReLU(), nn.Sigmoid(), nn.Tanh(), nn.Softmax(dim=-1),
                                        nn.Identity(), nn.Flatten(0, 2), nn.Unflatten(1, (2, 5)), nn.Unflatten(0, (4,)),
                                        nn.Dropout2d(0.1), nn.Dropout(1e-05))
    yield "containers", nn.Sequential(nn.ModuleList([nn.Linear(1, 2), nn.ModuleDict({"left": nn.Linear(2, 2), "right": nn.Tanh()})]),
                                      nn.ModuleList(), nn.Linear(2, 2, bias=False))


out = {"nets": {}}
for name, net in nets():
    out["nets"][name] = {
        "named_parameters": [k for k, _ in net.named_parameters()],
        "state_dict": list(net.state_dict().keys()),
        "named_buffers": [k for k, _ in net.named_buffers()],
        "named_modules": [k for k, _ in net.named_modules()],
        "named_children": [k for k, _ in net.named_children()],
        "module_classes": [type(m).__name__ for m in net.modules()],
        "repr": repr(net),
    }

# Linear forward / backward with fixed weights.
torch.manual_seed(0)
lin = nn.Linear(3, 2).double()
w = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=torch.float64)
b = torch.tensor([0.1, -0.2], dtype=torch.float64)
lin.load_state_dict({"weight": w, "bias": b})
x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]], dtype=torch.float64, requires_grad=True)
y = lin(x)
(y * torch.tensor([[1.0, 2.0], [3.0, -1.0]], dtype=torch.float64)).sum().backward()
out["linear"] = {
    "weight": w.tolist(), "bias": b.tolist(), "x": x.detach().tolist(), "y": y.detach().tolist(),
    "upstream": [[1.0, 2.0], [3.0, -1.0]],
    "x_grad": x.grad.tolist(), "weight_grad": lin.weight.grad.tolist(), "bias_grad": lin.bias.grad.tolist(),
}

# Default initialisation from the seeded generator (kaiming_uniform_(a=sqrt(5)) then the bias).
torch.manual_seed(42)
init = nn.Linear(5, 3)
out["linear_init"] = {"seed": 42, "weight": init.weight.detach().tolist(), "bias": init.bias.detach().tolist()}

# load_state_dict errors and results.
class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)

errors = {}
m = Small()
try:
    m.load_state_dict({"fc.weight": torch.zeros(2, 3), "fc.bias": torch.zeros(4)})
except RuntimeError as e:
    errors["size_mismatch"] = str(e)
try:
    m.load_state_dict({"fc.weight": torch.zeros(4, 3), "extra.weight": torch.zeros(1), "fcx": torch.zeros(1)})
except RuntimeError as e:
    errors["missing_unexpected"] = str(e)
r = m.load_state_dict({"fc.weight": torch.zeros(4, 3), "extra.weight": torch.zeros(1)}, strict=False)
errors["non_strict"] = {"missing": r.missing_keys, "unexpected": r.unexpected_keys}
out["load_state_dict"] = errors

print(json.dumps(out, indent=1))
