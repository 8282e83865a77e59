#!/usr/bin/env python3
"""PyTorch's side of the GPU comparison: the measurements of native/tests/bench_cuda.cpp, made
with PyTorch on the same GPU and printed as the same "BENCH ..." lines (impl=pytorch), so that
ci/gpu-check.sh can divide one by the other.

float32 throughout, with TF32 turned off for matmul and for cuDNN: Kindling computes in full
float32, and TF32 would compare a different arithmetic. The DCGAN step is timed twice, with
cuDNN's default algorithm choice and with cudnn.benchmark=True (autotuned), and reported as
variant=default and variant=cudnn_benchmark.

Usage: gpu_pytorch.py [all|gemm|launch|dcgan]...
"""
import os
import sys
import time

import torch
import torch.nn as nn
import torch.optim as optim

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
DEV = torch.device("cuda:0")


def sync():
    torch.cuda.synchronize(DEV)


def time_per_call(f, budget):
    """Seconds per call: a warm-up call, then as many calls as fit `budget` (2..100)."""
    f()
    sync()
    t0 = time.perf_counter()
    f()
    sync()
    one = time.perf_counter() - t0
    reps = int(min(100, max(2, budget / max(one, 1e-6))))
    t0 = time.perf_counter()
    for _ in range(reps):
        f()
    sync()
    return (time.perf_counter() - t0) / reps


def bench_gemm():
    sizes = [(4096, 4096, 4096, "square4096"), (8192, 8192, 8192, "square8192"),
             (128, 16384, 1024, "dcgan_d2"), (4096, 1024, 512, "dcgan_g2")]
    for m, n, k, name in sizes:
        a = torch.randn(m, k, device=DEV)
        b = torch.randn(k, n, device=DEV)
        sec = time_per_call(lambda: torch.mm(a, b), 1.0)
        print(f"BENCH gemm impl=pytorch backend=cublas-tf32off size={name} m={m} n={n} k={k} "
              f"ms={sec * 1e3:.4f} tflops={2.0 * m * n * k / sec / 1e12:.3f}", flush=True)
        del a, b


def bench_launch():
    a = torch.ones(1, device=DEV)
    b = torch.full((1,), 2.0, device=DEV)
    for _ in range(100):
        torch.add(a, b)
    sync()
    n = 10000
    t0 = time.perf_counter()
    for _ in range(n):
        torch.add(a, b)  # allocate the output, launch, free it
    sync()
    us = (time.perf_counter() - t0) / n * 1e6
    print(f"BENCH launch impl=pytorch what=add_1 n={n} us_per_op={us:.3f}", flush=True)
    numel = 1 << 20
    a = torch.randn(numel, device=DEV)
    b = torch.randn(numel, device=DEV)
    for _ in range(10):
        torch.add(a, b)
    sync()
    n = 1000
    t0 = time.perf_counter()
    for _ in range(n):
        torch.add(a, b)
    sync()
    sec = (time.perf_counter() - t0) / n
    print(f"BENCH launch impl=pytorch what=add_1m n={n} us_per_op={sec * 1e6:.3f} "
          f"gbps={3.0 * 4 * numel / sec / 1e9:.1f}", flush=True)


# ---- DCGAN, as in pytorch/examples dcgan/main.py ---------------------------------------------

def weights_init(m):
    name = m.__class__.__name__
    if name.find("Conv") != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif name.find("BatchNorm") != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


def generator(nz, ngf):
    return nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
        nn.ConvTranspose2d(ngf, 3, 4, 2, 1, bias=False), nn.Tanh())


def discriminator(ndf):
    return nn.Sequential(
        nn.Conv2d(3, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid())


def dcgan_ms_per_step(steps=20):
    batch, nz, ngf, ndf = 64, 100, 64, 64
    torch.manual_seed(999)
    net_g = generator(nz, ngf).to(DEV)
    net_d = discriminator(ndf).to(DEV)
    net_g.apply(weights_init)
    net_d.apply(weights_init)
    criterion = nn.BCELoss()
    opt_d = optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(batch, 3, 64, 64, device=DEV) * 2 - 1
    ones = torch.full((batch,), 1.0, device=DEV)
    zeros = torch.full((batch,), 0.0, device=DEV)
    losses = [0.0, 0.0]

    def step():
        net_d.zero_grad()
        err_real = criterion(net_d(real).view(-1), ones)
        err_real.backward()
        noise = torch.randn(batch, nz, 1, 1, device=DEV)
        fake = net_g(noise)
        err_fake = criterion(net_d(fake.detach()).view(-1), zeros)
        err_fake.backward()
        opt_d.step()
        net_g.zero_grad()
        err_g = criterion(net_d(fake).view(-1), ones)
        err_g.backward()
        opt_g.step()
        return err_real, err_fake, err_g

    for _ in range(3):
        step()
    sync()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    sync()
    host_ms = (time.perf_counter() - t0) / steps * 1e3
    sync()
    ms = (time.perf_counter() - t0) / steps * 1e3
    print(f"BENCH dcgan_host impl=pytorch host_ms_per_step={host_ms:.3f}", flush=True)
    if os.environ.get("BENCH_PROFILE"):
        from torch.profiler import profile, ProfilerActivity
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            step()
            sync()
        print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=25), flush=True)
    r, f, g = step()
    losses = [r.item() + f.item(), g.item()]
    return ms, losses


def bench_dcgan():
    for variant, bench in (("default", False), ("cudnn_benchmark", True)):
        torch.backends.cudnn.benchmark = bench
        ms, (ld, lg) = dcgan_ms_per_step()
        print(f"BENCH dcgan impl=pytorch variant={variant} batch=64 steps=20 ms_per_step={ms:.3f} "
              f"loss_d={ld:.4f} loss_g={lg:.4f}", flush=True)
    torch.backends.cudnn.benchmark = False


def main(argv):
    if not torch.cuda.is_available():
        print("gpu_pytorch: torch.cuda is not available", flush=True)
        return 77
    what = argv or ["all"]
    print(f"gpu_pytorch: torch {torch.__version__}, CUDA {torch.version.cuda}, "
          f"cuDNN {torch.backends.cudnn.version()}, {torch.cuda.get_device_name(DEV)}", flush=True)
    rc = 0
    for name, fn in (("gemm", bench_gemm), ("launch", bench_launch), ("dcgan", bench_dcgan)):
        if "all" in what or name in what:
            try:
                fn()
            except Exception as e:  # one failing part must not hide the others
                print(f"BENCH {name} impl=pytorch error=1\ngpu_pytorch: {name} failed: {e}", flush=True)
                rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
