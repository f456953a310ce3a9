/**
 * Runs the real HTTP app on an ephemeral port over a freshly migrated database, with a clock
 * the test can move. Requests go through node:http exactly as in production.
 */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { loadConfig, type Config } from '../../functions/src/config.js';
import { createListener } from '../../functions/src/bootstrap.js';
import { createDb } from '../../functions/src/db/create-db.js';
import type { AppDeps } from '../../functions/src/deps.js';
import { withFrontEndApps } from '../../functions/src/http/static.js';
import { createLogger } from '../../functions/src/logger.js';
import { createSmsSender } from '../../functions/src/notification/sms.js';
import type { Clock } from '../../functions/src/time/shanghai.js';
import { migratedDatabase, type TestDatabase } from './database.js';
import { driverConfig, type Driver, type DriverOptions } from './drivers.js';

/** A clock that tests set; it still advances with real time unless frozen. */
export class TestClock implements Clock {
  private offsetMs = 0;
  private frozen: Date | undefined;
  now(): Date {
    return this.frozen ? new Date(this.frozen) : new Date(Date.now() + this.offsetMs);
  }
  set(instant: Date): void {
    this.offsetMs = instant.getTime() - Date.now();
    this.frozen = undefined;
  }
  freeze(instant: Date): void {
    this.frozen = instant;
  }
  advance(ms: number): void {
    if (this.frozen) this.frozen = new Date(this.frozen.getTime() + ms);
    else this.offsetMs += ms;
  }
}

export interface TestApp {
  baseUrl: string;
  deps: AppDeps;
  clock: TestClock;
  /** The test database; its `db` is always mysql2, whichever driver the app (`deps.db`) runs on. */
  database: TestDatabase;
  /** fetch against the app; JSON bodies are serialised and the reply parsed. */
  request(method: string, path: string, options?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/**
 * `options.driver` runs the whole app on that database driver (default mysql2); see drivers.ts.
 * `options.frontEnd` also serves the built front-end apps (/patient/…) as `npm start` does.
 * `options.connectVia` sends the app's own database connections (the mysql2 pool, or the
 * PlanetScale shim's pool) to another URL for the same database, e.g. through a cuttable
 * tcp-proxy.ts; `options.wrapFetch` wraps the PlanetScale driver's fetch. `database.db` stays direct.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  configure?: (c: Config) => Config,
  options: {
    driver?: Driver;
    frontEnd?: boolean;
    connectVia?: (url: string) => string;
    wrapFetch?: (fetch: typeof globalThis.fetch) => typeof globalThis.fetch;
  } & DriverOptions = {},
): Promise<TestApp> {
  const database = await migratedDatabase();
  let config = loadConfig({ APP_ENV: 'test', DATABASE_URL: database.url, LOG_LEVEL: 'silent', ...env });
  if (configure) config = configure(config);
  // Another driver gets its own Db built by createDb from its config, as createDeps does.
  const appUrl = options.connectVia ? options.connectVia(database.url) : database.url;
  const onDriver =
    options.driver && options.driver !== 'mysql2'
      ? driverConfig(options.driver, appUrl, options)
      : options.connectVia
        ? driverConfig('mysql2', appUrl, options)
        : undefined;
  if (onDriver) {
    const driven = onDriver.config;
    const wrapped = driven.kind === 'planetscale' && options.wrapFetch ? { ...driven, fetch: options.wrapFetch(driven.fetch ?? fetch) } : driven;
    config = { ...config, database: wrapped };
  }
  const db = onDriver ? createDb(config.database) : database.db;
  const clock = new TestClock();
  const log = createLogger(config.logLevel);
  const deps: AppDeps = { config, db, clock, log, sms: createSmsSender(config, db, log) };
  const listener = createListener(deps, { validateResponses: true });
  const server = createServer(options.frontEnd ? withFrontEndApps(listener) : listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    deps,
    clock,
    database,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(baseUrl + path, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text so the assertion shows it
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (onDriver) {
        await db.destroy();
        await onDriver.closeDriver();
      }
      await database.close();
    },
  };
}
