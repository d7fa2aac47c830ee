// The intended-use gate: decides, before any score exists, whether an image is one the model was made for
// (thesis Part 4 and the card's intendedUse: a single grayscale CR/DX chest radiograph, PA, of an adult at
// or above the card's minimum age). Outside it the answer is "not screened" with the reasons, in words a
// clinician understands; inside it, what is unusual is warned about. Pure function of header facts and the
// lung-field check, so the service, the CLI and a browser can share it.
import { intendedUseWarnings, type ModelCard } from '@cxrkit/models/card';

/** What the gate looks at: header facts of the image and, when run, the lung-field check. */
export interface ImageFacts {
  /** Modality (0008,0060). */
  modality?: string;
  /** Body Part Examined (0018,0015). */
  bodyPart?: string;
  /** View Position (0018,5101). */
  viewPosition?: string;
  /** Age in years the screen would use (the upload's override, else the header's); undefined = unknown. */
  age?: number;
  frames: number;
  samplesPerPixel: number;
  /** Photometric interpretation (MONOCHROME1/2 for a radiograph). */
  photometric: string;
  rows: number;
  columns: number;
  /** Two lung fields found in the image (`checkLungFields`); undefined when the check was not run. */
  lungFields?: { found: boolean };
}

/** The gate's verdict. */
export interface GateVerdict {
  /** True when the image may be screened. */
  screened: boolean;
  /** Why not (empty when screened). */
  reasons: string[];
  /** What is unusual in an image that is screened (empty when not screened). */
  warnings: string[];
}

/** Image sizes the gate accepts, in pixels. */
export const PLAUSIBLE_RADIOGRAPH = {
  /** Shorter side below this: not a diagnostic chest radiograph (not screened). */
  minSide: 256,
  /** Shorter side below this: screened, with a low-resolution warning. */
  lowResolutionSide: 512,
  /** Longer side / shorter side above this: not a chest film's shape (not screened). */
  maxAspect: 2,
};

const MODALITY_WORDS: Record<string, string> = {
  CT: 'a CT image',
  MR: 'an MR image',
  US: 'an ultrasound image',
  NM: 'a nuclear medicine image',
  PT: 'a PET image',
  MG: 'a mammogram',
  XA: 'an angiography image',
  RF: 'a fluoroscopy image',
  IO: 'an intra-oral dental image',
  PX: 'a panoramic dental image',
  OT: 'an image of another kind (Modality OT)',
  SC: 'a secondary capture (a screenshot or scanned image)',
  SEG: 'a segmentation',
};
const LATERAL = /^(LL|RL|LAT|LATERAL|LLD|RLD)$/i;

const list = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;

/**
 * The gate for `card` and one image's `facts`.
 * Not screened: a modality that is not one of the card's (CR, DX) or none recorded; several frames; colour;
 * a body part that is not the card's (CHEST) — or, when the file records none, no two lung fields found in
 * the image; a shorter side under 256 px or a long, thin image (aspect over 2); a lateral or other view that
 * is neither the card's (PA) nor AP; an age below the card's minimum.
 * Warned: an AP view (when the card lists only PA), an unknown age, a low resolution (shorter side under
 * 512 px), and a header that says chest where no lung fields were found.
 */
export function intendedUseGate(card: ModelCard, facts: ImageFacts): GateVerdict {
  const use = card.intendedUse;
  const upper = (items: string[]) => items.map((s) => s.toUpperCase());
  const reasons: string[] = [];
  const warnings: string[] = [];
  const expected = `the screen reads ${list(use.modalities)} chest radiographs`;

  const modality = facts.modality?.trim();
  if (!modality) {
    reasons.push(`The file does not record what kind of image it is (no Modality): ${expected}.`);
  } else if (!upper(use.modalities).includes(modality.toUpperCase())) {
    const words = MODALITY_WORDS[modality.toUpperCase()] ?? `an image of modality ${modality}`;
    reasons.push(`This is ${words}, not a ${list(use.modalities)} radiograph: ${expected}.`);
  }
  if (facts.frames > 1) {
    reasons.push(`The file holds ${facts.frames} images (a series or a clip): the screen reads one radiograph.`);
  }
  const gray = facts.samplesPerPixel === 1 && /^MONOCHROME[12]$/.test(facts.photometric);
  if (!gray) {
    reasons.push(
      `The image is in colour (${facts.photometric.toLowerCase()}): chest radiographs are grayscale images.`,
    );
  }

  const bodyPart = facts.bodyPart?.trim();
  const chestByHeader = bodyPart ? upper(use.bodyParts).some((p) => bodyPart.toUpperCase().includes(p)) : undefined;
  if (chestByHeader === false) {
    reasons.push(
      `The file is of the ${bodyPart!.toLowerCase()} (Body Part Examined), not the ${list(use.bodyParts).toLowerCase()}.`,
    );
  } else if (chestByHeader === undefined && facts.lungFields && !facts.lungFields.found) {
    reasons.push(
      'The file does not record the body part, and the two lung fields of a chest radiograph were not found ' +
        'in the image: it does not look like a chest radiograph.',
    );
  } else if (chestByHeader === true && facts.lungFields && !facts.lungFields.found) {
    warnings.push(
      'The file says chest, but the two lung fields were not clearly found in the image: check that this is a ' +
        'PA chest radiograph (large effusions or collapse can also cause this).',
    );
  }

  const short = Math.min(facts.rows, facts.columns);
  const long = Math.max(facts.rows, facts.columns);
  const size = `${facts.columns} × ${facts.rows} pixels`;
  if (short < PLAUSIBLE_RADIOGRAPH.minSide) {
    reasons.push(`The image is only ${size}: too small to be a diagnostic chest radiograph.`);
  } else if (long / short > PLAUSIBLE_RADIOGRAPH.maxAspect) {
    reasons.push(`The image is ${size}: too long and narrow for a chest radiograph.`);
  } else if (short < PLAUSIBLE_RADIOGRAPH.lowResolutionSide) {
    warnings.push(`Low resolution (${size}): chest radiographs are usually 2,000 pixels or more across.`);
  }

  const view = facts.viewPosition?.trim();
  const viewListed = view ? upper(use.views).includes(view.toUpperCase()) : true;
  if (view && !viewListed && view.toUpperCase() !== 'AP') {
    const what = LATERAL.test(view) ? `a lateral view (${view})` : `a ${view} view`;
    reasons.push(`This is ${what}: the screen reads ${list(use.views)} chest radiographs.`);
  }

  if (facts.age !== undefined && facts.age < use.minAge) {
    reasons.push(
      `The patient is ${Math.floor(facts.age)} years old: the screen is intended for adults aged ${use.minAge} or more.`,
    );
  }

  if (reasons.length > 0) return { screened: false, reasons, warnings: [] };
  // inside the intended use: the card's own warnings (an unknown age, an AP view), then the gate's
  const cardWarnings = intendedUseWarnings(card, { age: facts.age, viewPosition: view });
  return { screened: true, reasons: [], warnings: [...cardWarnings, ...warnings] };
}
