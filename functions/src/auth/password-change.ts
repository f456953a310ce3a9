/**
 * Setting a password: reset after an SMS code (forgotten password) and change by the signed-in
 * account. Either ends every other login of the account.
 */
import type { Principal, RequestMeta } from '../context.js';
import { inTransaction } from '../db/transaction.js';
import { recordAudit } from '../audit/audit.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { endAllSessions, issueTokens, type TokenPair } from './login-sessions.js';
import { hashPassword, verifyPassword } from './password.js';
import { sessionsChanged } from './revocation.js';
import { consumeSmsCode } from './sms-codes.js';

/** Sets a new password after an SMS code (the owner chose it: no change is required after); every existing session is signed out. */
export async function resetPassword(
  deps: AppDeps,
  input: { phone: string; code: string; newPassword: string },
  meta: RequestMeta,
): Promise<void> {
  // The code first: a phone without an account was never sent one (sms-codes.ts), so it fails
  // here exactly like a wrong code, attempt limit included.
  await consumeSmsCode(deps, input.phone, 'reset_password', input.code);
  const user = await deps.db.selectFrom('user_account').select(['id', 'role']).where('phone', '=', input.phone).executeTakeFirst();
  if (!user) throw new AppError('SMS_CODE_INVALID');
  const passwordHash = await hashPassword(input.newPassword, deps.config.passwordCost);
  const now = deps.clock.now();
  await inTransaction(deps.db, async (trx) => {
    await trx
      .updateTable('user_account')
      .set({ password_hash: passwordHash, must_change_password: 0, failed_login_count: 0, locked_until: null, updated_at: now })
      .where('id', '=', user.id)
      .execute();
    await endAllSessions(trx, user.id, now);
    await recordAudit(trx, { actor: { userId: user.id, role: user.role }, action: 'auth.password_reset', target: { type: 'user', id: user.id }, meta }, now);
  });
  sessionsChanged(deps.db);
}

/**
 * Changes the password; other sessions are signed out and this one gets fresh tokens. It is also
 * how an account an admin created or reset sets its own password: the change clears
 * must_change_password, and the fresh tokens no longer carry it.
 */
export async function changePassword(
  deps: AppDeps,
  principal: Principal,
  input: { oldPassword: string; newPassword: string },
  meta: RequestMeta,
): Promise<TokenPair> {
  const now = deps.clock.now();
  const user = await deps.db
    .selectFrom('user_account')
    .select(['id', 'password_hash', 'status'])
    .where('id', '=', principal.userId)
    .executeTakeFirst();
  if (!user) throw new AppError('UNAUTHENTICATED');
  if (user.status !== 'active') throw new AppError('ACCOUNT_DISABLED');
  if (!(await verifyPassword(input.oldPassword, user.password_hash))) {
    await recordAudit(deps.db, { actor: principal, action: 'auth.password_change', outcome: 'failure', target: { type: 'user', id: user.id }, meta, summary: { reason: 'wrong_password' } }, now);
    throw new AppError('INVALID_CREDENTIALS', '原密码错误');
  }
  if (input.oldPassword === input.newPassword) throw new AppError('PASSWORD_SAME_AS_OLD');
  const passwordHash = await hashPassword(input.newPassword, deps.config.passwordCost);
  const tokens = await inTransaction(deps.db, async (trx) => {
    await trx.updateTable('user_account').set({ password_hash: passwordHash, must_change_password: 0, updated_at: now }).where('id', '=', user.id).execute();
    await endAllSessions(trx, user.id, now);
    await recordAudit(trx, { actor: principal, action: 'auth.password_change', target: { type: 'user', id: user.id }, meta }, now);
    // This device's new login, under the version just raised (read back: this transaction holds the row).
    const { session_version } = await trx.selectFrom('user_account').select('session_version').where('id', '=', user.id).executeTakeFirstOrThrow();
    return issueTokens(deps, trx, principal, meta, { sessionVersion: session_version, mustChangePassword: false });
  });
  sessionsChanged(deps.db);
  return tokens;
}

