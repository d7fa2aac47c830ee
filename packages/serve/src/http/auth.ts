// Optional bearer-token authentication: `Authorization: Bearer <token>`, compared in constant time.
import type { IncomingMessage } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';

/** A check that a request carries the token (always true when no token is configured). */
export function bearerCheck(token: string | undefined): (req: IncomingMessage) => boolean {
  if (!token) return () => true;
  const want = createHash('sha256').update(token).digest();
  return (req) => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!m) return false;
    const got = createHash('sha256').update(m[1]!.trim()).digest();
    return timingSafeEqual(got, want);
  };
}
