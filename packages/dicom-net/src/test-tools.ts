// For the tests: the independent checkers the result objects are held to — dciodvfy (dicom3tools),
// dsrdump (dcmtk) and pydicom — each reporting whether it is installed, so tests can skip with the reason.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const has = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.error === undefined;
};

/** /usr/bin/python3 (Debian's, with python3-pydicom), as the other tests use. */
export const PYTHON = '/usr/bin/python3';
export const hasDciodvfy = has('dciodvfy', ['-']);
export const hasDsrdump = has('dsrdump', ['--version']);
export const hasPydicom = spawnSync(PYTHON, ['-c', 'import pydicom'], { stdio: 'ignore' }).status === 0;

/** Skip reasons (false when the tool is there). */
export const skipDciodvfy = hasDciodvfy ? false : 'needs dciodvfy (Debian package dicom3tools)';
export const skipDsrdump = hasDsrdump ? false : 'needs dsrdump (Debian package dcmtk)';
export const skipPydicom = hasPydicom ? false : 'needs /usr/bin/python3 with pydicom (Debian package python3-pydicom)';

/** Writes `bytes` to a temporary file, runs `fn` on its path, removes it. */
export function withTempFile<T>(bytes: Uint8Array, fn: (path: string) => T, name = 'object.dcm'): T {
  const dir = mkdtempSync(join(tmpdir(), 'cxrkit-dicomnet-'));
  try {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** dciodvfy's verdict on a file: its Error and Warning lines. */
export function dciodvfy(bytes: Uint8Array): { errors: string[]; warnings: string[]; output: string } {
  return withTempFile(bytes, (path) => {
    const r = spawnSync('dciodvfy', [path], { encoding: 'utf8' });
    const output = `${r.stdout}${r.stderr}`;
    const lines = output.split('\n');
    return {
      errors: lines.filter((l) => l.startsWith('Error')),
      warnings: lines.filter((l) => l.startsWith('Warning')),
      output,
    };
  });
}

/** dsrdump's rendering of an SR (exit status and text). */
export function dsrdump(bytes: Uint8Array): { status: number | null; text: string } {
  return withTempFile(bytes, (path) => {
    const r = spawnSync('dsrdump', ['+Pc', '+Pl', '+Pt', path], { encoding: 'utf8' });
    return { status: r.status, text: `${r.stdout}${r.stderr}` };
  });
}

/** Runs a Python script with `path` as sys.argv[1] and parses the JSON it prints. */
export function pydicomJson<T>(bytes: Uint8Array, script: string): T {
  return withTempFile(bytes, (path) => {
    const r = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  });
}

/**
 * A pydicom script printing the SR content tree as nested JSON:
 * { concept: [value, scheme, meaning], type, rel, value, children }.
 */
export const PY_SR_TREE = `
import json, sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
def code(seq):
    return [seq[0].CodeValue, seq[0].CodingSchemeDesignator, seq[0].CodeMeaning] if seq else None
def item(it):
    t = it.ValueType
    out = {'type': t, 'rel': getattr(it, 'RelationshipType', None),
           'concept': code(getattr(it, 'ConceptNameCodeSequence', None))}
    if t == 'TEXT': out['value'] = it.TextValue
    if t == 'UIDREF': out['value'] = it.UID
    if t == 'CODE': out['value'] = code(it.ConceptCodeSequence)
    if t == 'NUM':
        mv = it.MeasuredValueSequence[0]
        out['value'] = float(mv.FloatingPointValue) if 'FloatingPointValue' in mv else float(mv.NumericValue)
        out['units'] = code(mv.MeasurementUnitsCodeSequence)
    if t == 'IMAGE':
        r = it.ReferencedSOPSequence[0]
        out['value'] = [r.ReferencedSOPClassUID, r.ReferencedSOPInstanceUID]
    out['children'] = [item(c) for c in getattr(it, 'ContentSequence', [])]
    return out
ev = ds.CurrentRequestedProcedureEvidenceSequence[0]
print(json.dumps({
  'sopClass': ds.SOPClassUID, 'modality': ds.Modality, 'study': ds.StudyInstanceUID,
  'series': ds.SeriesInstanceUID, 'patientId': str(ds.PatientID), 'patientName': str(ds.PatientName),
  'birthDate': str(ds.get('PatientBirthDate', '')), 'template': ds.ContentTemplateSequence[0].TemplateIdentifier,
  'evidence': [ev.StudyInstanceUID, ev.ReferencedSeriesSequence[0].SeriesInstanceUID,
               ev.ReferencedSeriesSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID],
  'root': item(ds)}))
`;
