/**
 * The one place that reads the environment. Read once at start-up; a missing or malformed
 * value fails fast with a message naming the variable, never later inside a request.
 */
import * as z from 'zod';

const DEV_JWT_SECRET = 'bx87h9-development-secret-not-for-production-use';
// 32 bytes, base64. Development only: production must set FIELD_ENCRYPTION_KEY.
const DEV_FIELD_KEY = 'ZGV2LW9ubHktZmllbGQta2V5LWJ4ODdoOS0zMmJ5dGU=';

const envSchema = z.object({
  APP_ENV: z.enum(['development', 'test', 'production']).default('development'),
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
  env: 'development' | 'test' | 'production';
  port: number;
  database: DatabaseConfig;
  jwtSecret: Uint8Array;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  /** AES-256-GCM key for personal data (ID numbers) stored in the database. */
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.APP_ENV === 'production';

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

  if (production && !e.JWT_SECRET) throw new ConfigError('JWT_SECRET is required in production');
  if (production && !e.FIELD_ENCRYPTION_KEY) {
    throw new ConfigError('FIELD_ENCRYPTION_KEY is required in production');
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
    if (production) throw new ConfigError('SMS_PROVIDER=dev must not be used in production');
    sms = { provider: 'dev' };
  }

  // The simulated provider "accepts" every payment and moves no money: in production a patient
  // would be booked without paying. No real provider exists yet, so production cannot start.
  if (production && e.PAYMENT_PROVIDER === 'simulated') {
    throw new ConfigError(
      'PAYMENT_PROVIDER=simulated must not be used in production: it takes no money. No real payment provider is implemented yet (functions/src/payment/provider.ts); production cannot start until one is configured.',
    );
  }

  return {
    env: e.APP_ENV,
    port: e.PORT,
    database,
    jwtSecret: new TextEncoder().encode(e.JWT_SECRET ?? DEV_JWT_SECRET),
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
