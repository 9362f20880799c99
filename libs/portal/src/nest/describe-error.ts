/**
 * Returns `Name: message` for a thrown value, or a short description of a
 * thrown non-error, for log lines.
 *
 * Duck-typed, because errors made by Node itself can come from another realm
 * (a VM context, a test runner) where instanceof Error is false.
 */
export function describeError(error: unknown): string {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  if (typeof name === 'string' && typeof message === 'string') {
    return `${name}: ${message}`;
  }
  return `a thrown ${error === null ? 'null' : typeof error}`;
}
