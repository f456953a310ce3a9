import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import { databaseUnavailable } from '../db/driver-errors.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { TextStream } from './route.js';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Writes a TextStream. The first chunk is awaited before the status line, so a failure before
 * any data (a bad query, the database down) still leaves as a normal JSON error; a failure
 * later ends the connection (sendError destroys a response whose headers are sent), which the
 * client sees as a truncated download rather than a complete-looking file. Waits for 'drain'
 * when the socket is full, and stops reading when the client goes away.
 */
export async function sendTextStream(res: ServerResponse, status: number, contentType: string, stream: TextStream): Promise<void> {
  const chunks = stream.chunks[Symbol.asyncIterator]();
  let next = await chunks.next();
  res.writeHead(status, { ...stream.headers, 'Content-Type': contentType });
  while (!next.done) {
    if (!res.write(next.value)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
    if (res.destroyed) {
      await chunks.return?.();
      return;
    }
    next = await chunks.next();
  }
  res.end();
}

/**
 * The one error mapper. An AppError becomes its status and stable code; a database that cannot
 * be reached or is overloaded becomes 503 with Retry-After (db/driver-errors.ts); anything else
 * is logged with its stack and answered 500 INTERNAL with a generic message — never the stack.
 */
export function sendError(res: ServerResponse, error: unknown, log: Logger): void {
  const appError = toAppError(error, log);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (appError.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(appError.retryAfterSeconds));
  sendJson(res, appError.status, {
    error: {
      code: appError.code,
      message: appError.message,
      ...(appError.details ? { details: appError.details } : {}),
    },
  });
}

function toAppError(error: unknown, log: Logger): AppError {
  if (error instanceof AppError) {
    if (error.status >= 500) log.warn({ code: error.code }, error.message);
    return error;
  }
  const unavailable = databaseUnavailable(error);
  if (unavailable) {
    log.warn({ err: error, code: unavailable.code }, 'database unavailable');
    return unavailable;
  }
  log.error({ err: error }, 'unhandled error');
  return new AppError('INTERNAL');
}

const FIELD_LABELS: Record<string, string> = {
  phone: '手机号',
  password: '密码',
  newPassword: '新密码',
  oldPassword: '原密码',
  code: '验证码',
  reason: '原因',
};

/** A zod failure as 400 VALIDATION_FAILED, naming the fields in Chinese and in `details`. */
export function validationError(error: z.ZodError, where: 'params' | 'query' | 'body'): AppError {
  const issues = error.issues.slice(0, 10).map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    code: issue.code,
  }));
  const first = error.issues[0];
  const field = first?.path[0];
  const label = typeof field === 'string' ? (FIELD_LABELS[field] ?? field) : undefined;
  let message = '请求参数有误';
  if (first?.code === 'unrecognized_keys') message = `请求包含不支持的字段：${first.keys.join('、')}`;
  else if (label) message = `参数「${label}」有误`;
  return new AppError('VALIDATION_FAILED', message, { issues });
}
