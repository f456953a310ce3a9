/** The one way pages call the API: Taro.request, through the interceptors in interceptors.ts. */
import Taro from '@tarojs/taro';
import type { ApiCallOptions, RequestParams } from './interceptors';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type Query = Record<string, string | number | undefined>;

export interface CallOptions extends ApiCallOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
}

function withQuery(path: string, query: Query | undefined): string {
  const pairs = Object.entries(query ?? {}).filter((pair): pair is [string, string | number] => pair[1] !== undefined);
  if (pairs.length === 0) return path;
  return `${path}?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')}`;
}

export async function call<T>(method: Method, path: string, options: CallOptions = {}): Promise<T> {
  const header: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) header['Content-Type'] = 'application/json';
  const params: RequestParams = {
    url: withQuery(path, options.query),
    method,
    header,
    data: options.body,
    api: { quiet: options.quiet, noRefresh: options.noRefresh },
  };
  const response = await Taro.request(params as Taro.request.Option<T>);
  return response.data as T;
}
