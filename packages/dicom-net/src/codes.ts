// The coded concepts of cxrkit's screening report: standard codes (DCM, SCT, UCUM) where DICOM has one,
// and cxrkit's private coding scheme 99CXRKIT (declared in each report) for what it has not.
import dcmjs, { type CodedConcept } from 'dcmjs';

const code = (value: string, schemeDesignator: string, meaning: string): CodedConcept =>
  new dcmjs.sr.coding.CodedConcept({ value, schemeDesignator, meaning });

/** cxrkit's private coding scheme designator ("99" prefix: private, PS3.16 section 8.2). */
export const CXRKIT_SCHEME = '99CXRKIT';

/** The Coding Scheme Identification Sequence item that declares {@link CXRKIT_SCHEME}. */
export const CXRKIT_SCHEME_IDENTIFICATION = {
  CodingSchemeDesignator: CXRKIT_SCHEME,
  CodingSchemeName: 'cxrkit opportunistic screening on chest radiographs',
  CodingSchemeResponsibleOrganization: 'cxrkit',
};

/** Codes by role; each a fresh dcmjs CodedConcept (content items hold their own copies). */
export const codes = {
  // TID 1500 Measurement Report and its document title
  imagingMeasurementReport: () => code('126000', 'DCM', 'Imaging Measurement Report'),
  languageOfContent: () => code('121049', 'DCM', 'Language of Content Item and Descendants'),
  english: () => code('en', 'RFC5646', 'English'),
  // TID 1001 / 1004 observation context: the observer is a device (the algorithm)
  observerType: () => code('121005', 'DCM', 'Observer Type'),
  device: () => code('121007', 'DCM', 'Device'),
  deviceObserverUid: () => code('121012', 'DCM', 'Device Observer UID'),
  deviceObserverName: () => code('121013', 'DCM', 'Device Observer Name'),
  deviceObserverManufacturer: () => code('121014', 'DCM', 'Device Observer Manufacturer'),
  deviceObserverModelName: () => code('121015', 'DCM', 'Device Observer Model Name'),
  procedureReported: () => code('121058', 'DCM', 'Procedure reported'),
  plainChestXray: () => code('399208008', 'SCT', 'Plain chest X-ray'),
  // TID 1600 Image Library
  imageLibrary: () => code('111028', 'DCM', 'Image Library'),
  imageLibraryGroup: () => code('126200', 'DCM', 'Image Library Group'),
  source: () => code('260753009', 'SCT', 'Source'),
  // TID 1501 Measurement and Qualitative Evaluation Group, TID 4108 tracking, TID 4019 algorithm
  imagingMeasurements: () => code('126010', 'DCM', 'Imaging Measurements'),
  measurementGroup: () => code('125007', 'DCM', 'Measurement Group'),
  trackingIdentifier: () => code('112039', 'DCM', 'Tracking Identifier'),
  trackingUniqueIdentifier: () => code('112040', 'DCM', 'Tracking Unique Identifier'),
  finding: () => code('121071', 'DCM', 'Finding'),
  osteoporosis: () => code('64859006', 'SCT', 'Osteoporosis'),
  algorithmName: () => code('111001', 'DCM', 'Algorithm Name'),
  algorithmVersion: () => code('111003', 'DCM', 'Algorithm Version'),
  algorithmParameters: () => code('111002', 'DCM', 'Algorithm Parameters'),
  noUnits: () => code('1', 'UCUM', 'no units'),
  yes: () => code('373066001', 'SCT', 'Yes'),
  no: () => code('373067005', 'SCT', 'No'),
  // cxrkit's own concepts
  screeningScore: () => code('SCORE', CXRKIT_SCHEME, 'Screening score'),
  decisionThreshold: () => code('THRESHOLD', CXRKIT_SCHEME, 'Screening decision threshold'),
  referForDxa: () => code('REFER_DXA', CXRKIT_SCHEME, 'Refer for DXA'),
  recommendation: () => code('RECOMMENDATION', CXRKIT_SCHEME, 'Recommendation'),
  screeningWarning: () => code('WARNING', CXRKIT_SCHEME, 'Screening warning'),
  screeningPerformed: () => code('SCREENED', CXRKIT_SCHEME, 'Screening performed'),
  reasonNotScreened: () => code('NOT_SCREENED_WHY', CXRKIT_SCHEME, 'Reason not screened'),
  disclaimer: () => code('DISCLAIMER', CXRKIT_SCHEME, 'Disclaimer'),
  modelCardId: () => code('MODEL_CARD_ID', CXRKIT_SCHEME, 'Model card identifier'),
  /** A condition without a standard code here: its name, upper-cased, as the code value (≤ 16 characters). */
  condition: (name: string) =>
    code(
      name
        .toUpperCase()
        .replace(/[^A-Z0-9]+/g, '_')
        .slice(0, 16) || 'CONDITION',
      CXRKIT_SCHEME,
      name.slice(0, 64),
    ),
};
