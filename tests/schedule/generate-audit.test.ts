/**
 * The generator audits each session it creates, rebuilds or removes in the same transaction as
 * that write (issue 12: every admin write is audited in the same transaction): one
 * `session.generate` entry per session, as the admin who ran it or as `system` for the nightly
 * job, beside the run-level `schedule.generate` summary. A failure between the insert and the
 * commit — the audit row itself refused, by a trigger in this test's private database — leaves
 * neither the session nor its entry.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateSessions } from '../../functions/src/schedule/generator.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { adminOf, createDepartment, createDoctor } from '../support/hospital.js';

// 00:30 on Tuesday 2026-12-01 in Shanghai (still Monday in New York). Sessions from 12-09 on are
// unreleased (放号 7 days ahead at 07:30), so the generator may rebuild and remove them.
const NOW = new Date('2026-11-30T16:30:00Z');

const tuesdayMorning = { weekday: 2, startTime: '08:00', endTime: '10:00', slotMinutes: 30, capacityPerSlot: 5, feeFen: 1500 };
const thursdayAfternoon = { weekday: 4, startTime: '14:00', endTime: '15:00', slotMinutes: 20, capacityPerSlot: 2, feeFen: 1500 };

let app: TestApp;
let admin: Awaited<ReturnType<typeof adminOf>>;
beforeAll(async () => {
  app = await startTestApp();
  app.clock.freeze(NOW);
  admin = await adminOf(app);
});
afterAll(() => app.close());
beforeEach(() => app.clock.freeze(NOW));

const generate = (body: Record<string, unknown>) => app.request('POST', '/api/v1/admin/schedule/generate', { token: admin.accessToken, body });

async function addTemplate(doctorId: number, body: Record<string, unknown>): Promise<number> {
  const res = await app.request('POST', `/api/v1/admin/doctors/${doctorId}/templates`, { token: admin.accessToken, body });
  expect(res.status).toBe(201);
  return (res.body.items as Array<{ id: number; weekday: number }>).find((t) => t.weekday === body.weekday)!.id;
}

/** The `session.generate` entries of the given sessions (by target), oldest first. */
async function sessionEntries(sessionIds: number[]) {
  if (sessionIds.length === 0) return [];
  const rows = await app.database.db
    .selectFrom('audit_log')
    .select(['actor_user_id', 'actor_role', 'target_type', 'target_id', 'request_id', 'summary'])
    .where('action', '=', 'session.generate')
    .where('target_type', '=', 'clinic_session')
    .where('target_id', 'in', sessionIds.map(String))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, summary: typeof r.summary === 'string' ? JSON.parse(r.summary) : r.summary }));
}

async function sessionsOf(doctorId: number) {
  return app.database.db.selectFrom('clinic_session').select(['id', 'session_date', 'template_id']).where('doctor_id', '=', doctorId).orderBy('session_date').execute();
}

