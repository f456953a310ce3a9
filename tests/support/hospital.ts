/**
 * Builds a small hospital through the real admin API — department, doctor (with login),
 * sessions — the way an administrator would, for tests of the catalogue and schedules.
 */
import type { TestApp } from './app.js';
import { newPhone, staffSession } from './accounts.js';

let codeCounter = 0;

export async function adminOf(app: TestApp) {
  return staffSession(app, 'admin');
}

export async function createDepartment(app: TestApp, token: string, overrides: Record<string, unknown> = {}) {
  codeCounter += 1;
  const res = await app.request('POST', '/api/v1/admin/departments', {
    token,
    body: { code: `D${process.pid % 1000}${codeCounter}`, name: `测试科室${codeCounter}`, location: '门诊楼一楼', ...overrides },
  });
  if (res.status !== 201) throw new Error(`department: ${JSON.stringify(res.body)}`);
  return res.body as { id: number; code: string; name: string };
}

export async function createDoctor(app: TestApp, token: string, departmentId: number, overrides: Record<string, unknown> = {}) {
  const phone = newPhone();
  // The admin's initial password; the doctor's own (below) is the one tests log in with.
  const initial = 'Initial2026x';
  const password = 'Doctor2026x';
  const res = await app.request('POST', '/api/v1/admin/doctors', {
    token,
    body: { departmentId, name: '李明医生', title: 'attending', specialty: '常见病', defaultFeeFen: 1000, phone, password: initial, ...overrides },
  });
  if (res.status !== 201) throw new Error(`doctor: ${JSON.stringify(res.body)}`);
  // An account an admin created must set its own password before anything else: as the doctor would at first login.
  const login = await app.request('POST', '/api/v1/auth/login', { body: { phone, password: initial } });
  const changed = await app.request('POST', '/api/v1/me/password', { token: login.body.tokens.accessToken, body: { oldPassword: initial, newPassword: password } });
  if (changed.status !== 200) throw new Error(`first password change: ${JSON.stringify(changed.body)}`);
  return { ...(res.body as { id: number; userId: number; name: string }), token: changed.body.accessToken as string };
}

export async function createSession(
  app: TestApp,
  token: string,
  body: { doctorId: number; date: string; startTime?: string; endTime?: string; slotMinutes?: number; capacityPerSlot?: number; feeFen?: number },
) {
  const res = await app.request('POST', '/api/v1/admin/sessions', {
    token,
    body: { startTime: '08:00', endTime: '10:00', slotMinutes: 30, capacityPerSlot: 4, feeFen: 1000, ...body },
  });
  if (res.status !== 201) throw new Error(`session: ${JSON.stringify(res.body)}`);
  return res.body as { id: number; releaseAt: string; slots: Array<{ id: number; capacity: number; remaining: number; startTime: string }> };
}
