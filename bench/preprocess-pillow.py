#!/usr/bin/python3
"""The Python side of bench/preprocess.bench.ts: the thesis's Part 2 preprocessing with numpy + Pillow
(Debian python3-numpy / python3-pil), timed per stage on the same decoded pixels cxrkit gets.

    /usr/bin/python3 bench/preprocess-pillow.py PIXELS.f32 WIDTH HEIGHT SIZE REPS [OUT.f32]

PIXELS.f32 holds WIDTH x HEIGHT float32 values (row-major, little endian) in [0, 1] (cxrkit's
DicomImage.grayscale() written by the benchmark). Stages, as a Python user of the thesis writes them:
  clip   np.percentile(0.5, 99.5) + np.clip + min-max to [0, 1]
  resize Image.fromarray(float32, 'F').resize((SIZE, SIZE), Image.BICUBIC) and back to numpy
  zscore (x - mean) / std (population std)
Prints one JSON object: the median milliseconds per stage over REPS runs (after one warm-up) and the
versions. With OUT.f32 it also writes the last z-scored SIZE x SIZE float32 image there, so the benchmark
can check that both sides computed the same thing.
"""
import json
import sys
import time

import numpy as np
import PIL
from PIL import Image


def main():
    path, width, height, size, reps = sys.argv[1], *map(int, sys.argv[2:6])
    out_path = sys.argv[6] if len(sys.argv) > 6 else None
    pixels = np.fromfile(path, dtype="<f4").reshape(height, width)
    times = {"clip": [], "resize": [], "zscore": [], "total": []}
    z = None
    for r in range(reps + 1):
        t0 = time.perf_counter()
        lo, hi = np.percentile(pixels, (0.5, 99.5))
        clipped = ((np.clip(pixels, lo, hi) - lo) / (hi - lo)).astype(np.float32, copy=False)
        t1 = time.perf_counter()
        resized = np.asarray(Image.fromarray(clipped, "F").resize((size, size), Image.BICUBIC), dtype=np.float32)
        t2 = time.perf_counter()
        z = (resized - resized.mean()) / resized.std()
        t3 = time.perf_counter()
        if r == 0:
            continue  # warm-up
        times["clip"].append((t1 - t0) * 1000)
        times["resize"].append((t2 - t1) * 1000)
        times["zscore"].append((t3 - t2) * 1000)
        times["total"].append((t3 - t0) * 1000)
    if out_path:
        z.astype("<f4").tofile(out_path)
    print(json.dumps({
        "ms": {k: v for k, v in times.items()},
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "pillow": PIL.__version__},
    }))


if __name__ == "__main__":
    main()
