import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskIp } from '../../functions/src/admin/audit-log.js';
import { recordAudit } from '../../functions/src/audit/audit.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { staffSession } from '../support/accounts.js';
import { createPatients, tokenFor } from '../support/scenario.js';

let app: TestApp;
let admin: Awaited<ReturnType<typeof staffSession>>;
let doctor: Awaited<ReturnType<typeof staffSession>>;
let patientToken: string;
beforeAll(async () => {
  app = await startTestApp();
  admin = await staffSession(app, 'admin', '13800138000');
  doctor = await staffSession(app, 'doctor');
  const [patient] = await createPatients(app.database.db, 1);
  patientToken = await tokenFor(app, patient!.userId);
});
afterAll(() => app.close());

const get = (path: string, token?: string) => app.request('GET', path, { token });

describe('GET /api/v1/admin/audit-log', () => {
  it('refuses anonymous callers, patients and doctors', async () => {
    expect((await get('/api/v1/admin/audit-log')).status).toBe(401);
    expect((await get('/api/v1/admin/audit-log', patientToken)).status).toBe(403);
    expect((await get('/api/v1/admin/audit-log', doctor.accessToken)).status).toBe(403);
    expect((await get('/api/v1/admin/audit-log', admin.accessToken)).status).toBe(200);
  });

  it('filters by actor (id or phone), action, target and Shanghai day, newest first, with the phone masked', async () => {
    const db = app.database.db;
    const me = { userId: admin.userId, role: 'admin' as const };
    const meta = { requestId: 'r-1', ip: '10.1.2.3', userAgent: undefined };
    // 2026-12-07 23:59:59.999 and 2026-12-08 00:00:00.000 in Shanghai (the suite runs in New York).
    const lastOfSeventh = new Date('2026-12-07T15:59:59.999Z');
    const firstOfEighth = new Date('2026-12-07T16:00:00.000Z');
    await recordAudit(db, { actor: me, action: 'booking_rule.update', target: { type: 'booking_rule', id: 'global' }, meta, summary: { daysAhead: { before: 7, after: 14 } } }, lastOfSeventh);
    await recordAudit(db, { actor: me, action: 'department.create', target: { type: 'department', id: 42 }, meta, summary: { name: '口腔科' } }, firstOfEighth);
    await recordAudit(db, { actor: 'system', action: 'appointment.expire', target: { type: 'appointment', id: 'A1' } }, new Date('2026-12-08T15:59:59.999Z'));

    const day8 = await get('/api/v1/admin/audit-log?from=2026-12-08&to=2026-12-08', admin.accessToken);
    expect(day8.body.items.map((e: { action: string }) => e.action)).toEqual(['appointment.expire', 'department.create']);
    const day7 = await get('/api/v1/admin/audit-log?from=2026-12-07&to=2026-12-07', admin.accessToken);
    expect(day7.body.items.map((e: { action: string }) => e.action)).toEqual(['booking_rule.update']);

    const byPhone = await get('/api/v1/admin/audit-log?actor=13800138000&from=2026-12-01&to=2026-12-31', admin.accessToken);
    expect(byPhone.body.items.map((e: { action: string }) => e.action)).toEqual(['department.create', 'booking_rule.update']);
    expect(byPhone.body.items[0]).toMatchObject({
      createdAt: '2026-12-07T16:00:00.000Z',
      actor: { userId: admin.userId, role: 'admin', name: '管理员', phone: '138****8000' },
      targetType: 'department',
      targetId: '42',
      outcome: 'success',
      ip: '10.1.2.*',
      summary: { name: '口腔科' },
    });
    expect(JSON.stringify(byPhone.body)).not.toContain('13800138000');
    const byId = await get(`/api/v1/admin/audit-log?actor=${admin.userId}&from=2026-12-07&to=2026-12-08`, admin.accessToken);
    expect(byId.body.total).toBe(2);

    const byAction = await get('/api/v1/admin/audit-log?action=booking_rule.update', admin.accessToken);
    expect(byAction.body.items.map((e: { targetId: string }) => e.targetId)).toEqual(['global']);
    const byPrefix = await get('/api/v1/admin/audit-log?action=appointment.&from=2026-12-01&to=2026-12-31', admin.accessToken);
    expect(byPrefix.body.items.map((e: { actor: { role: string } }) => e.actor.role)).toEqual(['system']);
    const byTarget = await get('/api/v1/admin/audit-log?targetType=department&targetId=42', admin.accessToken);
    expect(byTarget.body.total).toBe(1);
  });

  it('pages with a bounded size and refuses a bad filter with 400', async () => {
    const db = app.database.db;
    for (let i = 0; i < 5; i += 1) {
      await recordAudit(db, { actor: 'system', action: 'paging.test', target: { type: 'n', id: i } }, new Date(`2026-11-0${i + 1}T04:00:00Z`));
    }
    const page2 = await get('/api/v1/admin/audit-log?action=paging.test&page=2&pageSize=2', admin.accessToken);
    expect([page2.body.total, page2.body.items.map((e: { targetId: string }) => e.targetId)]).toEqual([5, ['2', '1']]);
    expect((await get('/api/v1/admin/audit-log?pageSize=101', admin.accessToken)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await get('/api/v1/admin/audit-log?from=2026-13-01', admin.accessToken)).status).toBe(400);
    expect((await get('/api/v1/admin/audit-log?actor=abc', admin.accessToken)).status).toBe(400);
  });

  it('shows real actions with personal-data-free summaries (a staff account creation masks its phone)', async () => {
    await staffSession(app, 'doctor', '13912345678');
    const res = await get('/api/v1/admin/audit-log?action=user.create', admin.accessToken);
    const entry = res.body.items.find((e: { summary: { phone?: string } }) => e.summary?.phone === '139****5678');
    expect(entry).toBeDefined();
    expect(JSON.stringify(res.body)).not.toContain('13912345678');
  });
});

describe('maskIp', () => {
  it('hides the last part of an address', () => {
    expect(maskIp('192.168.1.20')).toBe('192.168.1.*');
    expect(maskIp('2001:db8:85a3:0:0:8a2e:370:7334')).toBe('2001:db8:85a3:*');
  });
});
