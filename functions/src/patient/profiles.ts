/**
 * 就诊人: the people a patient account books for. Owner-only: a profile of another account is
 * answered as not found, so ids reveal nothing. ID numbers are validated, then stored only
 * encrypted, keyed-hashed and masked (personal-data.ts); the clear number never leaves here.
 */
import { sql } from 'kysely';
import { recordAudit } from '../audit/audit.js';
import { maskPhone } from '../auth/phone.js';
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import { isDuplicateKey } from '../db/driver-errors.js';
import { inTransaction, type Trx } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { getEffectiveRules } from '../rules/booking-rules.js';
import { shanghaiDate, type LocalDate } from '../time/shanghai.js';
import { ID_TYPE_LABELS, isValidIdNumber, maskIdNumber, normaliseIdNumber, parseResidentId, type IdType } from './id-document.js';
import { encryptField, fieldHashes } from './personal-data.js';

export type Gender = 'male' | 'female';
export type Relation = 'self' | 'child' | 'parent' | 'spouse' | 'other';

export interface ProfileInput {
  realName: string;
  idType: IdType;
  idNumber: string;
  gender?: Gender | undefined;
  birthDate?: LocalDate | undefined;
  phone: string;
  relation: Relation;
  isDefault?: boolean | undefined;
}

export interface ProfileUpdate {
  realName?: string | undefined;
  phone?: string | undefined;
  relation?: Relation | undefined;
  isDefault?: boolean | undefined;
}

export interface ProfileView {
  id: number;
  realName: string;
  idType: IdType;
  idTypeLabel: string;
  idNumberMasked: string;
  gender: Gender;
  birthDate: LocalDate;
  age: number;
  phoneMasked: string;
  relation: Relation;
  isDefault: boolean;
  createdAt: string;
}

const columns = [
  'id',
  'real_name',
  'id_type',
  'id_number_masked',
  'gender',
  'birth_date',
  'phone',
  'relation',
  'is_default',
  'created_at',
] as const;

type ProfileRow = {
  id: number;
  real_name: string;
  id_type: IdType;
  id_number_masked: string;
  gender: Gender;
  birth_date: string;
  phone: string;
  relation: Relation;
  is_default: number;
  created_at: Date;
};

/** Full years of age on `today` (Shanghai). */
export function ageOn(birthDate: LocalDate, today: LocalDate): number {
  const years = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return today.slice(5) >= birthDate.slice(5) ? years : years - 1;
}

function toView(row: ProfileRow, today: LocalDate): ProfileView {
  return {
    id: row.id,
    realName: row.real_name,
    idType: row.id_type,
    idTypeLabel: ID_TYPE_LABELS[row.id_type],
    idNumberMasked: row.id_number_masked,
    gender: row.gender,
    birthDate: row.birth_date,
    age: ageOn(row.birth_date, today),
    phoneMasked: maskPhone(row.phone),
    relation: row.relation,
    isDefault: row.is_default === 1,
    createdAt: row.created_at.toISOString(),
  };
}

/** Validates the document and settles gender and birth date (a resident ID carries both). */
function identify(input: ProfileInput, today: LocalDate): { idNumber: string; gender: Gender; birthDate: LocalDate } {
  const idNumber = normaliseIdNumber(input.idNumber);
  if (!isValidIdNumber(input.idType, idNumber)) throw new AppError('ID_NUMBER_INVALID');
  if (input.idType === 'resident_id') {
    const facts = parseResidentId(idNumber)!;
    if ((input.gender && input.gender !== facts.gender) || (input.birthDate && input.birthDate !== facts.birthDate)) {
      throw new AppError('ID_INFO_MISMATCH');
    }
    return { idNumber, ...facts };
  }
  if (!input.gender || !input.birthDate) {
    throw new AppError('VALIDATION_FAILED', '请填写就诊人的性别和出生日期');
  }
  if (input.birthDate > today) throw new AppError('VALIDATION_FAILED', '出生日期不能晚于今天');
  return { idNumber, gender: input.gender, birthDate: input.birthDate };
}

export async function listProfiles(deps: AppDeps, accountId: number): Promise<ProfileView[]> {
  const rows = await deps.db
    .selectFrom('patient_profile')
    .select(columns)
    .where('account_id', '=', accountId)
    .where('deleted_at', 'is', null)
    .orderBy('is_default', 'desc')
    .orderBy('id')
    .execute();
  const today = shanghaiDate(deps.clock.now());
  return rows.map((r) => toView(r, today));
}

