/** /api/v1/auth/* and /api/v1/me: thin handlers over the auth domain (one file per concern). */
import * as z from 'zod';
import { defineRoute } from '../http/route.js';
import { okSchema } from '../schemas.js';
import { getAccount } from './account-view.js';
import { login, logout } from './login.js';
import { changePassword, resetPassword } from './password-change.js';
import { refresh } from './refresh.js';
import { registerPatient } from './registration.js';
import { accountSchema, passwordSchema, phoneSchema, sessionSchema, smsCodeSchema, tokenPairSchema } from './schemas.js';
import { issueSmsCode } from './sms-codes.js';

const refreshBody = z.strictObject({ refreshToken: z.string().min(20).max(200) });

export const authRoutes = [
  defineRoute({
    method: 'POST',
    path: '/api/v1/auth/sms-codes',
    tag: 'auth',
    summary: '发送短信验证码（注册 / 找回密码）',
    auth: 'public',
    body: z.strictObject({ phone: phoneSchema, purpose: z.enum(['register', 'reset_password']) }),
    response: z.object({ expiresInSeconds: z.number().int(), resendAfterSeconds: z.number().int() }),
    status: 202,
    errors: ['SMS_TOO_FREQUENT', 'SMS_DAILY_LIMIT', 'SMS_SEND_FAILED'],
    // Answers alike whether or not the phone has an account (auth/sms-codes.ts).
    handler: ({ body, deps, meta }) => issueSmsCode(deps, body.phone, body.purpose, meta),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/auth/register',
    tag: 'auth',
    summary: '患者注册（手机号 + 短信验证码），成功后直接登录',
    auth: 'public',
    body: z.strictObject({
      phone: phoneSchema,
      code: smsCodeSchema,
      password: passwordSchema,
      displayName: z.string().trim().min(1).max(50).optional(),
    }),
    response: sessionSchema,
    status: 201,
    errors: ['PHONE_ALREADY_REGISTERED', 'SMS_CODE_INVALID', 'SMS_CODE_TOO_MANY_ATTEMPTS'],
    handler: ({ body, deps, meta }) => registerPatient(deps, body, meta),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/auth/login',
    tag: 'auth',
    summary: '手机号 + 密码登录',
    auth: 'public',
    body: z.strictObject({ phone: phoneSchema, password: z.string().min(1).max(64) }),
    response: sessionSchema,
    errors: ['INVALID_CREDENTIALS', 'ACCOUNT_LOCKED', 'ACCOUNT_DISABLED'],
    handler: ({ body, deps, meta }) => login(deps, body, meta),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/auth/refresh',
    tag: 'auth',
    summary: '用刷新令牌换取新的令牌对（刷新令牌只能使用一次）',
    auth: 'public',
    body: refreshBody,
    response: tokenPairSchema,
    errors: ['REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED', 'ACCOUNT_DISABLED'],
    handler: ({ body, deps, meta }) => refresh(deps, body.refreshToken, meta),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/auth/logout',
    tag: 'auth',
    summary: '退出登录（作废该登录的刷新令牌）',
    auth: 'public',
    body: refreshBody,
    response: okSchema,
    handler: async ({ body, deps, meta }) => {
      await logout(deps, body.refreshToken, meta);
      return { ok: true as const };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/auth/password-reset',
    tag: 'auth',
    summary: '通过短信验证码重设密码（所有设备需重新登录）',
    auth: 'public',
    body: z.strictObject({ phone: phoneSchema, code: smsCodeSchema, newPassword: passwordSchema }),
    response: okSchema,
    errors: ['SMS_CODE_INVALID', 'SMS_CODE_TOO_MANY_ATTEMPTS'],
    handler: async ({ body, deps, meta }) => {
      await resetPassword(deps, body, meta);
      return { ok: true as const };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/me/password',
    tag: 'auth',
    summary: '修改密码（其他设备需重新登录，本设备获得新令牌）',
    auth: 'authenticated',
    duringPasswordChange: true,
    body: z.strictObject({ oldPassword: z.string().min(1).max(64), newPassword: passwordSchema }),
    response: tokenPairSchema,
    errors: ['INVALID_CREDENTIALS', 'PASSWORD_SAME_AS_OLD'],
    handler: ({ body, deps, meta, principal }) => changePassword(deps, principal, body, meta),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/me',
    tag: 'auth',
    summary: '当前登录账号',
    auth: 'authenticated',
    duringPasswordChange: true,
    response: accountSchema,
    handler: ({ deps, principal }) => getAccount(deps.db, principal.userId),
  }),
];
