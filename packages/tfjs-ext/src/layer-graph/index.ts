// The one layer-graph walker of cxrkit, shared by Grad-CAM, the ONNX exporter and the trainer.
export type { GraphLayer, GraphModel, GraphNode, SymbolicRef, LayerLocation } from './types.js';
export { isContainer, graphOf } from './containers.js';
export { listLayers, allLayers } from './list-layers.js';
export { walkGraph } from './walk-graph.js';
export type { LayerCallFn } from './walk-graph.js';
export { inputNames, inputShapes, outputNames, outputLayer, layerFeedsOutput } from './graph-io.js';
