// Transfer syntaxes cxrkit knows: how the data set is encoded and which codec decodes its pixel data.
// DICOM PS3.5 §10 and Annex A; the codec names map to modules in ./codecs (loaded lazily).

/** The decoder a transfer syntax needs; `native` means uncompressed pixel data. */
export type CodecName =
  | 'native'
  | 'deflate'
  | 'rle'
  | 'jpeg-baseline'
  | 'jpeg-lossless'
  | 'jpeg-ls'
  | 'jpeg2000'
  | 'htj2k';

/** How a transfer syntax encodes the data set and its pixels. */
export interface TransferSyntaxInfo {
  uid: string;
  name: string;
  /** The data set (not only the pixels) is big endian. */
  bigEndian: boolean;
  /** Explicit VR (false only for Implicit VR Little Endian). */
  explicitVR: boolean;
  /** The data set after the file meta is deflated (RFC 1951). */
  deflated: boolean;
  /** Pixel data is encapsulated in fragments (compressed, or the encapsulated-uncompressed syntax). */
  encapsulated: boolean;
  codec: CodecName;
}

const ts = (
  uid: string,
  name: string,
  codec: CodecName,
  flags: Partial<Pick<TransferSyntaxInfo, 'bigEndian' | 'explicitVR' | 'deflated' | 'encapsulated'>> = {},
): TransferSyntaxInfo => ({
  uid,
  name,
  codec,
  bigEndian: flags.bigEndian ?? false,
  explicitVR: flags.explicitVR ?? true,
  deflated: flags.deflated ?? false,
  encapsulated: flags.encapsulated ?? codec !== 'native',
});

/** Every transfer syntax whose pixel data cxrkit decodes, by UID. */
export const TRANSFER_SYNTAXES: ReadonlyMap<string, TransferSyntaxInfo> = new Map(
  [
    ts('1.2.840.10008.1.2', 'Implicit VR Little Endian', 'native', { explicitVR: false }),
    ts('1.2.840.10008.1.2.1', 'Explicit VR Little Endian', 'native'),
    ts('1.2.840.10008.1.2.1.98', 'Encapsulated Uncompressed Explicit VR Little Endian', 'native', {
      encapsulated: true,
    }),
    ts('1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian', 'native', { deflated: true }),
    ts('1.2.840.10008.1.2.8.1', 'Deflated Image Frame Compression', 'deflate'),
    ts('1.2.840.10008.1.2.2', 'Explicit VR Big Endian (retired)', 'native', { bigEndian: true }),
    ts('1.2.840.10008.1.2.5', 'RLE Lossless', 'rle'),
    ts('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg-baseline'),
    ts('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)', 'jpeg-baseline'),
    ts('1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)', 'jpeg-lossless'),
    ts(
      '1.2.840.10008.1.2.4.70',
      'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, SV1)',
      'jpeg-lossless',
    ),
    ts('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', 'jpeg-ls'),
    ts('1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless)', 'jpeg-ls'),
    ts('1.2.840.10008.1.2.4.90', 'JPEG 2000 (Lossless Only)', 'jpeg2000'),
    ts('1.2.840.10008.1.2.4.91', 'JPEG 2000', 'jpeg2000'),
    ts('1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 (Lossless Only)', 'htj2k'),
    ts('1.2.840.10008.1.2.4.202', 'High-Throughput JPEG 2000 with RPCL Options (Lossless Only)', 'htj2k'),
    ts('1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000', 'htj2k'),
  ].map((t) => [t.uid, t]),
);

/** Transfer syntaxes cxrkit recognises but refuses, with the reason (shown in the error). */
export const REFUSED_TRANSFER_SYNTAXES: ReadonlyMap<string, string> = new Map([
  ['1.2.840.10008.1.2.4.52', 'JPEG Extended (Process 3 & 5, retired)'],
  ['1.2.840.10008.1.2.4.53', 'JPEG Spectral Selection (retired)'],
  ['1.2.840.10008.1.2.4.55', 'JPEG Full Progression (retired)'],
  ['1.2.840.10008.1.2.4.92', 'JPEG 2000 Part 2 Multi-component (Lossless Only)'],
  ['1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2 Multi-component'],
  ['1.2.840.10008.1.2.4.94', 'JPIP Referenced'],
  ['1.2.840.10008.1.2.4.95', 'JPIP Referenced Deflate'],
  ['1.2.840.10008.1.2.4.100', 'MPEG2 Main Profile / Main Level (video)'],
  ['1.2.840.10008.1.2.4.101', 'MPEG2 Main Profile / High Level (video)'],
  ['1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264 (video)'],
  ['1.2.840.10008.1.2.4.103', 'MPEG-4 AVC/H.264 BD-compatible (video)'],
  ['1.2.840.10008.1.2.4.104', 'MPEG-4 AVC/H.264 2D video'],
  ['1.2.840.10008.1.2.4.105', 'MPEG-4 AVC/H.264 3D video'],
  ['1.2.840.10008.1.2.4.106', 'MPEG-4 AVC/H.264 Stereo'],
  ['1.2.840.10008.1.2.4.107', 'HEVC/H.265 Main Profile (video)'],
  ['1.2.840.10008.1.2.4.108', 'HEVC/H.265 Main 10 Profile (video)'],
  ['1.2.840.10008.1.2.4.110', 'JPEG XL Lossless'],
  ['1.2.840.10008.1.2.4.111', 'JPEG XL JPEG Recompression'],
  ['1.2.840.10008.1.2.4.112', 'JPEG XL'],
  ['1.2.840.10008.1.2.4.204', 'JPIP HTJ2K Referenced'],
  ['1.2.840.10008.1.2.6.1', 'RFC 2557 MIME Encapsulation (retired)'],
  ['1.2.840.10008.1.2.6.2', 'XML Encoding (retired)'],
]);
