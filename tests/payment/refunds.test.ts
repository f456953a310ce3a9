/**
 * Refunds the provider never confirmed are asked for again by the refund-retry job
 * (payment/refund-retry.ts, jobs: `npm run job -- retry-refunds`): each once per run, never
 * twice by two runs at once, and audited; and the refund of a charge that lost its race
 * against expiry (booking/pay.ts) is audited like every other refund.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireHold } from '../../functions/src/booking/expire.js';
import { AppError } from '../../functions/src/errors.js';
import { payAppointment } from '../../functions/src/booking/pay.js';
import { retryUnconfirmedRefunds, REFUND_RETRY_LEASE_MS } from '../../functions/src/payment/refund-retry.js';
import { refundNumber, simulatedPaymentProvider, type PaymentProvider } from '../../functions/src/payment/provider.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { drivers } from '../support/drivers.js';
import { appointmentAction, book, capacityViolations, createDoctor, createPatients, createSession, shanghaiDay, type Patient } from '../support/scenario.js';

/** The simulated provider, counting refund calls by refund number; optionally slow or failing. */
function countingProvider(options: { delayMs?: number; fail?: boolean } = {}) {
  const calls = new Map<string, number>();
  const provider: PaymentProvider = {
    name: 'simulated',
    charge: (request) => simulatedPaymentProvider.charge(request),
    async refund(request) {
      calls.set(request.refundNo, (calls.get(request.refundNo) ?? 0) + 1);
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      if (options.fail) throw new Error('provider timed out');
      return simulatedPaymentProvider.refund(request);
    },
  };
  return { provider, calls };
}

async function paidAndCancelled(app: TestApp, slotId: number, patient: Patient): Promise<{ id: number; orderNo: string }> {
  const booked = await book(app, patient, slotId);
  expect(booked.status).toBe(201);
  expect((await appointmentAction(app, patient, booked.body.id, 'pay')).status).toBe(200);
  expect((await appointmentAction(app, patient, booked.body.id, 'cancel')).status).toBe(200);
  return { id: booked.body.id, orderNo: booked.body.orderNo };
}

describe.each(drivers)('the refund-retry job on %s', (driver) => {
  let app: TestApp;
  let slotId: number;
  let patients: Patient[];
  beforeAll(async () => {
    app = await startTestApp({}, undefined, { driver });
    const db = app.database.db;
    const session = await createSession(db, await createDoctor(db), { date: shanghaiDay(app.clock.now(), 3), feeFen: 5000, slots: [{ start: '08:00', capacity: 20 }] });
    slotId = session.slotIds[0]!;
    patients = await createPatients(db, 8);
  });
  afterAll(() => app.close());

  /** Cancelled paid bookings whose refund the provider did not confirm (its answer was lost). */
  async function unconfirmed(count: number, from: Patient[]) {
    const made = [];
    for (const patient of from.slice(0, count)) made.push(await paidAndCancelled(app, slotId, patient));
    const lost = new Date(app.clock.now().getTime() - REFUND_RETRY_LEASE_MS - 60_000);
    await app.database.db
      .updateTable('payment')
      .set({ refund_txn_id: null, updated_at: lost })
      .where('appointment_id', 'in', made.map((m) => m.id))
      .execute();
    return made;
  }

  const refundRows = (ids: number[]) =>
    app.database.db.selectFrom('payment').select(['appointment_id', 'status', 'refund_txn_id']).where('appointment_id', 'in', ids).orderBy('appointment_id').execute();

  it('asks the provider again, once per refund even with two runs at once, stores its id and audits it', async () => {
    const confirmed = await paidAndCancelled(app, slotId, patients[0]!);
    const confirmedRow = (await refundRows([confirmed.id]))[0]!;
    const lost = await unconfirmed(3, patients.slice(1));
    const { provider, calls } = countingProvider({ delayMs: 30 });

    const [a, b] = await Promise.all([retryUnconfirmedRefunds(app.deps, { provider }), retryUnconfirmedRefunds(app.deps, { provider })]);

    expect(Object.fromEntries(calls)).toEqual(Object.fromEntries(lost.map((l) => [refundNumber(l.orderNo), 1])));
    expect(a.confirmed + b.confirmed).toBe(3);
    expect(a.failed + b.failed).toBe(0);
    for (const row of await refundRows(lost.map((l) => l.id))) {
      expect(row.status).toBe('refunded');
      expect(row.refund_txn_id).toMatch(/^SIMREF[0-9A-F]{28}$/);
    }
    // A refund already confirmed is left alone.
    expect((await refundRows([confirmed.id]))[0]).toEqual(confirmedRow);
    const audits = await app.database.db
      .selectFrom('audit_log')
      .select(['actor_role', 'target_id', 'outcome'])
      .where('action', '=', 'payment.refund_confirm')
      .orderBy('target_id')
      .execute();
    expect(audits).toEqual(lost.map((l) => ({ actor_role: 'system', target_id: l.orderNo, outcome: 'success' })).sort((x, y) => x.target_id.localeCompare(y.target_id)));

    // Nothing is due any more.
    const again = countingProvider();
    expect(await retryUnconfirmedRefunds(app.deps, { provider: again.provider })).toEqual({ due: 0, confirmed: 0, failed: 0, taken: 0 });
    expect(again.calls.size).toBe(0);
  });

  it('leaves a refund the provider still refuses for the next run after the lease, and then confirms it', async () => {
    const [lost] = await unconfirmed(1, patients.slice(4));
    const failing = countingProvider({ fail: true });
    expect(await retryUnconfirmedRefunds(app.deps, { provider: failing.provider })).toEqual({ due: 1, confirmed: 0, failed: 1, taken: 1 });
    expect((await refundRows([lost!.id]))[0]!.refund_txn_id).toBeNull();

    // Within the lease nobody asks again; after it the next run does.
    const working = countingProvider();
    expect((await retryUnconfirmedRefunds(app.deps, { provider: working.provider })).due).toBe(0);
    app.clock.set(new Date(Date.now() + REFUND_RETRY_LEASE_MS + 1000));
    try {
      expect(await retryUnconfirmedRefunds(app.deps, { provider: working.provider })).toEqual({ due: 1, confirmed: 1, failed: 0, taken: 1 });
    } finally {
      app.clock.set(new Date());
    }
    expect(Object.fromEntries(working.calls)).toEqual({ [refundNumber(lost!.orderNo)]: 1 });
    expect((await refundRows([lost!.id]))[0]!.refund_txn_id).toMatch(/^SIMREF/);
  });
});

