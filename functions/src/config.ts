/**
 * The one place that reads the environment. Read once at start-up; a missing or malformed
 * value fails fast with a message naming the variable, never later inside a request.
 */
import { hkdfSync } from 'node:crypto';
import * as z from 'zod';

/** scrypt parameters of a password hash (auth/password.ts). */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** OWASP Password Storage Cheat Sheet: scrypt with N=2^17, r=8, p=1. */
export const SCRYPT_COST: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };
/** APP_ENV=test only: the suite hashes hundreds of passwords (see auth/password.ts). */
export const SCRYPT_TEST_COST: ScryptCost = { N: 2 ** 12, r: 8, p: 1 };

const DEV_JWT_SECRET = 'bx87h9-development-secret-not-for-production-use';
// 32 bytes, base64. Development only: production must set FIELD_ENCRYPTION_KEY.
const DEV_FIELD_KEY = 'ZGV2LW9ubHktZmllbGQta2V5LWJ4ODdoOS0zMmJ5dGU=';

const envSchema = z.object({
  APP_ENV: z.enum(['development', 'test', 'staging', 'production']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z.string().optional(),
  DATABASE_HOST: z.string().optional(),
  DATABASE_USERNAME: z.string().optional(),
  DATABASE_PASSWORD: z.string().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(20),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  FIELD_ENCRYPTION_KEY: z.string().optional(),
  SMS_PROVIDER: z.enum(['dev', 'http']).default('dev'),
  SMS_HTTP_URL: z.url().optional(),
  SMS_HTTP_TOKEN: z.string().optional(),
  // Only the simulated provider exists; a real one (WeChat Pay) adds its name here.
  PAYMENT_PROVIDER: z.enum(['simulated']).default('simulated'),
  CORS_ORIGINS: z.string().default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z.enum(['0', '1']).default('0'),
});

export type DatabaseConfig =
  | { kind: 'mysql'; url: string; poolSize: number }
  | { kind: 'planetscale'; host: string; username: string; password: string; fetch?: typeof fetch };

export interface Config {
  /**
   * `staging` is a deployed rehearsal of production: every production requirement (secrets,
   * a real SMS gateway, HSTS, no dev routes) except that it may take simulated payments, which
   * production refuses. It exists because no real payment provider is implemented yet.
   */
  env: 'development' | 'test' | 'staging' | 'production';
  port: number;
  database: DatabaseConfig;
  /** HS256 key of access tokens: derived from JWT_SECRET for this purpose only (see `purposeKey`). */
  jwtSecret: Uint8Array;
  /** HMAC key of stored SMS codes: derived from JWT_SECRET for this purpose only. */
  smsCodeKey: Buffer;
  /** scrypt cost of new password hashes: OWASP's everywhere but APP_ENV=test (auth/password.ts). */
  passwordCost: ScryptCost;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  /**
   * FIELD_ENCRYPTION_KEY as configured. Never used directly for new data: patient/personal-data.ts
   * derives one key for AES-GCM and another for the ID-number hash from it (HKDF), and uses it
   * as it is only to read data written before that (version v1).
   */
  fieldEncryptionKey: Buffer;
  sms: { provider: 'dev' } | { provider: 'http'; url: string; token: string | undefined };
  /** The payment provider (functions/src/payment/provider.ts); never `simulated` in production. */
  payment: { provider: 'simulated' };
  corsOrigins: string[];
  logLevel: string;
  /** Take the client IP from X-Forwarded-For (behind API Gateway / a reverse proxy). */
  trustProxy: boolean;
}

export class ConfigError extends Error {}

/**
 * One key per purpose from one configured secret (HKDF-SHA256, RFC 5869): keys for different
 * purposes are independent, so no value made for one purpose (a signature, a code hash) can be
 * replayed or compared in another.
 */
export function purposeKey(secret: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), purpose, 32));
}

