/**
 * Access tokens: jose HS256 JWTs, short-lived; the algorithm, issuer and audience are pinned and
 * `exp` is required, so `alg: none`, an RS/HS swap or a token for another system is refused.
 * Refresh tokens: 256-bit random strings; only their SHA-256 is stored (auth/refresh-tokens.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Principal, Role } from '../http/route.js';

const ISSUER = 'bx87h9';
const AUDIENCE = 'bx87h9-api';
const ROLES: readonly Role[] = ['patient', 'doctor', 'admin'];

export async function signAccessToken(config: Config, principal: Principal, now: Date): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ role: principal.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(principal.userId))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + config.accessTokenTtlSeconds)
    .sign(config.jwtSecret);
}

export async function verifyAccessToken(config: Config, token: string, now: Date): Promise<Principal> {
  try {
    const { payload } = await jwtVerify(token, config.jwtSecret, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['exp', 'iat', 'sub'],
      currentDate: now,
    });
    const userId = Number(payload.sub);
    const role = payload.role as Role;
    if (!Number.isSafeInteger(userId) || userId <= 0 || !ROLES.includes(role)) throw new AppError('TOKEN_INVALID');
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
