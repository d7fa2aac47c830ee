// DICOM UIDs cxrkit makes (under the 2.25 root: no registered org root needed, PS3.5 B.2), and the
// one-way tags that stand for a patient's UIDs in logs.
import { createHash, randomUUID } from 'node:crypto';

/** 2.25.<the 128-bit number as decimal>: a UID from 16 bytes given as 32 hex digits. */
function uidFromHex(hex: string): string {
  return `2.25.${BigInt(`0x${hex}`).toString()}`;
}

/** A new, globally unique UID (a random UUID under 2.25). */
export function newUid(): string {
  return uidFromHex(randomUUID().replace(/-/g, ''));
}

/** A stable UID derived from `text` (the first 128 bits of its SHA-256, under 2.25). */
export function uidFromText(text: string): string {
  return uidFromHex(createHash('sha256').update(text).digest('hex').slice(0, 32));
}

/** Implementation Class UID written in the file meta of every object cxrkit makes (= uidFromText). */
export const IMPLEMENTATION_CLASS_UID = '2.25.202244597392662606019814805077556554071';
/** Implementation Version Name (SH, ≤ 16 characters). */
export const IMPLEMENTATION_VERSION_NAME = 'CXRKIT_0.1.0';

/**
 * A short one-way tag for a UID, for logs: `uid:` + 16 hex digits of its SHA-256. The same UID always
 * gives the same tag (so a study can be followed through the log), and the UID cannot be read back.
 */
export function hashUid(uid: string | undefined): string {
  if (!uid) return 'uid:none';
  return `uid:${createHash('sha256').update(uid).digest('hex').slice(0, 16)}`;
}
