/**
 * @cxrkit/serve — the screening service of the thesis's Part 4: a clinic uploads a chest radiograph
 * DICOM and gets a screening result that recommends DXA for those at high risk. Runs on any cxrkit
 * predictor (tfjs or onnxruntime). Data flow: DICOM bytes → grayscale → preprocessing → predictor →
 * score vs threshold → result JSON.
 */
export { SCREENING_CARD_FILE, SCREENING_DEFAULTS, resolveScreeningConfig, readScreeningConfig, writeScreeningConfig } from './config.js';
export type { ScreeningConfig } from './config.js';
export type { ScreeningPredictor, ArrayBatch } from './predictor.js';
export { screenDicom, screenImage } from './screen.js';
export type { ScreeningResult, ScreeningOverrides } from './screen.js';
export { createScreeningHandler, startScreeningServer } from './http.js';
export type { ScreeningServiceOptions } from './http.js';
export { uploadPage } from './page.js';
