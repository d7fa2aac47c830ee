/**
 * `@cxrkit/gradcam/tfjs-free` — the parts of @cxrkit/gradcam that work on plain typed arrays and load no
 * `@tensorflow/*` package: heat-map helpers, colormaps and overlays (for a Grad-CAM computed elsewhere),
 * the classical lung segmentation and the lung-field check. For services on onnxruntime, browsers and
 * workers. The package root re-exports all of it plus Grad-CAM itself (which needs TensorFlow.js).
 */
export type { Heatmap } from './heatmap.js';
export { normalizeHeatmap, heatmapPeak } from './heatmap.js';
export { overlayHeatmap, colorizeHeatmap } from './overlay.js';
export type { OverlayOptions, OverlayImage } from './overlay.js';
export { colormapRgb, colormapTable, COLORMAP_NAMES } from './colormap.js';
export type { ColormapName } from './colormap.js';
export { classicalLungSegmentation } from './classical-lungs.js';
export type { LungMask, LungSegmenter, ClassicalLungOptions } from './classical-lungs.js';
export { checkLungFields, LUNG_FIELD_LIMITS } from './lung-fields.js';
export type { LungFieldsCheck, LungFieldMeasure } from './lung-fields.js';
