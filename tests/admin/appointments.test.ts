import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointmentsCsv, CSV_HEADER, maskName } from '../../functions/src/admin/appointments.js';
import { csvCell } from '../../functions/src/admin/csv.js';
import type { Db } from '../../functions/src/db/create-db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { staffSession } from '../support/accounts.js';
import { appointmentAction, book, createDoctor, createPatients, createSession, shanghaiDay, tokenFor, type Hospital, type Patient, type Session } from '../support/scenario.js';

let app: TestApp;
let admin: Awaited<ReturnType<typeof staffSession>>;
let doctor: Awaited<ReturnType<typeof staffSession>>;
let patientToken: string;
beforeAll(async () => {
  app = await startTestApp();
  admin = await staffSession(app, 'admin');
  doctor = await staffSession(app, 'doctor');
  const [patient] = await createPatients(app.database.db, 1);
  patientToken = await tokenFor(app, patient!.userId);
});
afterAll(() => app.close());

const get = (path: string, token?: string) => app.request('GET', path, { token });

let orderCounter = 0;
/**
 * An appointment written straight into the table (the booking path is tested elsewhere; these
 * tests need many rows in chosen states). Non-active statuses hold no place, so they break no
 * capacity invariant and no uniqueness key.
 */
async function seed(db: Db, h: Hospital, s: Session, p: Patient, fields: { status?: 'cancelled' | 'expired'; feeFen?: number; reason?: string; created?: Date } = {}) {
  orderCounter += 1;
  const created = fields.created ?? new Date('2026-12-01T02:00:00Z');
  const inserted = await db
    .insertInto('appointment')
    .values({
      order_no: `T${String(process.pid % 1000).padStart(3, '0')}${String(orderCounter).padStart(16, '0')}`,
      account_id: p.userId,
      profile_id: p.profileId,
      slot_id: s.slotIds[0]!,
      session_id: s.sessionId,
      doctor_id: h.doctorId,
      department_id: h.departmentId,
      session_date: s.date,
      period: 'morning',
      slot_start: '08:00:00',
      slot_end: '08:30:00',
      queue_number: orderCounter,
      fee_fen: fields.feeFen ?? 1250,
      status: fields.status ?? 'cancelled',
      cancelled_at: fields.status === 'expired' ? null : created,
      cancelled_by: fields.status === 'expired' ? null : 'patient',
      cancel_reason: fields.reason ?? null,
      expired_at: fields.status === 'expired' ? created : null,
      idempotency_key: randomUUID(),
      request_hash: 'x'.repeat(64),
      created_at: created,
      updated_at: created,
    })
    .executeTakeFirstOrThrow();
  return Number(inserted.insertId);
}

describe('admin appointment routes', () => {
  it('refuse anonymous callers, patients and doctors', async () => {
    for (const path of ['/api/v1/admin/appointments', '/api/v1/admin/appointments/1', '/api/v1/admin/export/appointments.csv']) {
      expect([path, (await get(path)).status]).toEqual([path, 401]);
      expect([path, (await get(path, patientToken)).status]).toEqual([path, 403]);
      expect([path, (await get(path, doctor.accessToken)).status]).toEqual([path, 403]);
    }
    expect((await get('/api/v1/admin/appointments', admin.accessToken)).status).toBe(200);
    expect((await get('/api/v1/admin/appointments/999999', admin.accessToken)).body.error.code).toBe('APPOINTMENT_NOT_FOUND');
    expect((await get('/api/v1/admin/export/appointments.csv', admin.accessToken)).status).toBe(200);
  });
});

