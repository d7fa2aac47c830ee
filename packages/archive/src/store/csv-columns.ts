// The columns of results.csv (a flat view of results.jsonl for spreadsheets), in order.
import type { ScreenRecord } from '../types.js';

/** Column names of results.csv, in order. */
export const RESULT_CSV_COLUMNS = [
  'sopInstanceUID',
  'path',
  'score',
  'threshold',
  'positive',
  'condition',
  'recommendation',
  'warnings',
  'cardId',
  'engine',
  'studyInstanceUID',
  'seriesInstanceUID',
  'modality',
  'viewPosition',
  'bodyPart',
  'rows',
  'columns',
  'age',
  'sex',
  'readMs',
  'decodeMs',
  'preprocessMs',
  'waitMs',
  'predictMs',
  'batchSize',
  'screenedAt',
] as const;

const ms = (v: number) => Math.round(v * 10) / 10;

/** One results.csv row of a record (warnings joined with ' | ', timings rounded to 0.1 ms). */
export function resultCsvRow(r: ScreenRecord): (string | number | boolean | undefined)[] {
  const t = r.timingsMs;
  return [
    r.sopInstanceUID,
    r.path,
    r.score,
    r.threshold,
    r.positive,
    r.condition,
    r.recommendation,
    r.warnings.join(' | '),
    r.cardId,
    r.engine,
    r.studyInstanceUID,
    r.seriesInstanceUID,
    r.modality,
    r.viewPosition,
    r.bodyPart,
    r.rows,
    r.columns,
    r.age,
    r.sex,
    ms(t.read),
    ms(t.decode),
    ms(t.preprocess),
    ms(t.wait),
    ms(t.predict),
    r.batchSize,
    r.screenedAt,
  ];
}
