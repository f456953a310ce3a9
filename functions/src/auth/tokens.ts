/**
 * Access tokens: jose HS256 JWTs, short-lived; the algorithm, issuer and audience are pinned and
 * `exp` is required, so `alg: none`, an RS/HS swap or a token for another system is refused.
 * Refresh tokens: 256-bit random strings; only their SHA-256 is stored (auth/refresh-tokens.ts).
 *
 * Verifying costs CPU on every authenticated request (bench/booking-burst.ts --cpu-prof: a fifth
 * of a refused booking's), so two things are done once instead of per request:
 *   - the secret is imported as a WebCrypto HMAC key once per secret (jose imports a raw
 *     Uint8Array secret again on every call);
 *   - a token that verified is remembered, keyed by its exact string, until its `exp`, in a
 *     bounded map per secret. A hit answers what jose answered for that same string, as long as
 *     the token has not expired by the caller's `now` (then jose decides again and answers
 *     TOKEN_EXPIRED); a token that failed is never remembered, so every forged, tampered or
 *     alg-swapped token still goes through jose's full check. Access tokens are stateless, so
 *     nothing that could revoke one is skipped: there is nothing to revoke before `exp`.
 */
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Principal, Role } from '../http/route.js';

const ISSUER = 'bx87h9';
const AUDIENCE = 'bx87h9-api';
const ROLES: readonly Role[] = ['patient', 'doctor', 'admin'];

const hmacKeys = new WeakMap<Uint8Array, Promise<webcrypto.CryptoKey>>();

/** The HS256 key of `secret`, imported once. */
function hmacKey(secret: Uint8Array): Promise<webcrypto.CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    hmacKeys.set(secret, key);
  }
  return key;
}

interface VerifiedToken {
  userId: number;
  role: Role;
  /** The token's `exp` and `nbf` (seconds), checked against the caller's clock on every hit. */
  exp: number;
  nbf: number | undefined;
}

/** Verified tokens per secret; the oldest entry goes first once `VERIFIED_TOKENS_MAX` are held. */
const verifiedTokens = new WeakMap<Uint8Array, Map<string, VerifiedToken>>();
export const VERIFIED_TOKENS_MAX = 10_000;

function verifiedFor(secret: Uint8Array): Map<string, VerifiedToken> {
  let cache = verifiedTokens.get(secret);
  if (!cache) {
    cache = new Map();
    verifiedTokens.set(secret, cache);
  }
  return cache;
}

export async function signAccessToken(config: Config, principal: Principal, now: Date): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ role: principal.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(principal.userId))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + config.accessTokenTtlSeconds)
    .sign(await hmacKey(config.jwtSecret));
}

export async function verifyAccessToken(config: Config, token: string, now: Date): Promise<Principal> {
  const cache = verifiedFor(config.jwtSecret);
  const seen = cache.get(token);
  if (seen) {
    // jose's own tests, with its default tolerance of 0: expired when exp <= now, early when nbf > now.
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (seen.exp > nowSeconds && (seen.nbf === undefined || seen.nbf <= nowSeconds)) return { userId: seen.userId, role: seen.role };
    cache.delete(token);
  }
  try {
    const { payload } = await jwtVerify(token, await hmacKey(config.jwtSecret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['exp', 'iat', 'sub'],
      currentDate: now,
    });
    const userId = Number(payload.sub);
    const role = payload.role as Role;
    if (!Number.isSafeInteger(userId) || userId <= 0 || !ROLES.includes(role)) throw new AppError('TOKEN_INVALID');
    if (cache.size >= VERIFIED_TOKENS_MAX) cache.delete(cache.keys().next().value!);
    cache.set(token, { userId, role, exp: payload.exp!, nbf: payload.nbf });
    return { userId, role };
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof errors.JWTExpired) throw new AppError('TOKEN_EXPIRED');
    throw new AppError('TOKEN_INVALID');
  }
}

export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
