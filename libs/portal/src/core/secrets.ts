import { hash, timingSafeEqual } from 'node:crypto';

/** A password or other secret: a string is taken as UTF-8, bytes as they are. */
export type Secret = string | Uint8Array;

// Both sides of a comparison are hashed with SHA-256 first, so the compared
// values always have the same length and the time spent does not depend on
// where, or whether, the secrets differ. Equal digests mean equal secrets,
// since SHA-256 is collision resistant. The one-shot hash() is about three
// times faster than an HMAC object, and this runs on every password login.

/** Encodes a secret as bytes: strings as UTF-8, byte arrays unchanged. */
export function secretBytes(secret: Secret): Buffer {
  if (typeof secret === 'string') {
    return Buffer.from(secret, 'utf8');
  }
  return Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength);
}

/**
 * Compares two secrets in constant time, also when their lengths differ.
 * Strings are compared as their UTF-8 bytes, so the string `'é'` equals the
 * bytes `c3 a9`. Returns false for any value that is not a string or bytes.
 */
export function secretsEqual(a: unknown, b: unknown): boolean {
  if (!isSecret(a) || !isSecret(b)) {
    return false;
  }
  const digestA = hash('sha256', secretBytes(a), 'buffer') as unknown as Buffer;
  const digestB = hash('sha256', secretBytes(b), 'buffer') as unknown as Buffer;
  return timingSafeEqual(digestA, digestB);
}

/** Tests whether a value can be used as a secret: a string or a `Uint8Array`. */
export function isSecret(value: unknown): value is Secret {
  return typeof value === 'string' || value instanceof Uint8Array;
}
