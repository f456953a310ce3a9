/**
 * The conditional UPDATE that takes a place (book.ts TAKE_PLACE_SQL, its condition built from
 * booking/bookability.ts) and the gate's `slotRefusal` agree, condition by condition and at each
 * condition's exact boundary: for every case the UPDATE takes the place exactly when
 * `slotRefusal` finds nothing to refuse. The UPDATE runs in a transaction that is rolled back.
 * On both drivers.
 */
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCTOR_AVAILABLE_SQL, slotRefusal, type SlotFacts, type SlotRefusal } from '../../functions/src/booking/bookability.js';
import { TAKE_PLACE_SQL, takePlaceParameters } from '../../functions/src/booking/book.js';
import { shanghaiToInstant } from '../../functions/src/time/shanghai.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { drivers } from '../support/drivers.js';
import { createDoctor, createSession } from '../support/scenario.js';

const DATE = '2030-03-04';
// 09:00 Shanghai on DATE.
const NOW = shanghaiToInstant(DATE, '09:00');
const at = (ms: number) => new Date(NOW.getTime() + ms);

class Rollback extends Error {}

describe.each(drivers)('bookable, in SQL and in JavaScript, on %s', (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({}, undefined, { driver });
  });
  afterAll(() => app.close());

  async function scenario() {
    const db = app.database.db;
    const parent = await createDoctor(db);
    const hospital = await createDoctor(db, { parentId: parent.departmentId });
    const session = await createSession(db, hospital, {
      date: DATE,
      slots: [{ start: '08:00', capacity: 2 }, { start: '09:00', capacity: 2 }, { start: '14:00', capacity: 2 }],
      releaseAt: at(-86_400_000),
      bookableUntil: shanghaiToInstant(DATE, '15:00'),
    });
    const [started, startsNow, later] = session.slotIds as [number, number, number];
    return { db, parent, hospital, session, started, startsNow, later };
  }

  /** The gate's answer, from the rows as they are, and whether the UPDATE takes a place. */
  async function decide(slotId: number, now: Date): Promise<{ refusal: SlotRefusal | undefined; taken: boolean }> {
    const db = app.database.db;
    const facts = await sql<SlotFacts>`
      SELECT s.remaining, s.start_time, cs.session_date, cs.status, cs.release_at, cs.bookable_until,
             ${sql.raw(DOCTOR_AVAILABLE_SQL)} AS doctor_available
        FROM slot s JOIN clinic_session cs ON cs.id = s.session_id
        JOIN doctor d ON d.id = cs.doctor_id
        JOIN department dep ON dep.id = cs.department_id
        LEFT JOIN department par ON par.id = dep.parent_id
       WHERE s.id = ${slotId}`.execute(db);
    const refusal = slotRefusal(facts.rows[0]!, now);
    let taken = false;
    await db
      .transaction()
      .execute(async (trx) => {
        const result = await trx.executeQuery(CompiledQuery.raw(TAKE_PLACE_SQL, takePlaceParameters(slotId, now)));
        taken = Number(result.numAffectedRows ?? 0) === 1;
        throw new Rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
    return { refusal, taken };
  }

  async function expectDecision(slotId: number, now: Date, refusal: SlotRefusal | undefined) {
    expect(await decide(slotId, now)).toEqual({ refusal, taken: refusal === undefined });
  }

  it('agree on the slot’s start, bookable_until and the release, to the millisecond', async () => {
    const { db, session, started, startsNow, later } = await scenario();
    await expectDecision(later, NOW, undefined);
    await expectDecision(started, NOW, 'SLOT_PAST');
    await expectDecision(startsNow, at(-1), undefined);
    await expectDecision(startsNow, NOW, 'SLOT_PAST');
    await expectDecision(startsNow, at(999), 'SLOT_PAST');
    await db.updateTable('clinic_session').set({ bookable_until: at(1) }).where('id', '=', session.sessionId).execute();
    await expectDecision(later, NOW, undefined);
    await expectDecision(later, at(1), 'SLOT_PAST');
    await db.updateTable('clinic_session').set({ bookable_until: shanghaiToInstant(DATE, '15:00'), release_at: NOW }).where('id', '=', session.sessionId).execute();
    await expectDecision(later, NOW, undefined);
    await expectDecision(later, at(-1), 'SLOT_NOT_RELEASED');
  });

  it('agree on the session’s status, the slot’s places and whether the doctor, department and 大科 are active', async () => {
    const { db, parent, hospital, session, later } = await scenario();
    await db.updateTable('slot').set({ remaining: 0 }).where('id', '=', later).execute();
    await expectDecision(later, NOW, 'SLOT_FULL');
    await db.updateTable('clinic_session').set({ status: 'suspended' }).where('id', '=', session.sessionId).execute();
    await expectDecision(later, NOW, 'SESSION_SUSPENDED');
    await db.updateTable('slot').set({ remaining: 2 }).where('id', '=', later).execute();
    await expectDecision(later, NOW, 'SESSION_SUSPENDED');
    await db.updateTable('clinic_session').set({ status: 'open' }).where('id', '=', session.sessionId).execute();
    await expectDecision(later, NOW, undefined);
    for (const [table, id] of [['doctor', hospital.doctorId], ['department', hospital.departmentId], ['department', parent.departmentId]] as const) {
      await db.updateTable(table).set({ active: 0 }).where('id', '=', id).execute();
      await expectDecision(later, NOW, 'DOCTOR_UNAVAILABLE');
      await db.updateTable(table).set({ active: 1 }).where('id', '=', id).execute();
      await expectDecision(later, NOW, undefined);
    }
  });
});
