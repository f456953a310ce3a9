/**
 * What a build of the app bakes in (miniapp/config/build-settings.ts, the logic of
 * miniapp/config/index.ts): a production build must name its API and never uses the
 * development SMS inbox; local builds keep working against the local API.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * Imported by a computed path: the module is type-checked with the app's own settings
 * (miniapp/tsconfig.json), not the server's NodeNext ones, under which miniapp/ is CommonJS.
 */
const settingsModule = '../../miniapp/config/build-settings.ts';
const { buildSettings } = (await import(settingsModule)) as {
  buildSettings(env: Record<string, string | undefined>): { role: string; production: boolean; apiBaseUrl: string; devSms: string };
};

const production = { NODE_ENV: 'production', TARO_APP_ROLE: 'patient' };

describe('production build (NODE_ENV=production, as `taro build` sets it)', () => {
  it.each(['weapp', 'h5'])('%s: fails without an API URL', (target) => {
    expect(() => buildSettings({ ...production, TARO_ENV: target })).toThrow(/A production build needs the API's https URL/);
    expect(() => buildSettings({ ...production, TARO_ENV: target, TARO_APP_API_BASE_URL: '' })).toThrow(/needs the API's https URL/);
    expect(() => buildSettings({ ...production, TARO_ENV: target, TARO_APP_API_BASE_URL: '/api/v1' })).toThrow(/needs the API's https URL/);
    expect(() => buildSettings({ ...production, TARO_ENV: target, TARO_APP_API_BASE_URL: 'http://api.example.org/api/v1' })).toThrow(/needs the API's https URL/);
  });

  it('never enables the dev SMS shortcut: off by default, and asking for it stops the build', () => {
    const url = 'https://api.example.org/api/v1';
    expect(buildSettings({ ...production, TARO_ENV: 'weapp', TARO_APP_API_BASE_URL: url })).toEqual({
      role: 'patient',
      production: true,
      apiBaseUrl: url,
      devSms: 'false',
    });
    expect(() => buildSettings({ ...production, TARO_ENV: 'weapp', TARO_APP_API_BASE_URL: url, TARO_APP_DEV_SMS: 'true' })).toThrow(
      'TARO_APP_DEV_SMS=true is for local builds only',
    );
  });

  it('the release scripts are production builds; the build scripts say they are local', () => {
    const scripts = (JSON.parse(readFileSync(new URL('../../miniapp/package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const target of ['weapp', 'h5']) {
      expect(scripts[`release:${target}`]).toBe(`taro build --type ${target} --mode patient`);
      expect(scripts[`build:${target}`]).toBe(`BX_LOCAL_BUILD=1 taro build --type ${target} --mode patient`);
    }
  });
});

describe('local build (npm start, the tests, WeChat DevTools against localhost)', () => {
  it('H5 calls its own origin and the mini-program localhost:3000, both with the dev SMS inbox', () => {
    expect(buildSettings({ ...production, BX_LOCAL_BUILD: '1', TARO_ENV: 'h5' })).toEqual({
      role: 'patient',
      production: false,
      apiBaseUrl: '/api/v1',
      devSms: 'true',
    });
    expect(buildSettings({ NODE_ENV: 'development', TARO_ENV: 'weapp' })).toMatchObject({ apiBaseUrl: 'http://localhost:3000/api/v1', devSms: 'true' });
    expect(buildSettings({ NODE_ENV: 'development', TARO_ENV: 'weapp', TARO_APP_DEV_SMS: 'false' }).devSms).toBe('false');
  });
});
