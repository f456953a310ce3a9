/**
 * One-time SMS verification codes: 6 digits, valid 5 minutes, at most 5 wrong tries, stored
 * only as an HMAC. Sending is rate-limited per phone (one a minute, ten a day) and per client
 * IP (thirty an hour).
 *
 * The API never tells whether a phone has an account. A request is counted against the limits
 * before the account is looked up, and every request that passes them answers the same. What
 * differs is only what the phone's owner receives: a registration request for a registered
 * phone gets "该手机号已注册，可直接登录或找回密码" and no code; a reset request for an
 * unknown phone gets nothing. Both still record a code row, with a hash no code can match
 * (a random secret that was never sent), so what follows behaves alike too: wrong codes are
 * counted and the attempt limit is reached the same way as for a code that was sent.
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { recordAudit } from '../audit/audit.js';
import type { RequestMeta } from '../context.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { maskPhone } from './phone.js';

export type SmsPurpose = 'register' | 'reset_password';

export const SMS_CODE_TTL_MINUTES = 5;
export const SMS_CODE_MAX_ATTEMPTS = 5;
export const SMS_MIN_INTERVAL_SECONDS = 60;
export const SMS_MAX_PER_PHONE_PER_DAY = 10;
export const SMS_MAX_PER_IP_PER_HOUR = 30;

function codeHash(deps: AppDeps, phone: string, purpose: SmsPurpose, code: string): string {
  return createHmac('sha256', deps.config.smsCodeKey).update(`${purpose}:${phone}:${code}`).digest('hex');
}

/** The hash of a random secret that is never sent: no six-digit code matches it. */
function unmatchableHash(deps: AppDeps, phone: string, purpose: SmsPurpose): string {
  return codeHash(deps, phone, purpose, randomBytes(32).toString('base64url'));
}

/**
 * Records a new code, then counts the requests up to and including its own (by id). Inserting
 * before counting makes the limit hold under concurrent requests: of two racers, the one that
 * counts last sees the other's row. Counting only rows up to its own id makes the first one
 * win: of a burst, exactly one is sent (counting every row, each racer saw the others and all
 * refused). Two would pass only if an insert took an earlier id yet committed after a later
 * racer had counted — a stall inside one INSERT statement; the cost would be one extra SMS.
 * A refused attempt removes its own row.
 *
 * Only after the limits does it look the phone up, and it answers the same whether or not the
 * phone has an account (see the top of this file for what is sent).
 */
