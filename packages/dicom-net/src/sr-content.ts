// The content tree of the screening report, TID 1500 "Measurement Report" (PS3.16), built from dcmjs's SR
// value types:
//   CONTAINER Imaging Measurement Report (TID 1500)
//   ├ HAS CONCEPT MOD Language = English (TID 1204)
//   ├ HAS OBS CONTEXT Observer Type = Device, Device Observer UID / Name / Manufacturer / Model (TID 1001, 1004)
//   ├ HAS CONCEPT MOD Procedure reported = Plain chest X-ray
//   ├ CONTAINS Image Library > Image Library Group > IMAGE the source radiograph (TID 1600, 1601)
//   └ CONTAINS Imaging Measurements > Measurement Group (TID 1501)
//       ├ HAS OBS CONTEXT Tracking Identifier, Tracking Unique Identifier (TID 4108)
//       ├ HAS CONCEPT MOD Algorithm Name / Version / Parameters (TID 4019)
//       ├ screened: Finding = the condition; NUM Screening score, NUM Decision threshold (unit "1");
//       │   CODE Refer for DXA = Yes/No; TEXT Recommendation; TEXT Screening warning (each)
//       ├ not screened: CODE Screening performed = No; TEXT Reason not screened (each)
//       └ TEXT Model card identifier; TEXT Disclaimer
import dcmjs, { type CodedConcept, type ContentItem } from 'dcmjs';
import { codes } from './codes.js';
import { isScreened, type ScreeningOutcome } from './screening-outcome.js';

const V = dcmjs.sr.valueTypes;
const R = V.RelationshipTypes;

/** The algorithm and device the report names as its observer. */
export interface ReportAlgorithm {
  /** Algorithm Name (TID 4019), e.g. the model card's name. */
  name: string;
  /** Algorithm Version (TID 4019), e.g. 'cxrkit 0.1.0'. */
  version: string;
  /** Algorithm Parameters (TID 4019), one text each (the card id, the threshold rule, …). */
  parameters: string[];
  /** Device Observer UID (a stable UID for this algorithm). */
  deviceUid: string;
  /** Device Observer Name, Manufacturer and Model Name. */
  deviceName: string;
  manufacturer: string;
  modelName: string;
}

/** The source radiograph the report is about. */
export interface ReportSource {
  sopClassUid: string;
  sopInstanceUid: string;
}

const text = (name: CodedConcept, value: string, relationshipType = R.CONTAINS): ContentItem =>
  new V.TextContentItem({ name, value, relationshipType });
const coded = (name: CodedConcept, value: CodedConcept, relationshipType = R.CONTAINS): ContentItem =>
  new V.CodeContentItem({ name, value, relationshipType });
const uidRef = (name: CodedConcept, value: string, relationshipType = R.HAS_OBS_CONTEXT): ContentItem =>
  new V.UIDRefContentItem({ name, value, relationshipType });

function container(name: CodedConcept, children: ContentItem[], relationshipType?: string): ContentItem {
  const item = new V.ContainerContentItem({ name, relationshipType });
  item.ContentSequence = children;
  return item;
}

/**
 * A NUM content item. dcmjs writes the value as Numeric Value (DS, at most 16 characters) and, when it is
 * not an integer, as Floating Point Value (FD); the DS here is rounded to fit, the FD keeps every digit.
 */
function num(name: CodedConcept, value: number): ContentItem {
  const item = new V.NumContentItem({ name, value, unit: codes.noUnits(), relationshipType: R.CONTAINS });
  const measured = (item.MeasuredValueSequence as Record<string, unknown>[])[0]!;
  measured.NumericValue = dsString(value);
  if (!Number.isInteger(value)) measured.FloatingPointValue = value;
  return item;
}

/** A number as a DS value (≤ 16 characters), as precise as fits. */
export function dsString(value: number): string {
  for (let digits = 15; digits >= 1; digits--) {
    const s = String(Number(value.toPrecision(digits)));
    if (s.length <= 16) return s;
  }
  return value.toExponential(6);
}

/** The condition as a code: SNOMED CT for osteoporosis, cxrkit's own scheme otherwise. */
function conditionCode(condition: string): CodedConcept {
  return condition.trim().toLowerCase() === 'osteoporosis' ? codes.osteoporosis() : codes.condition(condition);
}

/**
 * The root CONTAINER of a TID 1500 screening report for one radiograph (its Content Sequence holds the
 * tree drawn at the top of this file). `trackingUid` identifies the measurement group across documents.
 */
export function reportContent(
  outcome: ScreeningOutcome,
  source: ReportSource,
  algorithm: ReportAlgorithm,
  trackingUid: string,
): ContentItem {
  const observer = [
    coded(codes.observerType(), codes.device(), R.HAS_OBS_CONTEXT),
    uidRef(codes.deviceObserverUid(), algorithm.deviceUid),
    text(codes.deviceObserverName(), algorithm.deviceName, R.HAS_OBS_CONTEXT),
    text(codes.deviceObserverManufacturer(), algorithm.manufacturer, R.HAS_OBS_CONTEXT),
    text(codes.deviceObserverModelName(), algorithm.modelName, R.HAS_OBS_CONTEXT),
  ];
  const image = new V.ImageContentItem({
    name: codes.source(),
    relationshipType: R.CONTAINS,
    referencedSOPClassUID: source.sopClassUid,
    referencedSOPInstanceUID: source.sopInstanceUid,
  });
  const library = container(
    codes.imageLibrary(),
    [container(codes.imageLibraryGroup(), [image], R.CONTAINS)],
    R.CONTAINS,
  );

  const group: ContentItem[] = [
    text(codes.trackingIdentifier(), `${outcome.condition} screen`, R.HAS_OBS_CONTEXT),
    uidRef(codes.trackingUniqueIdentifier(), trackingUid),
  ];
  if (isScreened(outcome)) group.push(coded(codes.finding(), conditionCode(outcome.condition)));
  group.push(
    text(codes.algorithmName(), algorithm.name, R.HAS_CONCEPT_MOD),
    text(codes.algorithmVersion(), algorithm.version, R.HAS_CONCEPT_MOD),
    ...algorithm.parameters.map((p) => text(codes.algorithmParameters(), p, R.HAS_CONCEPT_MOD)),
  );
  if (isScreened(outcome)) {
    group.push(
      num(codes.screeningScore(), outcome.score),
      num(codes.decisionThreshold(), outcome.threshold),
      coded(codes.referForDxa(), outcome.positive ? codes.yes() : codes.no()),
    );
    if (outcome.recommendation) group.push(text(codes.recommendation(), outcome.recommendation));
    for (const w of outcome.warnings ?? []) group.push(text(codes.screeningWarning(), w));
  } else {
    group.push(coded(codes.screeningPerformed(), codes.no()));
    const reasons = outcome.reasons?.length ? outcome.reasons : ['No reason was given.'];
    for (const r of reasons) group.push(text(codes.reasonNotScreened(), r));
  }
  group.push(text(codes.modelCardId(), outcome.cardId));
  if (outcome.disclaimer) group.push(text(codes.disclaimer(), outcome.disclaimer));

  const root = new V.ContainerContentItem({ name: codes.imagingMeasurementReport(), templateID: '1500' });
  root.ContentSequence = [
    coded(codes.languageOfContent(), codes.english(), R.HAS_CONCEPT_MOD),
    ...observer,
    coded(codes.procedureReported(), codes.plainChestXray(), R.HAS_CONCEPT_MOD),
    library,
    container(codes.imagingMeasurements(), [container(codes.measurementGroup(), group, R.CONTAINS)], R.CONTAINS),
  ];
  return root;
}
