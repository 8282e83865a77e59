# Writes data.json: reference numbers for dev.kindling.data from PyTorch 1.13 (no torchvision needed).
#  - raw MT19937 outputs (numpy's legacy seeding = PyTorch's), and torch.Generator draws:
#    randperm, rand, randint (32- and 64-bit ranges), random_ on int64;
#  - the index batches of torch.utils.data.DataLoader(range(n), batch_size, shuffle=True,
#    drop_last, generator=torch.Generator().manual_seed(seed)) over three full epochs;
#  - random_split indices;
#  - torchvision's ToTensor, Normalize, RandomHorizontalFlip and RandomCrop(padding) written out
#    with the operations torchvision 0.14 uses (ToTensor: float().div(255); Normalize:
#    sub_(mean[:, None, None]).div_(std[:, None, None]) in float32; flip if torch.rand(1) < p;
#    crop after zero padding at top = randint(0, H - h + 1), then left = randint(0, W - w + 1)),
#    drawn from a seeded generator instead of the global one.
# Run with /usr/bin/python3 (torch 1.13).
import json
import numpy as np
import torch
from torch.utils.data import DataLoader, random_split


def floats(x):
    return [float(v) for v in x.reshape(-1).tolist()]


out = {}

raw = []
for seed in [5489, 42, 2**32 + 7]:
    bg = np.random.MT19937()
    bg._legacy_seeding(seed & 0xffffffff)
    raw.append({"seed": seed, "values": [int(v) for v in bg.random_raw(1300)]})  # past two twists
out["raw"] = raw

draws = []
for seed, n in [(0, 10), (42, 100), (7, 1), (3, 0), (2024, 60000)]:
    g = torch.Generator().manual_seed(seed)
    p = torch.randperm(n, generator=g).tolist()
    draws.append({"kind": "randperm", "seed": seed, "n": n, "values": p if n <= 100 else p[:50] + p[-50:],
                  "sum_sq_pos": sum(i * v for i, v in enumerate(p))})
g = torch.Generator().manual_seed(11)
draws.append({"kind": "rand", "seed": 11, "values": floats(torch.rand(20, generator=g))})
g = torch.Generator().manual_seed(12)
vals = []
for lo, hi in [(0, 5), (-3, 4), (0, 2**40), (10, 11), (0, 2**32), (5, 2**31 + 5)]:
    vals.append({"low": lo, "high": hi, "values": torch.randint(lo, hi, (4,), generator=g).tolist()})
draws.append({"kind": "randint", "seed": 12, "cases": vals})
g = torch.Generator().manual_seed(13)
draws.append({"kind": "random_int64", "seed": 13,
              "values": [int(torch.empty((), dtype=torch.int64).random_(generator=g)) for _ in range(5)]})
out["draws"] = draws

loaders = []
for n, bs, drop, seed in [(10, 3, False, 0), (10, 3, True, 0), (100, 32, False, 42), (7, 7, False, 5), (64, 16, True, 2024)]:
    g = torch.Generator().manual_seed(seed)
    dl = DataLoader(list(range(n)), batch_size=bs, shuffle=True, drop_last=drop, generator=g)
    epochs = [[b.tolist() for b in dl] for _ in range(3)]
    loaders.append({"n": n, "batch_size": bs, "drop_last": drop, "seed": seed, "epochs": epochs})
out["loaders"] = loaders

splits = []
for n, lengths, seed in [(10, [7, 3], 0), (100, [50, 30, 20], 42)]:
    parts = random_split(range(n), lengths, generator=torch.Generator().manual_seed(seed))
    splits.append({"n": n, "lengths": lengths, "seed": seed, "parts": [list(p.indices) for p in parts]})
out["splits"] = splits

torch.manual_seed(99)
hwc = torch.randint(0, 256, (4, 5, 3), dtype=torch.uint8)
chw = hwc.permute(2, 0, 1).contiguous().float().div(255)
out["to_tensor"] = {"hwc": hwc.reshape(-1).tolist(), "h": 4, "w": 5, "c": 3, "chw": floats(chw)}

mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
m = torch.as_tensor(mean, dtype=torch.float32)[:, None, None]
s = torch.as_tensor(std, dtype=torch.float32)[:, None, None]
out["normalize"] = {"mean": mean, "std": std, "input": floats(chw), "shape": [3, 4, 5], "output": floats(chw.clone().sub_(m).div_(s))}

imgs = [torch.rand(1, 6, 5) for _ in range(12)]
g = torch.Generator().manual_seed(31)
flipped = []
for im in imgs:
    flipped.append(floats(im.flip(-1) if torch.rand(1, generator=g) < 0.5 else im))
g = torch.Generator().manual_seed(32)
cropped = []
pad, th, tw = 2, 6, 5
for im in imgs:
    padded = torch.nn.functional.pad(im, (pad, pad, pad, pad))
    H, W = padded.shape[-2:]
    i = int(torch.randint(0, H - th + 1, size=(1,), generator=g))
    j = int(torch.randint(0, W - tw + 1, size=(1,), generator=g))
    cropped.append(floats(padded[..., i:i + th, j:j + tw]))
out["augment"] = {"shape": [1, 6, 5], "images": [floats(im) for im in imgs],
                  "flip": {"seed": 31, "p": 0.5, "outputs": flipped},
                  "crop": {"seed": 32, "padding": pad, "height": th, "width": tw, "outputs": cropped}}

with open("data.json", "w") as f:
    json.dump(out, f)
