# Writes the golden files of the io tests into io/ and io.json: torch.save files made by PyTorch
# (a model's state_dict, the seed's checkpoint dict, strided/shared views, every storage type,
# pickle protocol 4, a Parameter), safetensors files written by the format's specification (the
# safetensors package is not available here, so `st_write`/`st_read` below implement the spec:
# 8-byte little-endian header length, JSON header padded with spaces to 8 bytes, tensors sorted by
# dtype alignment then name), and hostile files built by hand (forbidden globals, compressed zip,
# legacy format). Nothing hostile is ever loaded here. Run with /usr/bin/python3 (torch 1.13).
#
#   /usr/bin/python3 gen_io.py                 regenerate the golden files
#   /usr/bin/python3 gen_io.py --check FILE    read a safetensors FILE that Kindling wrote with the
#                                              spec reader into torch tensors and check it against
#                                              what SafeTensorsTest writes (that test runs this
#                                              itself where /usr/bin/python3 has torch)
import collections
import io
import json
import os
import struct
import sys
import zipfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "io")

ST_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.bool: "BOOL",
             torch.float16: "F16", torch.int32: "I32", torch.uint8: "U8", torch.bfloat16: "BF16"}
ST_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32",
            "F32", "F64", "I64", "U64"]
ST_TORCH = {v: k for k, v in ST_DTYPES.items()}


def st_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bool:
        return bytes(t.to(torch.uint8).reshape(-1).tolist())
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def st_write(path, tensors, metadata=None):
    items = sorted(tensors.items(), key=lambda kv: (-ST_ORDER.index(ST_DTYPES[kv[1].dtype]), kv[0]))
    header, blobs, off = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = dict(sorted(metadata.items()))
    for name, t in items:
        b = st_bytes(t)
        header[name] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def st_read(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    assert n % 8 == 0, "header not padded to 8 bytes"
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", None)
    body = data[8 + n:]
    out, pos = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        b, e = info["data_offsets"]
        assert b == pos, "offsets not contiguous"
        pos = e
        dt = ST_TORCH[info["dtype"]]
        buf = bytearray(body[b:e])
        if dt == torch.bool:
            t = torch.tensor(list(buf), dtype=torch.uint8).to(torch.bool)
        else:
            t = torch.frombuffer(buf, dtype=dt) if len(buf) else torch.empty(0, dtype=dt)
        out[name] = t.reshape(info["shape"])
    assert pos == len(body), "data section not covered exactly"
    return out, meta, list(header.keys())


def values(t):
    t = t.detach()
    kind = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}[t.dtype]
    data = t.reshape(-1).tolist()
    if kind in ("float32", "float64"):
        data = [float(x) for x in data]
    return {"shape": list(t.shape), "dtype": kind, "data": data}


class Small(torch.nn.Sequential):
    """Conv2d -> BatchNorm2d -> ReLU -> Flatten -> Linear, as io tests build it in Java."""

    def __init__(self):
        super().__init__(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU(),
                         torch.nn.Flatten(), torch.nn.Linear(8, 3))


def trained_small():
    torch.manual_seed(7)
    m = Small()
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    for _ in range(3):
        x = torch.randn(4, 1, 4, 4)
        loss = m(x).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return m, opt


def zip_with(path, entries, compress=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compress) as z:
        for name, data in entries:
            z.writestr(name, data)


def hostile_pickles():
    # Built opcode by opcode; never unpickled here.
    evil_global = b"\x80\x02" + b"cos\nsystem\n" + b"X\x0a\x00\x00\x00echo pwned" + b"\x85R."
    s1 = b"\x8c\x08builtins\x94"
    s2 = b"\x8c\x04eval\x94"
    evil_stack_global = b"\x80\x04" + s1 + s2 + b"\x93\x94" + b"\x8c\x0b__import__()\x94\x85\x94R\x94."
    evil_inst = b"\x80\x02(X\x02\x00\x00\x00idisubprocess\nPopen\n."
    # A dict whose BUILD would set attributes of a non-dict: REDUCE OrderedDict, then a list + BUILD.
    evil_build = b"\x80\x02]q\x00}q\x01b."
    return {"evil_global": evil_global, "evil_stack_global": evil_stack_global,
            "evil_inst": evil_inst, "evil_build": evil_build}


