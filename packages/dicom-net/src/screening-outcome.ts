// What the DICOM result objects are made from: a screening result (serve's ScreeningResult, with the
// intended-use gate's `screened`/`reasons` and the Grad-CAM overlay when those are present), or a
// "not screened" outcome with its reasons.
import type { RgbaImage } from '@cxrkit/core/tfjs-free';
import type { ScreeningResult } from '@cxrkit/serve';

/** 8-bit RGBA (or RGB) pixels, row-major (`data.length === channels · width · height`), e.g. a Grad-CAM overlay. */
export interface RgbaOverlay {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** 4 (RGBA, the default) or 3 (RGB). */
  channels?: 3 | 4;
}

/**
 * The fields of a screening outcome the SR and SC are built from. A serve `ScreeningResult` is one;
 * `screened: false` with `reasons` is a study outside the intended use (or one that could not be read),
 * which carries no score and no recommendation.
 */
export interface ScreeningOutcome {
  /** False when the study was not screened; absent or true when it was. */
  screened?: boolean;
  /** Why the study was not screened (plain language), when `screened` is false. */
  reasons?: string[];
  /** What a positive screen means, e.g. 'osteoporosis'. */
  condition: string;
  score?: number;
  threshold?: number;
  positive?: boolean;
  recommendation?: string;
  warnings?: string[];
  /** Content id of the model card (`sha256:…`). */
  cardId: string;
  engine?: string;
  disclaimer?: string;
  /** The Grad-CAM overlay on the radiograph and the layers it averages. */
  gradcam?: { overlay: RgbaOverlay; layers: string[] };
}

/** A screened outcome: the score, threshold and finding are all there. */
export type ScreenedOutcome = ScreeningOutcome & { score: number; threshold: number; positive: boolean };

/** Whether `outcome` is a screen with a score (not a "not screened"). */
export function isScreened(outcome: ScreeningOutcome): outcome is ScreenedOutcome {
  return (
    outcome.screened !== false &&
    typeof outcome.score === 'number' &&
    typeof outcome.threshold === 'number' &&
    typeof outcome.positive === 'boolean'
  );
}

/** The "not screened" outcome for `reasons` (for a result the service could not produce, e.g. a read error). */
export function notScreened(
  reasons: string[],
  context: { condition: string; cardId: string; engine?: string; disclaimer?: string },
): ScreeningOutcome {
  return { screened: false, reasons, ...context };
}

// A serve result is an outcome, and core's RgbaImage an overlay (checked by the compiler here, so a change
// to either type shows up).
const _serveResultIsAnOutcome = (r: ScreeningResult): ScreeningOutcome => r;
const _coreImageIsAnOverlay = (i: RgbaImage): RgbaOverlay => i;
void _serveResultIsAnOutcome;
void _coreImageIsAnOverlay;
