#!/usr/bin/env python3
"""PyTorch CPU reference for bench/feature-cache.bench.ts (issue 16): seconds per training epoch of
Keras's InceptionV3 architecture (written out below as keras/src/applications/inception_v3.py builds it:
conv without bias + BatchNorm(eps 1e-3, no scale) + ReLU, the same mixed0..mixed10 blocks) at
SIZE x SIZE x 1 with cxrkit's screening head (GAP -> dense 256 -> dense 128 -> sigmoid), binary
cross-entropy, Adam, on random images (speed only), 2 threads.

  --mode full    every layer trains (full fine-tuning)
  --mode frozen  'last-block': everything up to mixed8 frozen (no grad, BatchNorm in inference mode),
                 mixed9, mixed10 and the head train — the whole graph still runs every step

One warm-up step, then one timed epoch of --images images. Prints a line '@@ROW {json}'.
Needs Debian's python3-torch (run with /usr/bin/python3).
"""
import argparse
import json
import time

import torch
from torch import nn


class ConvBN(nn.Sequential):
    def __init__(self, cin, cout, kernel, stride=1, padding='same'):
        kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
        pad = (kh // 2, kw // 2) if padding == 'same' else 0
        super().__init__(
            nn.Conv2d(cin, cout, (kh, kw), stride, pad, bias=False),
            nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01, affine=True),
            nn.ReLU(inplace=True),
        )


def avg_same():
    # Keras AveragePooling2D(3, strides=1, padding='same') averages over the valid pixels only
    return nn.AvgPool2d(3, 1, 1, count_include_pad=False)


class Mixed35(nn.Module):  # mixed0..2
    def __init__(self, cin, pool):
        super().__init__()
        self.b1 = ConvBN(cin, 64, 1)
        self.b5 = nn.Sequential(ConvBN(cin, 48, 1), ConvBN(48, 64, 5))
        self.b3 = nn.Sequential(ConvBN(cin, 64, 1), ConvBN(64, 96, 3), ConvBN(96, 96, 3))
        self.bp = nn.Sequential(avg_same(), ConvBN(cin, pool, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b5(x), self.b3(x), self.bp(x)], 1)


class Mixed3(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.b3 = ConvBN(cin, 384, 3, 2, 'valid')
        self.bd = nn.Sequential(ConvBN(cin, 64, 1), ConvBN(64, 96, 3), ConvBN(96, 96, 3, 2, 'valid'))
        self.bp = nn.MaxPool2d(3, 2)

    def forward(self, x):
        return torch.cat([self.b3(x), self.bd(x), self.bp(x)], 1)


class Mixed17(nn.Module):  # mixed4..7
    def __init__(self, cin, c):
        super().__init__()
        self.b1 = ConvBN(cin, 192, 1)
        self.b7 = nn.Sequential(ConvBN(cin, c, 1), ConvBN(c, c, (1, 7)), ConvBN(c, 192, (7, 1)))
        self.bd = nn.Sequential(
            ConvBN(cin, c, 1), ConvBN(c, c, (7, 1)), ConvBN(c, c, (1, 7)), ConvBN(c, c, (7, 1)), ConvBN(c, 192, (1, 7))
        )
        self.bp = nn.Sequential(avg_same(), ConvBN(cin, 192, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b7(x), self.bd(x), self.bp(x)], 1)


class Mixed8(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.b3 = nn.Sequential(ConvBN(cin, 192, 1), ConvBN(192, 320, 3, 2, 'valid'))
        self.b7 = nn.Sequential(
            ConvBN(cin, 192, 1), ConvBN(192, 192, (1, 7)), ConvBN(192, 192, (7, 1)), ConvBN(192, 192, 3, 2, 'valid')
        )
        self.bp = nn.MaxPool2d(3, 2)

    def forward(self, x):
        return torch.cat([self.b3(x), self.b7(x), self.bp(x)], 1)


class Mixed8x8(nn.Module):  # mixed9, mixed10
    def __init__(self, cin):
        super().__init__()
        self.b1 = ConvBN(cin, 320, 1)
        self.b3 = ConvBN(cin, 384, 1)
        self.b3a, self.b3b = ConvBN(384, 384, (1, 3)), ConvBN(384, 384, (3, 1))
        self.bd = nn.Sequential(ConvBN(cin, 448, 1), ConvBN(448, 384, 3))
        self.bda, self.bdb = ConvBN(384, 384, (1, 3)), ConvBN(384, 384, (3, 1))
        self.bp = nn.Sequential(avg_same(), ConvBN(cin, 192, 1))

    def forward(self, x):
        b3 = self.b3(x)
        bd = self.bd(x)
        return torch.cat([self.b1(x), self.b3a(b3), self.b3b(b3), self.bda(bd), self.bdb(bd), self.bp(x)], 1)


def inception_v3_screening(channels=1):
    frozen = nn.Sequential(
        ConvBN(channels, 32, 3, 2, 'valid'), ConvBN(32, 32, 3, 1, 'valid'), ConvBN(32, 64, 3),
        nn.MaxPool2d(3, 2), ConvBN(64, 80, 1, 1, 'valid'), ConvBN(80, 192, 3, 1, 'valid'), nn.MaxPool2d(3, 2),
        Mixed35(192, 32), Mixed35(256, 64), Mixed35(288, 64), Mixed3(288),
        Mixed17(768, 128), Mixed17(768, 160), Mixed17(768, 160), Mixed17(768, 192), Mixed8(768),
    )
    last = nn.Sequential(Mixed8x8(1280), Mixed8x8(2048))
    head = nn.Sequential(
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(2048, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 1),
    )
    return frozen, last, head


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--mode', choices=['full', 'frozen'], required=True)
    p.add_argument('--images', type=int, default=16)
    p.add_argument('--size', type=int, default=512)
    p.add_argument('--batch', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    frozen, last, head = inception_v3_screening()
    model = nn.Sequential(frozen, last, head)
    model.train()
    if a.mode == 'frozen':
        for q in frozen.parameters():
            q.requires_grad_(False)
        frozen.eval()  # frozen BatchNorm runs in inference mode, as in cxrkit and Keras
    opt = torch.optim.Adam([q for q in model.parameters() if q.requires_grad], lr=1e-4)
    loss_fn = nn.BCEWithLogitsLoss()
    x = torch.randn(a.images, 1, a.size, a.size)
    y = (torch.arange(a.images) % 2).float().unsqueeze(1)

    def step(i):
        xb, yb = x[i:i + a.batch], y[i:i + a.batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return float(loss)

    step(0)  # warm-up (allocations)
    t0 = time.perf_counter()
    for i in range(0, a.images, a.batch):
        step(i)
    seconds = time.perf_counter() - t0
    row = {'config': f'torch {a.mode}', 'epochSeconds': seconds, 'torch': torch.__version__,
           'threads': torch.get_num_threads()}
    print('@@ROW ' + json.dumps(row), flush=True)


if __name__ == '__main__':
    main()
