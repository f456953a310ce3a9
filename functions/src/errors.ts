/**
 * Domain errors: stable string codes, each with its HTTP status and the Chinese message a user
 * sees. The domain throws `AppError(code)`; the HTTP layer maps it in one place
 * (http/respond.ts). Clients branch on `code`, never on the message.
 */

export const errorCatalog = {
  // 400 / 413 / 415 — malformed requests
  VALIDATION_FAILED: [400, '请求参数有误'],
  INVALID_JSON: [400, '请求内容不是有效的 JSON'],
  PAYLOAD_TOO_LARGE: [413, '请求内容过大'],
  UNSUPPORTED_MEDIA_TYPE: [415, '请求内容须为 application/json'],
  // 401 — who are you
  UNAUTHENTICATED: [401, '请先登录'],
  TOKEN_EXPIRED: [401, '登录已过期，请重新登录'],
  TOKEN_INVALID: [401, '登录凭证无效，请重新登录'],
  INVALID_CREDENTIALS: [401, '手机号或密码错误'],
  REFRESH_TOKEN_INVALID: [401, '登录已失效，请重新登录'],
  REFRESH_TOKEN_REUSED: [401, '登录凭证已被使用，为保障账号安全请重新登录'],
  // 403 — you may not
  FORBIDDEN: [403, '无权进行此操作'],
  ACCOUNT_DISABLED: [403, '账号已停用，请联系医院'],
  ACCOUNT_LOCKED: [403, '密码错误次数过多，账号已临时锁定，请稍后再试'],
  // 404
  NOT_FOUND: [404, '请求的资源不存在'],
  ROUTE_NOT_FOUND: [404, '接口不存在'],
  METHOD_NOT_ALLOWED: [405, '不支持该请求方法'],
  // 409 / 422 — conflicts with the current state
  PHONE_ALREADY_REGISTERED: [409, '该手机号已注册，请直接登录'],
  SMS_CODE_INVALID: [422, '验证码错误或已过期'],
  SMS_CODE_TOO_MANY_ATTEMPTS: [422, '验证码错误次数过多，请重新获取'],
  PASSWORD_SAME_AS_OLD: [422, '新密码不能与原密码相同'],
  // 429 — slow down
  SMS_TOO_FREQUENT: [429, '验证码发送过于频繁，请稍后再试'],
  SMS_DAILY_LIMIT: [429, '今日验证码发送次数已达上限'],
  // 5xx — ours, never a stack trace
  DATABASE_BUSY: [503, '系统繁忙，请稍后重试'],
  SERVICE_UNAVAILABLE: [503, '服务暂不可用，请稍后重试'],
  SMS_SEND_FAILED: [503, '短信发送失败，请稍后重试'],
  INTERNAL: [500, '系统异常，请稍后重试'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof errorCatalog;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    /** Overrides the catalogue message with a more specific Chinese one. */
    message?: string,
    /** Safe, structured detail for the client (e.g. which field failed, seconds to wait). */
    readonly details?: Record<string, unknown>,
    /** Seconds before a retry may succeed (429 / 503), sent as Retry-After. */
    readonly retryAfterSeconds?: number,
  ) {
    const [status, text] = errorCatalog[code];
    super(message ?? text);
    this.name = 'AppError';
    this.status = status;
  }
}
