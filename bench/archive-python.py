#!/usr/bin/python3
"""The Python side of bench/archive.bench.ts: the same archive screening as cxrkit's pipeline, the way a Python
team would write it with Debian's packages — pydicom (+ GDCM for compressed syntaxes) → numpy percentile clip
+ min-max → Pillow bicubic resize → z-score → PyTorch CPU InceptionV3 (torchvision is not packaged in Debian
12, so the network is written out below, layer for layer as Keras's inception_v3.py, and takes its weights from
the ONNX file cxrkit exported: same network, same weights, same size).

    /usr/bin/python3 bench/archive-python.py --manifest FILES.txt --onnx model.onnx --size 512 \
        --batch 8 --workers 1 --threads 2 [--out scores.jsonl]

FILES.txt: one DICOM path per line. Decoding and preprocessing run in torch DataLoader worker processes
(--workers; 0 = in the main process), inference in the main process on --threads intra-op threads, in batches
of --batch. Prints one JSON object: images, seconds, images per second, mean milliseconds per image and stage
(read + decode, preprocess: measured in the workers; predict: batch time / batch size), peak RSS of the main
process and of the workers (KiB), versions. With --out, one {"sopInstanceUID", "score"} line per image.
"""
import argparse
import json
import resource
import sys
import time

import numpy as np
import PIL
import pydicom
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn


# --- InceptionV3, as keras/src/applications/inception_v3.py builds it (NCHW, no auxiliary logits) -------------

