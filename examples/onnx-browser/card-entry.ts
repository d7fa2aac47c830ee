// What the page takes from cxrkit, bundled for the browser by build-card.mjs into cxrkit-card.js: the model
// card (read from the ONNX file's metadata), the one function that turns a radiograph + patient facts + card
// into the model's inputs, core's DICOM reader and the service's intended-use gate with its lung-field check —
// the same code the service and the CLI run, no TensorFlow.js.
export { modelInputs, intendedUseWarnings, parseModelCard } from '@cxrkit/models/card';
// readOnnxCard reads the file's metadata_props (protobufjs, graph skipped) and validates the embedded card.
// From the tfjs-free entry: the @cxrkit/onnx root also exports the exporter, which needs TensorFlow.js.
export { readOnnxCard } from '@cxrkit/onnx/runtime';
// DICOM: uncompressed, RLE, deflate and JPEG lossless decode in the page; the WASM codecs (JPEG baseline,
// JPEG-LS, JPEG 2000, HTJ2K) are not bundled — such files raise DICOM_CODEC_NOT_INSTALLED (see README).
export { readDicom } from '@cxrkit/core/tfjs-free';
export { checkLungFields } from '@cxrkit/gradcam/tfjs-free';
// the gate's own file: the @cxrkit/serve root also exports the HTTP server (Node only)
export { intendedUseGate } from '../../packages/serve/src/gate/intended-use-gate.js';
// the service's own preparation of an upload (reader limits, gate, lung fields, modelInputs, preview)
export { prepareDicom } from '../../packages/serve/src/prepare/prepare-dicom.js';
