/**
 * Nobody can learn from the API whether a phone number belongs to one of the hospital's
 * accounts: asking for a registration code and registering answer a registered phone exactly
 * as an unregistered one — same status, same body, same rate limits, same attempt limit. Only
 * the phone's owner learns it, from the SMS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMS_CODE_MAX_ATTEMPTS } from '../../functions/src/auth/sms-codes.js';
import { lastSmsCode, newPhone, registerPatient } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const askCode = (phone: string, purpose = 'register') => app.request('POST', '/api/v1/auth/sms-codes', { body: { phone, purpose } });
const answer = (res: { status: number; body: any }) => ({ status: res.status, body: res.body });
const smsTo = async (phone: string) => (await app.request('GET', `/api/v1/dev/sms?phone=${phone}`)).body.items as Array<{ text: string; code: string | null }>;

/** Everything the API answers to `attempts` registration tries with wrong codes. */
async function registerAnswers(phone: string, attempts: number) {
  const answers = [];
  for (let i = 0; i < attempts; i += 1) {
    const res = await app.request('POST', '/api/v1/auth/register', { body: { phone, code: String(100000 + i), password: 'Passw0rd!' } });
    answers.push(answer(res));
  }
  return answers;
}

describe('a registered phone looks like any other', () => {
  it('asking for a registration code answers the same; the owner is told by SMS, with no code', async () => {
    const registered = (await registerPatient(app)).phone;
    app.clock.advance(61_000);
    const unregistered = newPhone();

    const forRegistered = await askCode(registered);
    const forUnregistered = await askCode(unregistered);
    expect(answer(forRegistered)).toEqual(answer(forUnregistered));
    expect(forRegistered.status).toBe(202);

    const [notice] = await smsTo(registered);
    expect(notice!.text).toContain('该手机号已注册，可直接登录或找回密码');
    expect(notice!.code).toBeNull();
    expect(notice!.text).not.toMatch(/\d{6}/);
    expect((await smsTo(unregistered))[0]!.code).toMatch(/^\d{6}$/);
  });

  it('the rate limit comes before the lookup: a second request within the minute is refused alike', async () => {
    const registered = (await registerPatient(app)).phone;
    app.clock.advance(61_000);
    const unregistered = newPhone();
    await askCode(registered);
    await askCode(unregistered);
    const again = [await askCode(registered), await askCode(unregistered)];
    expect(again.map((r) => [r.status, r.body.error?.code])).toEqual([
      [429, 'SMS_TOO_FREQUENT'],
      [429, 'SMS_TOO_FREQUENT'],
    ]);
    expect(again[0]!.headers.get('retry-after')).toBe(again[1]!.headers.get('retry-after'));
  });

  it('registering answers a registered phone as it answers a wrong code, attempt limit included', async () => {
    const registered = (await registerPatient(app)).phone;
    app.clock.advance(61_000);
    const unregistered = newPhone();
    await askCode(registered);
    await askCode(unregistered);

    const a = await registerAnswers(registered, SMS_CODE_MAX_ATTEMPTS + 1);
    const b = await registerAnswers(unregistered, SMS_CODE_MAX_ATTEMPTS + 1);
    expect(a).toEqual(b);
    expect(a[0]).toEqual({ status: 422, body: { error: expect.objectContaining({ code: 'SMS_CODE_INVALID' }) } });
    expect(a.at(-1)!.body.error.code).toBe('SMS_CODE_TOO_MANY_ATTEMPTS');
  });

  it('without asking for a code first, registering a registered phone answers as for an unregistered one', async () => {
    const registered = (await registerPatient(app)).phone;
    const [a] = await registerAnswers(registered, 1);
    const [b] = await registerAnswers(newPhone(), 1);
    expect(a).toEqual(b);
  });

  it('password reset does not tell either: an unknown phone’s code fails like a wrong one, attempt limit included', async () => {
    const known = (await registerPatient(app)).phone;
    app.clock.advance(61_000);
    const unknown = newPhone();
    expect(answer(await askCode(known, 'reset_password'))).toEqual(answer(await askCode(unknown, 'reset_password')));
    const again = [await askCode(known, 'reset_password'), await askCode(unknown, 'reset_password')];
    expect(again.map((r) => r.status)).toEqual([429, 429]);

    // Wrong codes only: the known phone's real code is left out of the tries.
    const code = await lastSmsCode(app, known);
    const tries = async (phone: string) => {
      const out = [];
      for (let i = 0; i < SMS_CODE_MAX_ATTEMPTS + 1; i += 1) {
        const guess = String(200000 + i) === code ? '299999' : String(200000 + i);
        out.push(answer(await app.request('POST', '/api/v1/auth/password-reset', { body: { phone, code: guess, newPassword: 'NewPassw0rd' } })));
      }
      return out;
    };
    const a = await tries(known);
    const b = await tries(unknown);
    expect(a).toEqual(b);
  });

  it('a right code for a phone registered meanwhile says so (the caller proved they hold the phone)', async () => {
    const phone = newPhone();
    await askCode(phone);
    const code = await lastSmsCode(app, phone);
    // Someone registers the phone first, with a code of their own (a second code in the same minute is refused, so insert the account directly).
    const now = app.clock.now();
    await app.database.db
      .insertInto('user_account')
      .values({ phone, password_hash: 'x', role: 'patient', created_at: now, updated_at: now })
      .execute();
    const res = await app.request('POST', '/api/v1/auth/register', { body: { phone, code, password: 'Passw0rd!' } });
    expect([res.status, res.body.error.code]).toEqual([409, 'PHONE_ALREADY_REGISTERED']);
  });
});
