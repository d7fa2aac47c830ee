// Errors of @cxrkit/experiments: core's CxrkitError with the `[cxrkit/experiments]` prefix, naming the
// field, the value received and the fix.
import { CxrkitError, type CxrkitErrorOptions } from '@cxrkit/core/tfjs-free';

/** A CxrkitError raised by @cxrkit/experiments (`[cxrkit/experiments] CODE: …`). */
export function experimentsError(
  code: string,
  message: string,
  options: Omit<CxrkitErrorOptions, 'pkg'> = {},
): CxrkitError {
  return new CxrkitError(code, message, { ...options, pkg: 'experiments' });
}
