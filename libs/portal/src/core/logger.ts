/**
 * The logger that core and protocol code write to. Nest's `Logger` fits it, so
 * the Nest layer passes one in; outside Nest the default writes to the console.
 * Messages never contain passwords, hashes, tokens or header values.
 */
export interface PortalLogger {
  /** Optional, because not every logger has a debug level; callers fall back to `log`. */
  debug?(message: string): void;
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Writes to `console`, each line prefixed with `[nestjs-portal]` and the given context. */
export function consoleLogger(context: string): PortalLogger {
  const prefix = `[nestjs-portal] ${context}:`;
  return {
    debug: (message) => console.debug(prefix, message),
    log: (message) => console.log(prefix, message),
    warn: (message) => console.warn(prefix, message),
    error: (message) => console.error(prefix, message),
  };
}
