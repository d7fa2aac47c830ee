// The versions a model card records: of the card format, and of the cxrkit that wrote it.

/** The cxrkit version written into every model card and exported model (kept equal to package.json by a test). */
export const CXRKIT_VERSION = '0.1.0';

/**
 * Version of the model-card format. Raised when a field changes meaning or a required field is added;
 * `parseModelCard` migrates every older version (and the pre-card `screening.json`) to this one.
 */
export const MODEL_CARD_SCHEMA_VERSION = 1;
