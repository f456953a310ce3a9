/**
 * bench/queue-poll.ts — what hundreds of patients polling their place in the queue cost the API
 * (issue 10: "the position read must be one cheap indexed query").
 *
 *   npm run bench:queue                                  # 500 patients, every 2 s, 20 s; 32 clients for the ceilings
 *   npm run bench:queue -- --patients 500 --seconds 30 --clients 32
 *
 * One run, one private database (queue_<random>) on the project's MariaDB test instance
 * (scripts/db.sh start test; started if needed, never stopped), dropped at the end. The API runs
 * in a child process as in production (bench/booking-server.ts: the real listener, mysql2, one
 * log line per request to /dev/null). A session of `--patients` checked-in patients, then:
 *   (1) realistic load: each patient polls GET /api/v1/appointments/{id}/queue every 2 s
 *       (staggered) while the doctor calls, starts and completes a patient every 200 ms; prints
 *       position reads/s and their p50/p99;
 *   (2) ceilings, same server, same run: `--clients` closed-loop clients on GET /api/v1/health
 *       (one SELECT 1) for `--ceiling-seconds`, then on the position read (the doctor still
 *       calling); prints both reads/s and p99 and position ÷ health (goal ≥ 0.5);
 *   (3) queries per position read: 200 reads through an in-process app whose database counts
 *       every statement it sends (goal: 1).
 */
import { execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { KyselyPlugin } from 'kysely';
import { createConnection } from 'mysql2/promise';
import { signAccessToken } from '../functions/src/auth/tokens.js';
import { createListener } from '../functions/src/bootstrap.js';
import { loadConfig } from '../functions/src/config.js';
import { createDb } from '../functions/src/db/create-db.js';
import { migrate } from '../functions/src/db/migrate.js';
import { createLogger } from '../functions/src/logger.js';
import { createSmsSender } from '../functions/src/notification/sms.js';
import { onTimeKey } from '../functions/src/visit/queue-order.js';
import { shanghaiDate, systemClock } from '../functions/src/time/shanghai.js';
import { createDoctor, createPatients, createSession } from '../tests/support/scenario.js';

const { values: args } = parseArgs({
  options: {
    patients: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '20' },
    clients: { type: 'string', default: '32' },
    'ceiling-seconds': { type: 'string', default: '8' },
  },
});
const patientCount = Number(args.patients);
const seconds = Number(args.seconds);
const clients = Number(args.clients);
const ceilingSeconds = Number(args['ceiling-seconds']);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const serverUrl = execFileSync('bash', [new URL('../scripts/db.sh', import.meta.url).pathname, 'start', 'test'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
const databaseName = `queue_${randomBytes(4).toString('hex')}`;
const databaseUrl = (() => {
  const url = new URL(serverUrl);
  url.pathname = `/${databaseName}`;
  return url.toString();
})();
async function adminQuery(text: string): Promise<void> {
  const admin = await createConnection(serverUrl);
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}
await adminQuery(`CREATE DATABASE \`${databaseName}\``);
const cleanups: Array<() => Promise<unknown>> = [() => adminQuery(`DROP DATABASE IF EXISTS \`${databaseName}\``)];

try {
  const db = createDb({ kind: 'mysql', url: databaseUrl, poolSize: 4 });
  cleanups.push(() => db.destroy());
  await migrate(db);
  const config = loadConfig({ APP_ENV: 'development', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' });

  // Today's session (Shanghai), long enough to be running now; every patient checked in on time.
  const now = new Date();
  const hospital = await createDoctor(db);
  const perSlot = 50;
  const slots = Math.ceil(patientCount / perSlot);
  const session = await createSession(db, hospital, {
    date: shanghaiDate(now),
    slots: Array.from({ length: slots }, (_, i) => ({ start: `${String(i).padStart(2, '0')}:00`, end: `${String(i).padStart(2, '0')}:59`, capacity: perSlot })),
  });
  const patients = await createPatients(db, patientCount);
  const rows = patients.map((p, i) => {
    const number = i + 1;
    const slotIndex = Math.floor(i / perSlot);
    return {
      order_no: `Q${databaseName.slice(6)}${String(number).padStart(8, '0')}`.slice(0, 20),
      account_id: p.userId,
      profile_id: p.profileId,
      slot_id: session.slotIds[slotIndex]!,
      session_id: session.sessionId,
      doctor_id: hospital.doctorId,
      department_id: hospital.departmentId,
      session_date: session.date,
      period: 'morning' as const,
      slot_start: `${String(slotIndex).padStart(2, '0')}:00:00`,
      slot_end: `${String(slotIndex).padStart(2, '0')}:59:00`,
      queue_number: number,
      fee_fen: 0,
      status: 'checked_in' as const,
      checked_in_at: now,
      queue_key: onTimeKey(number),
      idempotency_key: `bench-${number}`,
      request_hash: '0'.repeat(64),
      created_at: now,
      updated_at: now,
    };
  });
  for (let i = 0; i < rows.length; i += 250) await db.insertInto('appointment').values(rows.slice(i, i + 250)).execute();
  await db.updateTable('slot').set({ remaining: 0 }).where('session_id', '=', session.sessionId).execute();
  const appointmentIds = (await db.selectFrom('appointment').select('id').where('session_id', '=', session.sessionId).orderBy('queue_number').execute()).map((r) => r.id);
  const tokens = await Promise.all(patients.map((p) => signAccessToken(config, { userId: p.userId, role: 'patient' }, new Date())));
  const doctorToken = await signAccessToken(config, { userId: hospital.doctorUserId, role: 'doctor' }, new Date());

  // The API server, as in production.
  const child = fork(new URL('./booking-server.ts', import.meta.url), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_SERVER_OPTIONS: JSON.stringify({ databaseUrl, driver: 'mysql2', poolSize: 16, roundTripMs: 0, logLevel: 'info' }) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  cleanups.push(async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send('close');
    await exited;
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;

  async function timed(path: string, token?: string, method = 'GET'): Promise<{ ms: number; status: number }> {
    const started = performance.now();
    const res = await fetch(base + path, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
    await res.arrayBuffer();
    return { ms: performance.now() - started, status: res.status };
  }

  /** The doctor: 叫号, 开始, 完成 every 200 ms until `until`. */
  async function doctorCalls(until: number): Promise<number> {
    let called = 0;
    while (Date.now() < until) {
      const res = await fetch(`${base}/api/v1/doctor/sessions/${session.sessionId}/call-next`, { method: 'POST', headers: { authorization: `Bearer ${doctorToken}` } });
      const body = (await res.json()) as { current?: { appointmentId: number } };
      if (res.status !== 200 || !body.current) break;
      called += 1;
      for (const step of ['start', 'complete']) {
        await (await fetch(`${base}/api/v1/doctor/appointments/${body.current.appointmentId}/${step}`, { method: 'POST', headers: { authorization: `Bearer ${doctorToken}` } })).arrayBuffer();
      }
      await sleep(200);
    }
    return called;
  }

  const summary = (label: string, samples: Array<{ ms: number; status: number }>, wallSeconds: number) => {
    const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
    const failed = samples.filter((s) => s.status !== 200).length;
    return { label, requests: samples.length, perSecond: samples.length / wallSeconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), failed };
  };
  const line = (s: ReturnType<typeof summary>) =>
    `${s.label.padEnd(34)} ${s.perSecond.toFixed(0).padStart(6)} req/s   p50 ${s.p50.toFixed(1).padStart(6)} ms   p99 ${s.p99.toFixed(1).padStart(6)} ms   (${s.requests} requests, ${s.failed} not 200)`;

  // Warm-up: compile the server's code, fill its pool.
  await Promise.all(Array.from({ length: 200 }, (_, i) => timed(`/api/v1/appointments/${appointmentIds[i % appointmentIds.length]}/queue`, tokens[i % tokens.length])));
  await Promise.all(Array.from({ length: 200 }, () => timed('/api/v1/health')));

  // (1) Realistic: every patient every 2 s, staggered, while the doctor calls.
  const realisticEnd = Date.now() + seconds * 1000;
  const realistic: Array<{ ms: number; status: number }> = [];
  const startedAt = performance.now();
  const doctorRun = doctorCalls(realisticEnd);
  await Promise.all(
    appointmentIds.map(async (id, i) => {
      await sleep((i / appointmentIds.length) * 2000);
      while (Date.now() < realisticEnd) {
        const next = Date.now() + 2000;
        realistic.push(await timed(`/api/v1/appointments/${id}/queue`, tokens[i]));
        await sleep(Math.max(0, next - Date.now()));
      }
    }),
  );
  const realisticSeconds = (performance.now() - startedAt) / 1000;
  const calledDuring = await doctorRun;

  // (2) Ceilings: closed loop, `clients` at a time.
  async function closedLoop(pathOf: (i: number) => string, tokenOf: (i: number) => string | undefined) {
    const end = Date.now() + ceilingSeconds * 1000;
    const samples: Array<{ ms: number; status: number }> = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let i = c; Date.now() < end; i += clients) samples.push(await timed(pathOf(i), tokenOf(i)));
      }),
    );
    return { samples, wall: (performance.now() - started) / 1000 };
  }
  const health = await closedLoop(() => '/api/v1/health', () => undefined);
  const ceilingDoctor = doctorCalls(Date.now() + ceilingSeconds * 1000);
  const position = await closedLoop(
    (i) => `/api/v1/appointments/${appointmentIds[i % appointmentIds.length]}/queue`,
    (i) => tokens[i % tokens.length],
  );
  await ceilingDoctor;

  // (3) Statements per position read, counted by a plugin on an in-process app's database.
  let statements = 0;
  const counter: KyselyPlugin = {
    transformQuery: (a) => {
      statements += 1;
      return a.node;
    },
    transformResult: async (a) => a.result,
  };
  const countedDb = createDb(config.database).withPlugin(counter);
  cleanups.push(() => countedDb.destroy());
  const log = createLogger('silent');
  const listener = createListener({ config, db: countedDb, clock: systemClock, log, sms: createSmsSender(config, countedDb, log) }, { validateResponses: false });
  const local = createServer(listener);
  await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => local.close(resolve)));
  const localBase = `http://127.0.0.1:${(local.address() as AddressInfo).port}`;
  for (let i = 0; i < 20; i += 1) await (await fetch(`${localBase}/api/v1/appointments/${appointmentIds[i]}/queue`, { headers: { authorization: `Bearer ${tokens[i]}` } })).arrayBuffer();
  statements = 0;
  const reads = 200;
  for (let i = 0; i < reads; i += 1) {
    const res = await fetch(`${localBase}/api/v1/appointments/${appointmentIds[i % appointmentIds.length]}/queue`, { headers: { authorization: `Bearer ${tokens[i % tokens.length]}` } });
    if (res.status !== 200) throw new Error(`position read answered ${res.status}`);
    await res.arrayBuffer();
  }
  local.closeAllConnections();

  const realisticSummary = summary(`(1) ${patientCount} patients every 2 s`, realistic, realisticSeconds);
  const healthSummary = summary(`(2) GET /health, ${clients} clients`, health.samples, health.wall);
  const positionSummary = summary(`(2) position read, ${clients} clients`, position.samples, position.wall);
  console.log(`queue-poll: ${patientCount} checked-in patients in one session; the doctor called ${calledDuring} during (1)`);
  console.log(line(realisticSummary));
  console.log(line(healthSummary));
  console.log(line(positionSummary));
  console.log(`position ÷ health (reads/s): ${(positionSummary.perSecond / healthSummary.perSecond).toFixed(2)}   (goal ≥ 0.5)`);
  console.log(`(3) statements per position read: ${(statements / reads).toFixed(2)}   (goal 1; counted over ${reads} reads)`);
} finally {
  for (const step of cleanups.reverse()) await step().catch((error) => console.error('cleanup:', error));
}
