// The HDF5 reader behind the Keras .h5 loader: h5wasm (libhdf5 compiled to WebAssembly), an optional
// peer loaded on first use. Its default ESM entry embeds the .wasm and imports nothing from Node, so the
// same code runs in Node and in a browser bundle; files are read from bytes through Emscripten's
// in-memory file system, never from a path.
import type * as H5 from 'h5wasm';
import { fail } from '../errors.js';

type H5wasm = Pick<typeof H5, 'File' | 'ready'>;

let loading: Promise<H5wasm> | undefined;

async function h5wasm(): Promise<H5wasm> {
  loading ??= (async () => {
    let lib: H5wasm;
    try {
      lib = await import('h5wasm');
    } catch (cause) {
      loading = undefined;
      fail(
        'KERAS_H5_READER_MISSING',
        'reading Keras .h5 weights needs the HDF5 reader h5wasm, which is not installed',
        'h5wasm',
        'npm install h5wasm@^0.10.3 (an optional peer of @cxrkit/models)',
        cause,
      );
    }
    await lib.ready;
    return lib;
  })();
  return loading;
}

let nextFile = 0;

/**
 * Opens `bytes` as an HDF5 file (read-only) and calls `read` with its root; closes and deletes the
 * in-memory copy afterwards. While it runs, libhdf5 errors are thrown as JS errors (h5wasm's throwing
 * handler) instead of being printed to stderr. `read` must be synchronous: the file is gone after it.
 */
export async function withH5File<T>(bytes: Uint8Array, read: (file: H5.File) => T): Promise<T> {
  const lib = await h5wasm();
  const module = await lib.ready;
  const path = `/cxrkit-keras-weights-${nextFile++}.h5`;
  // canOwn: the in-memory file system keeps a view of `bytes` instead of copying 100 MB.
  module.FS.writeFile(path, bytes, { canOwn: true } as Parameters<typeof module.FS.writeFile>[2]);
  module.activate_throwing_error_handler();
  let file: H5.File | undefined;
  try {
    file = new lib.File(path, 'r');
    return read(file);
  } finally {
    try {
      file?.close();
    } finally {
      module.deactivate_throwing_error_handler();
      module.FS.unlink(path);
    }
  }
}
