# Writes norm.json: BatchNorm1d/2d running statistics after three training batches (momentum 0.1
# and None), the eval output that uses them, training outputs and gradients; LayerNorm and
# GroupNorm outputs and gradients. Run with /usr/bin/python3 (torch 1.13).
import json
import torch

torch.manual_seed(1234)


def t(x):
    x = x.detach()
    return {"shape": list(x.shape), "dtype": "int64" if x.dtype == torch.int64 else "float32",
            "data": [float(v) if x.dtype != torch.int64 else int(v) for v in x.reshape(-1).tolist()]}


def bn_case(name, cls, c, shape, momentum):
    m = cls(c, momentum=momentum)
    with torch.no_grad():
        m.weight.copy_(torch.rand(c) + 0.5)
        m.bias.copy_(torch.randn(c))
    case = {"name": name, "kind": cls.__name__, "num_features": c,
            "momentum": momentum, "weight": t(m.weight), "bias": t(m.bias), "batches": []}
    m.train()
    for _ in range(3):
        x = (torch.randn(*shape) * 2 + 1).requires_grad_()
        m.zero_grad()
        y = m(x)
        go = torch.randn(*y.shape)
        y.backward(go)
        case["batches"].append({"input": t(x), "out": t(y), "grad_out": t(go), "input_grad": t(x.grad),
                                "weight_grad": t(m.weight.grad), "bias_grad": t(m.bias.grad)})
    case["running_mean"] = t(m.running_mean)
    case["running_var"] = t(m.running_var)
    case["num_batches_tracked"] = int(m.num_batches_tracked)
    m.eval()
    xe = torch.randn(*shape)
    case["eval_input"] = t(xe)
    case["eval_out"] = t(m(xe))
    return case


def ln_case(name, shape, normalized_shape, affine):
    m = torch.nn.LayerNorm(normalized_shape, elementwise_affine=affine)
    if affine:
        with torch.no_grad():
            m.weight.copy_(torch.rand(*normalized_shape) + 0.5)
            m.bias.copy_(torch.randn(*normalized_shape))
    x = (torch.randn(*shape) * 3 - 1).requires_grad_()
    y = m(x)
    go = torch.randn(*y.shape)
    y.backward(go)
    c = {"name": name, "kind": "LayerNorm", "normalized_shape": list(normalized_shape), "affine": affine,
         "input": t(x), "out": t(y), "grad_out": t(go), "input_grad": t(x.grad)}
    if affine:
        c.update({"weight": t(m.weight), "bias": t(m.bias), "weight_grad": t(m.weight.grad), "bias_grad": t(m.bias.grad)})
    return c


def gn_case(name, shape, groups, affine):
    m = torch.nn.GroupNorm(groups, shape[1], affine=affine)
    if affine:
        with torch.no_grad():
            m.weight.copy_(torch.rand(shape[1]) + 0.5)
            m.bias.copy_(torch.randn(shape[1]))
    x = (torch.randn(*shape) * 2 + 0.5).requires_grad_()
    y = m(x)
    go = torch.randn(*y.shape)
    y.backward(go)
    c = {"name": name, "kind": "GroupNorm", "num_groups": groups, "num_channels": shape[1], "affine": affine,
         "input": t(x), "out": t(y), "grad_out": t(go), "input_grad": t(x.grad)}
    if affine:
        c.update({"weight": t(m.weight), "bias": t(m.bias), "weight_grad": t(m.weight.grad), "bias_grad": t(m.bias.grad)})
    return c


cases = [
    bn_case("bn1d_2d_m0.1", torch.nn.BatchNorm1d, 3, (5, 3), 0.1),
    bn_case("bn1d_2d_cma", torch.nn.BatchNorm1d, 3, (5, 3), None),
    bn_case("bn1d_3d_m0.1", torch.nn.BatchNorm1d, 4, (3, 4, 6), 0.1),
    bn_case("bn1d_3d_cma", torch.nn.BatchNorm1d, 4, (3, 4, 6), None),
    bn_case("bn2d_m0.1", torch.nn.BatchNorm2d, 3, (2, 3, 4, 5), 0.1),
    bn_case("bn2d_cma", torch.nn.BatchNorm2d, 3, (2, 3, 4, 5), None),
    ln_case("ln_last", (4, 6), (6,), True),
    ln_case("ln_last2", (2, 3, 4, 5), (4, 5), True),
    ln_case("ln_noaffine", (3, 7), (7,), False),
    gn_case("gn_2groups", (2, 4, 3, 3), 2, True),
    gn_case("gn_1group", (3, 6, 5), 1, True),
    gn_case("gn_instance_noaffine", (2, 3, 4), 3, False),
]

with open(__file__.replace("gen_norm.py", "norm.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)

# Embedding's initial weight for a fixed seed (normal_ draws from the global generator).
torch.manual_seed(42)
emb = torch.nn.Embedding(5, 3)
with open(__file__.replace("gen_norm.py", "embedding.json"), "w") as f:
    json.dump({"seed": 42, "weight": t(emb.weight)}, f)
