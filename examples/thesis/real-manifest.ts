// Writes the manifest of the real Part-1 study (examples/thesis/part1-real.yaml): the 1,000 NIH ChestX-ray14
// thumbnails and the 185 COVID-19 collection PA radiographs in ../shared/data (age and sex known), in the
// columns `cxrkit dataset scan` writes, split 70/10/20 BY PATIENT (seeded, stratified by sex) — no patient
// is in two splits. Paths point into the shared data (nothing is copied).
//   npx tsx --conditions=cxrkit-source examples/thesis/real-manifest.ts [out/real-part1]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCovidPaManifest, readNihThumbsManifest, splitByPatient } from '@cxrkit/core';

const dataRoot = process.env.CXRKIT_DATA ? resolve(process.env.CXRKIT_DATA) : resolve('..', 'shared', 'data');
const out = resolve(process.argv[2] ?? join('out', 'real-part1'));
const nih = await readNihThumbsManifest(join(dataRoot, 'cxr', 'nih-thumbs64'));
const covid = await readCovidPaManifest(join(dataRoot, 'cxr', 'covid-pa'));
const rows = [
  ...nih.records.map((r) => ({
    ...r,
    source: 'nih-thumbs64',
    patientId: `nih-${r.patientId}`,
    view: r.extra.view ?? '',
  })),
  ...covid.records.map((r) => ({
    ...r,
    source: 'covid-pa',
    patientId: `covid-${r.patientId}`,
    view: r.extra.view ?? 'PA',
  })),
].filter((r) => r.age !== undefined && (r.sex === 'M' || r.sex === 'F'));
const { splits } = splitByPatient(rows, { seed: 'part1-real', bySex: true });
const csv = (v: unknown) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
const lines = ['sop_instance_uid,path,patient_id,age,sex,view,split,source'];
for (const split of ['train', 'tune', 'test'] as const) {
  for (const r of splits[split]!)
    lines.push([`${r.source}:${r.id}`, r.path, r.patientId, r.age, r.sex, r.view, split, r.source].map(csv).join(','));
}
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'manifest.csv'), `${lines.join('\n')}\n`);
const count = (s: string) =>
  `${splits[s]!.length} images / ${new Set(splits[s]!.map((r) => r.patientId)).size} patients`;
console.log(`${join(out, 'manifest.csv')}: train ${count('train')}, tune ${count('tune')}, test ${count('test')}`);
