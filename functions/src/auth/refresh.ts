/** Refresh-token rotation with reuse detection. */
import type { Principal, RequestMeta } from '../context.js';
import { inTransaction } from '../db/transaction.js';
import { recordAudit } from '../audit/audit.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { issueTokens, revokeFamily, type TokenPair } from './login-sessions.js';
import { sessionsChanged } from './revocation.js';
import { sha256Hex } from './tokens.js';

/**
 * A refresh token presented again within this many seconds of its rotation is taken for two
 * requests of one client racing (two tabs, a retry after a lost answer), not for a copy: that
 * request is refused and the login lives on. Later, it is a reuse and the login is revoked.
 */
export const REFRESH_RACE_SECONDS = 10;

/**
 * Exchanges a refresh token for a new pair. The old token is marked replaced by a conditional
 * UPDATE, so it works once: of concurrent refreshes exactly one wins, and the others are
 * refused without harming the winner's login (REFRESH_RACE_SECONDS). A replaced token presented
 * again later means it was copied: the whole family (every token descended from that login)
 * is revoked, and with it every access token of that login (auth/revocation.ts).
 */
export async function refresh(deps: AppDeps, refreshToken: string, meta: RequestMeta): Promise<TokenPair> {
  const now = deps.clock.now();
  const row = await deps.db
    .selectFrom('refresh_token')
    .innerJoin('user_account', 'user_account.id', 'refresh_token.user_id')
    .select([
      'refresh_token.id',
      'refresh_token.family_id',
      'refresh_token.expires_at',
      'refresh_token.replaced_at',
      'refresh_token.revoked_at',
      'user_account.id as userId',
      'user_account.role',
      'user_account.status',
      'user_account.session_version',
      'user_account.must_change_password',
    ])
    .where('refresh_token.token_hash', '=', sha256Hex(refreshToken))
    .executeTakeFirst();
  if (!row) throw new AppError('REFRESH_TOKEN_INVALID');
  const principal: Principal = { userId: row.userId, role: row.role };

  const reuse = async () => {
    await revokeFamily(deps.db, row.family_id, now);
    sessionsChanged(deps.db);
    await recordAudit(
      deps.db,
      { actor: principal, action: 'auth.refresh_reuse', outcome: 'failure', target: { type: 'user', id: row.userId }, meta, summary: { family: row.family_id } },
      now,
    );
    return new AppError('REFRESH_TOKEN_REUSED');
  };
  if (row.replaced_at) {
    if (now.getTime() - row.replaced_at.getTime() < REFRESH_RACE_SECONDS * 1000 && !row.revoked_at) throw new AppError('REFRESH_TOKEN_INVALID');
    throw await reuse();
  }
  if (row.revoked_at || row.expires_at <= now) throw new AppError('REFRESH_TOKEN_INVALID');
  if (row.status !== 'active') throw new AppError('ACCOUNT_DISABLED');

  const tokens = await inTransaction(deps.db, async (trx) => {
    const replaced = await trx
      .updateTable('refresh_token')
      .set({ replaced_at: now })
      .where('id', '=', row.id)
      .where('replaced_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    // Lost a race with another use of the same token, which just won.
    if (Number(replaced.numUpdatedRows) !== 1) return undefined;
    await recordAudit(trx, { actor: principal, action: 'auth.refresh', target: { type: 'user', id: row.userId }, meta }, now);
    return issueTokens(deps, trx, principal, meta, { sessionVersion: row.session_version, mustChangePassword: row.must_change_password === 1 }, row.family_id);
  });
  if (!tokens) throw new AppError('REFRESH_TOKEN_INVALID');
  return tokens;
}

