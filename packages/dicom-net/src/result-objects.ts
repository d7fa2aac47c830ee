// One screening outcome + its source radiograph → the DICOM objects that carry it into the study: a
// TID 1500 SR always (the result, or "not screened" with the reasons) and, for a screened image, a
// secondary capture. Independent of HTTP and DIMSE.
import type { ModelCard } from '@cxrkit/models/card';
import { buildSc } from './build-sc.js';
import { buildSr, type ResultObject, type ResultSeries } from './build-sr.js';
import { scPicture } from './sc-picture.js';
import { isScreened, type ScreeningOutcome } from './screening-outcome.js';
import { readSourceHeader, type SourceHeader } from './source-header.js';
import type { ReportAlgorithm } from './sr-content.js';
import { newUid, uidFromText } from './uid.js';

/** Series numbers of cxrkit's result series (high, so viewers list them after the acquisition). */
export const SR_SERIES_NUMBER = 9901;
/** See {@link SR_SERIES_NUMBER}. */
export const SC_SERIES_NUMBER = 9902;

/** Options of {@link buildResultObjects}. */
export interface ResultObjectsOptions {
  /** The model card the outcome was made with (its name, version, id and threshold rule are reported). */
  card: ModelCard;
  /** The source's header when already read (else it is read from the bytes). */
  header?: SourceHeader;
  /** Manufacturer written in General Equipment and as the device observer. Default 'cxrkit'. */
  manufacturer?: string;
  /** Creation time. Default now. */
  now?: Date;
  /** Longer side of the secondary capture's picture, pixels. Default 1024. */
  scSide?: number;
}

export type { ResultObject };

/** The objects for one source image; `sc` only when it was screened. */
export interface ResultObjects {
  studyInstanceUid: string;
  /** The source image's SOP Instance UID (both objects reference it). */
  sourceSopInstanceUid: string;
  screened: boolean;
  sr: ResultObject;
  sc?: ResultObject;
}

/** The algorithm identification (TID 4019) and device observer (TID 1004) for a card. */
export function reportAlgorithm(card: ModelCard, outcome: ScreeningOutcome, manufacturer = 'cxrkit'): ReportAlgorithm {
  const parameters = [`model card ${card.id}`];
  if (card.threshold) parameters.push(`threshold ${card.threshold.value} (${card.threshold.rule.method})`);
  if (outcome.engine) parameters.push(`engine ${outcome.engine}`);
  return {
    name: card.name,
    version: `cxrkit ${card.cxrkitVersion}`,
    parameters,
    // the same algorithm (card) is the same device observer in every report
    deviceUid: uidFromText(`cxrkit device observer ${card.id}`),
    deviceName: `cxrkit ${card.name}`,
    manufacturer,
    modelName: card.name,
  };
}

/**
 * The SR (and, when screened, the SC) for `outcome` about the Part-10 radiograph `source`: each in a new
 * series of the source's study, with its Patient and Study modules, referencing the source instance.
 * @throws CxrkitError `DICOMNET_*` when the source header cannot be read (see readSourceHeader), and the
 *   reader's `DICOM_*` when an SC is due but the radiograph cannot be decoded and there is no overlay.
 */
export async function buildResultObjects(
  outcome: ScreeningOutcome,
  source: Uint8Array,
  options: ResultObjectsOptions,
): Promise<ResultObjects> {
  const header = options.header ?? readSourceHeader(source);
  const manufacturer = options.manufacturer ?? 'cxrkit';
  const now = options.now ?? new Date();
  const series = (number: number, description: string): ResultSeries => ({
    seriesInstanceUid: newUid(),
    seriesNumber: number,
    seriesDescription: description,
    now,
    manufacturer,
    modelName: options.card.name,
    softwareVersion: options.card.cxrkitVersion,
  });
  const screened = isScreened(outcome);
  const srSeries = series(SR_SERIES_NUMBER, `cxrkit ${outcome.condition} screening report`);
  const result: ResultObjects = {
    studyInstanceUid: header.studyInstanceUid,
    sourceSopInstanceUid: header.sopInstanceUid,
    screened,
    sr: buildSr(outcome, header, reportAlgorithm(options.card, outcome, manufacturer), srSeries),
  };
  if (isScreened(outcome)) {
    const picture = await scPicture(outcome, source, { modelName: options.card.name, side: options.scSide });
    const scSeries = series(SC_SERIES_NUMBER, `cxrkit ${outcome.condition} screening result (screening aid)`);
    const description = outcome.gradcam
      ? `cxrkit ${outcome.condition} screen: Grad-CAM overlay and result, screening aid`
      : `cxrkit ${outcome.condition} screen: radiograph and result, screening aid`;
    result.sc = buildSc(picture, header, scSeries, description);
  }
  return result;
}
