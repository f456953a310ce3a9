/**
 * One structured JSON logger (pino). Request handlers use a child logger that carries the
 * request id on every line, so one request can be followed through the logs.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'bx87h9' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Never log credentials, tokens or personal data even if a caller passes them by mistake.
    redact: {
      paths: [
        'password',
        '*.password',
        'newPassword',
        '*.newPassword',
        'refreshToken',
        '*.refreshToken',
        'req.headers.authorization',
        'idNumber',
        '*.idNumber',
      ],
      censor: '[redacted]',
    },
  });
}
