// A synthetic cohort written as CR DICOM files plus a labels CSV, with every kind of file a scan must
// exclude planted on purpose, and the counts a scan must find written down here (by construction, not by
// running the scan). Used by @cxrkit/dataset's and @cxrkit/cli's tests.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeDicom, synthesizeDataset, type SyntheticLabels, type SyntheticRecord } from '@cxrkit/core';

/** What a scan of the cohort (key mrn=PatientID, --tscore ls_t,fn_t,th_t, min age 50, PA) must report. */
export interface SyntheticCohort {
  /** Folder of DICOM files (and one text file). */
  dir: string;
  /** The labels CSV. */
  labels: string;
  /** Files under `dir`. */
  files: number;
  /** Images the manifest must hold, and their patients. */
  included: number;
  patients: number;
  /** Exclusions per code (files and labels rows). */
  byCode: Record<string, number>;
  /** Labels data rows. */
  labelRows: number;
  /** For each included patient: the T-scores written and the WHO class of the lowest (by hand). */
  truth: Map<string, { tScores: (number | undefined)[]; who: 'normal' | 'osteopenia' | 'osteoporosis' }>;
  /** Paths of the included images. */
  includedPaths: string[];
}

const whoOf = (t: number) => (t <= -2.5 ? 'osteoporosis' : t < -1 ? 'osteopenia' : 'normal');

/**
 * Writes the cohort under `root` (`root/dicom`, `root/labels.csv`): `patients` patients with two images each
 * (ages 55–85, PA, CR), of which two patients are unlabelled (no row; a row without T-scores), plus one
 * patient under 50, one AP view, one without age, an exact copy, the same pixels under another SOP Instance
 * UID, a truncated file, a text file, and two labels rows that match no image.
 */
export async function writeSyntheticCohort(
  root: string,
  options: { patients?: number; size?: number; seed?: number } = {},
): Promise<SyntheticCohort> {
  const patients = options.patients ?? 20;
  const size = options.size ?? 64;
  const dir = join(root, 'dicom');
  await mkdir(dir, { recursive: true });
  const records = synthesizeDataset({
    n: 2 * patients,
    imagesPerPatient: 2,
    size,
    seed: options.seed ?? 1,
    ageRange: [55, 85],
    osteoporosisFraction: 0.4,
  });
  const write = async (
    rel: string,
    rec: SyntheticRecord,
    extra: Parameters<typeof encodeDicom>[1] = {},
    labels: Partial<SyntheticLabels> = rec.labels,
  ) => {
    const path = join(dir, rel);
    await mkdir(join(path, '..'), { recursive: true });
    const photometric = Number(rec.id.slice(-1)) % 3 === 0 ? 'MONOCHROME1' : 'MONOCHROME2';
    await writeFile(
      path,
      encodeDicom(
        { image: rec.radiograph!.image, labels },
        { patientId: rec.patientId, seed: `${rec.patientId}-${rec.id}`, photometric, ...extra },
      ),
    );
    return path;
  };
  const paths: string[] = [];
  for (const rec of records) paths.push(await write(`${rec.patientId}/${rec.id}.dcm`, rec));
  const ids = [...new Set(records.map((r) => r.patientId))];
  const unlabelled = ids[ids.length - 1]!; // no labels row
  const noTScore = ids[ids.length - 2]!; // a row with every T-score empty
  const rows: string[][] = [['mrn', 'ls_t', 'fn_t', 'th_t', 'bmi']];
  const truth: SyntheticCohort['truth'] = new Map();
  ids.forEach((id, k) => {
    if (id === unlabelled) return;
    if (id === noTScore) {
      rows.push([id, '', 'NA', '', '24.1']);
      return;
    }
    const t = records.find((r) => r.patientId === id)!.labels.tScore;
    // the lowest site varies: spine, neck or hip; one site left empty on every third patient
    const ls = t + (k % 3 === 0 ? 0 : 0.4);
    const fn = t + (k % 3 === 1 ? 0 : 0.6);
    const th = k % 3 === 2 ? t : undefined;
    const tScores = [ls, fn, th].map((v) => (v === undefined ? undefined : Math.round(v * 10) / 10));
    const low = Math.min(...tScores.filter((v): v is number => v !== undefined));
    truth.set(id, { tScores, who: whoOf(low) });
    rows.push([id, String(tScores[0]), String(tScores[1]), tScores[2] === undefined ? '' : String(tScores[2]), '23.0']);
  });
  // planted exclusions, each with a labels row so that only the planted reason applies
  const extra = synthesizeDataset({ n: 4, size, seed: 99, ageRange: [60, 70] });
  const planted: Array<[string, SyntheticRecord, Parameters<typeof encodeDicom>[1], Partial<SyntheticLabels>]> = [
    ['young/U.dcm', { ...extra[0]!, patientId: 'PU' }, {}, { ...extra[0]!.labels, age: 42 }],
    ['ap/V.dcm', { ...extra[1]!, patientId: 'PV' }, { viewPosition: 'AP' }, extra[1]!.labels],
    ['noage/W.dcm', { ...extra[2]!, patientId: 'PW' }, {}, { sex: extra[2]!.labels.sex }],
  ];
  for (const [rel, rec, opts, labels] of planted) {
    await write(rel, rec, opts, labels);
    rows.push([rec.patientId, '-1.5', '-1.2', '', '25.0']);
  }
  await mkdir(join(dir, 'zz-copies'), { recursive: true });
  await copyFile(paths[0]!, join(dir, 'zz-copies', 'copy.dcm')); // same SOP Instance UID
  await write('zz-copies/reencoded.dcm', records[1]!, { seed: 'another-seed' }); // same pixels, new UIDs
  const bytes = await readFile(paths[2]!);
  await writeFile(join(dir, 'zz-copies', 'truncated.dcm'), bytes.subarray(0, bytes.length - 3000));
  await writeFile(join(dir, 'notes.txt'), 'scanner export notes: not a DICOM file\n');
  rows.push(['NOPE-1', '-3.0', '', '', '']);
  rows.push(['NOPE-2', '0.5', '0.1', '', '']);
  const labels = join(root, 'labels.csv');
  await writeFile(labels, `${rows.map((r) => r.join(',')).join('\n')}\n`);
  const included = 2 * (patients - 2);
  return {
    dir,
    labels,
    files: 2 * patients + planted.length + 4,
    included,
    patients: patients - 2,
    byCode: {
      MISSING_LABEL: 4,
      UNDER_MIN_AGE: 1,
      VIEW_NOT_ALLOWED: 1,
      AGE_UNKNOWN: 1,
      DUPLICATE_IMAGE: 2,
      DICOM_TRUNCATED: 1,
      DICOM_NOT_DICOM: 1,
      LABEL_WITHOUT_IMAGE: 2,
    },
    labelRows: rows.length - 1,
    truth,
    includedPaths: paths.filter((p) => !p.includes(`/${unlabelled}/`) && !p.includes(`/${noTScore}/`)),
  };
}
