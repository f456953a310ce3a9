/**
 * What a build bakes into the app, decided from the environment (config/index.ts passes
 * process.env). Two kinds of build:
 * - a local build (`build:*`, `dev:*`: BX_LOCAL_BUILD=1 or a development build) talks to the
 *   local API — H5 on its own origin, the mini-program on localhost:3000 — and fills SMS codes
 *   in from the development inbox;
 * - a production build (`release:*`, or any `taro build`, whose NODE_ENV is production, without
 *   BX_LOCAL_BUILD) must name its API in TARO_APP_API_BASE_URL (https: WeChat and browsers
 *   insist) and never asks the development SMS inbox. A mistake stops the build, not patients.
 */
export type Role = 'patient' | 'doctor' | 'admin';

export interface BuildSettings {
  role: Role;
  production: boolean;
  apiBaseUrl: string;
  /** 'true' or 'false', as TARO_APP_DEV_SMS is read by the app. */
  devSms: 'true' | 'false';
}

type Env = Record<string, string | undefined>;

export function buildSettings(env: Env): BuildSettings {
  const role = env.TARO_APP_ROLE ?? 'patient';
  if (role !== 'patient' && role !== 'doctor' && role !== 'admin') throw new Error(`Unknown TARO_APP_ROLE: ${role}`);
  const production = env.NODE_ENV === 'production' && env.BX_LOCAL_BUILD !== '1';
  const configuredUrl = env.TARO_APP_API_BASE_URL || undefined;
  if (production) {
    if (!configuredUrl || !/^https:\/\/[^/]+/.test(configuredUrl)) {
      throw new Error(
        `A production build needs the API's https URL: TARO_APP_API_BASE_URL=https://api.example.org/api/v1 (got ${configuredUrl ?? 'nothing'}). ` +
          'For a build against the local API use npm run build:h5 / build:weapp.',
      );
    }
    if (env.TARO_APP_DEV_SMS === 'true') {
      throw new Error('TARO_APP_DEV_SMS=true is for local builds only: a production API has no development SMS inbox.');
    }
    return { role, production, apiBaseUrl: configuredUrl, devSms: 'false' };
  }
  const apiBaseUrl = configuredUrl ?? (env.TARO_ENV === 'h5' ? '/api/v1' : 'http://localhost:3000/api/v1');
  return { role, production, apiBaseUrl, devSms: env.TARO_APP_DEV_SMS === 'false' ? 'false' : 'true' };
}
