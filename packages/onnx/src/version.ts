/** The cxrkit version written into every exported model's metadata (kept equal to package.json by a test). */
export const CXRKIT_VERSION = '0.1.0';
