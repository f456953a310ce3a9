/**
 * Access tokens: jose HS256 JWTs, short-lived; the algorithm, issuer and audience are pinned and
 * `exp` is required, so `alg: none`, an RS/HS swap or a token for another system is refused.
 * Refresh tokens: 256-bit random strings; only their SHA-256 is stored (auth/login-sessions.ts).
 *
 * Verifying costs CPU on every authenticated request (bench/booking-burst.ts --cpu-prof: a fifth
 * of a refused booking's), so two things are done once instead of per request:
 *   - the secret is imported as a WebCrypto HMAC key once per secret (jose imports a raw
 *     Uint8Array secret again on every call);
 *   - a token that verified is remembered, keyed by its exact string, until its `exp`, in a
 *     bounded map per secret. A hit answers what jose answered for that same string, as long as
 *     the token has not expired by the caller's `now` (then jose decides again and answers
 *     TOKEN_EXPIRED); a token that failed is never remembered, so every forged, tampered or
 *     alg-swapped token still goes through jose's full check. This cache only answers "is this
 *     string a token we signed": whether its login, account and role are still valid is asked
 *     of auth/revocation.ts on every request, remembered or not (http/app.ts `authenticate`).
 *
 * Besides the account and role a token carries `sid`, the login (refresh-token family) it was
 * issued to, and `sv`, the account's session version then; revocation compares both. `pwc` marks
 * a token of an account that must change its password (http/app.ts refuses it everything but
 * the change): the flag is only cleared by setting a password, which ends every login, so a
 * token never outlives the flag it carries.
 */
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Config } from '../config.js';
import type { Principal, Role } from '../context.js';
import { AppError } from '../errors.js';

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

/** What a valid access token says: who, as what, from which login, under which session version. */
export interface AccessClaims extends Principal {
  /** The login (refresh-token family); absent only in tokens signed before logins were named. */
  sessionId: string | undefined;
  /** user_account.session_version when the token was issued (0 in tokens signed before it existed). */
  sessionVersion: number;
  /** The account had to change its password when the token was issued (user_account.must_change_password). */
  mustChangePassword: boolean;
}

interface VerifiedToken extends AccessClaims {
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

/**
 * `session` names the login and the account's session version, and whether the account must
 * change its password; omitted only by test and bench tooling.
 */
export async function signAccessToken(
  config: Config,
  principal: Principal,
  now: Date,
  session?: { id: string; version: number; mustChangePassword?: boolean },
): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({
    role: principal.role,
    ...(session ? { sid: session.id, sv: session.version } : {}),
    ...(session?.mustChangePassword ? { pwc: true } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(principal.userId))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + config.accessTokenTtlSeconds)
    .sign(await hmacKey(config.jwtSecret));
}

/** The claims of a token this system signed and that has not expired; whether it was revoked is not asked here. */
export async function verifyAccessToken(config: Config, token: string, now: Date): Promise<AccessClaims> {
  const cache = verifiedFor(config.jwtSecret);
  const seen = cache.get(token);
  if (seen) {
    // jose's own tests, with its default tolerance of 0: expired when exp <= now, early when nbf > now.
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (seen.exp > nowSeconds && (seen.nbf === undefined || seen.nbf <= nowSeconds)) return seen;
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
    const { sid, sv = 0, pwc = false } = payload;
    if (!Number.isSafeInteger(userId) || userId <= 0 || !ROLES.includes(role)) throw new AppError('TOKEN_INVALID');
    if ((sid !== undefined && typeof sid !== 'string') || typeof sv !== 'number' || !Number.isSafeInteger(sv) || sv < 0) throw new AppError('TOKEN_INVALID');
    if (typeof pwc !== 'boolean') throw new AppError('TOKEN_INVALID');
    const verified: VerifiedToken = { userId, role, sessionId: sid, sessionVersion: sv, mustChangePassword: pwc, exp: payload.exp!, nbf: payload.nbf };
    if (cache.size >= VERIFIED_TOKENS_MAX) cache.delete(cache.keys().next().value!);
    cache.set(token, verified);
    return verified;
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
