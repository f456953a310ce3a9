import { call } from './request';
import type { DepartmentNode, DoctorCalendar, DoctorCard, EffectiveBookingRules } from './types';

export async function fetchDepartments(): Promise<DepartmentNode[]> {
  return (await call<{ items: DepartmentNode[] }>('GET', '/departments')).items;
}

export async function fetchDepartment(id: number) {
  return call<Omit<DepartmentNode, 'children'>>('GET', `/departments/${id}`);
}

export async function fetchDoctors(filter: { departmentId?: number; q?: string }): Promise<DoctorCard[]> {
  return (await call<{ items: DoctorCard[] }>('GET', '/doctors', { query: filter })).items;
}

export function fetchDoctor(id: number) {
  return call<DoctorCard>('GET', `/doctors/${id}`);
}

export function fetchDoctorCalendar(id: number, range: { from?: string; to?: string } = {}) {
  return call<DoctorCalendar>('GET', `/doctors/${id}/sessions`, { query: range });
}

/** The release, payment and cancellation terms of a department, to tell patients before they book. */
export function fetchBookingRules(departmentId: number) {
  return call<EffectiveBookingRules>('GET', '/booking-rules', { query: { departmentId } });
}
