/**
 * Both database drivers of createDb, for tests that must hold on each: mysql2 (local and CI)
 * and PlanetScale (production), the latter through the in-process shim of planetscale-shim.ts
 * over the same MariaDB database.
 *
 * ```ts
 * import { drivers, openDb } from '../support/drivers.js';
 *
 * describe.each(drivers)('booking on %s', (driver) => {
 *   let app: TestApp;
 *   beforeAll(async () => { app = await startTestApp({}, undefined, { driver }); });
 *   afterAll(() => app.close());
 *   // app.deps.db runs on `driver`; so does every request to the app.
 * });
 *
 * // Or a bare Db over an existing test database (e.g. migratedDatabase().url):
 * const { db, close } = openDb('planetscale', url, { roundTripMs: 5 });
 * ```
 */
import { createDb, type Db } from '../../functions/src/db/create-db.js';
import type { DatabaseConfig } from '../../functions/src/config.js';
import { createPlanetScaleShim } from './planetscale-shim.js';

export const drivers = ['mysql2', 'planetscale'] as const;
export type Driver = (typeof drivers)[number];

export interface DriverOptions {
  /** mysql2 pool size, or the size of the shim's pool behind PlanetScale. */
  poolSize?: number;
  /** PlanetScale only: simulated network round trip per statement, in milliseconds. */
  roundTripMs?: number;
}

export interface DriverConnection {
  /** What createDb was given: hand it to a Config to run the app on this driver. */
  config: DatabaseConfig;
  /** Closes whatever the driver holds besides the Db (the shim's pool). Call after `db.destroy()`. */
  closeDriver(): Promise<void>;
}

/** The database configuration for `driver` over the test database at `url`. */
export function driverConfig(driver: Driver, url: string, options: DriverOptions = {}): DriverConnection {
  const poolSize = options.poolSize ?? 20;
  if (driver === 'mysql2') {
    return { config: { kind: 'mysql', url, poolSize }, closeDriver: async () => {} };
  }
  const shim = createPlanetScaleShim(url, { poolSize, roundTripMs: options.roundTripMs ?? 0 });
  return { config: { kind: 'planetscale', ...shim.credentials, fetch: shim.fetch }, closeDriver: () => shim.close() };
}

/** A Kysely `Db` on `driver` over the test database at `url`; `close()` ends it all. */
export function openDb(driver: Driver, url: string, options: DriverOptions = {}): { db: Db; close(): Promise<void> } {
  const { config, closeDriver } = driverConfig(driver, url, options);
  const db = createDb(config);
  return {
    db,
    async close() {
      await db.destroy();
      await closeDriver();
    },
  };
}
