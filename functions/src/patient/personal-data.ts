/**
 * Encryption of personal data at rest. ID numbers are stored three ways, none of them clear:
 * AES-256-GCM ciphertext (recoverable by the hospital with FIELD_ENCRYPTION_KEY, e.g. for
 * insurance settlement), an HMAC for equality (one person once per account) and a masked form.
 *
 * One key per purpose. FIELD_ENCRYPTION_KEY is the root: the AES-GCM key and the ID-hash key
 * are derived from it with HKDF (config.ts `purposeKey`), so the encryption key never also
 * serves as a MAC key. Data written before that used the root key for both:
 *   - ciphertext says its version (`v1:` root key, `v2:` derived key); both are read;
 *   - the hash has no room for a version, so `fieldHashes` gives the current hash and the v1
 *     one, and a duplicate check looks for either (patient/profiles.ts).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { purposeKey } from '../config.js';

const CURRENT = 'v2';

interface FieldKeys {
  encryption: Buffer;
  hash: Buffer;
}

const derived = new WeakMap<Buffer, FieldKeys>();

/** The per-purpose keys of a root FIELD_ENCRYPTION_KEY, derived once. */
function keysOf(root: Buffer): FieldKeys {
  let keys = derived.get(root);
  if (!keys) {
    keys = { encryption: purposeKey(root, 'bx87h9 personal-data AES-256-GCM'), hash: purposeKey(root, 'bx87h9 id-number HMAC') };
    derived.set(root, keys);
  }
  return keys;
}

/** Encrypts with the AES-GCM key derived from `root` (the configured FIELD_ENCRYPTION_KEY). */
export function encryptField(root: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keysOf(root).encryption, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [CURRENT, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
}

/** Decrypts either version: v2 with the derived key, v1 (written before keys were split) with the root key. */
export function decryptField(root: Buffer, stored: string): string {
  const [version, iv, tag, data] = stored.split(':');
  if ((version !== 'v1' && version !== CURRENT) || !iv || !tag || !data) throw new Error('unrecognised encrypted field');
  const key = version === 'v1' ? root : keysOf(root).encryption;
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
}

/** Keyed hash for equality checks: without the key it cannot be brute-forced from the ID space. */
export function fieldHash(root: Buffer, value: string): string {
  return createHmac('sha256', keysOf(root).hash).update(value).digest('hex');
}

/** The hash as written now and as written before the keys were split: an equality check looks for both. */
export function fieldHashes(root: Buffer, value: string): { current: string; v1: string } {
  return { current: fieldHash(root, value), v1: createHmac('sha256', root).update(value).digest('hex') };
}
