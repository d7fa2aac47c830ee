// A thrown error as the plain-language reason an image was not screened (the text an SR carries).
import { isCxrkitError } from '@cxrkit/core/tfjs-free';

/** "The image could not be screened (CODE): message" for a CxrkitError; a generic sentence otherwise. */
export function reasonFromError(e: unknown): string {
  if (isCxrkitError(e)) {
    const text = e.message.replace(/^\[cxrkit\/[a-z-]+\] [A-Z0-9_]+: /, '').replace(/ \(received: .*$/s, '');
    return `The image could not be screened (${e.code}): ${text.replace(/ Fix: .*$/s, '')}`;
  }
  return 'The image could not be screened: the service failed unexpectedly.';
}
