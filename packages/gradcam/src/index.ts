/**
 * @cxrkit/gradcam — Grad-CAM on branching and nested tfjs-layers models, multi-layer averaging,
 * colormap overlays, lung segmentation, rigid lung registration and the registered CAM atlas.
 * Data flows: tensor batch → model → Grad-CAM heat maps → overlays / atlas → PNG (core's `writePng`).
 */
export { gradCam, gradCamDetailed } from './grad-cam.js';
export type { GradCamOptions, GradCamResult, GradCamTarget, GradCamTargetLike, GradCamInputs } from './grad-cam.js';
export type { Heatmap } from './heatmap.js';
export { normalizeHeatmap, heatmapPeak } from './heatmap.js';
export { findLayer, listLayers } from './graph.js';
export type { LayerLocation } from './graph.js';
export { overlayHeatmap, colorizeHeatmap } from './overlay.js';
export type { OverlayOptions, OverlayImage } from './overlay.js';
export { colormapRgb, colormapTable, COLORMAP_NAMES } from './colormap.js';
export type { ColormapName } from './colormap.js';
export { segmentLungs, classicalLungSegmentation, modelLungSegmenter, dice } from './segment-lungs.js';
export type { LungMask, LungSegmenter, SegmentLungsOptions, ClassicalLungOptions, ModelSegmenterOptions } from './segment-lungs.js';
export { registerRigid, warpRigid, warpMask, applyRigid, invertRigid } from './register-rigid.js';
export type { RigidTransform, RegistrationResult, RegisterRigidOptions } from './register-rigid.js';
export { buildCamAtlas, selectCases, classifyOutcome, OUTCOMES } from './atlas.js';
export type { AtlasCase, CamAtlas, CamAtlasOptions, Outcome } from './atlas.js';
export { blockConvLayers, defaultCamLayers } from './cam-layers.js';