describe('filters', () => {
  it('select exactly the rows of a date range, department (with its 小科), doctor, status, order number and phone', async () => {
    const db = app.database.db;
    const parent = await createDoctor(db);
    const child = await createDoctor(db, { parentId: parent.departmentId });
    const other = await createDoctor(db);
    const [alice, bob] = await createPatients(db, 2);
    const s7 = await createSession(db, parent, { date: '2027-01-07', slots: [{ start: '08:00', capacity: 5 }] });
    const s8 = await createSession(db, child, { date: '2027-01-08', slots: [{ start: '08:00', capacity: 5 }] });
    const s9 = await createSession(db, other, { date: '2027-01-09', slots: [{ start: '08:00', capacity: 5 }] });
    const a = await seed(db, parent, s7, alice!);
    const b = await seed(db, child, s8, bob!, { status: 'expired' });
    const c = await seed(db, other, s9, alice!);
    const ids = async (q: string) => (await get(`/api/v1/admin/appointments?${q}`, admin.accessToken)).body.items.map((x: { id: number }) => x.id);

    expect(await ids('from=2027-01-07&to=2027-01-09')).toEqual([c, b, a]);
    expect(await ids('from=2027-01-08&to=2027-01-08')).toEqual([b]);
    expect(await ids(`departmentId=${parent.departmentId}`)).toEqual([b, a]);
    expect(await ids(`departmentId=${child.departmentId}`)).toEqual([b]);
    expect(await ids(`doctorId=${other.doctorId}`)).toEqual([c]);
    expect(await ids('status=expired&from=2027-01-01&to=2027-01-31')).toEqual([b]);
    expect(await ids(`phone=${alice!.phone}`)).toEqual([c, a]);
    const one = await get(`/api/v1/admin/appointments?phone=${bob!.phone}`, admin.accessToken);
    expect(await ids(`orderNo=${one.body.items[0].orderNo}`)).toEqual([b]);
    // The patient is masked: 患者2 → 患*2, 17xxxxxxxxx → 17x****xxxx.
    expect(one.body.items[0].patient).toEqual({ name: '患*2', phone: `${bob!.phone.slice(0, 3)}****${bob!.phone.slice(7)}`, idNumber: 'E****123' });
    expect(JSON.stringify(one.body)).not.toContain(bob!.phone);
    const paged = await get('/api/v1/admin/appointments?from=2027-01-07&to=2027-01-09&page=2&pageSize=2', admin.accessToken);
    expect([paged.body.total, paged.body.items.map((x: { id: number }) => x.id)]).toEqual([3, [a]]);
    expect((await get('/api/v1/admin/appointments?status=lost', admin.accessToken)).status).toBe(400);
  });
});

describe('detail', () => {
  it('shows the whole history: booked, paid, cancelled with refund, and its audit entries in order', async () => {
    const db = app.database.db;
    const h = await createDoctor(db);
    const date = shanghaiDay(app.clock.now(), 3);
    const s = await createSession(db, h, { date, feeFen: 2000, releaseAt: new Date(Date.now() - 86_400_000), slots: [{ start: '09:00', capacity: 3 }] });
    const [p] = await createPatients(db, 1);
    const booked = await book(app, p!, s.slotIds[0]!);
    expect(booked.status).toBe(201);
    const id = booked.body.id as number;
    expect((await appointmentAction(app, p!, id, 'pay')).status).toBe(200);
    expect((await appointmentAction(app, p!, id, 'cancel')).status).toBe(200);

    // A message about this appointment, and one about another of the same account.
    const message = (appointmentId: number) => ({
      channel: 'in_app' as const, recipient: String(p!.userId), user_id: p!.userId, template: 'test_message',
      payload: JSON.stringify({ appointmentId, text: '测试' }), send_after: new Date(), created_at: new Date(),
    });
    await db.insertInto('notification').values([message(id), message(id + 1000)]).execute();

    const detail = await get(`/api/v1/admin/appointments/${id}`, admin.accessToken);
    expect(detail.status).toBe(200);
    expect(detail.body.appointment).toMatchObject({ id, status: 'cancelled', feeFen: 2000, cancelledBy: 'patient' });
    expect(detail.body.payment).toMatchObject({ amountFen: 2000, refundAmountFen: 2000 });
    expect(detail.body.audit.map((e: { action: string }) => e.action)).toEqual(['appointment.book', 'appointment.pay', 'appointment.cancel']);
    expect(detail.body.notifications.map((n: { template: string; status: string }) => [n.template, n.status])).toEqual([['test_message', 'pending']]);
  });
});

const csvRows = (text: string) => text.replace(/^\uFEFF/, '').split('\r\n').filter((l) => l !== '');

