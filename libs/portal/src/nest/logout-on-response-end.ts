import type { ServerResponse } from 'node:http';

import type { Logout } from '../core/realm.js';

/**
 * Calls `logout` once, when the response has been sent (`finish`) or when
 * the connection closed before that (`close` without `finish`: the client
 * went away). An error thrown or rejected by `logout` goes to `onFailure` and
 * never reaches the client. When the response is already over, `logout` runs
 * at once.
 *
 * A handler that throws still ends in a response (Nest's error response), and a
 * streamed body ends the response when the stream does, so both are covered.
 */
export function logoutOnResponseEnd(
  response: ServerResponse,
  logout: Logout,
  onFailure: (error: unknown) => void,
): void {
  let called = false;
  const runLogout = (): void => {
    if (called) {
      return;
    }
    called = true;
    response.off('finish', runLogout);
    response.off('close', runLogout);
    try {
      Promise.resolve(logout()).catch(onFailure);
    } catch (error) {
      onFailure(error);
    }
  };

  if (response.writableFinished || response.destroyed) {
    runLogout();
    return;
  }
  response.once('finish', runLogout);
  response.once('close', runLogout);
}
