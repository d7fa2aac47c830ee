// The screening result as a Secondary Capture Image (PS3.3 A.8.1) in the source radiograph's study, for
// viewers that cannot show an SR: its own series, the Patient and Study modules copied from the source,
// the source referenced as the image it was derived from, RGB pixels with the result burned in.
import type { NaturalDataset } from 'dcmjs';
import { dicomDateTime, resultObject, type ResultObject, type ResultSeries } from './build-sr.js';
import type { RgbImage } from './rgb-image.js';
import type { SourceHeader } from './source-header.js';
import { studyModules } from './study-modules.js';
import { newUid } from './uid.js';

/** SOP Class UID of Secondary Capture Image Storage. */
export const SECONDARY_CAPTURE_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.7';

const LOSSY_SYNTAXES = new Set([
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.81',
  '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.4.203',
]);

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

/**
 * Lossy Image Compression of the derived image: "01" once the source was lossy compressed (by its own
 * attribute or its transfer syntax), with the source's method and ratio when it gives them.
 */
function lossyCompression(source: SourceHeader): NaturalDataset {
  const ds = source.dataset;
  const lossy = first(ds.LossyImageCompression) === '01' || LOSSY_SYNTAXES.has(source.transferSyntaxUid);
  if (!lossy) return { LossyImageCompression: '00' };
  const out: NaturalDataset = { LossyImageCompression: '01' };
  if (ds.LossyImageCompressionRatio !== undefined) out.LossyImageCompressionRatio = ds.LossyImageCompressionRatio;
  if (ds.LossyImageCompressionMethod !== undefined) out.LossyImageCompressionMethod = ds.LossyImageCompressionMethod;
  return out;
}

/** The secondary capture of `picture` derived from `source`, as a natural data set (see writePart10). */
export function scDataset(picture: RgbImage, source: SourceHeader, series: ResultSeries, description: string) {
  const { date, time } = dicomDateTime(series.now);
  const study = studyModules(source.dataset);
  const orientation = first(source.dataset.PatientOrientation);
  const bodyPart = first(source.dataset.BodyPartExamined);
  const dataset: NaturalDataset = {
    ...study,
    // SOP Common
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: SECONDARY_CAPTURE_IMAGE_STORAGE,
    SOPInstanceUID: newUid(),
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    // General Series
    Modality: 'OT',
    SeriesInstanceUID: series.seriesInstanceUid,
    SeriesNumber: series.seriesNumber,
    SeriesDate: date,
    SeriesTime: time,
    SeriesDescription: series.seriesDescription,
    // an SC is made only for a screened chest radiograph: an unpaired body part, so no Laterality
    BodyPartExamined: typeof bodyPart === 'string' && bodyPart ? bodyPart : 'CHEST',
    // General Equipment, SC Equipment
    Manufacturer: series.manufacturer,
    ManufacturerModelName: series.modelName,
    SoftwareVersions: series.softwareVersion,
    ConversionType: 'WSD',
    // General Image
    InstanceNumber: 1,
    PatientOrientation: typeof orientation === 'string' ? (source.dataset.PatientOrientation as string) : '',
    ContentDate: date,
    ContentTime: time,
    ImageType: ['DERIVED', 'SECONDARY'],
    DerivationDescription: description,
    SourceImageSequence: [
      {
        ReferencedSOPClassUID: source.sopClassUid,
        ReferencedSOPInstanceUID: source.sopInstanceUid,
        PurposeOfReferenceCodeSequence: [
          {
            CodeValue: '121322',
            CodingSchemeDesignator: 'DCM',
            CodeMeaning: 'Source image for image processing operation',
          },
        ],
      },
    ],
    BurnedInAnnotation: 'NO',
    ...lossyCompression(source),
    // SC Image
    DateOfSecondaryCapture: date,
    TimeOfSecondaryCapture: time,
    // Image Pixel
    SamplesPerPixel: 3,
    PhotometricInterpretation: 'RGB',
    PlanarConfiguration: 0,
    Rows: picture.height,
    Columns: picture.width,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    PixelData: [picture.data.buffer.slice(picture.data.byteOffset, picture.data.byteOffset + picture.data.byteLength)],
  };
  dataset._vrMap = { ...((study._vrMap as Record<string, string>) ?? {}), PixelData: 'OB' };
  return dataset;
}

/** {@link scDataset} written as a Part-10 file. */
export function buildSc(
  picture: RgbImage,
  source: SourceHeader,
  series: ResultSeries,
  description: string,
): ResultObject {
  return resultObject(scDataset(picture, source, series, description));
}
