/**
 * The hash computations of HTTP Digest (RFC 7616 §3.4.1 to §3.4.4), shared by
 * the credential factory, the credentials and checkers that store `HA1`.
 */
import { createHash } from 'node:crypto';

import { type Secret, secretBytes } from '../core/secrets.js';

/** The Digest algorithms that nestjs-portal verifies (RFC 7616 §3.3, §6.1). */
export const DIGEST_ALGORITHMS = [
  'MD5',
  'MD5-sess',
  'SHA-256',
  'SHA-256-sess',
  'SHA-512-256',
  'SHA-512-256-sess',
] as const;

/** One of `DIGEST_ALGORITHMS`. */
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

/** The hash function under a Digest algorithm: what a stored `HA1` was made with. */
export type DigestHashName = 'MD5' | 'SHA-256' | 'SHA-512-256';

const NODE_HASHES: Record<DigestHashName, string> = {
  MD5: 'md5',
  'SHA-256': 'sha256',
  'SHA-512-256': 'sha512-256',
};

/** Length in hex digits of a response or `HA1` for each hash. */
const HEX_LENGTHS: Record<DigestHashName, number> = { MD5: 32, 'SHA-256': 64, 'SHA-512-256': 64 };

/**
 * Returns the algorithm named by `name`, matched case-insensitively (RFC 7616
 * §3.3: the algorithm token is case-insensitive), or `undefined` when it is
 * not one of `DIGEST_ALGORITHMS`.
 */
export function parseDigestAlgorithm(name: string): DigestAlgorithm | undefined {
  const upper = name.toUpperCase();
  return DIGEST_ALGORITHMS.find((algorithm) => algorithm.toUpperCase() === upper);
}

/** Returns the hash function of `algorithm`: `SHA-256-sess` hashes with SHA-256. */
export function digestHashName(algorithm: DigestAlgorithm): DigestHashName {
  return (algorithm.endsWith('-sess') ? algorithm.slice(0, -5) : algorithm) as DigestHashName;
}

/** Tests whether `algorithm` is a session variant, whose `HA1` mixes in the nonces. */
export function isSessionAlgorithm(algorithm: DigestAlgorithm): boolean {
  return algorithm.endsWith('-sess');
}

/** Returns the length, in hex digits, of the responses and `HA1` values of `algorithm`. */
export function digestHexLength(algorithm: DigestAlgorithm): number {
  return HEX_LENGTHS[digestHashName(algorithm)];
}

function hashHex(algorithm: DigestAlgorithm, ...parts: (string | Uint8Array)[]): string {
  const hash = createHash(NODE_HASHES[digestHashName(algorithm)]);
  parts.forEach((part, index) => {
    if (index > 0) {
      hash.update(':');
    }
    hash.update(typeof part === 'string' ? Buffer.from(part, 'utf8') : part);
  });
  return hash.digest('hex');
}

/**
 * Computes `HA1 = H(username ":" realm ":" password)` in lower-case hex, the
 * value that `htdigest` stores for MD5 (RFC 7616 §3.4.2). Strings are hashed
 * as UTF-8, a byte password as it is. For `-sess` algorithms this is still
 * the stored value; the session `HA1` is derived from it per request.
 */
export function digestHA1(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: Secret,
): string {
  return hashHex(algorithm, username, realm, secretBytes(password));
}

/**
 * Computes the userhash `H(username ":" realm)` that a client sends in place
 * of the username with `userhash=true` (RFC 7616 §3.4.4).
 */
export function digestUserhash(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
): string {
  return hashHex(algorithm, username, realm);
}

/** The inputs of a Digest response besides `HA1`. */
export interface DigestResponseInputs {
  readonly algorithm: DigestAlgorithm;
  readonly nonce: string;
  /** The request method (`GET`). */
  readonly method: string;
  /** The digest `uri` parameter, which equals the request target. */
  readonly uri: string;
  /** `auth`, or undefined for an RFC 2069 client that sent no qop. */
  readonly qop?: string;
  /** The nonce count as sent: 8 hex digits. Needed with `qop`. */
  readonly nc?: string;
  /** The client nonce. Needed with `qop` and with every `-sess` algorithm. */
  readonly cnonce?: string;
}

/**
 * Computes the expected `response` parameter from the stored `HA1` (lower-case
 * hex of `H(username:realm:password)`), per RFC 7616 §3.4.1:
 *
 *   HA1 (-sess)  = H( H(username:realm:password) ":" nonce ":" cnonce )
 *   HA2          = H( method ":" uri )
 *   response     = H( HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2 )
 *   without qop  = H( HA1 ":" nonce ":" HA2 )               (RFC 2069)
 *
 * Throws `TypeError` when an input that the chosen mode needs is missing.
 */
export function digestResponse(ha1: string, inputs: DigestResponseInputs): string {
  const { algorithm, nonce, method, uri, qop, nc, cnonce } = inputs;
  let sessionHA1 = ha1;
  if (isSessionAlgorithm(algorithm)) {
    if (cnonce === undefined) {
      throw new TypeError(`Digest ${algorithm} needs a cnonce.`);
    }
    sessionHA1 = hashHex(algorithm, ha1, nonce, cnonce);
  }
  const ha2 = hashHex(algorithm, method, uri);

  if (qop === undefined) {
    return hashHex(algorithm, sessionHA1, nonce, ha2);
  }
  if (nc === undefined || cnonce === undefined) {
    throw new TypeError('A Digest response with qop needs nc and cnonce.');
  }
  return hashHex(algorithm, sessionHA1, nonce, nc, cnonce, qop, ha2);
}
