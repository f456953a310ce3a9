/**
 * Login with lockout (MAX_FAILED_LOGINS wrong passwords lock the account for LOCKOUT_MINUTES)
 * and logout. Every outcome is written to the audit log, failures included.
 */
import type { Principal, RequestMeta } from '../context.js';
import { inTransaction } from '../db/transaction.js';
import { recordAudit } from '../audit/audit.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { ACCOUNT_COLUMNS, toAccountView } from './account-view.js';
import { issueTokens, revokeFamily, type Session } from './login-sessions.js';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from './password.js';
import { maskPhone } from './phone.js';
import { sessionsChanged } from './revocation.js';
import { sha256Hex } from './tokens.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

/**
 * Signs in with phone and password. An unknown phone costs the same scrypt time as a wrong
 * password; the MAX_FAILED_LOGINS-th wrong password in a row locks the account.
 */
export async function login(deps: AppDeps, input: { phone: string; password: string }, meta: RequestMeta): Promise<Session> {
  const now = deps.clock.now();
  const user = await deps.db
    .selectFrom('user_account')
    .select([...ACCOUNT_COLUMNS, 'password_hash', 'locked_until', 'session_version'])
    .where('phone', '=', input.phone)
    .executeTakeFirst();
  const fail = async (reason: string, userId?: number) =>
    recordAudit(
      deps.db,
      {
        actor: undefined,
        action: 'auth.login',
        outcome: 'failure',
        target: userId ? { type: 'user', id: userId } : undefined,
        meta,
        summary: { reason, phone: maskPhone(input.phone) },
      },
      now,
    );

  if (!user) {
    await verifyPassword(input.password, dummyPasswordHash(deps.config.passwordCost)); // same time as a real check
    await fail('unknown_phone');
    throw new AppError('INVALID_CREDENTIALS');
  }
  if (user.locked_until && user.locked_until > now) {
    await fail('locked', user.id);
    const seconds = Math.ceil((user.locked_until.getTime() - now.getTime()) / 1000);
    throw new AppError('ACCOUNT_LOCKED', `密码错误次数过多，账号已锁定，请${Math.ceil(seconds / 60)}分钟后再试`, undefined, seconds);
  }
  if (!(await verifyPassword(input.password, user.password_hash))) {
    // Both assignments read the old count, so this is correct whichever order MySQL applies them.
    const lockUntil = new Date(now.getTime() + LOCKOUT_MINUTES * 60_000);
    await deps.db
      .updateTable('user_account')
      .set((eb) => ({
        locked_until: eb
          .case()
          .when('failed_login_count', '>=', MAX_FAILED_LOGINS - 1)
          .then(lockUntil)
          .else(eb.ref('locked_until'))
          .end(),
        failed_login_count: eb
          .case()
          .when('failed_login_count', '>=', MAX_FAILED_LOGINS - 1)
          .then(0)
          .else(eb('failed_login_count', '+', 1))
          .end(),
        updated_at: now,
      }))
      .where('id', '=', user.id)
      .execute();
    await fail('wrong_password', user.id);
    throw new AppError('INVALID_CREDENTIALS');
  }
  if (user.status !== 'active') {
    await fail('disabled', user.id);
    throw new AppError('ACCOUNT_DISABLED');
  }
  const principal: Principal = { userId: user.id, role: user.role };
  // A hash made at an older cost is stored again at the configured one, now that the password is at hand.
  const rehashed = needsRehash(user.password_hash, deps.config.passwordCost) ? await hashPassword(input.password, deps.config.passwordCost) : undefined;
  return inTransaction(deps.db, async (trx) => {
    await trx
      .updateTable('user_account')
      .set({ failed_login_count: 0, locked_until: null, updated_at: now })
      .where('id', '=', user.id)
      .execute();
    if (rehashed) {
      // Only if the password did not change meanwhile.
      await trx.updateTable('user_account').set({ password_hash: rehashed }).where('id', '=', user.id).where('password_hash', '=', user.password_hash).execute();
    }
    await recordAudit(trx, { actor: principal, action: 'auth.login', target: { type: 'user', id: user.id }, meta }, now);
    return { account: toAccountView(user), tokens: await issueTokens(deps, trx, principal, meta, { sessionVersion: user.session_version, mustChangePassword: user.must_change_password === 1 }) };
  });
}

/** Ends the session (refresh-token family) the token belongs to. Unknown tokens are ignored. */
export async function logout(deps: AppDeps, refreshToken: string, meta: RequestMeta): Promise<void> {
  const now = deps.clock.now();
  const row = await deps.db
    .selectFrom('refresh_token')
    .innerJoin('user_account', 'user_account.id', 'refresh_token.user_id')
    .select(['refresh_token.family_id', 'user_account.id as userId', 'user_account.role'])
    .where('refresh_token.token_hash', '=', sha256Hex(refreshToken))
    .executeTakeFirst();
  if (!row) return;
  await revokeFamily(deps.db, row.family_id, now);
  sessionsChanged(deps.db);
  await recordAudit(deps.db, { actor: { userId: row.userId, role: row.role }, action: 'auth.logout', target: { type: 'user', id: row.userId }, meta }, now);
}

