/**
 * `createDb(config)`: the one place that picks the database driver.
 *   - `mysql`: Kysely MysqlDialect over a mysql2 pool (local MariaDB / MySQL, tests).
 *   - `planetscale`: kysely-planetscale over @planetscale/database's HTTP driver (production).
 * Both return values of the same JavaScript types (see `castPlanetScaleValue` and the mysql2
 * options below), so domain code never knows which driver it runs on.
 */
import { Kysely, MysqlDialect } from 'kysely';
import { PlanetScaleDialect } from 'kysely-planetscale';
import type { Pool } from 'mysql2';
import type { DatabaseConfig } from '../config.js';
import { castPlanetScaleValue } from './planetscale-cast.js';
import type { DB } from './schema.js';

export type Db = Kysely<DB>;

export function createDb(config: DatabaseConfig): Db {
  if (config.kind === 'planetscale') {
    return new Kysely<DB>({
      dialect: new PlanetScaleDialect({
        host: config.host,
        username: config.username,
        password: config.password,
        cast: castPlanetScaleValue,
        ...(config.fetch ? { fetch: config.fetch } : {}),
      }),
    });
  }
  return new Kysely<DB>({ dialect: new MysqlDialect({ pool: () => createMysqlPool(config.url, config.poolSize) }) });
}

/**
 * A mysql2 pool configured to return the same value types as our PlanetScale cast. mysql2 is
 * imported on first use (Kysely calls this before the first query): the Lambda bundles leave it
 * out, as production runs on PlanetScale, and loading it would cost every cold start.
 */
export async function createMysqlPool(url: string, connectionLimit: number): Promise<Pool> {
  const { createPool } = await import('mysql2');
  return createPool({
    uri: url,
    connectionLimit,
    // Instants are stored in UTC; without this mysql2 would use the server process's TZ.
    timezone: 'Z',
    // DATE columns are Shanghai calendar dates: keep them as 'YYYY-MM-DD' strings, never Dates.
    dateStrings: ['DATE'],
    // SUM()/AVG() return DECIMAL; COUNT() and BIGINT ids are numbers (ids stay < 2^53).
    decimalNumbers: true,
    supportBigNumbers: false,
    charset: 'utf8mb4',
    // UPDATE reports rows changed, as PlanetScale does (Vitess sessions default to
    // ClientFoundRows off); mysql2's default, rows matched, would make `numUpdatedRows`
    // differ between the drivers for an UPDATE that sets a value the row already holds.
    flags: ['-FOUND_ROWS'],
    // The booking path is two statements; fail fast instead of queueing forever for a connection.
    connectTimeout: 10_000,
  });
}
