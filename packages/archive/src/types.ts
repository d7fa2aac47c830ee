// The records an archive run writes: one ScreenRecord per SOP Instance UID (results.jsonl / results.csv)
// and one ErrorRecord per file that could not be screened (errors.jsonl). Data flow:
// instance (path or WADO-RS URL) → PreparedInstance (worker thread) → score (batched predictor) → ScreenRecord.

/** Milliseconds spent on one instance, per stage. */
export interface StageTimings {
  /** Reading the file (or fetching the WADO-RS URL). */
  read: number;
  /** Parsing the DICOM and decoding frame 0 to grayscale. */
  decode: number;
  /** The card's preprocessing and fusion encodings (modelInputs). */
  preprocess: number;
  /** Waiting between preparation and the start of its batch. */
  wait: number;
  /** This instance's share of its batch's inference (batch time / batch size). */
  predict: number;
}

/** The screening result of one instance: one line of results.jsonl, one row of results.csv. */
export interface ScreenRecord {
  /** SOP Instance UID (0008,0018): the record's key; a run never writes two records with the same one. */
  sopInstanceUID: string;
  /** The file path or WADO-RS URL the instance was read from. */
  path: string;
  /** The model's score in [0, 1]. */
  score: number;
  /** The card's threshold. */
  threshold: number;
  /** score ≥ threshold. */
  positive: boolean;
  /** What a positive screen means (from the card), e.g. 'osteoporosis'. */
  condition: string;
  /** A plain-language recommendation (refer for DXA or not). */
  recommendation: string;
  /** Reasons to read the result with care (the card's intended use: age, view, modality, body part). */
  warnings: string[];
  /** Content id of the model card (`sha256:…`). */
  cardId: string;
  /** The engine that ran the model, e.g. 'onnxruntime-node 1.30.0' or 'tfjs:wasm'. */
  engine: string;
  studyInstanceUID?: string;
  seriesInstanceUID?: string;
  modality?: string;
  viewPosition?: string;
  bodyPart?: string;
  /** Image size as decoded (before preprocessing). */
  rows: number;
  columns: number;
  /** Age (years) and sex the model was fed: only with `patientFacts: true` (they are patient data). */
  age?: number;
  sex?: string;
  timingsMs: StageTimings;
  /** Batch size the instance was scored in. */
  batchSize: number;
  /** When the record was written (ISO 8601). */
  screenedAt: string;
}

/** One file that could not be screened: one line of errors.jsonl. */
export interface ErrorRecord {
  /** The file path or WADO-RS URL. */
  path: string;
  /** A stable code: `DICOM_*` (reader), `SCREEN_*` / `CARD_*` (card), `ARCHIVE_*` (this package), or `E*` (Node). */
  code: string;
  /** The error message (never pixel data; may name the file). */
  message: string;
  /** The SOP Instance UID when the header was read. */
  sopInstanceUID?: string;
  /** When the failure was recorded (ISO 8601). */
  failedAt: string;
}

/**
 * What a worker thread hands to the inference stage: the model inputs of one instance (image pixels in the
 * card's layout, one value per fusion input) and the header facts its record needs. No patient
 * identifiers travel (no patient ID, name or dates).
 */
export interface PreparedInstance {
  path: string;
  sopInstanceUID: string;
  /** `[size, size, channels]` floats of the card's image input. */
  image: Float32Array;
  /** One value per fusion input, in the card's fusion order. */
  fusion: number[];
  /** The card's intended-use warnings (plus a multi-frame note). */
  warnings: string[];
  study: {
    studyInstanceUID?: string;
    seriesInstanceUID?: string;
    modality?: string;
    viewPosition?: string;
    bodyPart?: string;
    rows: number;
    columns: number;
  };
  /** Age and sex as fed to the model (resolved from the header). */
  patient: { age?: number; sex?: string };
  timingsMs: Pick<StageTimings, 'read' | 'decode' | 'preprocess'>;
}