export async function issueSmsCode(
  deps: AppDeps,
  phone: string,
  purpose: SmsPurpose,
  meta: RequestMeta,
): Promise<{ expiresInSeconds: number; resendAfterSeconds: number }> {
  const now = deps.clock.now();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const inserted = await deps.db
    .insertInto('sms_code')
    .values({
      phone,
      purpose,
      // Nothing can match this until the phone is looked up, after the limits.
      code_hash: unmatchableHash(deps, phone, purpose),
      expires_at: new Date(now.getTime() + SMS_CODE_TTL_MINUTES * 60_000),
      ip: meta.ip,
      created_at: now,
    })
    .executeTakeFirstOrThrow();
  const id = Number(inserted.insertId);

  const since = (seconds: number) => new Date(now.getTime() - seconds * 1000);
  const counts = await deps.db
    .selectFrom('sms_code')
    .select([
      sql<number>`SUM(phone = ${phone} AND created_at > ${since(SMS_MIN_INTERVAL_SECONDS)})`.as('phoneMinute'),
      sql<number>`SUM(phone = ${phone} AND created_at > ${since(86_400)})`.as('phoneDay'),
      sql<number>`SUM(ip = ${meta.ip} AND created_at > ${since(3600)})`.as('ipHour'),
    ])
    .where((eb) => eb.or([eb('phone', '=', phone), eb('ip', '=', meta.ip)]))
    .where('created_at', '>', since(86_400))
    .where('id', '<=', id)
    .executeTakeFirstOrThrow();

  let refusal: AppError | undefined;
  if (Number(counts.phoneMinute) > 1) refusal = new AppError('SMS_TOO_FREQUENT', undefined, undefined, SMS_MIN_INTERVAL_SECONDS);
  else if (Number(counts.phoneDay) > SMS_MAX_PER_PHONE_PER_DAY) refusal = new AppError('SMS_DAILY_LIMIT');
  else if (Number(counts.ipHour) > SMS_MAX_PER_IP_PER_HOUR) refusal = new AppError('SMS_TOO_FREQUENT', undefined, undefined, 600);
  if (refusal) {
    await deps.db.deleteFrom('sms_code').where('id', '=', id).execute();
    throw refusal;
  }

  const registered = (await deps.db.selectFrom('user_account').select('id').where('phone', '=', phone).executeTakeFirst()) !== undefined;
  const sendCode = purpose === 'register' ? !registered : registered;
  // One UPDATE either way, so both answers take the same path through the database.
  await deps.db
    .updateTable('sms_code')
    .set({ code_hash: sendCode ? codeHash(deps, phone, purpose, code) : unmatchableHash(deps, phone, purpose) })
    .where('id', '=', id)
    .execute();

  try {
    if (sendCode) {
      await deps.sms.send({
        phone,
        template: 'verification_code',
        params: { code, minutes: String(SMS_CODE_TTL_MINUTES) },
        secretParams: ['code'],
      });
    } else if (purpose === 'register') {
      await deps.sms.send({ phone, template: 'already_registered', params: {} });
    }
    // A reset for a phone without an account sends nothing: no SMS to a stranger's phone.
  } catch (error) {
    await deps.db.deleteFrom('sms_code').where('id', '=', id).execute();
    throw error;
  }
  await recordAudit(
    deps.db,
    { actor: undefined, action: 'auth.sms_code', target: { type: 'phone', id: maskPhone(phone) }, meta, summary: { purpose } },
    now,
  );
  return { expiresInSeconds: SMS_CODE_TTL_MINUTES * 60, resendAfterSeconds: SMS_MIN_INTERVAL_SECONDS };
}

/**
 * Consumes the newest live code for this phone and purpose. Every try counts an attempt;
 * after SMS_CODE_MAX_ATTEMPTS the code is dead. Consumption is a conditional UPDATE, so one
 * code can be used exactly once even by concurrent requests.
 */
export async function consumeSmsCode(deps: AppDeps, phone: string, purpose: SmsPurpose, code: string): Promise<void> {
  const now = deps.clock.now();
  const row = await deps.db
    .selectFrom('sms_code')
    .select(['id', 'code_hash', 'attempts'])
    .where('phone', '=', phone)
    .where('purpose', '=', purpose)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) throw new AppError('SMS_CODE_INVALID');
  // Count the attempt before comparing: concurrent guesses cannot exceed the limit together.
  const counted = await deps.db
    .updateTable('sms_code')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', row.id)
    .where('attempts', '<', SMS_CODE_MAX_ATTEMPTS)
    .executeTakeFirst();
  if (Number(counted.numUpdatedRows) !== 1) throw new AppError('SMS_CODE_TOO_MANY_ATTEMPTS');

  const expected = Buffer.from(row.code_hash, 'hex');
  const given = Buffer.from(codeHash(deps, phone, purpose, code), 'hex');
  if (!timingSafeEqual(expected, given)) {
    throw new AppError(row.attempts + 1 >= SMS_CODE_MAX_ATTEMPTS ? 'SMS_CODE_TOO_MANY_ATTEMPTS' : 'SMS_CODE_INVALID');
  }
  const consumed = await deps.db
    .updateTable('sms_code')
    .set({ consumed_at: now })
    .where('id', '=', row.id)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  if (Number(consumed.numUpdatedRows) !== 1) throw new AppError('SMS_CODE_INVALID');
}
