// The typed errors of the model card: a CxrkitError (from the tfjs-free core entry) with `pkg: 'models'`.
import { CxrkitError } from '@cxrkit/core/tfjs-free';

/** A CxrkitError of the model card: stable `code`, message, the rejected value and the fix. */
export function cardError(code: string, message: string, received: unknown, fix: string, cause?: unknown): CxrkitError {
  return new CxrkitError(code, message, { received, fix, pkg: 'models', cause });
}

/** Throws {@link cardError}; returns `never` so that it can end an expression or a branch. */
export function cardFail(code: string, message: string, received: unknown, fix: string, cause?: unknown): never {
  throw cardError(code, message, received, fix, cause);
}
