/**
 * `createDb(config)`: the one place that picks the database driver.
 *   - `mysql`: Kysely MysqlDialect over a mysql2 pool (local MariaDB / MySQL, tests).
 *   - `planetscale`: kysely-planetscale over @planetscale/database's HTTP driver (production).
 * Both return values of the same JavaScript types (see `castPlanetScaleValue` and the mysql2
 * options below), so domain code never knows which driver it runs on.
 */
import { format } from '@planetscale/database';
import { CompiledQuery, Kysely, MysqlDialect } from 'kysely';
import { PlanetScaleDialect } from 'kysely-planetscale';
import type { Pool } from 'mysql2';
import type { DatabaseConfig } from '../config.js';
import { castPlanetScaleValue } from './planetscale-cast.js';
import type { DB } from './schema.js';

export type Db = Kysely<DB>;

/**
 * The longest a statement waits for a row lock (mysql2 connections; MySQL's default is 50 s).
 * The API function ends after 10 s (serverless.yml); a booking may queue on two row locks in
 * turn, so a wait must end well inside that for the request to answer 503 DATABASE_BUSY
 * itself rather than be killed by Lambda. inTransaction does not retry a lock-wait timeout:
 * the wait already spent the request's budget.
 */
export const LOCK_WAIT_TIMEOUT_SECONDS = 3;

/**
 * PlanetScale cannot take that setting: its HTTP driver has no connection to set it on (every
 * statement outside a transaction starts a fresh session, and a `SET` inside one would make
 * vtgate reserve a dedicated MySQL connection for it), and its own limit, the transaction
 * killer, ends a transaction only after 20 s. Instead each statement carries Vitess's
 * QUERY_TIMEOUT_MS directive: vtgate cancels a statement still running (or waiting for a lock)
 * after this long, which driver-errors.ts answers as 503 DATABASE_BUSY.
 */
export const PLANETSCALE_QUERY_TIMEOUT_MS = 4000;

const DIRECTIVE_AFTER_VERB = /^(\s*(?:select|insert|update|delete|replace))\b/i;

/** A statement with Vitess's timeout directive, which vtgate reads only right after the verb. */
export function withQueryTimeout(query: string): string {
  return query.replace(DIRECTIVE_AFTER_VERB, `$1 /*vt+ QUERY_TIMEOUT_MS=${PLANETSCALE_QUERY_TIMEOUT_MS} */`);
}

/**
 * The driver's own formatter, plus the directive. Given a `format`, kysely-planetscale passes
 * Dates through untouched, so they are written here as it writes them (UTC, no 'T' or 'Z').
 */
function formatWithTimeout(query: string, values: unknown): string {
  const dated = Array.isArray(values) ? values.map((v) => (v instanceof Date ? v.toISOString().replace(/[TZ]/g, ' ').trim() : v)) : values;
  return withQueryTimeout(format(query, dated as never));
}

export function createDb(config: DatabaseConfig): Db {
  if (config.kind === 'planetscale') {
    return new Kysely<DB>({
      dialect: new PlanetScaleDialect({
        host: config.host,
        username: config.username,
        password: config.password,
        cast: castPlanetScaleValue,
        format: formatWithTimeout,
        ...(config.fetch ? { fetch: config.fetch } : {}),
      }),
    });
  }
  return new Kysely<DB>({
    dialect: new MysqlDialect({
      pool: () => createMysqlPool(config.url, config.poolSize),
      // Once per new connection, before its first statement.
      onCreateConnection: async (connection) => {
        await connection.executeQuery(CompiledQuery.raw(`SET SESSION innodb_lock_wait_timeout = ${LOCK_WAIT_TIMEOUT_SECONDS}`));
      },
    }),
  });
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
