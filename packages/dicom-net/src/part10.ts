// DICOM Part-10 files in and out: the transfer syntax of a received file (from its file meta), a data set
// written as a file by dcmjs, and a raw network data set (C-STORE) given the file meta it arrived without.
import { CxrkitError } from '@cxrkit/core/tfjs-free';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './uid.js';

/** Explicit VR Little Endian, the transfer syntax cxrkit writes. */
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** Deflated Explicit VR Little Endian: refused by the receivers (the inflated size is unbounded). */
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';

const fail = (code: string, message: string, received: unknown, fix: string): never => {
  throw new CxrkitError(code, message, { received, fix, pkg: 'dicom-net' });
};

/**
 * The Transfer Syntax UID (0002,0010) of a Part-10 file, read from its file meta (always explicit VR
 * little endian). Undefined when `bytes` has no 128-byte preamble + "DICM" or no such element.
 */
export function fileTransferSyntax(bytes: Uint8Array): string | undefined {
  if (bytes.length < 132 || String.fromCharCode(...bytes.subarray(128, 132)) !== 'DICM') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 132;
  while (p + 8 <= bytes.length && view.getUint16(p, true) === 0x0002) {
    const element = view.getUint16(p + 2, true);
    const vr = String.fromCharCode(bytes[p + 4]!, bytes[p + 5]!);
    const long = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV'].includes(vr);
    const length = long ? view.getUint32(p + 8, true) : view.getUint16(p + 6, true);
    const start = p + (long ? 12 : 8);
    if (start + length > bytes.length) return undefined;
    if (element === 0x0010) {
      return String.fromCharCode(...bytes.subarray(start, start + length)).replace(/[\0 ]+$/, '');
    }
    p = start + length;
  }
  return undefined;
}

function fileMeta(sopClassUid: string, sopInstanceUid: string, transferSyntaxUid: string) {
  return dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClassUid,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: transferSyntaxUid,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
    _vrMap: { FileMetaInformationVersion: 'OB' },
  });
}

/**
 * Writes a data set (keyword → value, dcmjs's naturalized form; binary values as ArrayBuffer with their VR
 * in `_vrMap`) as a Part-10 file in explicit VR little endian, with cxrkit's implementation UID.
 */
export function writePart10(dataset: NaturalDataset): Uint8Array {
  const sopClassUid = dataset.SOPClassUID;
  const sopInstanceUid = dataset.SOPInstanceUID;
  if (typeof sopClassUid !== 'string' || typeof sopInstanceUid !== 'string') {
    fail(
      'DICOMNET_MISSING_UID',
      'a data set to write needs SOPClassUID and SOPInstanceUID',
      { sopClassUid, sopInstanceUid },
      'set both before writing',
    );
  }
  dcmjs.log.setLevel('silent'); // dcmjs would print warnings to the console (truncated values are checked in tests)
  const dict = new dcmjs.data.DicomDict(
    fileMeta(sopClassUid as string, sopInstanceUid as string, EXPLICIT_VR_LITTLE_ENDIAN),
  );
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}

/**
 * A data set received over the network (the bytes of a C-STORE, in `transferSyntaxUid`) as a Part-10 file:
 * preamble, "DICM", file meta written by dcmjs, then the data set bytes unchanged.
 */
export function wrapDataset(
  datasetBytes: Uint8Array,
  transferSyntaxUid: string,
  sopClassUid: string,
  sopInstanceUid: string,
): Uint8Array {
  dcmjs.log.setLevel('silent');
  const head = new Uint8Array(
    new dcmjs.data.DicomDict(fileMeta(sopClassUid, sopInstanceUid, transferSyntaxUid)).write(),
  );
  const out = new Uint8Array(head.length + datasetBytes.length);
  out.set(head, 0);
  out.set(datasetBytes, head.length);
  return out;
}