describe('a charge that lost its race against expiry', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('is refunded and the refund is audited', async () => {
    const db = app.database.db;
    const session = await createSession(db, await createDoctor(db), { date: shanghaiDay(app.clock.now(), 3), feeFen: 3000, slots: [{ start: '09:00', capacity: 3 }] });
    const [patient] = await createPatients(db, 1);
    const booked = await book(app, patient!, session.slotIds[0]!, { key: randomUUID() });
    expect(booked.status).toBe(201);
    const appointmentId = booked.body.id as number;

    // The provider's charge takes long enough for the hold to run out and be expired (as the
    // expiry job does) before pay's own UPDATE: the charge went through, the booking did not.
    const racing: PaymentProvider = {
      name: 'simulated',
      async charge(request) {
        const expiredAt = new Date(booked.body.holdExpiresAt as string);
        await expireHold(db, { id: appointmentId, slotId: session.slotIds[0]!, orderNo: booked.body.orderNo }, expiredAt);
        return simulatedPaymentProvider.charge(request);
      },
      refund: (request) => simulatedPaymentProvider.refund(request),
    };
    const meta = { requestId: 'test-lost-race', ip: '127.0.0.1', userAgent: undefined };
    const paid = await payAppointment(app.deps, { userId: patient!.userId, role: 'patient' }, appointmentId, meta, racing).catch((e: unknown) => e);
    expect(paid).toBeInstanceOf(AppError);
    expect(paid).toMatchObject({ code: 'HOLD_EXPIRED' });

    const payment = await db.selectFrom('payment').selectAll().where('appointment_id', '=', appointmentId).executeTakeFirstOrThrow();
    expect(payment).toMatchObject({ status: 'refunded', amount_fen: 3000, refund_amount_fen: 3000 });
    expect(payment.refund_txn_id).toMatch(/^SIMREF/);
    const audits = await db
      .selectFrom('audit_log')
      .select(['action', 'actor_role', 'actor_user_id', 'target_id', 'summary'])
      .where('target_id', '=', booked.body.orderNo)
      .where('action', '=', 'payment.refund')
      .execute();
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor_role: 'patient', actor_user_id: patient!.userId });
    expect(JSON.parse(audits[0]!.summary!)).toMatchObject({ appointmentId, amountFen: 3000, refundTxnId: payment.refund_txn_id, reason: 'expired' });
    expect(await capacityViolations(db)).toEqual([]);
  });
});
