/** Patient self-registration (手机号 + 短信验证码); staff accounts are made by admins (staff-accounts.ts). */
import type { Principal, RequestMeta } from '../context.js';
import { isDuplicateKey } from '../db/driver-errors.js';
import { inTransaction } from '../db/transaction.js';
import { recordAudit } from '../audit/audit.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { ACCOUNT_COLUMNS, toAccountView } from './account-view.js';
import { issueTokens, type Session } from './login-sessions.js';
import { hashPassword } from './password.js';
import { consumeSmsCode } from './sms-codes.js';

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
      const tokens = await issueTokens(deps, trx, principal, meta, { sessionVersion: 0, mustChangePassword: false });
      const user = await trx.selectFrom('user_account').select(ACCOUNT_COLUMNS).where('id', '=', principal.userId).executeTakeFirstOrThrow();
      return { account: toAccountView(user), tokens };
    });
  } catch (error) {
    // Registered since the code was sent (or a concurrent registration): the unique key decides.
    if (isDuplicateKey(error, 'uq_user_phone')) throw new AppError('PHONE_ALREADY_REGISTERED');
    throw error;
  }
}

