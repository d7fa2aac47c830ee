// A scored instance → its result record (the card's verdict, the study facts, the timings).
import { screeningVerdict, type ModelCard } from '@cxrkit/models/card';
import type { ScreenRecord } from '../types.js';
import type { Scored } from './batch-scorer.js';

/** Options of {@link toRecord}. */
export interface RecordOptions {
  /** Put the age and sex the model was fed into the record (patient data: off unless asked). */
  patientFacts?: boolean;
}

/** The result record of one scored instance (its score must be finite). */
export function toRecord(s: Scored, card: ModelCard, engine: string, options: RecordOptions = {}): ScreenRecord {
  const p = s.prepared;
  const verdict = screeningVerdict(card, s.score);
  return {
    sopInstanceUID: p.sopInstanceUID,
    path: p.path,
    score: s.score,
    threshold: verdict.threshold,
    positive: verdict.positive,
    condition: verdict.condition,
    recommendation: verdict.recommendation,
    warnings: p.warnings,
    cardId: card.id,
    engine,
    ...p.study,
    ...(options.patientFacts ? { age: p.patient.age, sex: p.patient.sex } : {}),
    timingsMs: { ...p.timingsMs, wait: s.waitMs, predict: s.predictMs },
    batchSize: s.batchSize,
    screenedAt: new Date().toISOString(),
  };
}
