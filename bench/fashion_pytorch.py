#!/usr/bin/env python3
"""The fashion-classifier example in PyTorch, for a side-by-side time per epoch and accuracy.

Same model (FashionNet: conv(1->32,3,p1)-BN-ReLU-maxpool2, conv(32->64,3,p1)-BN-ReLU-maxpool2,
flatten, dropout 0.25, fc(3136->128)-ReLU, dropout 0.25, fc(128->10)), same data pipeline
(the IDX files read into memory, /255, Normalize(0.2860, 0.3530), shuffled batches, optional
random horizontal flip), same optimizer (Adam, lr 1e-3, cosine annealing to 0 over the epochs)
and batch size (64) as
examples/src/main/java/dev/kindling/examples/FashionClassifier.java. Reads the four gzip IDX
files with numpy and gzip, so torchvision is not needed.

    /usr/bin/python3 bench/fashion_pytorch.py --epochs 1
    /usr/bin/python3 bench/fashion_pytorch.py --epochs 10 --data /usr/share/datasets/fashion-mnist
    /usr/bin/python3 bench/fashion_pytorch.py --limit-batches 50      # a quick timing

Prints one line per epoch (training time, images per second, mean training loss, test
accuracy), then a summary line with the mean time per epoch (the first epoch excluded when
there are several, as it includes warm-up).
"""
import argparse
import gzip
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530


def read_idx(path):
    """An IDX file (gzip or plain) as a numpy array of its dims."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError("%s: not an IDX file of unsigned bytes" % path)
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(data_dir, name):
    for d in [data_dir, os.path.join(data_dir, "FashionMNIST", "raw")]:
        for n in (name, name + ".gz"):
            p = os.path.join(d, n)
            if os.path.isfile(p):
                return p
    raise SystemExit("Fashion-MNIST not found: no %s[.gz] in %s (apt-get install dataset-fashion-mnist, or --data DIR)"
                     % (name, data_dir))


def load(data_dir, train):
    prefix = "train" if train else "t10k"
    images = read_idx(find(data_dir, prefix + "-images-idx3-ubyte"))
    labels = read_idx(find(data_dir, prefix + "-labels-idx1-ubyte"))
    # ToTensor then Normalize, in float32 as torchvision computes them
    x = torch.from_numpy(images.copy()).float().div(255).unsqueeze(1)
    x = (x - torch.tensor(MEAN, dtype=torch.float32)) / torch.tensor(STD, dtype=torch.float32)
    return x, torch.from_numpy(labels.astype(np.int64))


class FashionNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        self.conv2 = nn.Sequential(nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.25), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.25))
        self.fc = nn.Linear(128, num_classes)

    def forward(self, x):
        return self.fc(self.classifier(self.conv2(self.conv1(x))))


def evaluate(model, x, y, batch_size=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch_size):
            correct += (model(x[i:i + batch_size]).argmax(1) == y[i:i + batch_size]).sum().item()
    model.train()
    return correct / len(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=DEBIAN_DIR)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--limit-batches", type=int, default=0, help="train on this many batches per epoch (0: all)")
    ap.add_argument("--augment", action="store_true", help="random horizontal flips, as the Java example's --augment")
    ap.add_argument("--schedule", choices=["cosine", "none"], default="cosine",
                    help="learning rate schedule: cosine annealing to 0 over --epochs (stepped per epoch), or constant")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: PyTorch's default)")
    args = ap.parse_args()

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    xtr, ytr = load(args.data, True)
    xte, yte = load(args.data, False)
    model = FashionNet()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs) if args.schedule == "cosine" else None
    gen = torch.Generator().manual_seed(args.seed)
    print("PyTorch %s, %d threads, %d training / %d test images, batch %d, Adam lr %g, schedule %s"
          % (torch.__version__, torch.get_num_threads(), len(xtr), len(xte), args.batch_size, args.lr, args.schedule))

    times = []
    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(len(xtr), generator=gen)
        batches = (len(xtr) + args.batch_size - 1) // args.batch_size
        if args.limit_batches > 0:
            batches = min(batches, args.limit_batches)
        start = time.perf_counter()
        total, seen = 0.0, 0
        for b in range(batches):
            idx = order[b * args.batch_size:(b + 1) * args.batch_size]
            x, y = xtr[idx], ytr[idx]
            if args.augment:
                flip = torch.rand(len(idx), generator=gen) < 0.5
                x = torch.where(flip.view(-1, 1, 1, 1), x.flip(3), x)
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            seen += len(idx)
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        if sched is not None:
            sched.step()
        acc = evaluate(model, xte, yte)
        print("epoch %2d  train %.1f s  (%.0f img/s)  loss %.4f  test accuracy %.4f"
              % (epoch, elapsed, seen / elapsed, total / seen, acc), flush=True)
    steady = times[1:] if len(times) > 1 else times
    print("mean time per epoch: %.1f s (%s); final test accuracy %.4f"
          % (sum(steady) / len(steady), "epochs 2-%d" % len(times) if len(times) > 1 else "1 epoch", acc))


if __name__ == "__main__":
    main()
