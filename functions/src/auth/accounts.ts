/**
 * Accounts and sessions: registration, login with lockout, refresh-token rotation with reuse
 * detection, logout, password reset and change, and staff accounts created by admins.
 * Every outcome that matters for security is written to the audit log.
 */
import { randomUUID } from 'node:crypto';
import type { Principal, RequestMeta, Role } from '../context.js';
import type { Db } from '../db/create-db.js';
import { isDuplicateKey } from '../db/driver-errors.js';
import type { Trx } from '../db/transaction.js';
import { inTransaction } from '../db/transaction.js';
import { recordAudit } from '../audit/audit.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from './password.js';
import { maskPhone } from './phone.js';
import { consumeSmsCode } from './sms-codes.js';
import { sessionsChanged } from './revocation.js';
import { newRefreshToken, sha256Hex, signAccessToken } from './tokens.js';

export const MAX_FAILED_LOGINS = 5;
/**
 * A refresh token presented again within this many seconds of its rotation is taken for two
 * requests of one client racing (two tabs, a retry after a lost answer), not for a copy: that
 * request is refused and the login lives on. Later, it is a reuse and the login is revoked.
 */
export const REFRESH_RACE_SECONDS = 10;
export const LOCKOUT_MINUTES = 15;

export interface TokenPair {
  accessToken: string;
  accessTokenExpiresIn: number;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

export interface AccountView {
  id: number;
  phone: string;
  role: Role;
  status: 'active' | 'disabled';
  displayName: string | null;
  createdAt: string;
}

export interface Session {
  account: AccountView;
  tokens: TokenPair;
}

type UserRow = {
  id: number;
  phone: string;
  role: Role;
  status: 'active' | 'disabled';
  display_name: string | null;
  created_at: Date;
};

export function toAccountView(user: UserRow): AccountView {
  return {
    id: user.id,
    phone: user.phone,
    role: user.role,
    status: user.status,
    displayName: user.display_name,
    createdAt: user.created_at.toISOString(),
  };
}

const userColumns = ['id', 'phone', 'role', 'status', 'display_name', 'created_at'] as const;

/**
 * Starts a new refresh-token family (a login) or continues one (a refresh). The access token
 * names the family and the account's session version, so revoking either refuses it
 * (auth/revocation.ts).
 */
async function issueTokens(
  deps: AppDeps,
  db: Db | Trx,
  user: Principal,
  meta: RequestMeta,
  sessionVersion: number,
  familyId: string = randomUUID(),
): Promise<TokenPair> {
  const now = deps.clock.now();
  const refreshToken = newRefreshToken();
  const expiresAt = new Date(now.getTime() + deps.config.refreshTokenTtlDays * 86_400_000);
  await db
    .insertInto('refresh_token')
    .values({
      user_id: user.userId,
      family_id: familyId,
      token_hash: sha256Hex(refreshToken),
      expires_at: expiresAt,
      user_agent: meta.userAgent ?? null,
      ip: meta.ip,
      created_at: now,
    })
    .execute();
  return {
    accessToken: await signAccessToken(deps.config, user, now, { id: familyId, version: sessionVersion }),
    accessTokenExpiresIn: deps.config.accessTokenTtlSeconds,
    refreshToken,
    refreshTokenExpiresAt: expiresAt.toISOString(),
  };
}

/**
 * Registers a patient. The code is checked first and the phone is never looked up before it:
 * a registered phone was never sent a registration code (sms-codes.ts), so it fails the code
 * check exactly like a wrong code. Only a caller holding a right code — the phone's owner —
 * can learn that the phone was registered meanwhile.
 */
export async function registerPatient(
  deps: AppDeps,
  input: { phone: string; code: string; password: string; displayName?: string | undefined },
  meta: RequestMeta,
): Promise<Session> {
  await consumeSmsCode(deps, input.phone, 'register', input.code);
  const passwordHash = await hashPassword(input.password, deps.config.passwordCost);
  const now = deps.clock.now();
  try {
    return await inTransaction(deps.db, async (trx) => {
      const inserted = await trx
        .insertInto('user_account')
        .values({
          phone: input.phone,
          password_hash: passwordHash,
          role: 'patient',
          display_name: input.displayName ?? null,
          created_at: now,
          updated_at: now,
        })
        .executeTakeFirstOrThrow();
      const principal: Principal = { userId: Number(inserted.insertId), role: 'patient' };
      await recordAudit(trx, { actor: principal, action: 'auth.register', target: { type: 'user', id: principal.userId }, meta }, now);
      const tokens = await issueTokens(deps, trx, principal, meta, 0);
      const user = await trx.selectFrom('user_account').select(userColumns).where('id', '=', principal.userId).executeTakeFirstOrThrow();
      return { account: toAccountView(user), tokens };
    });
  } catch (error) {
    // Registered since the code was sent (or a concurrent registration): the unique key decides.
    if (isDuplicateKey(error, 'uq_user_phone')) throw new AppError('PHONE_ALREADY_REGISTERED');
    throw error;
  }
}

export async function login(deps: AppDeps, input: { phone: string; password: string }, meta: RequestMeta): Promise<Session> {
  const now = deps.clock.now();
  const user = await deps.db
    .selectFrom('user_account')
    .select([...userColumns, 'password_hash', 'locked_until', 'session_version'])
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
    return { account: toAccountView(user), tokens: await issueTokens(deps, trx, principal, meta, user.session_version) };
  });
}

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
    return issueTokens(deps, trx, principal, meta, row.session_version, row.family_id);
  });
  if (!tokens) throw new AppError('REFRESH_TOKEN_INVALID');
  return tokens;
}

