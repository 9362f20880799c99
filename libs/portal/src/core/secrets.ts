import { timingSafeEqual } from 'node:crypto';

/** A password or other secret: a string is taken as UTF-8, bytes as they are. */
export type Secret = string | Uint8Array;

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
 *
 * The work is one `timingSafeEqual` over the bytes of `a` whether or not the
 * lengths match (with different lengths, `a` is compared with itself), so the
 * time depends on the length of `a` only. Pass the secret the client sent as
 * `a` and the stored one as `b`, and the time reveals nothing about the stored one.
 */
export function secretsEqual(a: unknown, b: unknown): boolean {
  if (!isSecret(a) || !isSecret(b)) {
    return false;
  }
  const bytesA = secretBytes(a);
  const bytesB = secretBytes(b);
  const sameLength = bytesA.length === bytesB.length;
  const equal = timingSafeEqual(bytesA, sameLength ? bytesB : bytesA);
  return sameLength && equal;
}

/** Tests whether a value can be used as a secret: a string or a `Uint8Array`. */
export function isSecret(value: unknown): value is Secret {
  return typeof value === 'string' || value instanceof Uint8Array;
}
