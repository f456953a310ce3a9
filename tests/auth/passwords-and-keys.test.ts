/**
 * Password hashing at OWASP's scrypt cost in production, old hashes upgraded at the next login,
 * and one secret per purpose (access-token signing ≠ SMS-code HMAC).
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../functions/src/auth/password.js';
import { loadConfig, SCRYPT_COST } from '../../functions/src/config.js';
import { lastSmsCode, newPhone } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

// A deployed configuration. Production itself refuses to start until a real payment provider
// exists (tests/payment/provider-config.test.ts); staging requires everything else it does.
const deployed = () =>
  loadConfig({
    APP_ENV: 'staging',
    DATABASE_URL: 'mysql://u:p@127.0.0.1:3306/x',
    JWT_SECRET: 'a-production-secret-of-at-least-32-characters',
    FIELD_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    SMS_PROVIDER: 'http',
    SMS_HTTP_URL: 'https://sms.example.org/send',
  });

describe('passwords', () => {
  it('deployed environments hash at N=2^17, r=8, p=1 (OWASP); only APP_ENV=test is cheaper', async () => {
    expect(deployed().passwordCost).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    expect(loadConfig({ APP_ENV: 'development', DATABASE_URL: 'mysql://u:p@127.0.0.1:3306/x' }).passwordCost).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    expect(app.deps.config.passwordCost.N).toBeLessThan(2 ** 17);
    // maxmem admits the production cost (Node refuses 2^17 with its 32 MiB default), and the stored form names it.
    const hash = await hashPassword('Passw0rd!', SCRYPT_COST);
    expect(hash.startsWith(`scrypt$${2 ** 17}$8$1$`)).toBe(true);
    expect(await verifyPassword('Passw0rd!', hash)).toBe(true);
    expect(await verifyPassword('Passw0rd?', hash)).toBe(false);
  });

  it('a hash of an older cost still logs in, and is stored again at the configured cost', async () => {
    const phone = newPhone();
    const old = await hashPassword('Passw0rd!', { N: 2 ** 14, r: 8, p: 1 });
    const now = app.clock.now();
    await app.database.db.insertInto('user_account').values({ phone, password_hash: old, role: 'patient', created_at: now, updated_at: now }).execute();

    const login = await app.request('POST', '/api/v1/auth/login', { body: { phone, password: 'Passw0rd!' } });
    expect(login.status).toBe(200);
    const { password_hash } = await app.database.db.selectFrom('user_account').select('password_hash').where('phone', '=', phone).executeTakeFirstOrThrow();
    const { N, r, p } = app.deps.config.passwordCost;
    expect(password_hash.startsWith(`scrypt$${N}$${r}$${p}$`)).toBe(true);
    expect(password_hash).not.toBe(old);
    expect((await app.request('POST', '/api/v1/auth/login', { body: { phone, password: 'Passw0rd!' } })).status).toBe(200);
    expect((await app.request('POST', '/api/v1/auth/login', { body: { phone, password: 'Wrong0rd!' } })).status).toBe(401);
  });

  it('a wrong password does not rehash', async () => {
    const phone = newPhone();
    const old = await hashPassword('Passw0rd!', { N: 2 ** 14, r: 8, p: 1 });
    const now = app.clock.now();
    await app.database.db.insertInto('user_account').values({ phone, password_hash: old, role: 'patient', created_at: now, updated_at: now }).execute();
    await app.request('POST', '/api/v1/auth/login', { body: { phone, password: 'Wrong0rd!' } });
    const { password_hash } = await app.database.db.selectFrom('user_account').select('password_hash').where('phone', '=', phone).executeTakeFirstOrThrow();
    expect(password_hash).toBe(old);
  });
});

describe('one secret per purpose', () => {
  it('the SMS-code HMAC key is not the access-token signing key, nor the configured secret', async () => {
    const config = deployed();
    const raw = Buffer.from('a-production-secret-of-at-least-32-characters');
    expect(Buffer.from(config.smsCodeKey).equals(Buffer.from(config.jwtSecret))).toBe(false);
    expect(Buffer.from(config.jwtSecret).equals(raw)).toBe(false);
    expect(config.smsCodeKey.equals(raw)).toBe(false);

    // What is stored is the HMAC under the SMS key, not under the signing key.
    const phone = newPhone();
    await app.request('POST', '/api/v1/auth/sms-codes', { body: { phone, purpose: 'register' } });
    const code = await lastSmsCode(app, phone);
    const row = await app.database.db.selectFrom('sms_code').select('code_hash').where('phone', '=', phone).executeTakeFirstOrThrow();
    const hmac = (key: Uint8Array) => createHmac('sha256', key).update(`register:${phone}:${code}`).digest('hex');
    expect(row.code_hash).toBe(hmac(app.deps.config.smsCodeKey));
    expect(row.code_hash).not.toBe(hmac(app.deps.config.jwtSecret));
  });
});
