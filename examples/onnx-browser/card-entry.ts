// What the page takes from cxrkit, bundled for the browser by build-card.mjs into cxrkit-card.js: the model
// card (read from the ONNX file's metadata) and the one function that turns a radiograph + patient facts +
// card into the model's inputs — the same code the service and the CLI run, no TensorFlow.js.
export { modelInputs, intendedUseWarnings, parseModelCard } from '@cxrkit/models/card';
// readOnnxCard reads the file's metadata_props (protobufjs, graph skipped) and validates the embedded card.
// From the tfjs-free entry: the @cxrkit/onnx root also exports the exporter, which needs TensorFlow.js.
export { readOnnxCard } from '@cxrkit/onnx/runtime';
