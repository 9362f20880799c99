/**
 * A minimal HTTP Digest client for supertest-based tests: picks a challenge
 * from a 401 and writes the `Authorization` value that responds to it.
 */
import {
  type DigestAlgorithm,
  digestHA1,
  digestResponse,
  parseAuthParams,
  parseDigestAlgorithm,
} from 'nestjs-portal';

/** The parameters of one Digest challenge. */
export interface DigestChallenge {
  readonly realm: string;
  readonly algorithm: DigestAlgorithm;
  readonly nonce: string;
  readonly opaque: string;
  readonly stale: boolean;
}

/** Returns the Digest challenge of `algorithm` among `WWW-Authenticate` lines; throws when none. */
export function digestChallenge(
  challenges: readonly string[],
  algorithm: DigestAlgorithm,
): DigestChallenge {
  for (const line of challenges) {
    if (!line.startsWith('Digest ')) {
      continue;
    }
    const params = parseAuthParams(line.slice('Digest '.length));
    if (parseDigestAlgorithm(params.get('algorithm') ?? 'MD5') === algorithm) {
      return {
        realm: params.get('realm')!,
        algorithm,
        nonce: params.get('nonce')!,
        opaque: params.get('opaque')!,
        stale: params.get('stale') === 'true',
      };
    }
  }
  throw new Error(`No Digest ${algorithm} challenge among: ${challenges.join(' | ')}`);
}

/** The user and request that the client responds for. */
export interface DigestAnswer {
  readonly username: string;
  readonly password: string;
  readonly method?: string;
  readonly uri: string;
  /** The nonce count as a number; default 1. */
  readonly nc?: number;
}

/**
 * Returns the `Authorization` value that responds to `challenge` with qop=auth,
 * as Node's HTTP client must send it: UTF-8 bytes, one Latin-1 character each.
 */
export function digestAuthorization(challenge: DigestChallenge, answer: DigestAnswer): string {
  const nc = (answer.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = 'b3Jhbmdl';
  const method = answer.method ?? 'GET';
  const ha1 = digestHA1(challenge.algorithm, answer.username, challenge.realm, answer.password);
  const response = digestResponse(ha1, {
    algorithm: challenge.algorithm,
    nonce: challenge.nonce,
    method,
    uri: answer.uri,
    qop: 'auth',
    nc,
    cnonce,
  });
  const header =
    `Digest username="${answer.username}", realm="${challenge.realm}", ` +
    `nonce="${challenge.nonce}", uri="${answer.uri}", algorithm=${challenge.algorithm}, ` +
    `qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}", ` +
    `opaque="${challenge.opaque}"`;
  return Buffer.from(header, 'utf8').toString('latin1');
}
