import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors.js';

/** Largest JSON body accepted; our biggest legitimate request is a health record (~10 KB). */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads and parses a JSON body, bounded by MAX_BODY_BYTES. An empty body reads as undefined
 * (the route's schema then decides whether that is acceptable).
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume(); // drain so the connection can answer
    throw new AppError('PAYLOAD_TOO_LARGE');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new AppError('PAYLOAD_TOO_LARGE');
    chunks.push(buffer);
  }
  if (size === 0) return undefined;
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new AppError('UNSUPPORTED_MEDIA_TYPE');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new AppError('INVALID_JSON');
  }
}
