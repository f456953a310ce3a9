/**
 * bench/booking-burst.ts — how close the booking path comes to the database's own ceiling on one
 * hot slot row, and how cheap a refusal is once the slot is sold out (DESIGN §3).
 *
 *   npm run bench:booking                                   # mysql2, 64 clients, 3000 places, 3 rounds
 *   npm run bench:booking -- --clients 32 --bookings 2000 --rounds 5
 *   npm run bench:booking -- --driver planetscale --rtt 5 --bookings 400   # through the PlanetScale shim
 *   npm run bench:booking -- --servers 2                    # two API processes behind the clients
 *   npm run bench:booking -- --cpu-prof /tmp/prof           # V8 profiles of the API server's (b) and (c)
 *   npx tsx bench/profile-summary.ts /tmp/prof/round2-b-server0.cpuprofile   # … read one
 *
 * One run, one private database (bench_<random>) on the project's MariaDB test instance
 * (scripts/db.sh start test; started if needed, never stopped), dropped at the end:
 *   (a)  raw ceiling: N clients issue the booking transaction directly (mysql2, or the PlanetScale
 *        driver in planetscale mode) on one slot row until it is sold out — once exactly as the
 *        booking path's transaction (profile lock, recount, audit row, UPDATE slot, INSERT
 *        appointment), once as the bare UPDATE + INSERT;
 *   (b)  full path: N concurrent patients POST /api/v1/appointments over HTTP to the real app
 *        (a child process: HTTP → handler → Kysely → driver → MariaDB) until sold out;
 *   (c)  refusals: the same N clients keep booking the sold-out slot for a few seconds.
 * A warm-up (`--warmup` places, raw and over HTTP, and a second of refusals) fills the pools and
 * lets V8 compile the server's code first; then the phases alternate for a few rounds and the
 * medians are printed: bookings/s, p50/p99 latency, (b)/(a) and (c)/(b) (with each round's own
 * ratio), how long the slot row stays locked per booking (from the UPDATE's answer to COMMIT's,
 * timed in (a); wall time ÷ bookings in (b), which is the lock time once the row is the
 * bottleneck), and the CPU time per request of each process sharing the machine: this one (the
 * load generator, and the database client in (a)), the API server(s) and MariaDB (read from
 * /proc; other work on the same MariaDB instance is counted too). The API server runs as in
 * production — response-schema validation off, one pino line per request at `info` (written to
 * /dev/null; `--log-level silent` to compare) — so nothing it does in production is left out.
 */
import { execFileSync, fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { connect } from '@planetscale/database';
import { createConnection, createPool, type Pool } from 'mysql2/promise';
import { signAccessToken } from '../functions/src/auth/tokens.js';
import { LOCK_PROFILE_SQL, newOrderNumber, RECOUNT_SQL, requestHash, TAKE_PLACE_SQL, takePlaceParameters } from '../functions/src/booking/book.js';
import { loadConfig } from '../functions/src/config.js';
import { createDb } from '../functions/src/db/create-db.js';
import { migrate } from '../functions/src/db/migrate.js';
import { createPlanetScaleShim } from '../tests/support/planetscale-shim.js';
import { createDoctor, createPatients, createSession, shanghaiDay, type Patient } from '../tests/support/scenario.js';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '64' },
    bookings: { type: 'string', default: '3000' },
    driver: { type: 'string', default: 'mysql2' },
    rtt: { type: 'string', default: '5' },
    'refuse-seconds': { type: 'string', default: '3' },
    servers: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '3' },
    // Places booked (raw and over HTTP) and seconds of refusals before round 1, not counted: the
    // connection pools fill and the server's code is compiled by V8 before anything is timed.
    warmup: { type: 'string', default: '300' },
    // The API server logs one line per request, as in production, to /dev/null; 'silent' to compare.
    'log-level': { type: 'string', default: 'info' },
    // A directory: the API server's CPU profile of each round's (b) and (c), for Chrome DevTools
    // or `npx tsx bench/profile-summary.ts FILE`.
    'cpu-prof': { type: 'string' },
  },
});
const clients = Number(args.clients);
const bookings = Number(args.bookings);
const driver = args.driver === 'planetscale' ? 'planetscale' : 'mysql2';
const roundTripMs = driver === 'planetscale' ? Number(args.rtt) : 0;
const refuseSeconds = Number(args['refuse-seconds']);
const servers = Math.max(1, Number(args.servers));
const rounds = Math.max(1, Number(args.rounds));
const profileDir = args['cpu-prof'];
const warmup = Math.max(0, Number(args.warmup));
const logLevel = args['log-level'] ?? 'info';

