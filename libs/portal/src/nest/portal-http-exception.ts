import { HttpException } from '@nestjs/common';

const ERROR_NAMES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  429: 'Too Many Requests',
};

/**
 * Makes an `HttpException` whose body is Nest's usual
 * `{ statusCode, message, error }`, or `{ statusCode, message }` for 500 as
 * Nest responds to unknown errors.
 *
 * No stack trace is captured: the exception only carries a response to the
 * client, and a flood of failed logins (password guessing) should cost as
 * little as possible.
 */
export function portalHttpException(status: number, message: string): HttpException {
  const error = ERROR_NAMES[status];
  const body =
    error === undefined ? { statusCode: status, message } : { statusCode: status, message, error };

  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new HttpException(body, status);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}
