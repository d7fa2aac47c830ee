// The typed errors of @cxrkit/models: a CxrkitError from @cxrkit/core with `pkg: 'models'`.
import { CxrkitError } from '@cxrkit/core';

/** A CxrkitError of this package: stable `code`, the `message`, the rejected value, the fix and an optional caught `cause`. */
export function modelsError(
  code: string,
  message: string,
  received: unknown,
  fix: string,
  cause?: unknown,
): CxrkitError {
  return new CxrkitError(code, message, { received, fix, pkg: 'models', cause });
}

/** Throws {@link modelsError}; returns `never` so that it can end an expression or a branch. */
export function fail(code: string, message: string, received: unknown, fix: string, cause?: unknown): never {
  throw modelsError(code, message, received, fix, cause);
}
