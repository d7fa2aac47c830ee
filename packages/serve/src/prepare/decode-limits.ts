// The reader's limits the service applies: fit for chest films, far below readDicom's own defaults (2^28
// samples, 1 GiB inflated), so a decompression bomb is refused in a fraction of a second.

/** Limits on what the service decodes. */
export interface DecodeLimits {
  /** Largest rows × columns × frames × samples (readDicom's maxPixels). */
  maxPixels: number;
  /** Largest size of a deflated data set once inflated, bytes (readDicom's maxInflatedBytes). */
  maxInflatedBytes: number;
}

/**
 * Service defaults: 2^25 samples (33.5 M: a 5,792² film; the largest chest detectors are about 4,300 ×
 * 3,500 = 15 M) and 80 MiB inflated (2^25 16-bit samples plus the header).
 */
export const SERVICE_DECODE_LIMITS: DecodeLimits = {
  maxPixels: 2 ** 25,
  maxInflatedBytes: 80 * 2 ** 20,
};
