#!/usr/bin/env node
// The `cxrkit-archive` executable: the application that picks the engines (onnxruntime-node; TensorFlow.js
// on its wasm backend, or the one CXRKIT_BACKEND names) and runs the archive commands. The `cxrkit`
// executable of @cxrkit/cli mounts the same commands with its own loaders.
import { runArchiveCli } from '@cxrkit/archive';

const kind = process.env.CXRKIT_BACKEND ?? 'wasm';
const backends: Record<string, () => Promise<unknown>> = {
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
};

process.exitCode = await runArchiveCli(process.argv.slice(2), {
  engines: {
    onnxruntime: () => import('onnxruntime-node'),
    // other kinds ('node', 'node-gpu') are imported by package name when installed
    tfjs: { kind, load: backends[kind] },
  },
});