describe('the generator audits each session with its write', () => {
  it('writes one session.generate entry per session an admin run creates, as that admin, with the run’s request id', async () => {
    const dept = await createDepartment(app, admin.accessToken);
    const doctor = await createDoctor(app, admin.accessToken, dept.id);
    const tuesday = await addTemplate(doctor.id, tuesdayMorning);
    const thursday = await addTemplate(doctor.id, thursdayAfternoon);

    const run = await generate({ from: '2026-12-01', to: '2026-12-10', doctorId: doctor.id });
    expect(run.status).toBe(200);
    expect(run.body.created).toBe(4);
    const made = run.body.sessions as Array<{ sessionId: number; date: string; period: string }>;
    const entries = await sessionEntries(made.map((s) => s.sessionId));
    expect(entries).toHaveLength(4);
    const runEntry = await app.database.db
      .selectFrom('audit_log')
      .select('request_id')
      .where('action', '=', 'schedule.generate')
      .where('summary', 'like', `%"doctorId":${doctor.id},%`)
      .executeTakeFirstOrThrow();
    expect(runEntry.request_id).toEqual(expect.any(String));
    for (const session of made) {
      const templateId = session.period === 'morning' ? tuesday : thursday;
      expect(entries.filter((e) => e.target_id === String(session.sessionId))).toEqual([
        {
          actor_user_id: admin.userId,
          actor_role: 'admin',
          target_type: 'clinic_session',
          target_id: String(session.sessionId),
          request_id: runEntry.request_id,
          summary: { outcome: 'created', doctorId: doctor.id, date: session.date, period: session.period, templateId },
        },
      ]);
    }

    // The audit log API finds them by the action and by each session as target.
    const byAction = await app.request('GET', `/api/v1/admin/audit-log?action=session.generate&actor=${admin.userId}&pageSize=100`, { token: admin.accessToken });
    expect(byAction.status).toBe(200);
    expect(byAction.body.items.map((e: { targetId: string }) => Number(e.targetId)).sort()).toEqual(made.map((s) => s.sessionId).sort());
    const first = made[0]!;
    const byTarget = await app.request('GET', `/api/v1/admin/audit-log?targetType=clinic_session&targetId=${first.sessionId}`, { token: admin.accessToken });
    expect(byTarget.body.items.map((e: { action: string; actor: { role: string }; summary: { outcome: string } }) => [e.action, e.actor.role, e.summary.outcome])).toEqual([
      ['session.generate', 'admin', 'created'],
    ]);

    // Run again: nothing made, nothing more audited per session.
    expect((await generate({ from: '2026-12-01', to: '2026-12-10', doctorId: doctor.id })).body.created).toBe(0);
    expect(await sessionEntries(made.map((s) => s.sessionId))).toHaveLength(4);
  });

  it('audits a rebuild (the new session, naming the one it replaces) and a removal', async () => {
    const dept = await createDepartment(app, admin.accessToken);
    const doctor = await createDoctor(app, admin.accessToken, dept.id);
    const templateId = await addTemplate(doctor.id, tuesdayMorning);
    const range = { from: '2026-12-15', to: '2026-12-15', doctorId: doctor.id };
    const first = await generate(range);
    const original = first.body.sessions[0].sessionId as number;

    const edited = await app.request('PUT', `/api/v1/admin/doctors/${doctor.id}/templates/${templateId}`, { token: admin.accessToken, body: { ...tuesdayMorning, feeFen: 2500 } });
    expect(edited.status).toBe(200);
    const second = await generate(range);
    expect(second.body).toMatchObject({ created: 0, rebuilt: 1, removed: 0 });
    const rebuilt = second.body.sessions[0].sessionId as number;
    expect(await sessionEntries([rebuilt])).toEqual([
      expect.objectContaining({
        actor_user_id: admin.userId,
        actor_role: 'admin',
        summary: { outcome: 'rebuilt', doctorId: doctor.id, date: '2026-12-15', period: 'morning', templateId, replacedSessionId: original },
      }),
    ]);

    expect((await app.request('DELETE', `/api/v1/admin/doctors/${doctor.id}/templates/${templateId}`, { token: admin.accessToken })).status).toBe(200);
    // A run filtered by doctor reads only the doctor's templates left: the removal is seen by a run over the whole hospital.
    const third = await generate({ from: range.from, to: range.to });
    expect(third.body).toMatchObject({ rebuilt: 0, removed: 1 });
    expect(await sessionsOf(doctor.id)).toEqual([]);
    expect((await sessionEntries([rebuilt])).map((e) => [e.actor_role, e.summary])).toEqual([
      ['admin', { outcome: 'rebuilt', doctorId: doctor.id, date: '2026-12-15', period: 'morning', templateId, replacedSessionId: original }],
      ['admin', { outcome: 'removed', doctorId: doctor.id, date: '2026-12-15', period: 'morning', templateId }],
    ]);
  });

  it('audits the nightly job’s sessions as system', async () => {
    const dept = await createDepartment(app, admin.accessToken);
    const doctor = await createDoctor(app, admin.accessToken, dept.id);
    const templateId = await addTemplate(doctor.id, { ...tuesdayMorning, weekday: 3 });
    const summary = await generateSessions(app.deps);
    expect(summary.created).toBeGreaterThan(0);
    const sessions = await sessionsOf(doctor.id);
    // Wednesdays of the default window (today … 7 + 7 days ahead).
    expect(sessions.map((s) => s.session_date)).toEqual(['2026-12-02', '2026-12-09']);
    const entries = await sessionEntries(sessions.map((s) => s.id));
    expect(entries.map((e) => [e.target_id, e.actor_user_id, e.actor_role, e.request_id, e.summary])).toEqual(
      sessions.map((s) => [String(s.id), null, 'system', null, { outcome: 'created', doctorId: doctor.id, date: s.session_date, period: 'morning', templateId }]),
    );
  });

  it('leaves neither the session nor its entry when the transaction fails after the insert', async () => {
    const dept = await createDepartment(app, admin.accessToken);
    const doctor = await createDoctor(app, admin.accessToken, dept.id);
    await addTemplate(doctor.id, thursdayAfternoon);
    // The audit row of 12-17's session is refused: the failure comes after that session's insert.
    await sql
      .raw(
        `CREATE TRIGGER refuse_generate_audit BEFORE INSERT ON audit_log FOR EACH ROW
           IF NEW.action = 'session.generate' AND JSON_UNQUOTE(JSON_EXTRACT(NEW.summary, '$.date')) = '2026-12-17'
             AND JSON_EXTRACT(NEW.summary, '$.doctorId') = ${doctor.id}
           THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit refused by test'; END IF`,
      )
      .execute(app.database.db);
    try {
      const range = { from: '2026-12-03', to: '2026-12-24', doctorId: doctor.id };
      const cut = await generate(range);
      expect(cut.status).toBe(500);
      // 12-03 and 12-10 were made (and audited) before; 12-17 rolled back with its entry; the run stopped there.
      const before = await sessionsOf(doctor.id);
      expect(before.map((s) => s.session_date)).toEqual(['2026-12-03', '2026-12-10']);
      const entries = await sessionEntries(before.map((s) => s.id));
      expect(entries.map((e) => e.target_id)).toEqual(before.map((s) => String(s.id)));

      await sql.raw('DROP TRIGGER refuse_generate_audit').execute(app.database.db);
      // Run again: what was missing is made, each session with its one entry.
      const again = await generate(range);
      expect(again.body).toMatchObject({ created: 2, skipped: 2 });
      const after = await sessionsOf(doctor.id);
      expect(after.map((s) => s.session_date)).toEqual(['2026-12-03', '2026-12-10', '2026-12-17', '2026-12-24']);
      expect((await sessionEntries(after.map((s) => s.id))).map((e) => e.target_id).sort()).toEqual(after.map((s) => String(s.id)).sort());
    } finally {
      await sql.raw('DROP TRIGGER IF EXISTS refuse_generate_audit').execute(app.database.db);
    }
  });

  it('has exactly one creating entry for every generated session in the database', async () => {
    const generated = await app.database.db.selectFrom('clinic_session').select('id').where('template_id', 'is not', null).execute();
    expect(generated.length).toBeGreaterThan(0);
    const entries = await sessionEntries(generated.map((s) => s.id));
    const making = entries.filter((e) => e.summary.outcome !== 'removed');
    expect(making.map((e) => e.target_id).sort()).toEqual(generated.map((s) => String(s.id)).sort());
  });
});
