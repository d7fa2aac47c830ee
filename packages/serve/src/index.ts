/**
 * @cxrkit/serve — the screening service of the thesis's Part 4: a clinic uploads a chest radiograph
 * DICOM and gets a screening result that recommends DXA for those at high risk. Runs on any cxrkit
 * predictor (tfjs or onnxruntime), described by its model card (@cxrkit/models/card). Loads no
 * TensorFlow.js. Data flow: DICOM bytes → grayscale → modelInputs(card) → predictor → score vs the card's
 * threshold → result JSON (with the card id).
 */
export {
  SCREENING_CARD_FILE,
  SCREENING_DEFAULTS,
  resolveScreeningConfig,
  readScreeningConfig,
  writeScreeningConfig,
  screeningConfigFromCard,
} from './config.js';
export type { ScreeningConfig } from './config.js';
export type { ScreeningPredictor, ArrayBatch } from './predictor.js';
export { servedCard } from './served-card.js';
export type { CardSource } from './served-card.js';
export { screenDicom, screenImage, screenDicomWithCard, screenWithCard } from './screen.js';
export type { ScreeningResult, ScreeningOverrides, ScreenOptions } from './screen.js';
export { createScreeningHandler, startScreeningServer, parseOverrides } from './http.js';
export type { ScreeningServiceOptions, ServiceRoute } from './http.js';
export { uploadPage } from './page.js';
