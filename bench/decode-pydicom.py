#!/usr/bin/python3
"""The Python side of bench/dicom.bench.ts: pydicom + GDCM (Debian python3-pydicom, python3-gdcm) decoding
DICOM files to their stored pixel array, timed on the same bytes cxrkit's readDicom gets.

    /usr/bin/python3 bench/decode-pydicom.py REPS FILE...

For each file: `pydicom.dcmread(BytesIO(bytes)).pixel_array` (numpy handler for native pixel data, GDCM for
compressed data: JPEG-LS, JPEG 2000, ...), REPS times after one warm-up. Prints one JSON object: per file
the times (ms), the handler, and the sum and shape of the pixel array (so the benchmark can check that
both sides decoded the same pixels), plus the versions.
"""
import io
import json
import sys
import time

import gdcm
import numpy as np
import pydicom
from pydicom.pixel_data_handlers import gdcm_handler, numpy_handler

pydicom.config.pixel_data_handlers = [numpy_handler, gdcm_handler]


def main():
    reps = int(sys.argv[1])
    out = {"files": {}, "versions": {"python": sys.version.split()[0], "pydicom": pydicom.__version__,
                                     "gdcm": gdcm.Version.GetVersion(), "numpy": np.__version__}}
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            data = f.read()
        times = []
        arr = None
        for r in range(reps + 1):
            t0 = time.perf_counter()
            ds = pydicom.dcmread(io.BytesIO(data))
            arr = ds.pixel_array
            t1 = time.perf_counter()
            if r > 0:
                times.append((t1 - t0) * 1000)
        ts = ds.file_meta.TransferSyntaxUID
        handler = "numpy" if not ts.is_compressed else "gdcm"
        out["files"][path] = {"ms": times, "handler": handler, "transferSyntax": str(ts),
                              "sum": int(arr.astype(np.int64).sum()), "shape": list(arr.shape)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