/** The caller's own live profile, or 404 — also for a profile that belongs to someone else. */
export async function findOwnProfile(db: Db | Trx, accountId: number, profileId: number): Promise<ProfileRow> {
  const row = await db
    .selectFrom('patient_profile')
    .select(columns)
    .where('id', '=', profileId)
    .where('account_id', '=', accountId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw new AppError('PROFILE_NOT_FOUND');
  return row;
}

async function clearDefault(trx: Trx, accountId: number, exceptId: number): Promise<void> {
  await trx
    .updateTable('patient_profile')
    .set({ is_default: 0 })
    .where('account_id', '=', accountId)
    .where('id', '!=', exceptId)
    .where('is_default', '=', 1)
    .execute();
}

/**
 * Adds a profile. The account row is locked first so that two concurrent additions cannot
 * both slip under the per-account limit (maxProfilesPerAccount from the booking rules).
 */
export async function createProfile(deps: AppDeps, principal: Principal, input: ProfileInput, meta: RequestMeta): Promise<ProfileView> {
  const now = deps.clock.now();
  const today = shanghaiDate(now);
  const { idNumber, gender, birthDate } = identify(input, today);
  const key = deps.config.fieldEncryptionKey;
  const rules = await getEffectiveRules(deps.db, null);
  try {
    const id = await inTransaction(deps.db, async (trx) => {
      await trx.selectFrom('user_account').select('id').where('id', '=', principal.userId).forUpdate().executeTakeFirstOrThrow();
      const existing = await trx
        .selectFrom('patient_profile')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', principal.userId)
        .where('deleted_at', 'is', null)
        .executeTakeFirstOrThrow();
      const count = Number(existing.n);
      if (count >= rules.maxProfilesPerAccount) {
        throw new AppError('PROFILE_LIMIT_REACHED', `每个账号最多添加 ${rules.maxProfilesPerAccount} 位就诊人`);
      }
      const hashes = fieldHashes(key, `${input.idType}:${idNumber}`);
      // A person added before the field keys were split carries the v1 hash, which the unique key cannot compare.
      const addedBefore = await trx
        .selectFrom('patient_profile')
        .select('id')
        .where('account_id', '=', principal.userId)
        .where('id_number_hash', '=', hashes.v1)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (addedBefore) throw new AppError('PROFILE_DUPLICATE');
      const isDefault = input.isDefault === true || count === 0;
      const inserted = await trx
        .insertInto('patient_profile')
        .values({
          account_id: principal.userId,
          real_name: input.realName,
          id_type: input.idType,
          id_number_cipher: encryptField(key, idNumber),
          id_number_hash: hashes.current,
          id_number_masked: maskIdNumber(idNumber),
          gender,
          birth_date: birthDate,
          phone: input.phone,
          relation: input.relation,
          is_default: isDefault ? 1 : 0,
          created_at: now,
          updated_at: now,
        })
        .executeTakeFirstOrThrow();
      const profileId = Number(inserted.insertId);
      if (isDefault) await clearDefault(trx, principal.userId, profileId);
      await recordAudit(
        trx,
        { actor: principal, action: 'profile.create', target: { type: 'patient_profile', id: profileId }, meta, summary: { relation: input.relation, idType: input.idType } },
        now,
      );
      return profileId;
    });
    return toView(await findOwnProfile(deps.db, principal.userId, id), today);
  } catch (error) {
    if (isDuplicateKey(error, 'uq_profile_person')) throw new AppError('PROFILE_DUPLICATE');
    throw error;
  }
}

export async function updateProfile(
  deps: AppDeps,
  principal: Principal,
  profileId: number,
  update: ProfileUpdate,
  meta: RequestMeta,
): Promise<ProfileView> {
  const now = deps.clock.now();
  await inTransaction(deps.db, async (trx) => {
    const before = await findOwnProfile(trx, principal.userId, profileId);
    await trx
      .updateTable('patient_profile')
      .set({
        ...(update.realName !== undefined ? { real_name: update.realName } : {}),
        ...(update.phone !== undefined ? { phone: update.phone } : {}),
        ...(update.relation !== undefined ? { relation: update.relation } : {}),
        ...(update.isDefault !== undefined ? { is_default: update.isDefault ? 1 : 0 } : {}),
        updated_at: now,
      })
      .where('id', '=', profileId)
      .execute();
    if (update.isDefault) await clearDefault(trx, principal.userId, profileId);
    const changed = Object.keys(update).filter((k) => update[k as keyof ProfileUpdate] !== undefined);
    await recordAudit(
      trx,
      {
        actor: principal,
        action: 'profile.update',
        target: { type: 'patient_profile', id: profileId },
        meta,
        summary: { fields: changed, relation: { before: before.relation, after: update.relation ?? before.relation } },
      },
      now,
    );
  });
  return toView(await findOwnProfile(deps.db, principal.userId, profileId), shanghaiDate(now));
}

/**
 * Removes a profile from the account (soft delete: past appointments keep their patient).
 * Refused while it has an appointment still to come.
 */
export async function deleteProfile(deps: AppDeps, principal: Principal, profileId: number, meta: RequestMeta): Promise<void> {
  const now = deps.clock.now();
  await inTransaction(deps.db, async (trx) => {
    await findOwnProfile(trx, principal.userId, profileId);
    const pending = await trx
      .selectFrom('appointment')
      .select('id')
      .where('profile_id', '=', profileId)
      .where('status', 'in', ['pending_payment', 'booked', 'checked_in', 'called', 'in_visit', 'passed'])
      .where('session_date', '>=', shanghaiDate(now))
      .limit(1)
      .executeTakeFirst();
    if (pending) throw new AppError('PROFILE_HAS_APPOINTMENTS');
    await trx.updateTable('patient_profile').set({ deleted_at: now, is_default: 0, updated_at: now }).where('id', '=', profileId).execute();
    // Keep one default among the remaining profiles, so booking always has a preselection.
    await sql`UPDATE patient_profile SET is_default = 1
              WHERE account_id = ${principal.userId} AND deleted_at IS NULL
                AND NOT EXISTS (SELECT 1 FROM (SELECT id FROM patient_profile
                                WHERE account_id = ${principal.userId} AND deleted_at IS NULL AND is_default = 1) d)
              ORDER BY id LIMIT 1`.execute(trx);
    await recordAudit(trx, { actor: principal, action: 'profile.delete', target: { type: 'patient_profile', id: profileId }, meta }, now);
  });
}
