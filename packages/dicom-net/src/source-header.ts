// The header of a received instance (everything before Pixel Data), read with dcmjs so that the Patient
// and Study modules can be copied into the result objects with their value representations intact.
import { CxrkitError } from '@cxrkit/core/tfjs-free';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, fileTransferSyntax } from './part10.js';

/** A received instance's identity and header (no pixel data). */
export interface SourceHeader {
  /** The header as dcmjs reads it (keyword → value; text decoded from the file's character set). */
  dataset: NaturalDataset;
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  transferSyntaxUid: string;
  /** Modality (0008,0060), when present. */
  modality?: string;
}

const fail = (code: string, message: string, received: unknown, fix: string): never => {
  throw new CxrkitError(code, message, { received, fix, pkg: 'dicom-net' });
};

const uid = (ds: NaturalDataset, keyword: string): string | undefined => {
  const v = ds[keyword];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s.trim() ? s.trim() : undefined;
};

/**
 * Reads the header of a Part-10 file (stops at Pixel Data).
 * @throws CxrkitError `DICOMNET_NOT_PART10` (no preamble/file meta, or dcmjs cannot parse it),
 *   `DICOMNET_UNSUPPORTED_TRANSFER_SYNTAX` (deflated data sets: their inflated size is not bounded),
 *   `DICOMNET_MISSING_UID` (no SOP Class/Instance, Study or Series Instance UID: nowhere to put a result).
 */
export function readSourceHeader(bytes: Uint8Array): SourceHeader {
  const transferSyntaxUid = fileTransferSyntax(bytes);
  if (!transferSyntaxUid) {
    fail(
      'DICOMNET_NOT_PART10',
      'the instance is not a DICOM Part-10 file (no preamble, "DICM" or transfer syntax)',
      bytes.length,
      'send DICOM Part-10 files (application/dicom)',
    );
  }
  if (transferSyntaxUid === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) {
    fail(
      'DICOMNET_UNSUPPORTED_TRANSFER_SYNTAX',
      'deflated data sets are not accepted',
      transferSyntaxUid,
      'send the instance in explicit VR little endian or a compressed pixel transfer syntax',
    );
  }
  let dataset: NaturalDataset = {};
  try {
    dcmjs.log.setLevel('silent');
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const dict = dcmjs.data.DicomMessage.readFile(buffer, { untilTag: '7FE00010', includeUntilTagValue: false });
    dataset = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  } catch (e) {
    fail(
      'DICOMNET_NOT_PART10',
      `the DICOM header could not be parsed: ${(e as Error).message}`,
      bytes.length,
      'send a valid DICOM Part-10 file',
    );
  }
  const ids = {
    sopClassUid: uid(dataset, 'SOPClassUID'),
    sopInstanceUid: uid(dataset, 'SOPInstanceUID'),
    studyInstanceUid: uid(dataset, 'StudyInstanceUID'),
    seriesInstanceUid: uid(dataset, 'SeriesInstanceUID'),
  };
  for (const [k, v] of Object.entries(ids)) {
    if (!v) fail('DICOMNET_MISSING_UID', `the instance has no ${k}`, k, 'send instances with their UIDs');
  }
  const modality = uid(dataset, 'Modality');
  return { dataset, ...(ids as Record<keyof typeof ids, string>), transferSyntaxUid: transferSyntaxUid!, modality };
}
