import * as z from 'zod';

export const phoneSchema = z
  .string()
  .regex(/^1[3-9]\d{9}$/, '请输入正确的 11 位手机号')
  .meta({ description: '中国大陆 11 位手机号', example: '13800138000' });

export const passwordSchema = z
  .string()
  .min(8, '密码至少 8 位')
  .max(64, '密码最多 64 位')
  .regex(/[A-Za-z]/, '密码须包含字母')
  .regex(/\d/, '密码须包含数字')
  .meta({ description: '8–64 位，须同时包含字母和数字' });

export const smsCodeSchema = z.string().regex(/^\d{6}$/, '验证码为 6 位数字');

export const roleSchema = z.enum(['patient', 'doctor', 'admin']);

export const accountSchema = z
  .object({
    id: z.number().int(),
    phone: z.string(),
    role: roleSchema,
    status: z.enum(['active', 'disabled']),
    displayName: z.string().nullable(),
    createdAt: z.iso.datetime(),
    mustChangePassword: z.boolean().meta({ description: '须先修改密码（管理员创建或重置密码的账号）：此前只可修改密码、退出登录和查看本账号' }),
  })
  .meta({ id: 'Account' });

export const tokenPairSchema = z
  .object({
    accessToken: z.string(),
    accessTokenExpiresIn: z.number().int().meta({ description: '访问令牌有效秒数' }),
    refreshToken: z.string(),
    refreshTokenExpiresAt: z.iso.datetime(),
  })
  .meta({ id: 'TokenPair' });

export const sessionSchema = z.object({ account: accountSchema, tokens: tokenPairSchema }).meta({ id: 'Session' });
