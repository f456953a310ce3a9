/** The basic health record of a profile: read and written by the profile's owner only. */
import { recordAudit } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../context.js';
import { inTransaction } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { findOwnProfile } from './profiles.js';

export type BloodType = 'A' | 'B' | 'AB' | 'O' | 'unknown';
export type RhFactor = 'positive' | 'negative' | 'unknown';

export interface HealthRecord {
  bloodType: BloodType;
  rhFactor: RhFactor;
  allergies: string;
  chronicConditions: string;
  medications: string;
  notes: string;
  updatedAt: string | null;
}

const FIELDS = {
  allergies: 'allergies',
  chronicConditions: 'chronic_conditions',
  medications: 'medications',
  notes: 'notes',
} as const;

export async function getHealthRecord(deps: AppDeps, principal: Principal, profileId: number): Promise<HealthRecord> {
  await findOwnProfile(deps.db, principal.userId, profileId);
  const row = await deps.db.selectFrom('health_record').selectAll().where('profile_id', '=', profileId).executeTakeFirst();
  return {
    bloodType: row?.blood_type ?? 'unknown',
    rhFactor: row?.rh_factor ?? 'unknown',
    allergies: row?.allergies ?? '',
    chronicConditions: row?.chronic_conditions ?? '',
    medications: row?.medications ?? '',
    notes: row?.notes ?? '',
    updatedAt: row?.updated_at.toISOString() ?? null,
  };
}

/** Replaces the record (an upsert). The audit log names the changed fields, never their content. */
export async function putHealthRecord(
  deps: AppDeps,
  principal: Principal,
  profileId: number,
  input: Omit<HealthRecord, 'updatedAt'>,
  meta: RequestMeta,
): Promise<HealthRecord> {
  const now = deps.clock.now();
  await inTransaction(deps.db, async (trx) => {
    await findOwnProfile(trx, principal.userId, profileId);
    const before = await trx.selectFrom('health_record').selectAll().where('profile_id', '=', profileId).forUpdate().executeTakeFirst();
    const values = {
      blood_type: input.bloodType,
      rh_factor: input.rhFactor,
      allergies: input.allergies,
      chronic_conditions: input.chronicConditions,
      medications: input.medications,
      notes: input.notes,
      updated_at: now,
    };
    if (before) await trx.updateTable('health_record').set(values).where('profile_id', '=', profileId).execute();
    else await trx.insertInto('health_record').values({ ...values, profile_id: profileId, created_at: now }).execute();
    const changed = [
      ...(before?.blood_type !== input.bloodType ? ['bloodType'] : []),
      ...(before?.rh_factor !== input.rhFactor ? ['rhFactor'] : []),
      ...Object.entries(FIELDS)
        .filter(([key, column]) => (before?.[column] ?? '') !== input[key as keyof typeof FIELDS])
        .map(([key]) => key),
    ];
    await recordAudit(trx, { actor: principal, action: 'health_record.update', target: { type: 'patient_profile', id: profileId }, meta, summary: { fields: changed } }, now);
  });
  return getHealthRecord(deps, principal, profileId);
}