async function revokeFamily(db: Db | Trx, familyId: string, now: Date): Promise<void> {
  await db.updateTable('refresh_token').set({ revoked_at: now }).where('family_id', '=', familyId).where('revoked_at', 'is', null).execute();
}

/**
 * Ends every login of the account: its refresh tokens are revoked and its session version is
 * raised, so every access token already issued is refused too. The caller commits, then calls
 * `sessionsChanged` so this process sees it at once.
 */
async function endAllSessions(trx: Trx, userId: number, now: Date): Promise<void> {
  await trx
    .updateTable('user_account')
    .set((eb) => ({ session_version: eb('session_version', '+', 1), session_changed_at: now }))
    .where('id', '=', userId)
    .execute();
  await trx.updateTable('refresh_token').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
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

/** Sets a new password after an SMS code; every existing session is signed out. */
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
      .set({ password_hash: passwordHash, failed_login_count: 0, locked_until: null, updated_at: now })
      .where('id', '=', user.id)
      .execute();
    await endAllSessions(trx, user.id, now);
    await recordAudit(trx, { actor: { userId: user.id, role: user.role }, action: 'auth.password_reset', target: { type: 'user', id: user.id }, meta }, now);
  });
  sessionsChanged(deps.db);
}

/** Changes the password; other sessions are signed out and this one gets fresh tokens. */
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
    await trx.updateTable('user_account').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', user.id).execute();
    await endAllSessions(trx, user.id, now);
    await recordAudit(trx, { actor: principal, action: 'auth.password_change', target: { type: 'user', id: user.id }, meta }, now);
    // This device's new login, under the version just raised (read back: this transaction holds the row).
    const { session_version } = await trx.selectFrom('user_account').select('session_version').where('id', '=', user.id).executeTakeFirstOrThrow();
    return issueTokens(deps, trx, principal, meta, session_version);
  });
  sessionsChanged(deps.db);
  return tokens;
}

export async function getAccount(db: Db, userId: number): Promise<AccountView> {
  const user = await db.selectFrom('user_account').select(userColumns).where('id', '=', userId).executeTakeFirst();
  if (!user) throw new AppError('NOT_FOUND');
  return toAccountView(user);
}

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
  const work = async (t: Trx) => {
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
    return toAccountView(await t.selectFrom('user_account').select(userColumns).where('id', '=', id).executeTakeFirstOrThrow());
  };
  try {
    return trx ? await work(trx) : await inTransaction(deps.db, work);
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
    const before = await trx.selectFrom('user_account').select(userColumns).where('id', '=', userId).executeTakeFirst();
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

