/**
 * Staff accounts (doctors and admins): only admins create them (and the bootstrap command, for
 * the first admin) — staff never self-register — and admins enable or disable any account and
 * reset a staff account's password. A password an admin chose or reset is known to the admin:
 * the account must set its own before it may do anything else (must_change_password).
 */
import { randomInt } from 'node:crypto';
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
 * 'system', for the first admin): staff never self-register. An account an admin creates must
 * change its password at first login; the first admin's was chosen by its owner.
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
        must_change_password: actor === 'system' ? 0 : 1,
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


/** Letters and digits without the look-alikes (0/O, 1/l/I). */
const PASSWORD_ALPHABET = { letters: 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ', digits: '23456789' };

/** A 12-character password with letters and digits (passwordSchema's rule), from the CSPRNG. */
export function generatePassword(): string {
  const all = PASSWORD_ALPHABET.letters + PASSWORD_ALPHABET.digits;
  const pick = (from: string) => from[randomInt(from.length)]!;
  const chars = [pick(PASSWORD_ALPHABET.letters), pick(PASSWORD_ALPHABET.digits), ...Array.from({ length: 10 }, () => pick(all))];
  // Fisher–Yates, so the guaranteed letter and digit are not always first.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/**
 * An admin resets a staff account's forgotten password: a generated one, answered once (never
 * stored or logged in clear), every login of the account ended, and the account must change
 * it at its next login. Patients reset theirs by SMS code (password-change.ts), and an admin
 * changes their own under 修改密码: both are FORBIDDEN here.
 */
export async function resetStaffPassword(
  deps: AppDeps,
  actor: Principal,
  userId: number,
  meta: RequestMeta,
): Promise<{ account: AccountView; password: string }> {
  if (userId === actor.userId) throw new AppError('FORBIDDEN', '请在“修改密码”中修改自己的密码');
  const password = generatePassword();
  const passwordHash = await hashPassword(password, deps.config.passwordCost);
  const now = deps.clock.now();
  const account = await inTransaction(deps.db, async (trx) => {
    const user = await trx.selectFrom('user_account').select(ACCOUNT_COLUMNS).where('id', '=', userId).forUpdate().executeTakeFirst();
    if (!user) throw new AppError('NOT_FOUND', '账号不存在');
    if (user.role === 'patient') throw new AppError('FORBIDDEN', '患者账号请由本人通过短信验证码找回密码');
    await trx
      .updateTable('user_account')
      .set({ password_hash: passwordHash, must_change_password: 1, failed_login_count: 0, locked_until: null, updated_at: now })
      .where('id', '=', userId)
      .execute();
    await endAllSessions(trx, userId, now);
    await recordAudit(trx, { actor, action: 'user.password_reset', target: { type: 'user', id: userId }, meta, summary: { role: user.role, phone: maskPhone(user.phone) } }, now);
    return toAccountView({ ...user, must_change_password: 1 });
  });
  sessionsChanged(deps.db);
  return { account, password };
}
