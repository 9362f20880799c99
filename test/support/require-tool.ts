import { execFileSync } from 'node:child_process';

/**
 * Returns the path of a command-line tool that a test needs, or throws an
 * error naming the Debian package to install. Tests must fail, not skip,
 * when a tool is missing, so that CI cannot pass without running them.
 */
export function requireTool(command: string, debianPackage: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      `The test needs the '${command}' command, which is not installed. ` +
        `Install it with: apt-get install -y ${debianPackage}`,
    );
  }
}
