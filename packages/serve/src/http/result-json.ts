// The screening result as JSON: the Grad-CAM overlay as a base64 PNG (not raw pixels), and the preview of
// the radiograph when the request asked for it.
import { encodePng, type GrayImage } from '@cxrkit/core/tfjs-free';
import type { ScreeningResult } from '../result.js';

const base64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** The JSON body for `result`: `gradcam: { layers, png }`; `image: { png, width, height }` with a preview. */
export function resultJson(result: ScreeningResult, preview?: GrayImage): Record<string, unknown> {
  const { ...body } = result as ScreeningResult & Record<string, unknown>;
  if (result.screened && result.gradcam) {
    const { overlay, layers } = result.gradcam;
    const png = result.gradcam.png ?? base64(encodePng(overlay));
    result.gradcam.png = png;
    body['gradcam'] = { layers, png, width: overlay.width, height: overlay.height };
  }
  if (preview) body['image'] = { png: base64(encodePng(preview)), width: preview.width, height: preview.height };
  return body;
}
