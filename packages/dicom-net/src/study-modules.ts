// The Patient and Study information entities a derived object shares with its source image: the Patient,
// Clinical Trial Subject, General Study, Patient Study and Clinical Trial Study modules (PS3.3 C.7.1.1,
// C.7.1.3, C.7.2.1, C.7.2.2, C.7.2.3), copied attribute by attribute from the source's header.
import type { NaturalDataset } from 'dcmjs';

/** Attributes of the modules above (retired ones left out), by keyword. */
export const STUDY_MODULE_KEYWORDS: readonly string[] = [
  // Patient (C.7.1.1)
  'PatientName',
  'PatientID',
  'IssuerOfPatientID',
  'IssuerOfPatientIDQualifiersSequence',
  'TypeOfPatientID',
  'PatientBirthDate',
  'PatientBirthTime',
  'PatientBirthDateInAlternativeCalendar',
  'PatientDeathDateInAlternativeCalendar',
  'PatientAlternativeCalendar',
  'PatientSex',
  'QualityControlSubject',
  'ReferencedPatientSequence',
  'ReferencedPatientPhotoSequence',
  'OtherPatientIDsSequence',
  'OtherPatientNames',
  'EthnicGroup',
  'EthnicGroupCodeSequence',
  'PatientComments',
  'PatientSpeciesDescription',
  'PatientSpeciesCodeSequence',
  'PatientBreedDescription',
  'PatientBreedCodeSequence',
  'BreedRegistrationSequence',
  'StrainDescription',
  'StrainNomenclature',
  'StrainCodeSequence',
  'StrainAdditionalInformation',
  'StrainStockSequence',
  'GeneticModificationsSequence',
  'ResponsiblePerson',
  'ResponsiblePersonRole',
  'ResponsibleOrganization',
  'PatientIdentityRemoved',
  'DeidentificationMethod',
  'DeidentificationMethodCodeSequence',
  'SourcePatientGroupIdentificationSequence',
  'GroupOfPatientsIdentificationSequence',
  // Clinical Trial Subject (C.7.1.3)
  'ClinicalTrialSponsorName',
  'ClinicalTrialProtocolID',
  'IssuerOfClinicalTrialProtocolID',
  'OtherClinicalTrialProtocolIDsSequence',
  'ClinicalTrialProtocolName',
  'ClinicalTrialSiteID',
  'IssuerOfClinicalTrialSiteID',
  'ClinicalTrialSiteName',
  'ClinicalTrialSubjectID',
  'IssuerOfClinicalTrialSubjectID',
  'ClinicalTrialSubjectReadingID',
  'IssuerOfClinicalTrialSubjectReadingID',
  'ClinicalTrialProtocolEthicsCommitteeName',
  'ClinicalTrialProtocolEthicsCommitteeApprovalNumber',
  'EthicsCommitteeApprovalEffectivenessStartDate',
  'EthicsCommitteeApprovalEffectivenessEndDate',
  // General Study (C.7.2.1)
  'StudyInstanceUID',
  'StudyDate',
  'StudyTime',
  'ReferringPhysicianName',
  'ReferringPhysicianIdentificationSequence',
  'ConsultingPhysicianName',
  'ConsultingPhysicianIdentificationSequence',
  'StudyID',
  'AccessionNumber',
  'IssuerOfAccessionNumberSequence',
  'StudyDescription',
  'PhysiciansOfRecord',
  'PhysiciansOfRecordIdentificationSequence',
  'NameOfPhysiciansReadingStudy',
  'PhysiciansReadingStudyIdentificationSequence',
  'RequestingServiceCodeSequence',
  'ReferencedStudySequence',
  'ProcedureCodeSequence',
  'ReasonForPerformedProcedureCodeSequence',
  // Patient Study (C.7.2.2)
  'AdmittingDiagnosesDescription',
  'AdmittingDiagnosesCodeSequence',
  'PatientAge',
  'PatientSize',
  'PatientWeight',
  'PatientBodyMassIndex',
  'MeasuredAPDimension',
  'MeasuredLateralDimension',
  'PatientSizeCodeSequence',
  'MedicalAlerts',
  'Allergies',
  'SmokingStatus',
  'PregnancyStatus',
  'LastMenstrualDate',
  'PatientState',
  'PatientSexNeutered',
  'ReasonForVisit',
  'ReasonForVisitCodeSequence',
  'AdmissionID',
  'IssuerOfAdmissionIDSequence',
  'ServiceEpisodeID',
  'IssuerOfServiceEpisodeIDSequence',
  'ServiceEpisodeDescription',
  'Occupation',
  'AdditionalPatientHistory',
  // Clinical Trial Study (C.7.2.3)
  'ClinicalTrialTimePointID',
  'IssuerOfClinicalTrialTimePointID',
  'ClinicalTrialTimePointDescription',
  'LongitudinalTemporalOffsetFromEvent',
  'LongitudinalTemporalEventType',
  'ClinicalTrialTimePointTypeCodeSequence',
  'ConsentForClinicalTrialUseSequence',
];

/** Type 2 attributes of those modules: present in every object, empty when the source lacks them. */
const TYPE_2 = ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex'].concat([
  'StudyDate',
  'StudyTime',
  'ReferringPhysicianName',
  'StudyID',
  'AccessionNumber',
]);

/** Values whose format the value representation fixes; anything else in them is dropped, not repaired. */
const FORMATS: Record<string, RegExp> = {
  PatientBirthDate: /^\d{8}$/,
  StudyDate: /^\d{8}$/,
  LastMenstrualDate: /^\d{8}$/,
  PatientBirthTime: /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/,
  StudyTime: /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/,
  PatientAge: /^\d{3}[DWMY]$/,
  PatientSex: /^(M|F|O)$/,
};

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

/**
 * The Patient and Study module attributes of `source` (dcmjs natural form), ready to be spread into a
 * derived object's data set. Type 2 attributes the source lacks are written empty; a value that breaks
 * its value representation (e.g. Patient's Age "62" without its unit) is dropped — empty if the
 * attribute is type 2 — rather than guessed.
 */
export function studyModules(source: NaturalDataset): NaturalDataset {
  const out: NaturalDataset = {};
  const vrMap: Record<string, string> = {};
  const sourceVrs = (source._vrMap ?? {}) as Record<string, string>;
  for (const k of STUDY_MODULE_KEYWORDS) {
    const v = source[k];
    if (v === undefined || v === null) continue;
    const format = FORMATS[k];
    const s = first(v);
    if (format && (typeof s !== 'string' || !format.test(s.trim()))) continue;
    out[k] = v;
    if (sourceVrs[k]) vrMap[k] = sourceVrs[k]!;
  }
  for (const k of TYPE_2) if (!(k in out)) out[k] = k === 'PatientName' || k === 'ReferringPhysicianName' ? [] : '';
  if (Object.keys(vrMap).length) out._vrMap = vrMap;
  return out;
}
