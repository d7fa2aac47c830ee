// One instance from its source to the model's inputs, the job of a worker thread: read (file or WADO-RS) →
// readDicom → grayscale frame 0 (bone bright) → the card's modelInputs → PreparedInstance.
import { readFile } from 'node:fs/promises';
import { readDicom } from '@cxrkit/core/tfjs-free';
import { intendedUseWarnings, modelInputs, resolvePatient, type ModelCard } from '@cxrkit/models/card';
import { archiveFail } from '../errors.js';
import { fetchWadoRsInstance, isUrl, type WadoRsOptions } from '../sources/wado-rs.js';
import type { PreparedInstance } from '../types.js';

/** Options of {@link prepareInstance}. */
export interface PrepareOptions {
  /** How WADO-RS URLs are fetched (headers, attempts, timeout). */
  wado?: WadoRsOptions;
}

/** The bytes of a source: a file path (read; Node's `ENOENT`, `EACCES`, … propagate) or a WADO-RS URL (fetched). */
export async function readSource(source: string, options: PrepareOptions = {}): Promise<Uint8Array> {
  return isUrl(source) ? fetchWadoRsInstance(source, options.wado) : readFile(source);
}

/**
 * Reads, decodes and preprocesses one instance as `card` says.
 * @throws CxrkitError `DICOM_*` (unreadable file), `SCREEN_MISSING_INPUT` (a fused fact the header lacks),
 *   `ARCHIVE_NO_SOP_INSTANCE_UID`, `ARCHIVE_FETCH_FAILED`; Node errors (`ENOENT`, …) for unreadable paths.
 */
export async function prepareInstance(
  source: string,
  card: ModelCard,
  options: PrepareOptions = {},
): Promise<PreparedInstance> {
  const t0 = performance.now();
  const bytes = await readSource(source, options);
  const t1 = performance.now();
  const dicom = await readDicom(bytes);
  const meta = dicom.meta;
  const sopInstanceUID = meta.sopInstanceUid;
  if (!sopInstanceUID) {
    archiveFail(
      'ARCHIVE_NO_SOP_INSTANCE_UID',
      'the file has no SOP Instance UID (0008,0018), the key of its result',
      source,
      'give the file a UID (e.g. dcmodify -gin FILE) or leave it out of the archive run',
    );
  }
  const gray = dicom.grayscale(0);
  const t2 = performance.now();
  const inputs = modelInputs(gray, meta, card);
  const t3 = performance.now();
  const patient = resolvePatient(meta);
  const warnings = intendedUseWarnings(card, {
    age: patient.age,
    viewPosition: meta.viewPosition,
    modality: meta.modality,
    bodyPart: meta.bodyPart,
  });
  if (dicom.frames > 1) warnings.push(`Multi-frame image (${dicom.frames} frames): only frame 1 was screened.`);
  return {
    path: source,
    sopInstanceUID: sopInstanceUID!,
    image: inputs[card.architecture.inputName]!.data,
    fusion: card.fusion.map((f) => inputs[f.input]!.data[0]!),
    warnings,
    study: {
      studyInstanceUID: meta.studyInstanceUid,
      seriesInstanceUID: meta.seriesInstanceUid,
      modality: meta.modality,
      viewPosition: meta.viewPosition,
      bodyPart: meta.bodyPart,
      rows: gray.height,
      columns: gray.width,
    },
    patient: { age: patient.age, sex: patient.sex },
    timingsMs: { read: t1 - t0, decode: t2 - t1, preprocess: t3 - t2 },
  };
}
