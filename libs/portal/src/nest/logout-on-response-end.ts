import type { ServerResponse } from 'node:http';

import type { Logout } from '../core/realm.js';

/**
 * Calls `logout` once, when the response has been sent (`finish`) or when
 * the connection closed before that (`close` without `finish`: the client
 * went away). The connection's own `close` counts too, because Node emits
 * neither event on a pipelined response still queued behind another when the
 * client closes the connection. An error thrown or rejected by `logout` goes to `onFailure` and
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
  const socket = response.req?.socket;
  const runLogout = (): void => {
    if (called) {
      return;
    }
    called = true;
    response.off('finish', runLogout);
    response.off('close', runLogout);
    // Removed at once, since a keep-alive socket outlives many responses.
    socket?.off('close', runLogout);
    try {
      Promise.resolve(logout()).catch(onFailure);
    } catch (error) {
      onFailure(error);
    }
  };

  if (response.writableFinished || response.destroyed || socket?.destroyed) {
    runLogout();
    return;
  }
  response.once('finish', runLogout);
  response.once('close', runLogout);
  socket?.once('close', runLogout);
}
