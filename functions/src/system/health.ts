/** Whether this process can serve: the database answers. */
import { sql } from 'kysely';
import type { Db } from '../db/create-db.js';
import { databaseUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../db/driver-errors.js';
import type { Logger } from '../logger.js';

export type Health = { status: 'ok' } | { status: 'unavailable'; retryAfterSeconds: number };

/**
 * `ok` when the database answers a trivial query. Otherwise, whatever the failure (refused,
 * lost, busy), `unavailable` with the same Retry-After as the API's 503s.
 */
export async function checkHealth(db: Db, log: Logger): Promise<Health> {
  try {
    await sql`SELECT 1`.execute(db);
    return { status: 'ok' };
  } catch (error) {
    log.error({ err: error }, 'health check: database unreachable');
    return { status: 'unavailable', retryAfterSeconds: databaseUnavailable(error)?.retryAfterSeconds ?? UNAVAILABLE_RETRY_AFTER_SECONDS };
  }
}