describe('CSV export', () => {
  it('is UTF-8 with a BOM, Chinese headers, yuan, Shanghai time, masked and injection-safe cells', async () => {
    const db = app.database.db;
    const h = await createDoctor(db);
    const s = await createSession(db, h, { date: '2027-02-03', slots: [{ start: '08:00', capacity: 5 }] });
    const [p] = await createPatients(db, 1);
    await db.updateTable('patient_profile').set({ real_name: '=HYPERLINK("http://evil/","点我")' }).where('id', '=', p!.profileId).execute();
    // Created 2027-01-31 16:30 UTC = 2027-02-01 00:30 in Shanghai.
    await seed(db, h, s, p!, { feeFen: 1250, reason: '@SUM(1+1)', created: new Date('2027-01-31T16:30:00Z') });

    const res = await fetch(`${app.baseUrl}/api/v1/admin/export/appointments.csv?from=2027-02-03&to=2027-02-03`, { headers: { authorization: `Bearer ${admin.accessToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csvRows(new TextDecoder().decode(bytes));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(CSV_HEADER.join(','));
    const cells = lines[1]!.split(',');
    const name = '=HYPERLINK("http://evil/","点我")';
    expect(cells[7]).toBe(`'=${'*'.repeat(Array.from(name).length - 2)})`);
    expect(lines[1]).toContain(`,12.50,已取消,2027-02-01 00:30:00,`);
    expect(lines[1]!.endsWith(`,患者,'@SUM(1+1)`)).toBe(true);
    expect(lines[1]).not.toContain(p!.phone);
  });

  it('streams a long export in keyset batches: complete, newest first, no Content-Length', async () => {
    const db = app.database.db;
    const h = await createDoctor(db);
    const s = await createSession(db, h, { date: '2027-03-01', slots: [{ start: '08:00', capacity: 5 }] });
    const [p] = await createPatients(db, 1);
    const seeded: number[] = [];
    for (let i = 0; i < 1203; i += 1) seeded.push(await seed(db, h, s, p!));
    const expectedOrderNos = (await db.selectFrom('appointment').select('order_no').where('session_id', '=', s.sessionId).orderBy('id', 'desc').execute()).map((r) => r.order_no);

    // 1203 rows in batches of 500: three batches after the header's.
    const chunks: string[] = [];
    for await (const chunk of appointmentsCsv(db, { from: '2027-03-01', to: '2027-03-01' }, 500)) chunks.push(chunk);
    expect(chunks.map((c) => csvRows(c).length)).toEqual([501, 500, 203]);

    const res = await fetch(`${app.baseUrl}/api/v1/admin/export/appointments.csv?from=2027-03-01&to=2027-03-01`, { headers: { authorization: `Bearer ${admin.accessToken}` } });
    expect(res.headers.get('content-length')).toBeNull();
    const lines = csvRows(await res.text());
    expect(lines).toHaveLength(1 + 1203);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(expectedOrderNos);
    expect(seeded).toHaveLength(1203);
  });

  it('audits who exported which filter, the phone masked, before the file goes out', async () => {
    const before = await app.database.db.selectFrom('audit_log').select('id').where('action', '=', 'appointment.export').execute();
    const res = await fetch(`${app.baseUrl}/api/v1/admin/export/appointments.csv?from=2027-04-01&to=2027-04-30&phone=13812345678`, {
      headers: { authorization: `Bearer ${admin.accessToken}` },
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const entries = await app.database.db
      .selectFrom('audit_log')
      .select(['actor_user_id', 'actor_role', 'summary', 'outcome'])
      .where('action', '=', 'appointment.export')
      .where('id', 'not in', before.length > 0 ? before.map((r) => r.id) : [0])
      .execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.actor_user_id).toBe(admin.userId);
    expect([entries[0]!.actor_role, entries[0]!.outcome]).toEqual(['admin', 'success']);
    const summary = typeof entries[0]!.summary === 'string' ? JSON.parse(entries[0]!.summary) : entries[0]!.summary;
    expect(summary).toEqual({ from: '2027-04-01', to: '2027-04-30', phone: '138****5678' });
    // A refused filter exports nothing and audits nothing.
    await get('/api/v1/admin/export/appointments.csv?from=2027-02-30x', admin.accessToken);
    expect(await app.database.db.selectFrom('audit_log').select('id').where('action', '=', 'appointment.export').execute()).toHaveLength(before.length + 1);
  });

  it('refuses a bad filter with a JSON 400, not a broken file', async () => {
    const res = await get('/api/v1/admin/export/appointments.csv?from=2027-02-30x', admin.accessToken);
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});

describe('csvCell and maskName', () => {
  it('neutralise formula starts and quote separators', () => {
    expect(['=1+1', '+1', '-1', '@A1', '\tx', '\rx', 'a,b', 'say "hi"', '普通'].map(csvCell)).toEqual([
      "'=1+1", "'+1", "'-1", "'@A1", "'\tx", `"'\rx"`, '"a,b"', '"say ""hi"""', '普通',
    ]);
    expect(['张三丰', '李四', '王', '欧阳娜娜'].map(maskName)).toEqual(['张*丰', '李*', '*', '欧**娜']);
  });
});
