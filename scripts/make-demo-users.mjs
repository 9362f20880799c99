#!/usr/bin/env node
/**
 * Writes the demo's password files from the demo users listed in README.md:
 *
 * - users.htpasswd with Apache's `htpasswd -B` (bcrypt, htpasswd's default cost);
 * - users.htdigest with Apache's `htdigest` (MD5 lines), followed by SHA-256
 *   lines made with the library's `htdigestLine`, in the demo's realm.
 *
 * Usage: node scripts/make-demo-users.mjs [directory]   (default: data/)
 *
 * Needs `htpasswd` and `htdigest` (Debian package apache2-utils) and `script`
 * (bsdutils), because htdigest reads passwords only from a terminal. Builds
 * the library first (npm run build:lib) to import htdigestLine from it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const directory = resolve(process.argv[2] ?? join(root, 'data'));

// Keep in step with README.md ("Demo users") and src/credential-factories.ts.
const REALM = 'nestjs-portal demo';
const USERS = [
  ['alice', 'wonderland'],
  ['admin', 'admin-demo'],
  ['zoë', 'smörgåsbord'],
];

function requireCommand(command, debianPackage) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`${command} is missing; install it with: apt-get install -y ${debianPackage}`);
  }
}

// htpasswd -i reads the password from standard input, so it never shows in `ps`.
function addHtpasswdUser(file, username, password, create) {
  execFileSync('htpasswd', [...(create ? ['-c'] : []), '-i', '-B', file, username], {
    input: `${password}\n`,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
}

function shellQuote(value) {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

// htdigest prompts twice for the password on a terminal; `script` gives it one.
function addHtdigestUser(file, username, password, create) {
  const command = ['htdigest', ...(create ? ['-c'] : []), file, REALM, username]
    .map(shellQuote)
    .join(' ');
  return new Promise((resolvePromise, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: 'pipe' });
    let output = '';
    let answered = 0;
    child.stdout.on('data', (chunk) => {
      output += chunk.toString('utf8');
      const prompts = output.match(/password:/gi)?.length ?? 0;
      while (answered < prompts) {
        answered += 1;
        child.stdin.write(`${password}\n`);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && answered === 2) {
        resolvePromise();
      } else {
        reject(new Error(`htdigest exited with ${code} for ${username}: ${output.trim()}`));
      }
    });
  });
}

requireCommand('htpasswd', 'apache2-utils');
requireCommand('htdigest', 'apache2-utils');
requireCommand('script', 'bsdutils');

execFileSync('npm', ['run', 'build:lib'], { cwd: root, stdio: 'inherit' });
const { htdigestLine } = await import(pathToFileURL(join(root, 'libs/portal/dist/index.js')).href);

mkdirSync(directory, { recursive: true });
const htpasswdFile = join(directory, 'users.htpasswd');
const htdigestFile = join(directory, 'users.htdigest');
rmSync(htpasswdFile, { force: true });
rmSync(htdigestFile, { force: true });

for (const [index, [username, password]] of USERS.entries()) {
  addHtpasswdUser(htpasswdFile, username, password, index === 0);
  await addHtdigestUser(htdigestFile, username, password, index === 0);
}
for (const [username, password] of USERS) {
  appendFileSync(htdigestFile, `${htdigestLine(username, REALM, password, 'SHA-256')}\n`);
}

console.log(`Wrote ${htpasswdFile} and ${htdigestFile} for ${USERS.length} users.`);
