// The card's intended use applied to one study: the warnings a result outside it must carry.
import type { ModelCard } from './refine-card.js';

/** Study facts the intended use is checked against (a `DicomMeta` with the age actually used). */
export interface StudyFacts {
  /** Age in years (undefined = unknown). */
  age?: number;
  viewPosition?: string;
  modality?: string;
  bodyPart?: string;
}

/**
 * Plain-language warnings for a study outside the card's intended use: age unknown or below `minAge`, a
 * view position not in `views`, a modality not in `modalities`, a body part matching none of `bodyParts`.
 * Header fields that are absent are not warned about (many files lack them); an unknown age is.
 */
export function intendedUseWarnings(card: ModelCard, study: StudyFacts): string[] {
  const { minAge, views, modalities, bodyParts } = card.intendedUse;
  const warnings: string[] = [];
  const intended = `the screen is intended for adults aged ${minAge} or more.`;
  if (study.age === undefined) warnings.push(`Age unknown: ${intended}`);
  else if (study.age < minAge) warnings.push(`Patient aged ${Math.floor(study.age)}: ${intended}`);
  const upper = (list: string[]) => list.map((s) => s.toUpperCase());
  if (study.viewPosition && !upper(views).includes(study.viewPosition.toUpperCase())) {
    warnings.push(
      `View position ${study.viewPosition}: the model was trained on ${views.join(' or ')} chest radiographs.`,
    );
  }
  if (study.modality && !upper(modalities).includes(study.modality.toUpperCase())) {
    warnings.push(`Modality ${study.modality}: expected a ${modalities.join(' or ')} radiograph.`);
  }
  if (study.bodyPart && !upper(bodyParts).some((p) => study.bodyPart!.toUpperCase().includes(p))) {
    warnings.push(`Body part ${study.bodyPart}: expected a ${bodyParts.join(' or ').toLowerCase()} radiograph.`);
  }
  return warnings;
}