def generate():
    os.makedirs(OUT, exist_ok=True)
    golden = {}

    m, opt = trained_small()
    sd = m.state_dict()
    torch.save(sd, os.path.join(OUT, "small_state.pt"))
    golden["small_state"] = {k: values(v) for k, v in sd.items()}

    # The seed's checkpoint idiom, including the optimizer.
    ckpt = {"epoch": 7, "arch": "small", "state_dict": sd, "best_prec1": 0.625, "optimizer": opt.state_dict()}
    torch.save(ckpt, os.path.join(OUT, "checkpoint.pth.tar"))
    osd = opt.state_dict()
    golden["checkpoint_optimizer"] = {
        "state": {str(k): {kk: values(vv) for kk, vv in v.items()} for k, v in osd["state"].items()},
        "param_groups": [{k: v for k, v in g.items()} for g in osd["param_groups"]],
    }

    # Views, shared storage, dtypes and plain containers.
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    views = collections.OrderedDict()
    views["base"] = base
    views["col"] = base[:, 1]          # offset 1, stride 4: shares base's storage
    views["t"] = base.t()              # non-contiguous
    views["f64"] = torch.tensor([[1.5, -2.25], [1e-300, 3.0]], dtype=torch.float64)
    views["i64"] = torch.tensor([-(2 ** 40), 0, 7], dtype=torch.int64)
    views["mask"] = torch.tensor([True, False, True])
    views["scalar"] = torch.tensor(2.5)
    views["empty"] = torch.zeros(0, 3)
    views["half"] = torch.tensor([0.5, -1.0, 65504.0, 6.1035156e-05], dtype=torch.float16)
    views["bf16"] = torch.tensor([1.0, -3.5, 0.15625], dtype=torch.bfloat16)
    views["i32"] = torch.tensor([-5, 2 ** 31 - 1], dtype=torch.int32)
    views["u8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    obj = {"tensors": views, "list": [1, -2, 2 ** 40, 1.25, float("nan"), float("-inf"), None, True, False, "héllo ✓"],
           "tuple": (3, "x"), "int_keys": {1: "a", 2: [torch.tensor([9.0])]}, "nested": {"a": {"b": {"c": 1}}}}
    torch.save(obj, os.path.join(OUT, "views.pt"))
    torch.save(obj, os.path.join(OUT, "views_p4.pt"), pickle_protocol=4)
    golden["views"] = {k: values(v.to(torch.float32) if v.dtype in (torch.float16, torch.bfloat16)
                                 else v.to(torch.int64) if v.dtype in (torch.int32, torch.uint8) else v)
                       for k, v in views.items()}

    torch.save({"w": torch.nn.Parameter(torch.tensor([1.0, 2.0]))}, os.path.join(OUT, "param.pt"))

    # Rejected files.
    torch.save({"d": torch.device("cpu")}, os.path.join(OUT, "device.pt"))
    torch.save(sd, os.path.join(OUT, "legacy.pt"), _use_new_zipfile_serialization=False)
    with zipfile.ZipFile(os.path.join(OUT, "small_state.pt")) as z:
        zip_with(os.path.join(OUT, "compressed.pt"), [(n, z.read(n)) for n in z.namelist()], zipfile.ZIP_DEFLATED)
    for name, program in hostile_pickles().items():
        zip_with(os.path.join(OUT, name + ".pt"), [("archive/data.pkl", program), ("archive/version", b"3\n")])

    # safetensors by the spec: the same state dict (with metadata) and one tensor of each dtype.
    st_write(os.path.join(OUT, "small_state.safetensors"), dict(sd), {"format": "pt", "epoch": "7"})
    st_write(os.path.join(OUT, "dtypes.safetensors"),
             {"f32": torch.tensor([[1.0, 2.0], [3.0, 4.5]]), "f64": torch.tensor([0.1, -1e300], dtype=torch.float64),
              "i64": torch.tensor([2 ** 62, -1]), "flag": torch.tensor([True, False, True]),
              "scalar": torch.tensor(3.0), "empty": torch.zeros(2, 0)})
    st_write(os.path.join(OUT, "f16.safetensors"), {"h": torch.tensor([1.0, 2.0], dtype=torch.float16)})
    golden["dtypes"] = {"f32": values(torch.tensor([[1.0, 2.0], [3.0, 4.5]])),
                        "f64": values(torch.tensor([0.1, -1e300], dtype=torch.float64)),
                        "i64": values(torch.tensor([2 ** 62, -1])), "flag": values(torch.tensor([True, False, True])),
                        "scalar": values(torch.tensor(3.0)), "empty": values(torch.zeros(2, 0))}

    # Seeds for the libFuzzer pickle target (ci/fuzz.sh): the data.pkl of every archive above.
    seeds = os.path.join(HERE, "..", "..", "..", "..", "..", "native", "fuzz", "seeds", "pickle")
    os.makedirs(seeds, exist_ok=True)
    for name in sorted(os.listdir(OUT)):
        if name.endswith((".pt", ".tar")) and zipfile.is_zipfile(os.path.join(OUT, name)):
            with zipfile.ZipFile(os.path.join(OUT, name)) as z:
                pkl = [n for n in z.namelist() if n.endswith("/data.pkl")]
                if pkl:
                    with open(os.path.join(seeds, name.split(".")[0] + ".pkl"), "wb") as f:
                        f.write(z.read(pkl[0]))

    with open(os.path.join(HERE, "io.json"), "w") as f:
        json.dump(golden, f, indent=1)


# What SafeTensorsTest.fileWrittenHereIsReadByThePythonSpecReader writes (keep in sync with that test).
def check(path):
    tensors, meta, order = st_read(path)
    expect = {
        "weight": torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4,
        "steps": torch.tensor([1, -2, 3 ** 30]),
        "mask": torch.tensor([[True, False], [False, True]]),
        "f64": torch.tensor([0.1, 1e-300], dtype=torch.float64),
        "scalar": torch.tensor(-1.5),
        "zero": torch.zeros(0, 4),
        "uni ✓": torch.tensor([7.0]),
    }
    assert set(tensors) == set(expect), (sorted(tensors), sorted(expect))
    for k, v in expect.items():
        assert tensors[k].dtype == v.dtype and tensors[k].shape == v.shape and torch.equal(tensors[k], v), k
    assert meta == {"epoch": "12", "arch": "résnet \"18\""}, meta
    want = [k for k, _ in sorted(expect.items(), key=lambda kv: (-ST_ORDER.index(ST_DTYPES[kv[1].dtype]), kv[0]))]
    assert order == want, (order, want)
    # Byte-exact: our spec writer must produce the same file.
    tmp = path + ".py"
    st_write(tmp, expect, meta)
    same = open(tmp, "rb").read() == open(path, "rb").read()
    os.remove(tmp)
    assert same, "Kindling's file differs from the spec writer's bytes"
    print("OK: %s read by the spec reader into torch tensors; %d tensors, metadata %s, byte-identical to the spec writer"
          % (path, len(tensors), meta))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        generate()
