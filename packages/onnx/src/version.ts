/** The cxrkit version written into every exported model's metadata: the model card's (= package.json, by a test). */
export { CXRKIT_VERSION } from '@cxrkit/models/card';
