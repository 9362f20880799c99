import {
  VerificationCache,
  type VerificationCacheOptions,
} from '../security/verification-cache.js';

/**
 * Validates the `verificationCache` option of a file checker: returns the
 * given cache, a new cache made from options, or undefined for `false` and
 * `undefined`. Throws `TypeError` for any other value, and `RangeError` (from
 * `VerificationCache`) for invalid options.
 */
export function verificationCacheOption(
  value: VerificationCache | VerificationCacheOptions | false | undefined,
  checker: string,
): VerificationCache | undefined {
  if (value === undefined || value === false) {
    return undefined;
  }
  if (value instanceof VerificationCache) {
    return value;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(
      `${checker}: verificationCache must be a VerificationCache, its options, or false.`,
    );
  }
  return new VerificationCache(value);
}
