/**
 * A database outage under a running server, on both drivers: every answer while the database is
 * gone is `503 SERVICE_UNAVAILABLE` with Retry-After (never 500 INTERNAL), /health says so too,
 * the app recovers by itself, and no committed booking is lost or duplicated — including the
 * connection that dies in the middle of a booking's transaction, before or after its COMMIT.
 *
 * The shared test MariaDB is never stopped: the app reaches its database through a TCP proxy
 * (tests/support/tcp-proxy.ts) that the test cuts. On PlanetScale the shim's own pool goes
 * through the proxy (vttablet losing MySQL), and the driver's fetch is made to fail or answer
 * HTTP 5xx (the PlanetScale edge unreachable).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { serverUrl } from '../support/database.js';
import { drivers } from '../support/drivers.js';
import { book, capacityViolations, createDoctor, createPatients, createSession, shanghaiDay, type Patient } from '../support/scenario.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

/** How the PlanetScale driver's fetch behaves: normally, failing on the network, or a gateway 502. */
let fetchMode: 'ok' | 'network-error' | 'http-502' = 'ok';
const wrapFetch =
  (inner: typeof fetch): typeof fetch =>
  async (input, init) => {
    if (fetchMode === 'network-error') {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }) });
    }
    if (fetchMode === 'http-502') {
      return new Response('<html><body>502 Bad Gateway</body></html>', { status: 502, statusText: 'Bad Gateway', headers: { 'content-type': 'text/html' } });
    }
    return inner(input, init);
  };

function expectUnavailable(res: { status: number; body: any; headers: Headers }) {
  expect(res.status).toBe(503);
  expect(res.body).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: '服务暂不可用，请稍后重试' } });
  expect(res.headers.get('retry-after')).toBe('3');
}

describe.each(drivers)('a database outage on %s', (driver) => {
  let proxy: TcpProxy;
  let app: TestApp;
  let slotId: number;
  let patients: Patient[];
  let nextPatient = 0;
  const patient = () => patients[nextPatient++]!;

  beforeAll(async () => {
    proxy = await startTcpProxy(serverUrl());
    app = await startTestApp({}, undefined, { driver, connectVia: (url) => proxy.rewrite(url), wrapFetch, poolSize: 4 });
    const db = app.database.db;
    const session = await createSession(db, await createDoctor(db), { date: shanghaiDay(app.clock.now(), 3), slots: [{ start: '08:00', capacity: 50 }] });
    slotId = session.slotIds[0]!;
    patients = await createPatients(db, 40);
  });
  afterEach(async () => {
    fetchMode = 'ok';
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });
  afterAll(async () => {
    await app.close();
    await proxy.close();
  });

  const appointmentsOf = async (p: Patient) =>
    (await app.database.db.selectFrom('appointment').select(['id', 'order_no']).where('profile_id', '=', p.profileId).execute()).map((r) => r.id);

  it('answers bookings, reads and /health 503 with Retry-After while MariaDB is gone, and recovers by itself', async () => {
    const before = patient();
    expect((await book(app, before, slotId)).status).toBe(201);

    await proxy.cut();
    try {
      const during = patient();
      expectUnavailable(await book(app, during, slotId));
      expectUnavailable(await app.request('GET', '/api/v1/departments'));
      const health = await app.request('GET', '/api/v1/health');
      expect(health.status).toBe(503);
      expect(health.body).toEqual({ status: 'unavailable' });
      expect(health.headers.get('retry-after')).toBe('3');
      expect(await appointmentsOf(during)).toEqual([]);
    } finally {
      await proxy.restore();
    }

    expect((await app.request('GET', '/api/v1/health')).status).toBe(200);
    expect((await book(app, patient(), slotId)).status).toBe(201);
    expect(await appointmentsOf(before)).toHaveLength(1);
  });

  it('under a burst of bookings, the database going away answers each 201 or 503, and the retries lose and duplicate nothing', async () => {
    const burst = Array.from({ length: 20 }, () => ({ patient: patient(), key: randomUUID() }));
    const requests = burst.map((b) => book(app, b.patient, slotId, { key: b.key }));
    // The database goes away as soon as the first booking is answered, the rest in flight.
    await Promise.race(requests);
    await proxy.cut();
    const during = await Promise.all(requests);
    await proxy.restore();
    for (const res of during) {
      expect([201, 503], JSON.stringify(res.body)).toContain(res.status);
      if (res.status === 503) expectUnavailable(res);
    }
    // Every booking answered 201 is there; the clients retry the others with their keys.
    for (const [i, res] of during.entries()) {
      if (res.status === 201) expect(await appointmentsOf(burst[i]!.patient)).toEqual([res.body.id]);
    }
    const retried = await Promise.all(burst.map((b) => book(app, b.patient, slotId, { key: b.key })));
    expect(retried.map((r) => r.status)).toEqual(burst.map(() => 201));
    for (const [i, b] of burst.entries()) {
      const ids = await appointmentsOf(b.patient);
      expect(ids).toEqual([retried[i]!.body.id]);
      if (during[i]!.status === 201) expect(ids).toEqual([during[i]!.body.id]);
    }
  });

  it('a connection lost inside the booking transaction (ROLLBACK on a dead connection) answers 503 and writes nothing', async () => {
    const p = patient();
    const key = randomUUID();
    const cut = proxy.cutOn('INTO appointment (', 'before');
    const res = await book(app, p, slotId, { key });
    await cut;
    expectUnavailable(res);
    expect(await appointmentsOf(p)).toEqual([]);
    // The client retries with the same key once the database answers: one booking.
    expect((await book(app, p, slotId, { key })).status).toBe(201);
    expect(await appointmentsOf(p)).toHaveLength(1);
  });

  it('a COMMIT that never reached the database answers 503; the retry books exactly once', async () => {
    const p = patient();
    const key = randomUUID();
    const cut = proxy.cutOn('COMMIT', 'before');
    const res = await book(app, p, slotId, { key });
    await cut;
    expectUnavailable(res);
    expect(await appointmentsOf(p)).toEqual([]);
    expect((await book(app, p, slotId, { key })).status).toBe(201);
    expect(await appointmentsOf(p)).toHaveLength(1);
  });

  it('a COMMIT that ran but whose answer was lost answers 503; the retry finds that booking, not a second one', async () => {
    const p = patient();
    const key = randomUUID();
    const cut = proxy.cutOn('COMMIT', 'after-reply');
    const res = await book(app, p, slotId, { key });
    await cut;
    expectUnavailable(res);
    const committed = await appointmentsOf(p);
    expect(committed).toHaveLength(1);
    const retry = await book(app, p, slotId, { key });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.id).toBe(committed[0]);
    expect(await appointmentsOf(p)).toEqual(committed);
  });

  if (driver === 'planetscale') {
    it('the driver failing to reach PlanetScale at all (fetch rejects, or HTTP 5xx) answers 503 as well', async () => {
      for (const mode of ['network-error', 'http-502'] as const) {
        fetchMode = mode;
        const p = patient();
        expectUnavailable(await book(app, p, slotId));
        const health = await app.request('GET', '/api/v1/health');
        expect(health.status, mode).toBe(503);
        expect(health.headers.get('retry-after'), mode).toBe('3');
        fetchMode = 'ok';
        expect(await appointmentsOf(p)).toEqual([]);
      }
      expect((await book(app, patient(), slotId)).status).toBe(201);
    });
  }
});