/** Rolls back a raw transaction that found the slot sold out (the PlanetScale driver commits unless the callback throws). */
class SoldOut extends Error {}

/** One keep-alive HTTP/1.1 connection answering one request at a time (Content-Length bodies). */
class LeanConnection {
  private readonly socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: { resolve: (r: { status: number; text: string }) => void; reject: (e: Error) => void } | undefined;

  constructor(port: number) {
    this.socket = connectTcp(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (error) => this.pending?.reject(error));
  }

  send(request: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length > 0 ? Buffer.concat([this.buffer, chunk]) : chunk;
    const headerEnd = this.buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const head = this.buffer.toString('latin1', 0, headerEnd);
    const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buffer.length < headerEnd + 4 + length) return;
    const text = this.buffer.toString('utf8', headerEnd + 4, headerEnd + 4 + length);
    this.buffer = this.buffer.subarray(headerEnd + 4 + length);
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve({ status: Number(head.slice(9, 12)), text });
  }
}

interface Sample {
  ms: number;
  ok: boolean;
  code?: string;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface PhaseResult {
  label: string;
  successes: number;
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  codes: Record<string, number>;
}

function summarise(label: string, samples: Sample[], seconds: number, count: 'ok' | 'all'): PhaseResult {
  const latencies = samples.map((s) => s.ms).sort((a, b) => a - b);
  const codes: Record<string, number> = {};
  for (const s of samples) codes[s.code ?? 'ok'] = (codes[s.code ?? 'ok'] ?? 0) + 1;
  const successes = samples.filter((s) => s.ok).length;
  return {
    label,
    successes,
    requests: samples.length,
    seconds,
    perSecond: (count === 'ok' ? successes : samples.length) / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    codes,
  };
}

/** Runs `clients` loops at once; each calls `step` until it answers false. */
async function drive(step: (client: number) => Promise<boolean>): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (await step(client));
    }),
  );
  return (performance.now() - started) / 1000;
}

