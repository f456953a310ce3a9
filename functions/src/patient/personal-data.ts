/**
 * Encryption of personal data at rest. ID numbers are stored three ways, none of them clear:
 * AES-256-GCM ciphertext (recoverable by the hospital with FIELD_ENCRYPTION_KEY, e.g. for
 * insurance settlement), an HMAC for equality (one person once per account) and a masked form.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export function encryptField(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
}

export function decryptField(key: Buffer, stored: string): string {
  const [version, iv, tag, data] = stored.split(':');
  if (version !== VERSION || !iv || !tag || !data) throw new Error('unrecognised encrypted field');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
}

/** Keyed hash for equality checks: without the key it cannot be brute-forced from the ID space. */
export function fieldHash(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('hex');
}