/**
 * The development-only routes (GET /dev/sms, which shows the codes "sent") are served only with
 * the development SMS provider, in development or test: never where a real phone gets the code.
 */
export function devRoutesEnabled(config: Pick<Config, 'env' | 'sms'>): boolean {
  return config.sms.provider === 'dev' && (config.env === 'development' || config.env === 'test');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Parsed once per process: zod's compiled fast path (generated code, compiled on first parse)
  // would cost more than it saves, at every cold start (tests/deploy/lambda.test.ts).
  const parsed = envSchema.safeParse(env, { jitless: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.APP_ENV === 'production';
  // What production requires of secrets and providers, staging requires too (see Config.env).
  const deployed = production || e.APP_ENV === 'staging';

  let database: DatabaseConfig;
  if (e.DATABASE_URL) {
    database = { kind: 'mysql', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE };
  } else if (e.DATABASE_HOST && e.DATABASE_USERNAME && e.DATABASE_PASSWORD) {
    database = {
      kind: 'planetscale',
      host: e.DATABASE_HOST,
      username: e.DATABASE_USERNAME,
      password: e.DATABASE_PASSWORD,
    };
  } else {
    throw new ConfigError(
      'No database configured: set DATABASE_URL=mysql://… or DATABASE_HOST, DATABASE_USERNAME and DATABASE_PASSWORD (PlanetScale)',
    );
  }

  if (deployed && !e.JWT_SECRET) throw new ConfigError(`JWT_SECRET is required in ${e.APP_ENV}`);
  if (deployed && !e.FIELD_ENCRYPTION_KEY) {
    throw new ConfigError(`FIELD_ENCRYPTION_KEY is required in ${e.APP_ENV}`);
  }
  const fieldEncryptionKey = Buffer.from(e.FIELD_ENCRYPTION_KEY ?? DEV_FIELD_KEY, 'base64');
  if (fieldEncryptionKey.length !== 32) {
    throw new ConfigError('FIELD_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
  }

  let sms: Config['sms'];
  if (e.SMS_PROVIDER === 'http') {
    if (!e.SMS_HTTP_URL) throw new ConfigError('SMS_HTTP_URL is required when SMS_PROVIDER=http');
    sms = { provider: 'http', url: e.SMS_HTTP_URL, token: e.SMS_HTTP_TOKEN };
  } else {
    // The development provider shows codes to anyone who can read the log or the outbox.
    if (deployed) throw new ConfigError(`SMS_PROVIDER=dev must not be used in ${e.APP_ENV}`);
    sms = { provider: 'dev' };
  }

  // The simulated provider "accepts" every payment and moves no money: in production a patient
  // would be booked without paying. No real provider exists yet, so production cannot start.
  if (production && e.PAYMENT_PROVIDER === 'simulated') {
    throw new ConfigError(
      'PAYMENT_PROVIDER=simulated must not be used in production: it takes no money. No real payment provider is implemented yet (functions/src/payment/provider.ts); production cannot start until one is configured (APP_ENV=staging deploys with simulated payments).',
    );
  }

  const secret = Buffer.from(e.JWT_SECRET ?? DEV_JWT_SECRET, 'utf8');
  return {
    env: e.APP_ENV,
    port: e.PORT,
    database,
    // Changing the signing key at deploy ends no login: clients refresh their access token.
    jwtSecret: new Uint8Array(purposeKey(secret, 'bx87h9 access-token HS256')),
    // Codes in flight at that deploy fail once (valid 5 minutes); the user asks for another.
    smsCodeKey: purposeKey(secret, 'bx87h9 sms-code HMAC'),
    passwordCost: e.APP_ENV === 'test' ? SCRYPT_TEST_COST : SCRYPT_COST,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: e.REFRESH_TOKEN_TTL_DAYS,
    fieldEncryptionKey,
    sms,
    payment: { provider: e.PAYMENT_PROVIDER },
    corsOrigins: e.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY === '1',
  };
}
