/**
 * Password hashing with scrypt (node:crypto). Stored as `scrypt$N$r$p$salt$hash` (base64): the
 * stored hash names its own cost, so a hash made at an older cost still verifies, and
 * `needsRehash` tells the login to store it again at the configured cost.
 *
 * The cost is OWASP's for scrypt (N=2^17, r=8, p=1: 128 MiB and ~100+ ms of CPU per hash). It
 * comes from the configuration (config.ts, which owns the cost constants): production and development always use
 * SCRYPT_COST; only APP_ENV=test uses SCRYPT_TEST_COST, because the suite registers and logs in
 * hundreds of accounts and 2^17 would make it minutes slower on a small machine, while what
 * the tests check (verify, rehash, refusal) does not depend on the cost. tests/auth/passwords
 * asserts production's parameters.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { SCRYPT_COST, SCRYPT_TEST_COST, type ScryptCost } from '../config.js';


const KEY_LENGTH = 32;

/** scrypt needs 128·N·r bytes (plus 128·r·p); maxmem must admit it or Node refuses. */
function maxmemFor({ N, r, p }: ScryptCost): number {
  return 128 * N * r + 128 * r * p + 16 * 1024 * 1024;
}

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...cost, maxmem: maxmemFor(cost) }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

function parse(stored: string): { cost: ScryptCost; salt: Buffer; hash: Buffer } | undefined {
  const [scheme, n, rr, pp, salt, hash] = stored.split('$');
  const cost = { N: Number(n), r: Number(rr), p: Number(pp) };
  if (scheme !== 'scrypt' || !salt || !hash || ![cost.N, cost.r, cost.p].every((v) => Number.isSafeInteger(v) && v > 0)) return undefined;
  // Never derive with a cost above production's from a stored value: a tampered row must not exhaust memory.
  if (cost.N > SCRYPT_COST.N || cost.r > SCRYPT_COST.r || cost.p > SCRYPT_COST.p) return undefined;
  return { cost, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

export async function hashPassword(password: string, cost: ScryptCost = SCRYPT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.cost);
  return key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
}

/** True when the stored hash was made at another cost than `cost`: store it again after a successful login. */
export function needsRehash(stored: string, cost: ScryptCost): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.cost.N !== cost.N || parsed.cost.r !== cost.r || parsed.cost.p !== cost.p;
}

/**
 * A hash in the stored format at `cost`, verified against when a phone number is unknown so that
 * a failed login takes the same time whether or not the account exists: verifying runs the same
 * scrypt, and no password derives to random bytes. Built without running scrypt (at import that
 * would add a whole password hash to every cold start).
 */
export function dummyPasswordHash(cost: ScryptCost): string {
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${randomBytes(16).toString('base64')}$${randomBytes(KEY_LENGTH).toString('base64')}`;
}

/** A well-formed hash nobody knows the password of, for accounts made without one (test and benchmark fixtures). */
export const DUMMY_PASSWORD_HASH = dummyPasswordHash(SCRYPT_TEST_COST);
