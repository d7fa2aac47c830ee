// What the secondary capture shows: the Grad-CAM overlay when the result has one, else the radiograph as
// the reader sees it (bone bright, windowed to its 0.5–99.5th percentiles), with the result burned in
// below it — first the line "SCREENING AID, NOT A DIAGNOSIS".
import { percentileClipMinMax, readDicom } from '@cxrkit/core/tfjs-free';
import { grayToRgb, overlayToRgb, withTextBand, type RgbImage, type TextLine } from './rgb-image.js';
import type { ScreenedOutcome } from './screening-outcome.js';

/** The line every secondary capture carries first. */
export const SCREENING_AID_LINE = 'Screening aid, not a diagnosis';

/** Options of {@link scPicture}. */
export interface ScPictureOptions {
  /** Longer side of the picture above the text band, pixels. Default 1024. */
  side?: number;
  /** The model's name (shown with the card id). */
  modelName: string;
}

const YELLOW: [number, number, number] = [255, 220, 0];
const WHITE: [number, number, number] = [255, 255, 255];
const RED: [number, number, number] = [255, 96, 96];
const GREEN: [number, number, number] = [120, 230, 120];

/** The burned-in lines for a screened outcome (see the file comment). */
export function scLines(outcome: ScreenedOutcome, modelName: string): TextLine[] {
  const verdict = outcome.positive ? 'high risk: refer for DXA' : 'low risk: no DXA referral indicated';
  const lines: TextLine[] = [
    { text: SCREENING_AID_LINE, rgb: YELLOW },
    { text: `${outcome.condition} screen: ${verdict}`, rgb: outcome.positive ? RED : GREEN },
    { text: `score ${outcome.score.toFixed(3)} (threshold ${outcome.threshold.toFixed(3)})`, rgb: WHITE },
  ];
  for (const w of outcome.warnings ?? []) lines.push({ text: `warning: ${w}`, rgb: YELLOW });
  lines.push(
    outcome.gradcam
      ? { text: `Grad-CAM overlay: ${outcome.gradcam.layers.join(', ') || 'model layers'}`, rgb: WHITE }
      : { text: 'No Grad-CAM overlay (not computed by this engine): the radiograph alone', rgb: WHITE },
  );
  lines.push({ text: `cxrkit ${modelName}, model card ${outcome.cardId.slice(0, 19)}`, rgb: WHITE });
  return lines;
}

/**
 * The secondary capture's picture for a screened outcome about the radiograph `sourceBytes`.
 * @throws the reader's CxrkitError (`DICOM_*`) when there is no overlay and the source cannot be decoded.
 */
export async function scPicture(
  outcome: ScreenedOutcome,
  sourceBytes: Uint8Array,
  options: ScPictureOptions,
): Promise<RgbImage> {
  const side = options.side ?? 1024;
  let picture: RgbImage;
  if (outcome.gradcam) {
    picture = overlayToRgb(
      outcome.gradcam.overlay,
      Math.max(side / 2, Math.min(side, longer(outcome.gradcam.overlay))),
    );
  } else {
    const image = await readDicom(sourceBytes);
    const gray = percentileClipMinMax(image.grayscale(0));
    picture = grayToRgb(gray, Math.min(side, Math.max(gray.width, gray.height)));
  }
  return withTextBand(picture, scLines(outcome, options.modelName));
}

const longer = (im: { width: number; height: number }) => Math.max(im.width, im.height);
