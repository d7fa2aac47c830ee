// A watch on the PDU framing of an incoming DICOM connection (PS3.8 9.3), before dcmjs-dimse accumulates
// PDUs: the first PDU must be an A-ASSOCIATE-RQ, each PDU type must be one an association acceptor can
// receive, and each declared length must fit that type (a P-DATA-TF no longer than the maximum PDU length
// the SCP announced). Anything else is answered with an A-ABORT and the connection is closed, so a peer
// cannot make the service buffer a 4 GiB "PDU" or parse garbage.

/** Why the guard stopped a connection. */
export interface PduViolation {
  /** A-ABORT reason (PS3.8 9.3.8): 1 unrecognized PDU, 2 unexpected PDU, 6 invalid PDU parameter value. */
  reason: 1 | 2 | 6;
  message: string;
}

/** Limits of {@link createPduGuard}. */
export interface PduGuardLimits {
  /** Largest P-DATA-TF PDU length accepted (the Maximum Length the SCP announces, plus slack). */
  maxPDataLength: number;
  /** Largest A-ASSOCIATE-RQ length accepted. Default 64 KiB (real ones are a few hundred bytes). */
  maxAssociateLength?: number;
}

/**
 * A framing checker fed every received chunk in order; returns a violation once the stream breaks the
 * rules above (and keeps returning it), otherwise undefined.
 */
export function createPduGuard(limits: PduGuardLimits): (chunk: Uint8Array) => PduViolation | undefined {
  const maxAssociate = limits.maxAssociateLength ?? 64 * 1024;
  const header = new Uint8Array(6);
  let headerFill = 0;
  let bodyLeft = 0;
  let seen = 0;
  let violation: PduViolation | undefined;

  const check = (type: number, length: number): PduViolation | undefined => {
    if (seen === 0 && type !== 0x01) return { reason: 2, message: `first PDU is type ${type}, not A-ASSOCIATE-RQ` };
    switch (type) {
      case 0x01:
        if (seen > 0) return { reason: 2, message: 'a second A-ASSOCIATE-RQ' };
        return length > maxAssociate ? { reason: 6, message: `A-ASSOCIATE-RQ of ${length} bytes` } : undefined;
      case 0x04:
        return length > limits.maxPDataLength || length < 6
          ? { reason: 6, message: `P-DATA-TF of ${length} bytes (limit ${limits.maxPDataLength})` }
          : undefined;
      case 0x05: // A-RELEASE-RQ
      case 0x06: // A-RELEASE-RP
      case 0x07: // A-ABORT
        return length === 4 ? undefined : { reason: 6, message: `PDU type ${type} of ${length} bytes (must be 4)` };
      case 0x02:
      case 0x03:
        return { reason: 2, message: `PDU type ${type} (A-ASSOCIATE-AC/RJ) sent to an acceptor` };
      default:
        return { reason: 1, message: `unknown PDU type ${type}` };
    }
  };

  return (chunk) => {
    if (violation) return violation;
    let p = 0;
    while (p < chunk.length) {
      if (bodyLeft > 0) {
        const n = Math.min(bodyLeft, chunk.length - p);
        bodyLeft -= n;
        p += n;
        continue;
      }
      header[headerFill++] = chunk[p++]!;
      if (headerFill < 6) continue;
      headerFill = 0;
      const type = header[0]!;
      const length = ((header[2]! << 24) >>> 0) + (header[3]! << 16) + (header[4]! << 8) + header[5]!;
      violation = check(type, length);
      if (violation) return violation;
      seen++;
      bodyLeft = length;
    }
    return undefined;
  };
}

/** The bytes of an A-ABORT PDU from the service provider with `reason`. */
export function abortPdu(reason: number): Uint8Array {
  return Uint8Array.of(0x07, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x02, reason);
}
