/**
 * The client side of HTTP Digest (RFC 7616), as the load generator needs it:
 * read a challenge, then sign request after request on its nonce.
 */
import { createHash, randomBytes } from 'node:crypto';

/** The parameters of one `Digest` challenge that a response is computed from. */
export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
}

// RFC 7235 §2.1: auth-param = token BWS "=" BWS ( token / quoted-string ),
// with quoted-pair (RFC 9110 §5.6.4) unescaped.
const AUTH_PARAM = /([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;

/** Reads a `WWW-Authenticate` value; returns undefined unless it is a Digest challenge with a nonce. */
export function parseDigestChallenge(value: string): DigestChallenge | undefined {
  const match = /^Digest\s+/i.exec(value);
  if (!match) {
    return undefined;
  }
  const params = new Map<string, string>();
  for (const param of value.slice(match[0].length).matchAll(AUTH_PARAM)) {
    const quoted = param[2]?.replace(/\\(.)/g, '$1');
    params.set(param[1]!.toLowerCase(), quoted ?? param[3]!);
  }
  const nonce = params.get('nonce');
  const realm = params.get('realm');
  if (nonce === undefined || realm === undefined) {
    return undefined;
  }
  return { realm, nonce, opaque: params.get('opaque') };
}

export interface DigestSignerOptions {
  readonly algorithm: 'SHA-256' | 'MD5';
  readonly username: string;
  readonly password: string;
  readonly method: string;
  /** The request target, query included, exactly as sent. */
  readonly uri: string;
  readonly challenge: DigestChallenge;
}

/**
 * Writes `Authorization: Digest` values with `qop=auth` for one nonce, with
 * the nonce count (`nc`, 8 hex digits) one higher on each call and a fresh
 * `cnonce`. A server that tracks counts accepts each value once.
 */
export class DigestSigner {
  private count = 0;
  private readonly hashName: string;
  private readonly ha1: string;
  private readonly ha2: string;

  constructor(private readonly options: DigestSignerOptions) {
    this.hashName = options.algorithm === 'SHA-256' ? 'sha256' : 'md5';
    const { username, password, method, uri, challenge } = options;
    this.ha1 = this.hash(`${username}:${challenge.realm}:${password}`);
    this.ha2 = this.hash(`${method}:${uri}`);
  }

  nextAuthorization(): string {
    this.count += 1;
    const nc = this.count.toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    const { username, uri, algorithm, challenge } = this.options;
    // RFC 7616 §3.4.1: response = H(HA1:nonce:nc:cnonce:qop:HA2).
    const response = this.hash(`${this.ha1}:${challenge.nonce}:${nc}:${cnonce}:auth:${this.ha2}`);
    const opaque = challenge.opaque === undefined ? '' : `, opaque="${challenge.opaque}"`;
    return (
      `Digest username="${username}", realm="${challenge.realm}", nonce="${challenge.nonce}", ` +
      `uri="${uri}", algorithm=${algorithm}, qop=auth, nc=${nc}, cnonce="${cnonce}", ` +
      `response="${response}"${opaque}`
    );
  }

  private hash(text: string): string {
    return createHash(this.hashName).update(text, 'utf8').digest('hex');
  }
}
