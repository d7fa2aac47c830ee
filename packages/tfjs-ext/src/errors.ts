// The typed errors of @cxrkit/tfjs-ext: a CxrkitError from @cxrkit/core with `pkg: 'tfjs-ext'`.
import { CxrkitError } from '@cxrkit/core';

/** A CxrkitError of this package: stable `code`, the `message`, the rejected value and the fix. */
export function tfjsExtError(
  code: string,
  message: string,
  received: unknown,
  fix: string,
  cause?: unknown,
): CxrkitError {
  return new CxrkitError(code, message, { received, fix, pkg: 'tfjs-ext', cause });
}