class InceptionV3Screening(nn.Module):
    """InceptionV3 backbone + global average pool + Dense 256 → Dense 128 → Dense 1 (sigmoid): cxrkit's
    buildScreeningModel({ backbone: 'inception_v3', task: 'binary' }) without fusion. Convolutions are created
    in Keras's order, so the k-th one is Keras's conv2d_k / batch_normalization_k."""

    def __init__(self, channels=3):
        super().__init__()
        self.convs = nn.ModuleList()
        self.bns = nn.ModuleList()
        self.plan = []
        self._c = channels

        def conv_bn(cin, cout, kh, kw, stride=1, same=True):
            self.convs.append(nn.Conv2d(cin, cout, (kh, kw), stride, padding=(kh // 2, kw // 2) if same else 0, bias=False))
            self.bns.append(nn.BatchNorm2d(cout, eps=1e-3))
            return len(self.convs) - 1

        c = channels
        self.stem = [conv_bn(c, 32, 3, 3, 2, False), conv_bn(32, 32, 3, 3, 1, False), conv_bn(32, 64, 3, 3)]
        self.stem2 = [conv_bn(64, 80, 1, 1, 1, False), conv_bn(80, 192, 3, 3, 1, False)]
        c = 192
        self.mixed = []
        for pool in (32, 64, 64):  # mixed 0, 1, 2: 35 x 35 x 256 / 288 / 288 (at 299 px)
            b = dict(kind='a', b1=conv_bn(c, 64, 1, 1), b5=[conv_bn(c, 48, 1, 1), conv_bn(48, 64, 5, 5)],
                     b3=[conv_bn(c, 64, 1, 1), conv_bn(64, 96, 3, 3), conv_bn(96, 96, 3, 3)], bp=conv_bn(c, pool, 1, 1))
            self.mixed.append(b)
            c = 64 + 64 + 96 + pool
        # mixed 3: 17 x 17 x 768
        self.mixed.append(dict(kind='b', b3=conv_bn(c, 384, 3, 3, 2, False),
                               bd=[conv_bn(c, 64, 1, 1), conv_bn(64, 96, 3, 3), conv_bn(96, 96, 3, 3, 2, False)]))
        c = 384 + 96 + c
        for mid in (128, 160, 160, 192):  # mixed 4, 5, 6, 7: 17 x 17 x 768
            self.mixed.append(dict(
                kind='c', b1=conv_bn(c, 192, 1, 1),
                b7=[conv_bn(c, mid, 1, 1), conv_bn(mid, mid, 1, 7), conv_bn(mid, 192, 7, 1)],
                bd=[conv_bn(c, mid, 1, 1), conv_bn(mid, mid, 7, 1), conv_bn(mid, mid, 1, 7), conv_bn(mid, mid, 7, 1),
                    conv_bn(mid, 192, 1, 7)],
                bp=conv_bn(c, 192, 1, 1)))
            c = 768
        # mixed 8: 8 x 8 x 1280
        self.mixed.append(dict(kind='d', b3=[conv_bn(c, 192, 1, 1), conv_bn(192, 320, 3, 3, 2, False)],
                               b7=[conv_bn(c, 192, 1, 1), conv_bn(192, 192, 1, 7), conv_bn(192, 192, 7, 1),
                                   conv_bn(192, 192, 3, 3, 2, False)]))
        c = 320 + 192 + c
        for _ in range(2):  # mixed 9, 10: 8 x 8 x 2048
            self.mixed.append(dict(
                kind='e', b1=conv_bn(c, 320, 1, 1), b3=conv_bn(c, 384, 1, 1), b3a=conv_bn(384, 384, 1, 3),
                b3b=conv_bn(384, 384, 3, 1), bd=[conv_bn(c, 448, 1, 1), conv_bn(448, 384, 3, 3)],
                bda=conv_bn(384, 384, 1, 3), bdb=conv_bn(384, 384, 3, 1), bp=conv_bn(c, 192, 1, 1)))
            c = 2048
        self.dense1 = nn.Linear(2048, 256)
        self.dense2 = nn.Linear(256, 128)
        self.out = nn.Linear(128, 1)

    def cb(self, i, x):
        return F.relu(self.bns[i](self.convs[i](x)))

    def seq(self, ids, x):
        for i in ids:
            x = self.cb(i, x)
        return x

    def forward(self, x):
        x = self.seq(self.stem, x)
        x = F.max_pool2d(x, 3, 2)
        x = self.seq(self.stem2, x)
        x = F.max_pool2d(x, 3, 2)
        for m in self.mixed:
            k = m['kind']
            if k == 'a':
                pool = F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)
                x = torch.cat([self.cb(m['b1'], x), self.seq(m['b5'], x), self.seq(m['b3'], x), self.cb(m['bp'], pool)], 1)
            elif k == 'b':
                x = torch.cat([self.cb(m['b3'], x), self.seq(m['bd'], x), F.max_pool2d(x, 3, 2)], 1)
            elif k == 'c':
                pool = F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)
                x = torch.cat([self.cb(m['b1'], x), self.seq(m['b7'], x), self.seq(m['bd'], x), self.cb(m['bp'], pool)], 1)
            elif k == 'd':
                x = torch.cat([self.seq(m['b3'], x), self.seq(m['b7'], x), F.max_pool2d(x, 3, 2)], 1)
            else:
                b3 = self.cb(m['b3'], x)
                bd = self.seq(m['bd'], x)
                pool = F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)
                x = torch.cat([self.cb(m['b1'], x), self.cb(m['b3a'], b3), self.cb(m['b3b'], b3), self.cb(m['bda'], bd),
                               self.cb(m['bdb'], bd), self.cb(m['bp'], pool)], 1)
        x = x.mean((2, 3))
        x = F.relu(self.dense1(x))
        x = F.relu(self.dense2(x))
        return torch.sigmoid(self.out(x))


def load_onnx_weights(model, path):
    """Keras-named initializers of cxrkit's ONNX export → the modules above (shapes checked)."""
    import onnx
    from onnx import numpy_helper
    w = {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}

    def put(param, value):
        value = torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32))
        if tuple(param.shape) != tuple(value.shape):
            raise ValueError(f'shape {tuple(value.shape)} does not fit {tuple(param.shape)}')
        param.data.copy_(value)

    for k, (conv, bn) in enumerate(zip(model.convs, model.bns), start=1):
        put(conv.weight, w[f'conv2d_{k}/kernel'])
        put(bn.weight, w.get(f'batch_normalization_{k}/gamma', np.ones(bn.num_features)))
        put(bn.bias, w[f'batch_normalization_{k}/beta'])
        put(bn.running_mean, w[f'batch_normalization_{k}/moving_mean'])
        put(bn.running_var, w[f'batch_normalization_{k}/moving_variance'])
    for layer, name in ((model.dense1, 'head_dense_1'), (model.dense2, 'head_dense_2'), (model.out, 'head_output')):
        put(layer.weight, w[f'{name}/kernel'].T)
        put(layer.bias, w[f'{name}/bias'])


