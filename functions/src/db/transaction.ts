import type { Transaction } from 'kysely';
import { AppError } from '../errors.js';
import type { Db } from './create-db.js';
import { isRetryableTransactionError } from './driver-errors.js';
import type { DB } from './schema.js';

export type Trx = Transaction<DB>;

/**
 * Runs `work` in a transaction, retrying a bounded number of times when the database rolled it
 * back for a deadlock or lock-wait timeout; after that answers 503 DATABASE_BUSY with
 * Retry-After rather than an internal error.
 */
export async function inTransaction<T>(db: Db, work: (trx: Trx) => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (!isRetryableTransactionError(error)) throw error;
      if (attempt >= attempts) throw new AppError('DATABASE_BUSY', undefined, undefined, 1);
      // Jittered back-off so the losers of a deadlock do not collide again in lockstep.
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20 * attempt));
    }
  }
}