// ---------------------------------------------------------------------------------------------
// CPU time of the three processes that share the machine's cores, so that each phase can be
// charged per request: this one (the load generator, and the database client in (a)), the API
// server(s) in (b) and (c), and MariaDB (which other work on the machine may also be using).
interface CpuSample {
  client: number;
  server: number;
  db: number | undefined;
}
type CpuShare = CpuSample;
const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const databasePid = (() => {
  const dir = process.env.BX_DB_DIR ?? new URL('../.data/mariadb-test', import.meta.url).pathname;
  try {
    return Number(readFileSync(`${dir}/mysqld.pid`, 'utf8').trim());
  } catch {
    return undefined;
  }
})();
/** utime + stime of mariadbd from /proc, in ms (clock ticks of 10 ms); undefined off Linux. */
const databaseCpuMs = (): number | undefined => {
  if (!databasePid) return undefined;
  try {
    const stat = readFileSync(`/proc/${databasePid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
};
let cpuNow = async (): Promise<CpuSample> => ({ client: ownCpuMs(), server: 0, db: databaseCpuMs() });
const cpuShare = (before: CpuSample, after: CpuSample, requests: number): CpuShare => ({
  client: (after.client - before.client) / Math.max(1, requests),
  server: (after.server - before.server) / Math.max(1, requests),
  db: after.db === undefined || before.db === undefined ? undefined : (after.db - before.db) / Math.max(1, requests),
});

// ---------------------------------------------------------------------------------------------
// Database: a private database on the project's test instance.
const serverUrl = execFileSync('bash', [new URL('../scripts/db.sh', import.meta.url).pathname, 'start', 'test'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
}).trim();
const databaseName = `bench_${randomBytes(4).toString('hex')}`;
const databaseUrl = (() => {
  const url = new URL(serverUrl);
  url.pathname = `/${databaseName}`;
  return url.toString();
})();

async function adminQuery(sqlText: string): Promise<void> {
  const admin = await createConnection(serverUrl);
  try {
    await admin.query(sqlText);
  } finally {
    await admin.end();
  }
}

await adminQuery(`CREATE DATABASE \`${databaseName}\``);
const cleanups: Array<() => Promise<unknown>> = [() => adminQuery(`DROP DATABASE IF EXISTS \`${databaseName}\``)];
async function cleanUp(): Promise<void> {
  for (const step of cleanups.reverse()) await step().catch((error) => console.error('cleanup:', error));
}
process.on('SIGINT', () => void cleanUp().then(() => process.exit(130)));

try {
  const setupDb = createDb({ kind: 'mysql', url: databaseUrl, poolSize: 4 });
  cleanups.push(() => setupDb.destroy());
  await migrate(setupDb);
  const config = loadConfig({ APP_ENV: 'development', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' });

  const now = new Date();
  const doctor = await createDoctor(setupDb);
  // Every phase books a fresh slot on a date of its own (released an hour ago), so the
  // per-day limits of the full path never refuse a patient because of an earlier phase.
  let nextDay = 2;
  const freshSlot = async (capacity = bookings) => {
    const session = await createSession(setupDb, doctor, {
      date: shanghaiDay(now, nextDay++),
      releaseAt: new Date(now.getTime() - 3_600_000),
      slots: [{ start: '08:00', capacity }],
    });
    return { slotId: session.slotIds[0]!, sessionId: session.sessionId, date: session.date };
  };
  const patients: Patient[] = [];
  for (let made = 0; made < bookings; made += 1000) patients.push(...(await createPatients(setupDb, Math.min(1000, bookings - made))));
  console.log(
    `bx87h9 booking burst — driver ${driver}${roundTripMs ? ` (simulated round trip ${roundTripMs} ms)` : ''}, ` +
      `${clients} clients, ${bookings} places on one slot, ${servers} API server process${servers > 1 ? 'es' : ''}`,
  );
  console.log(`private database ${databaseName} on ${new URL(serverUrl).host}\n`);

  // -------------------------------------------------------------------------------------------
  // (a) the raw ceiling: the booking transaction issued directly.
  type Exec = (sqlText: string, params: unknown[]) => Promise<{ affected: number; insertId: number }>;
  /** Runs `work` in a transaction; `work` answers the instant its UPDATE started, or false (sold out: roll back). */
  type Transact = (work: (exec: Exec) => Promise<number | false>) => Promise<number | false>;

  let pool: Pool | undefined;
  let transact: Transact;
  if (driver === 'mysql2') {
    pool = createPool({ uri: databaseUrl, connectionLimit: clients, timezone: 'Z', dateStrings: ['DATE'] });
    cleanups.push(() => pool!.end());
    const mysqlPool = pool;
    transact = async (work) => {
      const conn = await mysqlPool.getConnection();
      try {
        await conn.query('BEGIN');
        const exec: Exec = async (sqlText, params) => {
          const [result] = await conn.query(sqlText, params);
          const header = result as { affectedRows?: number; insertId?: number };
          return { affected: header.affectedRows ?? 0, insertId: header.insertId ?? 0 };
        };
        const lockFrom = await work(exec);
        await conn.query(lockFrom === false ? 'ROLLBACK' : 'COMMIT');
        return lockFrom;
      } catch (error) {
        await conn.query('ROLLBACK');
        throw error;
      } finally {
        conn.release();
      }
    };
  } else {
    const shim = createPlanetScaleShim(databaseUrl, { poolSize: clients, roundTripMs });
    cleanups.push(() => shim.close());
    const connection = connect({ ...shim.credentials, fetch: shim.fetch });
    transact = async (work) => {
      let lockFrom: number | false = false;
      try {
        await connection.transaction(async (tx) => {
          const exec: Exec = async (sqlText, params) => {
            const result = await tx.execute(sqlText, params);
            return { affected: result.rowsAffected, insertId: Number(result.insertId) };
          };
          lockFrom = await work(exec);
          if (lockFrom === false) throw new SoldOut();
        });
      } catch (error) {
        if (!(error instanceof SoldOut)) throw error;
      }
      return lockFrom;
    };
  }

  async function rawBooking(exec: Exec, slot: { slotId: number; sessionId: number; date: string }, patient: Patient, full: boolean): Promise<number | false> {
    const at = new Date();
    const key = randomUUID();
    const orderNo = newOrderNumber(at);
    if (full) {
      // The statements the booking path's transaction runs before it takes the place.
      await exec(LOCK_PROFILE_SQL, [patient.profileId, patient.userId]);
      await exec(RECOUNT_SQL, [doctor.departmentId, slot.sessionId, patient.userId, key, patient.userId, patient.profileId, slot.date]);
      // The same row recordAudit writes for a booking (audit/audit.ts), request id and summary included.
      await exec(
        `INSERT INTO audit_log (actor_user_id, actor_role, action, target_type, target_id, outcome, ip, request_id, summary, created_at)
         VALUES (?, 'patient', 'appointment.book', 'appointment', ?, 'success', '127.0.0.1', ?, ?, ?)`,
        [patient.userId, orderNo, randomUUID(), JSON.stringify({ slotId: slot.slotId, profileId: patient.profileId, status: 'booked', feeFen: 0 }), at],
      );
    }
    const taken = await exec(TAKE_PLACE_SQL, takePlaceParameters(slot.slotId, at));
    if (taken.affected !== 1) return false;
    // The row is ours from here (the UPDATE may have waited for it) until COMMIT returns.
    const lockFrom = performance.now();
    await exec(
      `INSERT INTO appointment (order_no, account_id, profile_id, slot_id, session_id, doctor_id, department_id, session_date, period,
         slot_start, slot_end, queue_number, fee_fen, status, hold_expires_at, idempotency_key, request_hash, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'morning', '08:00:00', '08:30:00', ?, 0, 'booked', NULL, ?, ?, ?, ?)`,
      [orderNo, patient.userId, patient.profileId, slot.slotId, slot.sessionId, doctor.doctorId, doctor.departmentId, slot.date,
        taken.insertId, key, requestHash({ slotId: slot.slotId, profileId: patient.profileId }), at, at],
    );
    return lockFrom;
  }

  async function rawPhase(label: string, full: boolean, capacity = bookings): Promise<PhaseResult & { lockMs: number; cpu: CpuShare }> {
    const slot = await freshSlot(capacity);
    const cpuBefore = await cpuNow();
    const samples: Sample[] = [];
    let next = 0;
    const spans: number[] = [];
    const seconds = await drive(async () => {
      const patient = patients[next++];
      if (!patient) return false;
      const started = performance.now();
      const lockFrom = await transact((exec) => rawBooking(exec, slot, patient, full));
      const ended = performance.now();
      const ok = lockFrom !== false;
      // COMMIT has just returned: the slot row was locked from its UPDATE until now.
      if (ok) spans.push(ended - lockFrom);
      samples.push({ ms: ended - started, ok, ...(ok ? {} : { code: 'SOLD_OUT' }) });
      return ok;
    });
    const cpu = cpuShare(cpuBefore, await cpuNow(), samples.length);
    const sorted = spans.sort((a, b) => a - b);
    return { ...summarise(label, samples, seconds, 'ok'), lockMs: percentile(sorted, 50), cpu };
  }


  // -------------------------------------------------------------------------------------------
  // (b) and (c): the full path over HTTP.
  // One API process per `--servers`, as production runs many stateless instances; clients
  // spread their requests over them round-robin, each server holding its share of connections.
  const startServer = async () => {
    const server = fork(new URL('./booking-server.ts', import.meta.url), {
      // The server loads TypeScript as this process does.
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        BENCH_SERVER_OPTIONS: JSON.stringify({ databaseUrl, driver, poolSize: Math.max(4, Math.ceil(clients / servers)), roundTripMs, logLevel }),
      },
      // Its log lines (one per request) go to /dev/null: formatted and written, never read.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    cleanups.push(async () => {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.send('close');
      await exited;
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.once('message', (m: { port: number }) => resolve(m.port));
      server.once('error', reject);
      server.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    });
    const cpuMs = () =>
      new Promise<number>((resolve) => {
        const listener = (m: { cpuMs?: number }) => {
          if (m.cpuMs === undefined) return;
          server.off('message', listener);
          resolve(m.cpuMs);
        };
        server.on('message', listener);
        server.send('cpu');
      });
    const profile = (command: 'start' | 'stop', file?: string) =>
      new Promise<void>((resolve) => {
        const listener = (m: { profiled?: string }) => {
          if (m.profiled !== command) return;
          server.off('message', listener);
          resolve();
        };
        server.on('message', listener);
        server.send({ profile: command, file });
      });
    return { port, cpuMs, profile };
  };
  const apiServers = await Promise.all(Array.from({ length: servers }, startServer));
  const serverCpuMs = async () => (await Promise.all(apiServers.map((api) => api.cpuMs()))).reduce((a, b) => a + b, 0);
  cpuNow = async () => ({ client: ownCpuMs(), server: await serverCpuMs(), db: databaseCpuMs() });
  const profileServers = async (command: 'start' | 'stop', name?: string) => {
    if (!profileDir) return;
    await Promise.all(apiServers.map((api, i) => api.profile(command, name && `${profileDir}/${name}-server${i}.cpuprofile`)));
  };
  if (profileDir) (await import('node:fs')).mkdirSync(profileDir, { recursive: true });
  // A lean HTTP/1.1 client, one keep-alive connection per simulated patient (as wrk or
  // autocannon do): node:http's client costs about as much CPU per request as the refusal path
  // itself, and on a small machine that would be measured instead of the server.
  const connections = Array.from({ length: clients }, (_, i) => new LeanConnection(apiServers[i % servers]!.port));
  cleanups.push(async () => connections.forEach((c) => c.close()));

  const tokens = await Promise.all(patients.map((p) => signAccessToken(config, { userId: p.userId, role: 'patient' }, new Date())));

  async function post(client: number, path: string, token: string, body: unknown): Promise<{ status: number; code?: string }> {
    const payload = JSON.stringify(body);
    const { status, text } = await connections[client]!.send(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n` +
        `Idempotency-Key: ${randomUUID()}\r\n\r\n${payload}`,
    );
    const code = status >= 300 ? /"code":"([A-Z_]+)"/.exec(text)?.[1] : undefined;
    return { status, ...(code ? { code } : {}) };
  }

  async function httpPhases(round: number | 'warmup', capacity = bookings, refuseFor = refuseSeconds) {
    const httpSlot = await freshSlot(capacity);
    await profileServers('start');
    const cpuBefore = await cpuNow();
    const bookSamples: Sample[] = [];
    let nextPatient = 0;
    let soldOut = false;
    const httpSeconds = await drive(async (client) => {
      const index = nextPatient++;
      const patient = patients[index];
      if (!patient || soldOut) return false;
      const started = performance.now();
      const res = await post(client, '/api/v1/appointments', tokens[index]!, { slotId: httpSlot.slotId, profileId: patient.profileId });
      bookSamples.push({ ms: performance.now() - started, ok: res.status === 201, ...(res.code ? { code: res.code } : {}) });
      if (res.code === 'SLOT_FULL') soldOut = true;
      return res.status === 201 || res.code === 'DATABASE_BUSY';
    });
    const full = summarise('(b)  full path, HTTP → MariaDB', bookSamples, httpSeconds, 'ok');
    const cpuAfterBookings = await cpuNow();
    await profileServers('stop', `round${round}-b`);
    await profileServers('start');

    const refusalSamples: Sample[] = [];
    const until = performance.now() + refuseFor * 1000;
    const refusalSeconds = await drive(async (client) => {
      if (performance.now() >= until) return false;
      const index = client % patients.length;
      const started = performance.now();
      const res = await post(client, '/api/v1/appointments', tokens[index]!, { slotId: httpSlot.slotId, profileId: patients[index]!.profileId });
      refusalSamples.push({ ms: performance.now() - started, ok: res.code === 'SLOT_FULL', ...(res.code ? { code: res.code } : {}) });
      return true;
    });
    const refusals = summarise('(c)  refusals of the sold-out slot', refusalSamples, refusalSeconds, 'all');
    const cpuAfterRefusals = await cpuNow();
    await profileServers('stop', `round${round}-c`);

    return {
      full,
      refusals,
      msPerBooking: (httpSeconds * 1000) / Math.max(1, full.successes),
      cpuPerBooking: cpuShare(cpuBefore, cpuAfterBookings, bookSamples.length),
      cpuPerRefusal: cpuShare(cpuAfterBookings, cpuAfterRefusals, refusalSamples.length),
    };
  }

  // Phases alternate for `--rounds` rounds; the medians are reported, so a burst of load from
  // elsewhere on the machine skews one round, not the result.
  type HttpResult = Awaited<ReturnType<typeof httpPhases>>;
  type RawResult = Awaited<ReturnType<typeof rawPhase>>;
  const roundResults: Array<{ rawFull: RawResult; rawBare: RawResult } & HttpResult> = [];
  if (warmup > 0) {
    const capacity = Math.min(warmup, bookings);
    await rawPhase('warm-up', true, capacity);
    await httpPhases('warmup', capacity, 1);
  }
  for (let round = 1; round <= rounds; round++) {
    const rawFull = await rawPhase('(a)  raw, the booking transaction', true);
    const rawBare = await rawPhase('(a0) raw, bare UPDATE + INSERT', false);
    const http = await httpPhases(round);
    roundResults.push({ rawFull, rawBare, ...http });
    console.log(
      `round ${round}: (a) ${rawFull.perSecond.toFixed(0)}/s, (a0) ${rawBare.perSecond.toFixed(0)}/s, ` +
        `(b) ${http.full.perSecond.toFixed(0)}/s, (c) ${http.refusals.perSecond.toFixed(0)}/s`,
    );
  }
  const median = <T>(pick: (r: (typeof roundResults)[number]) => T & { perSecond: number }): T & { perSecond: number } => {
    const sorted = roundResults.map(pick).sort((x, y) => x.perSecond - y.perSecond);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  const medianOf = (pick: (r: (typeof roundResults)[number]) => number) => {
    const sorted = roundResults.map(pick).sort((x, y) => x - y);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  const rawFull = median((r) => r.rawFull);
  const rawBare = median((r) => r.rawBare);
  const full = median((r) => r.full);
  const refusals = median((r) => r.refusals);
  console.log('');

  // -------------------------------------------------------------------------------------------
  const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(8);
  console.log(`median of ${rounds} round${rounds > 1 ? 's' : ''}                         per s     p50 ms   p99 ms   answers`);
  for (const r of [rawFull, rawBare, full, refusals]) {
    const answers = Object.entries(r.codes).map(([code, n]) => `${code} ${n}`).join(', ');
    console.log(`${r.label.padEnd(40)} ${fmt(r.perSecond, 0)} ${fmt(r.p50, 2)} ${fmt(r.p99, 2)}   ${answers}`);
  }
  console.log('');
  const perRound = (pick: (r: (typeof roundResults)[number]) => number) => roundResults.map(pick).map((x) => x.toFixed(2)).join(' ');
  console.log(
    `(b)/(a)   ${(full.perSecond / rawFull.perSecond).toFixed(2)}   (target ≥ 0.6 at 64 clients; ` +
      `per round ${perRound((r) => r.full.perSecond / r.rawFull.perSecond)})`,
  );
  console.log(`(b)/(a0)  ${(full.perSecond / rawBare.perSecond).toFixed(2)}   (against the bare two statements)`);
  console.log(
    `(c)/(b)   ${(refusals.perSecond / full.perSecond).toFixed(1)}   (target ≥ 5; ` +
      `per round ${perRound((r) => r.refusals.perSecond / r.full.perSecond)})`,
  );
  console.log(
    `slot row locked per booking: ${rawFull.lockMs.toFixed(2)} ms (p50, UPDATE answered → COMMIT answered, timed in (a)); ` +
      `${medianOf((r) => r.msPerBooking).toFixed(2)} ms (wall time ÷ bookings in (b))` +
      (roundTripMs ? `; at ${roundTripMs} ms per statement the floor is INSERT + COMMIT = ${2 * roundTripMs} ms` : ''),
  );
  // CPU per request of each process, medians over the rounds: what the phases cost the machine.
  const cpuLine = (label: string, pick: (r: (typeof roundResults)[number]) => CpuShare) => {
    const client = medianOf((r) => pick(r).client);
    const server = medianOf((r) => pick(r).server);
    const dbMs = roundResults.every((r) => pick(r).db !== undefined) ? medianOf((r) => pick(r).db!) : undefined;
    const total = client + server + (dbMs ?? 0);
    console.log(
      `  ${label.padEnd(22)} ${fmt(client, 2)} ${fmt(server, 2)} ${dbMs === undefined ? '       –' : fmt(dbMs, 2)} ${fmt(total, 2)}`,
    );
  };
  console.log(`\nCPU ms per request          client   server  MariaDB    total   (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  cpuLine('(a)  raw transaction', (r) => r.rawFull.cpu);
  cpuLine('(b)  booking over HTTP', (r) => r.cpuPerBooking);
  cpuLine('(c)  refusal over HTTP', (r) => r.cpuPerRefusal);
  if (full.successes !== bookings) console.log(`\nWARNING: ${full.successes} of ${bookings} places were booked in (b)`);
} finally {
  await cleanUp();
}
