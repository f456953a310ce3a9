/**
 * The one way the console calls the API: fetch under /api/v1 with the admin's bearer token.
 *  - An expired access token is refreshed once and the call retried. The refresh token rotates and
 *    a reused one revokes the whole login, so concurrent 401s share one refresh (single-flight).
 *  - A refused refresh (invalid, reused, account disabled) ends the login: the shell shows the
 *    login page. A refresh lost on the network keeps the login and fails only that call.
 *  - Any other failure becomes an ApiError carrying the server's Chinese message, shown with antd's
 *    message unless the caller asks for `quiet` (forms show it beside their fields instead).
 */
import { message } from 'antd';
import { errorMessages } from '../../../miniapp/src/services/api-types.gen';
import type { TokenPair } from './schema';
import { currentSession, replaceTokens, requirePasswordChange, signOut } from './session';

export const API_BASE = '/api/v1';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type QueryValues = Record<string, string | number | boolean | undefined | null>;

export interface CallOptions {
  query?: QueryValues;
  body?: unknown;
  /** Do not show the failure: the caller does. */
  quiet?: boolean;
  /** Never refresh and retry (the auth endpoints themselves). */
  noRefresh?: boolean;
  /** Send no bearer token. */
  anonymous?: boolean;
}

const NETWORK_MESSAGE = '网络异常，请检查网络后重试';
const REFRESHABLE = new Set(['TOKEN_EXPIRED', 'TOKEN_INVALID']);

/** `/admin/users` + query → `/api/v1/admin/users?…`: the path as the OpenAPI document names it, minus the base. */
function urlOf(path: string, query: QueryValues | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return `${API_BASE}${path}${search ? `?${search}` : ''}`;
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: { error?: { code?: string; message?: string } } | undefined;
  try {
    body = (await response.json()) as typeof body;
  } catch {
    body = undefined;
  }
  const code = body?.error?.code ?? `HTTP_${response.status}`;
  // The server's message for its code; the generated table's when the body has none (a proxy's error page).
  const known = (errorMessages as Record<string, string | undefined>)[code];
  const text = body?.error?.message ?? known ?? (response.status >= 500 ? '系统繁忙，请稍后重试' : '请求失败，请稍后重试');
  return new ApiError(response.status, code, text);
}

async function send(method: Method, path: string, options: CallOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const token = options.anonymous ? undefined : currentSession()?.tokens.accessToken;
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(urlOf(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', NETWORK_MESSAGE);
  }
}

let refreshing: Promise<boolean> | null = null;

/** Exchanges the refresh token once, however many calls ask at the same time. */
export function refreshTokens(): Promise<boolean> {
  refreshing ??= (async () => {
    const session = currentSession();
    if (!session) return false;
    const response = await send('POST', '/auth/refresh', { body: { refreshToken: session.tokens.refreshToken }, anonymous: true });
    if (response.ok) {
      replaceTokens((await response.json()) as TokenPair);
      return true;
    }
    // A server that could not answer has not refused the token: keep the login.
    if (response.status >= 500) throw await errorOf(response);
    signOut();
    return false;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function exchange(method: Method, path: string, options: CallOptions): Promise<Response> {
  const tokenUsed = options.anonymous ? undefined : currentSession()?.tokens.accessToken;
  const response = await send(method, path, options);
  if (response.status !== 401 || options.noRefresh || !tokenUsed) return response;
  const error = await errorOf(response.clone());
  if (!REFRESHABLE.has(error.code)) return response;
  // Another call may have refreshed while this one was in flight: then just retry.
  const refreshed = currentSession()?.tokens.accessToken !== tokenUsed || (await refreshTokens());
  if (!refreshed) throw new ApiError(401, 'REFRESH_TOKEN_INVALID', '登录已过期，请重新登录');
  return send(method, path, options);
}

/** Calls the API; resolves with the parsed JSON answer or rejects with an ApiError (already shown unless quiet). */
export async function call<T>(method: Method, path: string, options: CallOptions = {}): Promise<T> {
  try {
    const response = await exchange(method, path, options);
    if (!response.ok) {
      const error = await errorOf(response);
      // A password an admin set (a session kept from before): the shell shows the change page.
      if (error.code === 'PASSWORD_CHANGE_REQUIRED') requirePasswordChange();
      throw error;
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  } catch (cause) {
    const error = cause instanceof ApiError ? cause : new ApiError(0, 'NETWORK_ERROR', NETWORK_MESSAGE);
    if (!options.quiet) void message.error(error.message);
    throw error;
  }
}


/**
 * Downloads a non-JSON answer (the CSV export) with the admin's token, refreshing it like `call`,
 * and hands it to the browser as a file. A plain link cannot carry the bearer token.
 */
export async function download(path: string, query: QueryValues, filename: string): Promise<void> {
  try {
    const response = await exchange('GET', path, { query });
    if (!response.ok) throw await errorOf(response);
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    // The click has started the download; the object URL can go after this turn.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  } catch (cause) {
    const error = cause instanceof ApiError ? cause : new ApiError(0, 'NETWORK_ERROR', NETWORK_MESSAGE);
    void message.error(error.message);
    throw error;
  }
}