# --- decode + preprocess, as the thesis's Part 2 (and cxrkit's model card) says --------------------------------

class Radiographs(torch.utils.data.Dataset):
    def __init__(self, paths, size, channels):
        self.paths, self.size, self.channels = paths, size, channels

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        t0 = time.perf_counter()
        ds = pydicom.dcmread(self.paths[i])
        pixels = ds.pixel_array.astype(np.float32)  # GDCM decodes the compressed syntaxes
        pixels = pixels * float(getattr(ds, 'RescaleSlope', 1)) + float(getattr(ds, 'RescaleIntercept', 0))
        if ds.PhotometricInterpretation == 'MONOCHROME1':
            pixels = -pixels  # bone bright (the affine map to [0, 1] cancels in the min-max below)
        t1 = time.perf_counter()
        lo, hi = np.percentile(pixels, (0.5, 99.5))
        clipped = ((np.clip(pixels, lo, hi) - lo) / max(hi - lo, 1e-12)).astype(np.float32)
        resized = np.asarray(Image.fromarray(clipped, 'F').resize((self.size, self.size), Image.BICUBIC), np.float32)
        z = (resized - resized.mean()) / max(float(resized.std()), 1e-12)
        x = np.repeat(z[None], self.channels, 0)
        t2 = time.perf_counter()
        return torch.from_numpy(x), str(ds.SOPInstanceUID), (t1 - t0) * 1000, (t2 - t1) * 1000


def collate(items):
    return (torch.stack([x for x, *_ in items]), [u for _, u, *_ in items], [d for *_, d, _ in items],
            [p for *_, p in items])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--manifest', required=True)
    ap.add_argument('--onnx', required=True)
    ap.add_argument('--size', type=int, default=512)
    ap.add_argument('--channels', type=int, default=3)
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--workers', type=int, default=1)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--out')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)
    paths = [p.strip() for p in open(a.manifest) if p.strip()]
    model = InceptionV3Screening(a.channels).eval()
    load_onnx_weights(model, a.onnx)
    loader = torch.utils.data.DataLoader(Radiographs(paths, a.size, a.channels), batch_size=a.batch,
                                         num_workers=a.workers, collate_fn=collate)
    decode = preprocess = predict = 0.0
    n = 0
    out = open(a.out, 'w') if a.out else None
    start = time.perf_counter()
    with torch.inference_mode():
        for x, uids, d, p in loader:
            t0 = time.perf_counter()
            scores = model(x)[:, 0].numpy()
            predict += (time.perf_counter() - t0) * 1000
            decode += sum(d)
            preprocess += sum(p)
            n += len(uids)
            if out:
                for u, s in zip(uids, scores):
                    out.write(json.dumps({'sopInstanceUID': u, 'score': float(s)}) + '\n')
    seconds = time.perf_counter() - start
    print(json.dumps({
        'images': n, 'seconds': seconds, 'imagesPerSecond': n / seconds,
        'msPerImage': {'decode': decode / n, 'preprocess': preprocess / n, 'predict': predict / n},
        'maxRssKiB': {'main': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      'workers': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss},
        'settings': {'batch': a.batch, 'workers': a.workers, 'threads': a.threads, 'size': a.size},
        'versions': {'python': sys.version.split()[0], 'torch': torch.__version__, 'numpy': np.__version__,
                     'pillow': PIL.__version__, 'pydicom': pydicom.__version__},
    }))


if __name__ == '__main__':
    main()
