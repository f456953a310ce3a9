/**
 * The simulated payment provider takes no money: production refuses to start with it, as it
 * refuses the development SMS provider (functions/src/config.ts). No real provider exists yet,
 * so until one plugs into payment/provider.ts production fails fast, naming the variable.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../functions/src/config.js';
import { paymentProvider } from '../../functions/src/payment/provider.js';

/** Everything else production requires, valid. */
const production = {
  APP_ENV: 'production',
  DATABASE_HOST: 'aws.connect.psdb.cloud',
  DATABASE_USERNAME: 'app',
  DATABASE_PASSWORD: 'pscale_pw_x',
  JWT_SECRET: 'x'.repeat(48),
  FIELD_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  SMS_PROVIDER: 'http',
  SMS_HTTP_URL: 'https://sms.example/send',
};

describe('payment provider configuration', () => {
  it('refuses to start production with the simulated provider, saying why', () => {
    for (const env of [production, { ...production, PAYMENT_PROVIDER: 'simulated' }]) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(/PAYMENT_PROVIDER=simulated must not be used in production/);
    }
  });

  it('refuses a provider it does not know, in any environment', () => {
    expect(() => loadConfig({ APP_ENV: 'test', DATABASE_URL: 'mysql://a:b@127.0.0.1:1/x', PAYMENT_PROVIDER: 'wechat' })).toThrow(/PAYMENT_PROVIDER/);
  });

  it('uses the simulated provider outside production', () => {
    const config = loadConfig({ APP_ENV: 'development', DATABASE_URL: 'mysql://a:b@127.0.0.1:1/x' });
    expect(config.payment).toEqual({ provider: 'simulated' });
    expect(paymentProvider().name).toBe('simulated');
  });
});
