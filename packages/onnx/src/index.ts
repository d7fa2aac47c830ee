// @cxrkit/onnx — public entry point (filled in by its issue).
export {};
