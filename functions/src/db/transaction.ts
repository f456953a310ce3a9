import type { Transaction } from 'kysely';
import { AppError } from '../errors.js';
import type { Db } from './create-db.js';
import { BUSY_RETRY_AFTER_SECONDS, databaseUnavailable, isLockWaitTimeout, isRetryableTransactionError, UNAVAILABLE_RETRY_AFTER_SECONDS } from './driver-errors.js';
import type { DB } from './schema.js';

export type Trx = Transaction<DB>;

/**
 * Runs `work` in a transaction, retrying a bounded number of times when the database rolled it
 * back for a deadlock; after that answers 503 DATABASE_BUSY with Retry-After rather than an
 * internal error. A lock-wait timeout is DATABASE_BUSY at once: the wait already took
 * LOCK_WAIT_TIMEOUT_SECONDS of the request's budget, and a second wait could outlast Lambda.
 *
 * What it throws is the cause, never the ROLLBACK's own failure: Kysely rolls back when the
 * work or the COMMIT throws, and on a dead connection that ROLLBACK throws too ("Can't add new
 * command when connection is in closed state" on mysql2, "No transaction to rollback" from
 * kysely-planetscale after a failed COMMIT), replacing the error that caused it. So the work's
 * own error is kept and rethrown; and when the work succeeded but COMMIT failed, whether it
 * committed is unknown: that is 503 SERVICE_UNAVAILABLE (a client retrying with its
 * Idempotency-Key then finds the booking if it did commit).
 */
export async function inTransaction<T>(db: Db, work: (trx: Trx) => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let workFailed: { error: unknown } | undefined;
    let workDone = false;
    try {
      return await db.transaction().execute(async (trx) => {
        try {
          const result = await work(trx);
          workDone = true;
          return result;
        } catch (error) {
          workFailed = { error };
          throw error;
        }
      });
    } catch (thrown) {
      if (workDone) throw commitFailed(thrown);
      const error = workFailed ? workFailed.error : thrown;
      if (isLockWaitTimeout(error)) throw new AppError('DATABASE_BUSY', undefined, undefined, BUSY_RETRY_AFTER_SECONDS);
      if (!isRetryableTransactionError(error)) throw error;
      if (attempt >= attempts) throw new AppError('DATABASE_BUSY', undefined, undefined, BUSY_RETRY_AFTER_SECONDS);
      // Jittered back-off so the losers of a deadlock do not collide again in lockstep.
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20 * attempt));
    }
  }
}

/** The COMMIT (or the ROLLBACK Kysely sent after it) failed: the outcome is the database's secret. */
function commitFailed(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return databaseUnavailable(error) ?? new AppError('SERVICE_UNAVAILABLE', undefined, undefined, UNAVAILABLE_RETRY_AFTER_SECONDS);
}
