/**
 * Driver errors, normalised once for both drivers. mysql2 reports a MySQL error number as
 * `errno`; @planetscale/database throws a `DatabaseError` whose message carries it as
 * `… (errno 1062) (sqlstate 23000) …`. Domain code asks these predicates, never the driver.
 */

export const ER_DUP_ENTRY = 1062;
export const ER_LOCK_DEADLOCK = 1213;
export const ER_LOCK_WAIT_TIMEOUT = 1205;

export function mysqlErrno(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const errno = (error as { errno?: unknown }).errno;
  if (typeof errno === 'number') return errno;
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string') {
    const match = /\(errno (\d+)\)/.exec(message);
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** True for a unique-key violation, optionally of one named key. */
export function isDuplicateKey(error: unknown, keyName?: string): boolean {
  if (mysqlErrno(error) !== ER_DUP_ENTRY) return false;
  if (!keyName) return true;
  const message = String((error as { message?: unknown }).message ?? '');
  // MySQL 8 names the key 'table.key'; MariaDB names it 'key'.
  return message.includes(`'${keyName}'`) || message.includes(`.${keyName}'`);
}

/** Deadlock or lock-wait timeout: the transaction was rolled back and may be retried. */
export function isRetryableTransactionError(error: unknown): boolean {
  const errno = mysqlErrno(error);
  return errno === ER_LOCK_DEADLOCK || errno === ER_LOCK_WAIT_TIMEOUT;
}
