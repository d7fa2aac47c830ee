// The one way @cxrkit/dataset raises errors: core's CxrkitError with the package prefix `[cxrkit/dataset]`.
import { CxrkitError, type CxrkitErrorOptions } from '@cxrkit/core/tfjs-free';

/** A CxrkitError raised by @cxrkit/dataset (`[cxrkit/dataset] CODE: message (received: …) Fix: …`). */
export function datasetError(
  code: string,
  message: string,
  options: Omit<CxrkitErrorOptions, 'pkg'> = {},
): CxrkitError {
  return new CxrkitError(code, message, { ...options, pkg: 'dataset' });
}
