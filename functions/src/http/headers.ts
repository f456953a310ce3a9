import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';

/** Headers on every API answer: JSON only, never cached, never framed or sniffed. */
export function securityHeaders(env: Config['env']): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-site',
    'Cache-Control': 'no-store',
    ...(env === 'production' || env === 'staging' ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

const LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/;

function originAllowed(origin: string, config: Config): boolean {
  if (config.corsOrigins.includes(origin)) return true;
  // Taro's H5 dev server runs on its own port; allow loopback origins outside production.
  return (config.env === 'development' || config.env === 'test') && LOCAL_ORIGIN.test(origin);
}

/**
 * CORS for the H5 (doctors) and web (admins) origins. Tokens travel in the Authorization
 * header, not cookies, so credentials are not allowed. Returns true when it answered a preflight.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, config: Config): boolean {
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || !originAllowed(origin, config)) {
    if (req.method === 'OPTIONS') {
      answerPreflight(res);
      return true;
    }
    return false;
  }
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After');
  if (req.method !== 'OPTIONS') return false;
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Idempotency-Key, X-Request-Id');
  res.setHeader('Access-Control-Max-Age', '600');
  answerPreflight(res);
  return true;
}

/** Two calls, not `writeHead(204).end()`: serverless-http's response does not return `this`. */
function answerPreflight(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}
