// The screening report as a Comprehensive SR document (PS3.3 A.35.3) in the source radiograph's study: its
// own series, the Patient and Study modules copied from the source, the source listed as evidence, and the
// TID 1500 content tree of sr-content.ts.
import type { NaturalDataset } from 'dcmjs';
import { CXRKIT_SCHEME_IDENTIFICATION } from './codes.js';
import { writePart10 } from './part10.js';
import type { ScreeningOutcome } from './screening-outcome.js';
import type { SourceHeader } from './source-header.js';
import { reportContent, type ReportAlgorithm } from './sr-content.js';
import { studyModules } from './study-modules.js';
import { newUid } from './uid.js';

/** SOP Class UID of Comprehensive SR Storage. */
export const COMPREHENSIVE_SR_STORAGE = '1.2.840.10008.5.1.4.1.1.88.33';

/** Series and instance facts a result object is written with. */
export interface ResultSeries {
  /** Series Instance UID (new for every result series). */
  seriesInstanceUid: string;
  seriesNumber: number;
  seriesDescription: string;
  /** Creation time (Content/Series/Instance Creation Date and Time). */
  now: Date;
  /** General Equipment: Manufacturer, Manufacturer's Model Name, Software Versions. */
  manufacturer: string;
  modelName: string;
  softwareVersion: string;
}

/** DA and TM values of a time (local clock, as DICOM dates and times are). */
export function dicomDateTime(now: Date): { date: string; time: string } {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return {
    date: `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}`,
    time: `${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`,
  };
}

/** The SR document for `outcome` about `source`, as a natural data set (see writePart10). */
export function srDataset(
  outcome: ScreeningOutcome,
  source: SourceHeader,
  algorithm: ReportAlgorithm,
  series: ResultSeries,
): NaturalDataset {
  const { date, time } = dicomDateTime(series.now);
  const sopInstanceUid = newUid();
  const root = reportContent(outcome, source, algorithm, newUid());
  const study = studyModules(source.dataset);
  return {
    ...study,
    // SOP Common
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: COMPREHENSIVE_SR_STORAGE,
    SOPInstanceUID: sopInstanceUid,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    CodingSchemeIdentificationSequence: [CXRKIT_SCHEME_IDENTIFICATION],
    // SR Document Series
    Modality: 'SR',
    SeriesInstanceUID: series.seriesInstanceUid,
    SeriesNumber: series.seriesNumber,
    SeriesDate: date,
    SeriesTime: time,
    SeriesDescription: series.seriesDescription,
    // General Equipment
    Manufacturer: series.manufacturer,
    ManufacturerModelName: series.modelName,
    SoftwareVersions: series.softwareVersion,
    // SR Document General
    InstanceNumber: 1,
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    ContentDate: date,
    ContentTime: time,
    ReferencedPerformedProcedureStepSequence: [],
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: [
      {
        StudyInstanceUID: source.studyInstanceUid,
        ReferencedSeriesSequence: [
          {
            SeriesInstanceUID: source.seriesInstanceUid,
            ReferencedSOPSequence: [
              { ReferencedSOPClassUID: source.sopClassUid, ReferencedSOPInstanceUID: source.sopInstanceUid },
            ],
          },
        ],
      },
    ],
    // SR Document Content (the root content item's attributes sit at the top level of the data set)
    ...root,
  };
}

/** One DICOM object made for a result: the Part-10 file and its identity. */
export interface ResultObject {
  bytes: Uint8Array;
  sopClassUid: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
}

/** A natural data set written as a Part-10 file, with its identity. */
export function resultObject(dataset: NaturalDataset): ResultObject {
  return {
    bytes: writePart10(dataset),
    sopClassUid: dataset.SOPClassUID as string,
    sopInstanceUid: dataset.SOPInstanceUID as string,
    seriesInstanceUid: dataset.SeriesInstanceUID as string,
  };
}

/** {@link srDataset} written as a Part-10 file. */
export function buildSr(
  outcome: ScreeningOutcome,
  source: SourceHeader,
  algorithm: ReportAlgorithm,
  series: ResultSeries,
): ResultObject {
  return resultObject(srDataset(outcome, source, algorithm, series));
}
