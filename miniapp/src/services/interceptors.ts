/**
 * Every API call goes through Taro.request and these interceptors (outermost first):
 *   errorToToast   → a non-2xx answer or a network failure becomes an ApiError, shown as a
 *                    Chinese toast (the server's message for its code) unless the call is quiet;
 *   refreshOn401   → an expired access token is refreshed once and the call retried;
 *   baseUrlAndAuth → the configured base URL and the bearer token.
 * The refresh token rotates and a reused one revokes the whole login, so concurrent 401s must
 * share one refresh: `refreshTokens` is single-flight.
 */
import Taro from '@tarojs/taro';
import { currentSession, replaceTokens, signOut } from './session';
import type { ApiErrorCode, TokenPair } from './types';

export const API_BASE_URL = process.env.TARO_APP_API_BASE_URL;

/** Options of ours carried on Taro.request's parameters (ignored by the platform). */
export interface ApiCallOptions {
  /** Do not toast failures: the caller shows them itself. */
  quiet?: boolean;
  /** Never refresh and retry (the auth endpoints themselves). */
  noRefresh?: boolean;
}

export type RequestParams = Taro.request.Option<unknown> & { api?: ApiCallOptions };
type Response = Taro.request.SuccessCallbackResult;
export interface Chain {
  requestParams: RequestParams;
  proceed(params: RequestParams): Promise<Response>;
}

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

const NETWORK_MESSAGE = '网络异常，请检查网络后重试';
const REFRESHABLE = new Set<string>(['TOKEN_EXPIRED', 'TOKEN_INVALID'] satisfies ApiErrorCode[]);

function errorOf(response: Response): ApiError {
  const body = response.data as { error?: { code?: string; message?: string } } | undefined;
  const code = body?.error?.code ?? `HTTP_${response.statusCode}`;
  const message = body?.error?.message ?? (response.statusCode >= 500 ? '系统繁忙，请稍后重试' : '请求失败，请稍后重试');
  return new ApiError(response.statusCode, code, message);
}

function showError(message: string): void {
  void Taro.showToast({ title: message, icon: 'none', duration: 2500 });
}

export async function errorToToast(chain: Chain): Promise<Response> {
  const params = chain.requestParams;
  let response: Response;
  try {
    response = await chain.proceed(params);
  } catch (cause) {
    const error = cause instanceof ApiError ? cause : new ApiError(0, 'NETWORK_ERROR', NETWORK_MESSAGE);
    if (!params.api?.quiet) showError(error.message);
    throw error;
  }
  if (response.statusCode >= 200 && response.statusCode < 300) return response;
  const error = errorOf(response);
  if (!params.api?.quiet) showError(error.message);
  throw error;
}

let refreshing: Promise<boolean> | null = null;

/** The server's answers that end this login: a refused refresh token or a disabled account. */
const LOGIN_OVER = new Set<string>(['REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED', 'ACCOUNT_DISABLED'] satisfies ApiErrorCode[]);

/**
 * Exchanges the refresh token once, however many calls ask at the same time. Resolves false
 * (and signs out) only when the server refused the token; a failure that says nothing about it
 * (network, 5xx, 429) rejects with that error and keeps the login, so a later call tries again.
 */
export function refreshTokens(): Promise<boolean> {
  refreshing ??= (async () => {
    const session = currentSession();
    if (!session) return false;
    try {
      const response = await Taro.request<TokenPair>({
        url: '/auth/refresh',
        method: 'POST',
        header: { 'Content-Type': 'application/json' },
        data: { refreshToken: session.refreshToken },
        api: { quiet: true, noRefresh: true },
      } as RequestParams as Taro.request.Option<TokenPair>);
      replaceTokens(response.data);
      return true;
    } catch (error) {
      if (!(error instanceof ApiError) || !LOGIN_OVER.has(error.code)) throw error;
      // Invalid, expired, reused or the account disabled: this login is over on the server, end it here too.
      signOut();
      return false;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

export async function refreshOn401(chain: Chain): Promise<Response> {
  const params = chain.requestParams;
  const tokenUsed = currentSession()?.accessToken;
  const response = await chain.proceed(params);
  if (response.statusCode !== 401 || params.api?.noRefresh || !tokenUsed) return response;
  if (!REFRESHABLE.has(errorOf(response).code)) return response;
  // Another call may have refreshed while this one was in flight: then just retry. A refresh
  // that could not reach the server rejects, and this call fails with its error (errorToToast).
  const refreshed = currentSession()?.accessToken !== tokenUsed || (await refreshTokens());
  if (!refreshed) return { ...response, data: { error: { code: 'REFRESH_TOKEN_INVALID', message: '登录已过期，请重新登录' } } };
  return chain.proceed(params);
}

export function baseUrlAndAuth(chain: Chain): Promise<Response> {
  const params = chain.requestParams;
  const header: Record<string, string> = { ...(params.header as Record<string, string> | undefined) };
  const token = currentSession()?.accessToken;
  if (token) header.Authorization = `Bearer ${token}`;
  const url = params.url.startsWith('/') ? API_BASE_URL + params.url : params.url;
  return chain.proceed({ ...params, url, header });
}

let installed = false;

export function installInterceptors(): void {
  if (installed) return;
  installed = true;
  Taro.addInterceptor(errorToToast as unknown as Taro.interceptor);
  Taro.addInterceptor(refreshOn401 as unknown as Taro.interceptor);
  Taro.addInterceptor(baseUrlAndAuth as unknown as Taro.interceptor);
}
