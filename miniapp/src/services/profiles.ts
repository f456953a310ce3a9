import { call } from './request';
import type { HealthRecord, NewProfile, PatientProfile, Relation } from './types';

export async function fetchProfiles(): Promise<PatientProfile[]> {
  return (await call<{ items: PatientProfile[] }>('GET', '/me/profiles')).items;
}

export function createProfile(input: NewProfile) {
  return call<PatientProfile>('POST', '/me/profiles', { body: input });
}

export function updateProfile(id: number, input: { realName?: string; phone?: string; relation?: Relation; isDefault?: boolean }) {
  return call<PatientProfile>('PUT', `/me/profiles/${id}`, { body: input });
}

export function deleteProfile(id: number) {
  return call<{ ok: true }>('DELETE', `/me/profiles/${id}`);
}

export function fetchHealthRecord(profileId: number) {
  return call<HealthRecord>('GET', `/me/profiles/${profileId}/health-record`);
}

export function saveHealthRecord(profileId: number, record: Omit<HealthRecord, 'updatedAt'>) {
  return call<HealthRecord>('PUT', `/me/profiles/${profileId}/health-record`, { body: record });
}
