// The receivers' own check of a received image against the card's intended use, applied only to results
// that do not say themselves whether they were screened. serve's intended-use gate (issue 14, item 1)
// sets `screened` and `reasons` on every result; once it does, this check no longer applies to any result.
import type { ModelCard } from '@cxrkit/models/card';
import type { SourceHeader } from './source-header.js';

const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
const str = (v: unknown): string | undefined => {
  const s = first(v);
  return typeof s === 'string' && s.trim() ? s.trim().toUpperCase() : undefined;
};

/**
 * Why `header` describes an image outside the card's intended use, from the header alone: a modality
 * other than the card's (CR/DX), a body part examined other than the card's (chest), a view other than
 * the card's or AP (AP is screened with the card's warning), colour or multi-frame pixels. Empty when
 * none applies. Absent attributes are not held against the image.
 */
export function interimGateReasons(header: SourceHeader, card: ModelCard): string[] {
  const { modalities, bodyParts, views } = card.intendedUse;
  const ds = header.dataset;
  const reasons: string[] = [];
  const modality = str(ds.Modality);
  if (!modality || !modalities.map((m) => m.toUpperCase()).includes(modality)) {
    reasons.push(`Modality ${modality ?? 'missing'}: the screen reads ${modalities.join(' or ')} radiographs only.`);
  }
  const bodyPart = str(ds.BodyPartExamined);
  if (bodyPart && !bodyParts.some((p) => bodyPart.includes(p.toUpperCase()))) {
    reasons.push(`Body part ${bodyPart}: the screen reads ${bodyParts.join(' or ').toLowerCase()} radiographs only.`);
  }
  const view = str(ds.ViewPosition);
  const allowed = [...views.map((v) => v.toUpperCase()), 'AP'];
  if (view && !allowed.includes(view)) {
    reasons.push(`View position ${view}: the screen reads ${views.join(' or ')} chest radiographs only.`);
  }
  const samples = Number(first(ds.SamplesPerPixel) ?? 1);
  if (samples !== 1) reasons.push(`A colour image (${samples} samples per pixel): a radiograph is grayscale.`);
  const frames = Number(first(ds.NumberOfFrames) ?? 1);
  if (frames > 1) reasons.push(`A multi-frame image (${frames} frames): the screen reads single radiographs.`);
  return reasons;
}
