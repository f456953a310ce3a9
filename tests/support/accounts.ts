/** Scenario builders for accounts: a registered patient, staff created the way admins do. */
import { createStaffAccount } from '../../functions/src/auth/staff-accounts.js';
import type { TestApp } from './app.js';

let phoneCounter = 0;
/** A fresh, valid mainland mobile number, unique within the run. */
export function newPhone(): string {
  phoneCounter += 1;
  return `139${String(process.pid % 10000).padStart(4, '0')}${String(phoneCounter).padStart(4, '0')}`;
}

/** The code the development SMS provider "sent" most recently to this phone. */
export async function lastSmsCode(app: TestApp, phone: string): Promise<string> {
  const res = await app.request('GET', `/api/v1/dev/sms?phone=${phone}`);
  const code = res.body?.items?.[0]?.code;
  if (!code) throw new Error(`no SMS code for ${phone}: ${JSON.stringify(res.body)}`);
  return code;
}

export async function registerPatient(app: TestApp, phone = newPhone(), password = 'Passw0rd!') {
  const sent = await app.request('POST', '/api/v1/auth/sms-codes', { body: { phone, purpose: 'register' } });
  if (sent.status !== 202) throw new Error(`sms failed: ${JSON.stringify(sent.body)}`);
  const code = await lastSmsCode(app, phone);
  const res = await app.request('POST', '/api/v1/auth/register', { body: { phone, code, password, displayName: '张三' } });
  if (res.status !== 201) throw new Error(`register failed: ${JSON.stringify(res.body)}`);
  return { phone, password, userId: res.body.account.id as number, accessToken: res.body.tokens.accessToken as string, refreshToken: res.body.tokens.refreshToken as string };
}

/** A staff account created directly (as the bootstrap command does), then logged in. */
export async function staffSession(app: TestApp, role: 'admin' | 'doctor', phone = newPhone(), password = 'Staff1234') {
  const account = await createStaffAccount(app.deps, 'system', { phone, password, role, displayName: role === 'admin' ? '管理员' : '李医生' });
  const res = await app.request('POST', '/api/v1/auth/login', { body: { phone, password } });
  if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`);
  return { phone, password, userId: account.id, accessToken: res.body.tokens.accessToken as string, refreshToken: res.body.tokens.refreshToken as string };
}
