/**
 * Staff accounts (doctors and admins): only admins create them (and the bootstrap command, for
 * the first admin) — staff never self-register — and admins enable or disable any account.
 */
import type { Principal, RequestMeta } from '../context.js';
import { isDuplicateKey } from '../db/driver-errors.js';
import type { Trx } from '../db/transaction.js';
import { inTransaction } from '../db/transaction.js';
import { recordAudit } from '../audit/audit.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { ACCOUNT_COLUMNS, toAccountView, type AccountView } from './account-view.js';
import { endAllSessions } from './login-sessions.js';
import { hashPassword } from './password.js';
import { maskPhone } from './phone.js';
import { sessionsChanged } from './revocation.js';

/**
 * Creates a doctor or admin account. Only admins call this (and the bootstrap command, as
 * 'system', for the first admin): staff never self-register.
 */
export async function createStaffAccount(
  deps: AppDeps,
  actor: Principal | 'system',
  input: { phone: string; password: string; role: 'doctor' | 'admin'; displayName: string },
  meta?: RequestMeta,
  trx?: Trx,
): Promise<AccountView> {
  const passwordHash = await hashPassword(input.password, deps.config.passwordCost);
  const now = deps.clock.now();
  const createIn = async (t: Trx) => {
    const inserted = await t
      .insertInto('user_account')
      .values({
        phone: input.phone,
        password_hash: passwordHash,
        role: input.role,
        display_name: input.displayName,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    const id = Number(inserted.insertId);
    await recordAudit(t, { actor, action: 'user.create', target: { type: 'user', id }, meta, summary: { role: input.role, phone: maskPhone(input.phone) } }, now);
    return toAccountView(await t.selectFrom('user_account').select(ACCOUNT_COLUMNS).where('id', '=', id).executeTakeFirstOrThrow());
  };
  try {
    return trx ? await createIn(trx) : await inTransaction(deps.db, createIn);
  } catch (error) {
    if (isDuplicateKey(error, 'uq_user_phone')) throw new AppError('PHONE_ALREADY_REGISTERED', '该手机号已有账号');
    throw error;
  }
}

/** Enables or disables an account; disabling signs it out everywhere. */
export async function setAccountStatus(
  deps: AppDeps,
  actor: Principal,
  userId: number,
  status: 'active' | 'disabled',
  meta: RequestMeta,
): Promise<AccountView> {
  if (userId === actor.userId && status === 'disabled') throw new AppError('FORBIDDEN', '不能停用自己的账号');
  const now = deps.clock.now();
  const account = await inTransaction(deps.db, async (trx) => {
    const before = await trx.selectFrom('user_account').select(ACCOUNT_COLUMNS).where('id', '=', userId).executeTakeFirst();
    if (!before) throw new AppError('NOT_FOUND', '账号不存在');
    await trx
      .updateTable('user_account')
      .set({ status, updated_at: now, ...(status === 'active' ? { failed_login_count: 0, locked_until: null } : {}) })
      .where('id', '=', userId)
      .execute();
    if (status === 'disabled') await endAllSessions(trx, userId, now);
    await recordAudit(trx, { actor, action: 'user.status', target: { type: 'user', id: userId }, meta, summary: { before: before.status, after: status } }, now);
    return { ...toAccountView(before), status };
  });
  sessionsChanged(deps.db);
  return account;
}

