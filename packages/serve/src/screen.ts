// One chest radiograph in, one screening result out: DICOM bytes → grayscale (bone bright) →
// the model's preprocessing → predictor → score vs threshold → recommendation, with the checks the
// thesis's intended use asks for (adult ≥ 50, PA chest radiograph, CR/DX).
import {
  CxrkitError,
  readDicom,
  preprocessRadiograph,
  grayToChannels,
  type GrayImage,
  type DicomMeta,
} from '@cxrkit/core/tfjs-free';
import type { ScreeningConfig } from './config.js';
import type { ArrayBatch, ScreeningPredictor } from './predictor.js';

/** Patient facts that override (or stand in for) the DICOM header, e.g. from the upload form. */
export interface ScreeningOverrides {
  /** Age in years. */
  age?: number;
  sex?: 'M' | 'F';
}

export interface ScreeningResult {
  /** What a positive screen means (from the card), e.g. 'osteoporosis'. */
  condition: string;
  /** The model's score in [0, 1] (probability-like output of the sigmoid). */
  score: number;
  /** The card's threshold. */
  threshold: number;
  /** score ≥ threshold. */
  positive: boolean;
  /** A plain-language recommendation. */
  recommendation: string;
  /** Reasons the result should be read with care (outside the intended use, missing data, …). */
  warnings: string[];
  /** Header facts used or reported (undefined when the file lacks them). */
  patient: { id?: string; age?: number; sex?: 'M' | 'F' | 'O'; ageSource?: string };
  study: { modality?: string; viewPosition?: string; bodyPart?: string; studyDate?: string; rows: number; columns: number };
  /** Which engine ran the model, e.g. 'tfjs:wasm' or 'onnxruntime'. */
  engine: string;
  disclaimer: string;
  /** Milliseconds spent decoding, preprocessing and predicting. */
  timingsMs: { decode: number; preprocess: number; predict: number };
}

const fail = (code: string, message: string, received: unknown, fix: string): never => {
  throw new CxrkitError(code, message, { received, fix, pkg: 'serve' });
};

/**
 * Screens one DICOM file (bytes or, in Node, a path).
 * @throws CxrkitError `DICOM_*` for unreadable files (from readDicom), `SCREEN_MISSING_INPUT` when the model
 *   fuses age/sex and neither the header nor `overrides` give it, `SCREEN_BAD_OUTPUT` when the model is
 *   not a one-output binary screen.
 */
export async function screenDicom(
  input: Uint8Array | ArrayBuffer | string,
  options: { predictor: ScreeningPredictor; config: ScreeningConfig; overrides?: ScreeningOverrides },
): Promise<ScreeningResult> {
  const t0 = performance.now();
  const dicom = await readDicom(input);
  const gray = dicom.grayscale(0);
  const decode = performance.now() - t0;
  const result = await screenImage(gray, dicom.meta, options);
  result.timingsMs.decode = decode;
  return result;
}

/**
 * Screens an already decoded radiograph (`GrayImage`, bone bright, any size) with its header facts.
 * Same result and errors as {@link screenDicom}.
 */
export async function screenImage(
  image: GrayImage,
  meta: DicomMeta,
  options: { predictor: ScreeningPredictor; config: ScreeningConfig; overrides?: ScreeningOverrides },
): Promise<ScreeningResult> {
  const { predictor, config, overrides = {} } = options;
  const warnings: string[] = [];
  const age = overrides.age ?? meta.age;
  const sex = overrides.sex ?? meta.sex;
  if (overrides.age !== undefined && (!Number.isFinite(overrides.age) || overrides.age < 0 || overrides.age > 130)) {
    fail('SCREEN_BAD_OVERRIDE', 'age must be a number of years from 0 to 130', overrides.age, 'send the age in years, e.g. 67');
  }

  const t1 = performance.now();
  const pre = preprocessRadiograph(image, { size: config.inputSize, normalize: config.normalize });
  const pixels = grayToChannels(pre, config.channels);
  const inputs: Record<string, ArrayBatch> = {};
  const [imageName, ...extra] = predictor.inputNames;
  if (imageName === undefined) fail('SCREEN_BAD_MODEL', 'the predictor has no inputs', predictor.inputNames, 'load a cxrkit screening model');
  inputs[imageName!] = { data: pixels, shape: [1, config.inputSize, config.inputSize, config.channels] };
  for (const name of extra) {
    if (name === 'age') {
      if (age === undefined) fail('SCREEN_MISSING_INPUT', 'the model needs the patient age, and the DICOM has neither PatientBirthDate + StudyDate nor PatientAge', undefined, 'send the age with the upload (?age=67)');
      inputs.age = { data: Float32Array.of(age! * config.ageScale), shape: [1, 1] };
    } else if (name === 'sex') {
      if (sex !== 'M' && sex !== 'F') fail('SCREEN_MISSING_INPUT', "the model needs the patient sex ('M' or 'F'), and the DICOM does not give it", sex, 'send the sex with the upload (?sex=F)');
      inputs.sex = { data: Float32Array.of(sex === 'M' ? 1 : 0), shape: [1, 1] };
    } else {
      fail('SCREEN_UNSUPPORTED_INPUT', `the service cannot supply the model input '${name}'`, name, 'serve a model whose extra inputs are age and/or sex');
    }
  }
  const preprocess = performance.now() - t1;

  const t2 = performance.now();
  const outputs = await predictor.predict(inputs);
  const predict = performance.now() - t2;
  const out = outputs[predictor.outputNames[0]!];
  if (!out || out.data.length !== 1) fail('SCREEN_BAD_OUTPUT', 'a screening model must output one score per image', out?.shape, 'serve a binary screening model (task: "binary")');
  const score = out!.data[0]!;
  if (!Number.isFinite(score)) fail('SCREEN_BAD_OUTPUT', 'the model returned a non-finite score', score, 'check the model weights and the input preprocessing');

  const intended = `the screen is intended for adults aged ${config.minAge} or more.`;
  if (age === undefined) warnings.push(`Age unknown: ${intended}`);
  else if (age < config.minAge) warnings.push(`Patient aged ${Math.floor(age)}: ${intended}`);
  if (meta.viewPosition && meta.viewPosition.toUpperCase() !== 'PA') warnings.push(`View position ${meta.viewPosition}: the model was trained on PA chest radiographs.`);
  if (meta.modality && !['CR', 'DX'].includes(meta.modality.toUpperCase())) warnings.push(`Modality ${meta.modality}: expected a CR or DX radiograph.`);
  if (meta.bodyPart && !/CHEST|THORAX/i.test(meta.bodyPart)) warnings.push(`Body part ${meta.bodyPart}: expected a chest radiograph.`);

  const positive = score >= config.threshold;
  return {
    condition: config.condition,
    score,
    threshold: config.threshold,
    positive,
    recommendation: positive
      ? `High risk of ${config.condition} on screening: refer for a DXA scan.`
      : `Low risk of ${config.condition} on screening: no DXA referral indicated by this screen.`,
    warnings,
    patient: { id: meta.patientId, age, sex, ageSource: overrides.age !== undefined ? 'upload' : meta.ageSource },
    study: { modality: meta.modality, viewPosition: meta.viewPosition, bodyPart: meta.bodyPart, studyDate: meta.studyDate, rows: image.height, columns: image.width },
    engine: predictor.engine,
    disclaimer: config.disclaimer,
    timingsMs: { decode: 0, preprocess, predict },
  };
}
