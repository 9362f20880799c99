/**
 * Sending a request byte for byte over a TCP socket, for what HTTP clients
 * refuse to send or would merge, such as two `Authorization` header lines.
 */
import { connect } from 'node:net';

import type { INestApplication } from '@nestjs/common';

/** A response as read off the socket. */
export interface RawResponse {
  readonly status: number;
  /** Every header line as [lower-case name, value], in order and unmerged. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

/** Returns the values of every line of the header `name`. */
export function rawHeaderValues(response: RawResponse, name: string): string[] {
  const lowerName = name.toLowerCase();
  return response.headers.filter(([line]) => line === lowerName).map(([, value]) => value);
}

/**
 * Sends `GET path` with the given header lines (each `Name: value`) and
 * `Connection: close` to the app on 127.0.0.1, starting it on a free port
 * when it does not listen yet, and reads the whole response.
 */
export async function rawGet(
  app: INestApplication,
  path: string,
  headerLines: readonly string[],
): Promise<RawResponse> {
  const server = app.getHttpServer();
  if (!server.listening) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  const { port } = server.address() as { port: number };

  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    const head = [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...headerLines, 'Connection: close'];
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
  });

  return parseResponse(text);
}

// Reads a Connection: close response, whose body ends with the connection.
function parseResponse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) {
    throw new Error(`The response has no end of headers: ${JSON.stringify(text.slice(0, 200))}`);
  }
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine!)?.[1]);
  const headers = lines.map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const;
  });
  const chunked = headers.some(
    ([name, value]) => name === 'transfer-encoding' && value.toLowerCase() === 'chunked',
  );
  const body = text.slice(end + 4);
  return { status, headers, body: chunked ? joinChunks(body) : body };
}

// RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF, ending with size 0.
function joinChunks(body: string): string {
  let joined = '';
  let position = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', position);
    const size = Number.parseInt(body.slice(position, lineEnd), 16);
    if (!(size > 0)) {
      return joined;
    }
    joined += body.slice(lineEnd + 2, lineEnd + 2 + size);
    position = lineEnd + 2 + size + 2;
  }
}
