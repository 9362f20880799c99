/**
 * The built demo (`npm run build`, then `node dist/src/main.js`), driven by
 * the real curl client, as a user of `npm start` would: Basic, Digest,
 * bearer tokens from /token, throttling and the audit log.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';

import { requireTool } from './support/require-tool.js';

const run = promisify(execFile);

// The build compiles the library and the demo; allow for a slow machine.
const BUILD_TIMEOUT_MS = 180_000;

interface CurlResult {
  /** The status of the last response. */
  readonly status: number;
  /** The header blocks of every response curl received, challenges included. */
  readonly headers: string;
  /** The body of the last response. */
  readonly body: string;
}

describe('built demo with curl', () => {
  let curl: string;
  let demo: ChildProcess | undefined;
  let baseUrl: string;
  const output: string[] = [];

  beforeAll(async () => {
    curl = requireTool('curl', 'curl');
    execFileSync('npm', ['run', 'build'], { stdio: 'pipe', timeout: BUILD_TIMEOUT_MS });

    // PORT=0 lets the OS pick a free port; the demo logs the URL it serves on.
    const started = spawn(process.execPath, ['dist/src/main.js'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo = started;
    baseUrl = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output.push(chunk.toString('utf8'));
        const text = output.join('');
        const match = /Serving the nestjs-portal demo on (http:\/\/\S+) /.exec(text);
        if (match && text.includes('under "Demo users"')) {
          resolve(match[1]!.replace('localhost', '127.0.0.1'));
        }
      };
      started.stdout!.on('data', onData);
      started.stderr!.on('data', onData);
      started.once('exit', (code) =>
        reject(new Error(`The demo exited with code ${code} before serving:\n${output.join('')}`)),
      );
    });
  }, BUILD_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    if (demo && demo.exitCode === null) {
      const exited = new Promise((resolve) => demo!.once('exit', resolve));
      demo.kill('SIGTERM');
      await exited;
    }
  });

  async function curlGet(path: string, ...options: string[]): Promise<CurlResult> {
    const { stdout } = await run(curl, [
      '--silent',
      '--show-error',
      '--include',
      ...options,
      `${baseUrl}${path}`,
    ]);
    // --include prints each response's header block; only the last one has its body.
    const blocks: string[] = [];
    let rest = stdout;
    while (rest.startsWith('HTTP/')) {
      const end = rest.indexOf('\r\n\r\n');
      blocks.push(rest.slice(0, end));
      rest = rest.slice(end + 4);
    }
    return {
      status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(blocks.at(-1) ?? '')?.[1]),
      headers: blocks.join('\r\n\r\n'),
      body: rest,
    };
  }

  test('logs where the demo users are documented', () => {
    expect(output.join('')).toContain('The demo users are listed in README.md under "Demo users"');
  });

  test('curl -u alice reads the mailbox', async () => {
    const result = await curlGet('/mailbox', '-u', 'alice:wonderland');

    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ avatar: 'IMailbox', owner: 'alice' });
  });

  test('curl -u with a UTF-8 user', async () => {
    const result = await curlGet('/whoami', '-u', 'zoë:smörgåsbord');

    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ avatar: 'IIdentity', name: 'zoë', anonymous: false });
  });

  test('curl -u admin opens the admin console', async () => {
    const result = await curlGet('/admin', '-u', 'admin:admin-demo');

    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ avatar: 'IAdmin', name: 'admin' });
  });

  test('curl -u alice is forbidden the admin console', async () => {
    const result = await curlGet('/admin', '-u', 'alice:wonderland');

    expect(result.status).toBe(403);
  });

  test('logs how bearer tokens are signed, without the key', () => {
    expect(output.join('')).toContain(
      'Bearer tokens are signed (HS256) with a random key made at start-up',
    );
  });

  test('curl without credentials gets every challenge', async () => {
    const result = await curlGet('/mailbox');

    expect(result.status).toBe(401);
    expect(
      result.headers.split('\r\n').filter((line) => line.startsWith('WWW-Authenticate')),
    ).toEqual([
      expect.stringMatching(
        /^WWW-Authenticate: Digest realm="nestjs-portal demo", qop="auth", algorithm=SHA-256, /,
      ),
      expect.stringMatching(
        /^WWW-Authenticate: Digest realm="nestjs-portal demo", qop="auth", algorithm=MD5, /,
      ),
      'WWW-Authenticate: Basic realm="nestjs-portal demo", charset="UTF-8"',
      'WWW-Authenticate: Bearer realm="nestjs-portal demo"',
    ]);
    expect(JSON.parse(result.body)).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Authentication required.',
    });
  });

  test('curl --digest -u alice reads the mailbox', async () => {
    const result = await curlGet('/mailbox', '--digest', '-u', 'alice:wonderland');

    expect(result.status).toBe(200);
    expect(result.headers).toContain('401 Unauthorized');
    expect(JSON.parse(result.body)).toMatchObject({ avatar: 'IMailbox', owner: 'alice' });
  });

  // /mailbox, because /whoami lets curl's first, anonymous request in.
  test('curl --digest with a UTF-8 user', async () => {
    const result = await curlGet('/mailbox', '--digest', '-u', 'zoë:smörgåsbord');

    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ avatar: 'IMailbox', owner: 'zoë' });
  });

  test('curl --digest -u admin opens the admin console', async () => {
    const result = await curlGet('/admin', '--digest', '-u', 'admin:admin-demo');

    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ avatar: 'IAdmin', name: 'admin' });
  });

  test('curl --digest with a wrong password gets 401', async () => {
    const result = await curlGet('/mailbox', '--digest', '-u', 'alice:Wonderland');

    expect(result.status).toBe(401);
  });

  test('bearer token from /token opens the mailbox', async () => {
    const token = await curlGet('/token?format=text', '-u', 'alice:wonderland');
    expect(token.status).toBe(200);

    const result = await curlGet('/mailbox', '-H', `Authorization: Bearer ${token.body.trim()}`);

    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ avatar: 'IMailbox', owner: 'alice' });
  });

  test('bearer token from /token JSON, cut out with sed', async () => {
    const { stdout } = await run('sh', [
      '-c',
      `curl -s -u admin:admin-demo '${baseUrl}/token' | ` +
        `sed -n 's/.*"access_token":"\\([^"]*\\)".*/\\1/p'`,
    ]);

    const result = await curlGet('/admin', '-H', `Authorization: Bearer ${stdout.trim()}`);

    expect(result.status).toBe(200);
  });

  test('curl with a made-up bearer token gets invalid_token', async () => {
    const result = await curlGet('/mailbox', '-H', 'Authorization: Bearer made.up.token');

    expect(result.status).toBe(401);
    expect(result.headers).toContain(
      'WWW-Authenticate: Bearer realm="nestjs-portal demo", error="invalid_token"',
    );
  });

  test('curl --anyauth answers the challenge', async () => {
    // Plain -u sends Basic at once, but --anyauth first sends the request without credentials.
    const result = await curlGet('/mailbox', '--anyauth', '-u', 'alice:wonderland');

    expect(result.status).toBe(200);
    expect(result.headers).toContain('401 Unauthorized');
  });

  // Last, because it leaves the address with 11 of its 100 failures.
  test('11th wrong password gets 429 with Retry-After', async () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      expect((await curlGet('/mailbox', '-u', 'mallory:guess')).status).toBe(401);
    }

    const result = await curlGet('/mailbox', '-u', 'mallory:guess');

    expect(result.status).toBe(429);
    expect(result.headers).toMatch(/\r\nRetry-After: \d+\r\n/i);
  });

  test('audit log names logins and never a secret', async () => {
    // The start-up lines print the documented demo password on purpose.
    const log = output
      .join('')
      .split('\n')
      .filter((line) => line.includes('[PortalAudit]'))
      .join('\n');

    expect(log).toMatch(/PortalAudit.*Login succeeded: avatar "alice" as IMailbox, scheme digest/);
    expect(log).toMatch(/PortalAudit.*Login failed \(bad_credentials\), username "mallory"/);
    expect(log).toMatch(/PortalAudit.*Login failed \(throttled\), username "mallory"/);
    for (const secret of ['wonderland', 'admin-demo', 'smörgåsbord', 'guess', 'eyJ']) {
      expect(log).not.toContain(secret);
    }
  });
});
