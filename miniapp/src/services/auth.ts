import { ApiError } from './interceptors';
import { call } from './request';
import { currentSession, signIn, signOut } from './session';
import type { Account, Session } from './types';

export type SmsPurpose = 'register' | 'reset_password';

export function sendSmsCode(phone: string, purpose: SmsPurpose) {
  return call<{ expiresInSeconds: number; resendAfterSeconds: number }>('POST', '/auth/sms-codes', { body: { phone, purpose } });
}

/**
 * The code the development SMS provider "sent" (GET /dev/sms). Only development APIs have the
 * inbox; anywhere else this quietly answers null.
 */
export async function devSmsCode(phone: string): Promise<string | null> {
  if (process.env.TARO_APP_DEV_SMS !== 'true') return null;
  try {
    const inbox = await call<{ items: { code: string | null }[] }>('GET', '/dev/sms', { query: { phone }, quiet: true });
    return inbox.items[0]?.code ?? null;
  } catch {
    return null;
  }
}

export async function register(input: { phone: string; code: string; password: string }): Promise<Account> {
  const session = await call<Session>('POST', '/auth/register', { body: input, noRefresh: true });
  signIn(session.account, session.tokens);
  return session.account;
}

/** Where each role signs in: every app admits only its own role (TARO_APP_ROLE). */
const OWN_APP: Record<Account['role'], string> = {
  patient: '患者请使用患者端微信小程序或 /patient/ 登录',
  doctor: '医生请使用医生工作站 /doctor/ 登录',
  admin: '管理员请使用管理后台 /admin/ 登录',
};

/**
 * Signs in with a password. An account of another role (a doctor or an administrator in the
 * patient app) is refused with WRONG_APP, whose message names that role's app; the login the
 * server just made for it is ended at once (its refresh token revoked), not left lying around.
 */
export async function login(phone: string, password: string): Promise<Account> {
  const session = await call<Session>('POST', '/auth/login', { body: { phone, password }, noRefresh: true });
  const { role } = session.account;
  if (role !== process.env.TARO_APP_ROLE) {
    await call('POST', '/auth/logout', { body: { refreshToken: session.tokens.refreshToken }, quiet: true, noRefresh: true }).catch(() => undefined);
    throw new ApiError(403, 'WRONG_APP', OWN_APP[role]);
  }
  signIn(session.account, session.tokens);
  return session.account;
}

export function resetPassword(input: { phone: string; code: string; newPassword: string }) {
  return call<{ ok: true }>('POST', '/auth/password-reset', { body: input, noRefresh: true });
}

/** Ends the login on the server too; signs out locally even if the server cannot be reached. */
export async function logout(): Promise<void> {
  const session = currentSession();
  try {
    if (session) await call('POST', '/auth/logout', { body: { refreshToken: session.refreshToken }, quiet: true, noRefresh: true });
  } finally {
    signOut();
  }
}
