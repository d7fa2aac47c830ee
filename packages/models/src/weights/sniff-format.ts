// Is it HDF5 at all? The HDF5 superblock signature sits at byte 0, or after a user block at 512, 1024,
// 2048, … (HDF5 File Format Specification, "Format Signature"). Checked before libhdf5 sees the bytes,
// so a PNG renamed .h5 gets a plain answer; other common formats are named in the error.

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]; // \x89HDF\r\n\x1a\n

const startsWith = (bytes: Uint8Array, at: number, sig: readonly number[]) =>
  bytes.length >= at + sig.length && sig.every((b, i) => bytes[at + i] === b);

/** True when `bytes` carries the HDF5 signature at 0 or at a power-of-two offset ≥ 512. */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + HDF5_SIGNATURE.length <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (startsWith(bytes, at, HDF5_SIGNATURE)) return true;
  }
  return false;
}

const KNOWN: ReadonlyArray<[string, number, readonly number[]]> = [
  ['a PNG image', 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['a JPEG image', 0, [0xff, 0xd8, 0xff]],
  ['a zip archive (a Keras 3 .keras file is one)', 0, [0x50, 0x4b, 0x03, 0x04]],
  ['gzip data', 0, [0x1f, 0x8b]],
  ['a DICOM file', 128, [0x44, 0x49, 0x43, 0x4d]],
  ['JSON (a tfjs model.json?)', 0, [0x7b]],
];

/** A few words on what non-HDF5 `bytes` look like, for error messages ('a PNG image', 'empty', …). */
export function describeFormat(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'an empty file';
  for (const [what, at, sig] of KNOWN) if (startsWith(bytes, at, sig)) return what;
  return `unknown data starting ${Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')}`;
}
