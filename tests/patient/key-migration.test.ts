/**
 * The field key serves one purpose per derived key (AES-GCM ≠ ID-number hash), and the rows
 * written before the split stay readable and still count as duplicates.
 */
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptField, encryptField, fieldHash } from '../../functions/src/patient/personal-data.js';
import { residentIdCheckChar } from '../../functions/src/patient/id-document.js';
import { registerPatient } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const root = () => app.deps.config.fieldEncryptionKey;

/** Exactly what the code wrote before the keys were split: the root key for AES-GCM and for the hash. */
function oldCipher(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', root(), iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
}
const oldHash = (value: string) => createHmac('sha256', root()).update(value).digest('hex');

function residentId(serial: number): string {
  const first17 = `41130219850317${String(serial).padStart(2, '0')}1`;
  return first17 + residentIdCheckChar(first17);
}

describe('personal-data keys', () => {
  it('new rows use keys derived per purpose: neither the AES key nor the hash key is the configured key', () => {
    const stored = encryptField(root(), '11010519491231002X');
    expect(stored.startsWith('v2:')).toBe(true);
    expect(() => decryptField(root(), stored.replace(/^v2:/, 'v1:'))).toThrow(); // not the root key
    expect(decryptField(root(), stored)).toBe('11010519491231002X');
    expect(fieldHash(root(), 'resident_id:11010519491231002X')).not.toBe(oldHash('resident_id:11010519491231002X'));
  });

  it('a profile written with the old scheme still decrypts, and adding the same person again is still a duplicate', async () => {
    const patient = await registerPatient(app);
    const idNumber = residentId(41);
    const now = app.clock.now();
    const inserted = await app.database.db
      .insertInto('patient_profile')
      .values({
        account_id: patient.userId,
        real_name: '王老户',
        id_type: 'resident_id',
        id_number_cipher: oldCipher(idNumber),
        id_number_hash: oldHash(`resident_id:${idNumber}`),
        id_number_masked: 'masked',
        gender: 'male',
        birth_date: '1985-03-17',
        phone: '13912345678',
        relation: 'self',
        is_default: 1,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    const row = await app.database.db.selectFrom('patient_profile').select('id_number_cipher').where('id', '=', Number(inserted.insertId)).executeTakeFirstOrThrow();
    expect(decryptField(root(), row.id_number_cipher)).toBe(idNumber);

    const again = await app.request('POST', '/api/v1/me/profiles', {
      token: patient.accessToken,
      body: { realName: '王老户', idType: 'resident_id', idNumber, phone: '13912345678', relation: 'self' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('PROFILE_DUPLICATE');

    // Another person is added, under the new scheme, and is a duplicate of itself too.
    const other = { realName: '王新户', idType: 'resident_id', idNumber: residentId(42), phone: '13912345678', relation: 'child' };
    expect((await app.request('POST', '/api/v1/me/profiles', { token: patient.accessToken, body: other })).status).toBe(201);
    expect((await app.request('POST', '/api/v1/me/profiles', { token: patient.accessToken, body: other })).body.error.code).toBe('PROFILE_DUPLICATE');
  });
});
