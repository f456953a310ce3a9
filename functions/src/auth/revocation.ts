/**
 * Revocation that takes effect at once: every authenticated request is checked against the
 * account's current state, so a disabled account, a logged-out device, a changed password, a
 * demoted admin or a deactivated doctor is refused on the next request, not when the 15-minute
 * access token expires.
 *
 * What a token is checked against (its claims come from auth/tokens.ts):
 *   - `sv`, the account's session_version when the token was issued. Disabling the account and
 *     setting its password raise the version (with session_changed_at), which refuses every
 *     token of the account, on every device.
 *   - `sid`, the login (refresh-token family) the token was issued to. Logging out, or presenting
 *     a stolen refresh token twice, revokes that family (refresh_token.revoked_at): that device's
 *     access tokens die, another phone's login of the same account lives on.
 *   - the role: a staff token must belong to a current staff account of that role, and a doctor
 *     whose doctor record is inactive (doctor.active = 0) keeps the account but not the doctor's
 *     routes (http/app.ts answers FORBIDDEN).
 *
 * Design choice: a per-process snapshot, at most one second old, instead of a read per request.
 * A read per request is one more round trip and a few hundred microseconds of CPU (driver and
 * database) on every booking; on the benchmark's CPU-bound machine that is several percent of
 * a booking's whole cost, and through PlanetScale it adds a round trip to every request. The
 * snapshot costs nothing per request: each process loads, at most once a second and only when
 * it serves requests, (1) every staff account with its role, status, version and doctor flag
 * (a hospital has hundreds), (2) every account whose version changed, and (3) every login
 * revoked, within the longest life of an access token (older tokens are expired anyway). Three
 * indexed queries, run in parallel.
 *   - Another process's change is honoured within 1 s: a snapshot is used for at most one second
 *     from the moment its load *started* (so a load that raced the change cannot outlive it).
 *   - This process's change is honoured at once: the auth modules (and the doctor admin) call
 *     `sessionsChanged` after committing, which drops the snapshot, and a load that started
 *     before the change is not kept (a generation counter), so the next request reloads.
 * Age is measured on the monotonic clock, not the app's clock (which tests move).
 *
 * Tokens signed before `sid`/`sv` existed count as version 0 of no named login: a disable or a
 * password change still refuses them; a logout does not (they expire within 15 minutes).
 */
import { sql } from 'kysely';
import type { Role } from '../context.js';
import type { Db } from '../db/create-db.js';
import { AppError } from '../errors.js';
import type { AccessClaims } from './tokens.js';

/** How long a process may act on what it last read (the bound for other processes). */
export const SNAPSHOT_MAX_AGE_MS = 1000;
/** Clock skew allowed between processes when choosing which recent changes to load. */
const SKEW_MARGIN_MS = 5 * 60_000;

interface AccountState {
  role: Role;
  status: 'active' | 'disabled';
  version: number;
  /** False only for a doctor account whose doctor record is inactive. */
  doctorActive: boolean;
}

interface Snapshot {
  /** Staff accounts, and any account whose session version changed recently. */
  accounts: Map<number, AccountState>;
  staff: Set<number>;
  revokedSessions: Set<string>;
}

interface Cache {
  generation: number;
  current?: { snapshot: Snapshot; startedAt: number; generation: number };
  loading?: { promise: Promise<Snapshot>; generation: number };
  /** Tokens already judged again on a fresh load after a refusal (see checkNotRevoked). */
  rechecked: Set<string>;
}

const RECHECKED_MAX = 10_000;

const caches = new WeakMap<Db, Cache>();

function cacheOf(db: Db): Cache {
  let cache = caches.get(db);
  if (!cache) {
    cache = { generation: 0, rechecked: new Set() };
    caches.set(db, cache);
  }
  return cache;
}

/**
 * Call after committing a change that revokes tokens (disable, password, logout, role, doctor
 * deactivation): this process's next request sees it.
 */
export function sessionsChanged(db: Db): void {
  const cache = cacheOf(db);
  cache.generation += 1;
  cache.current = undefined;
  cache.loading = undefined;
}

async function load(db: Db, since: Date): Promise<Snapshot> {
  const [staff, changed, revoked] = await Promise.all([
    db
      .selectFrom('user_account as u')
      .leftJoin('doctor as d', 'd.user_id', 'u.id')
      .select(['u.id', 'u.role', 'u.status', 'u.session_version', 'd.active as doctorActive'])
      .where('u.role', 'in', ['doctor', 'admin'])
      .execute(),
    db
      .selectFrom('user_account')
      .select(['id', 'role', 'status', 'session_version'])
      .where('session_changed_at', '>', since)
      .execute(),
    db
      .selectFrom('refresh_token')
      .select(sql<string>`DISTINCT family_id`.as('familyId'))
      .where('revoked_at', '>', since)
      .execute(),
  ]);
  const accounts = new Map<number, AccountState>();
  for (const a of changed) accounts.set(Number(a.id), { role: a.role, status: a.status, version: Number(a.session_version), doctorActive: true });
  for (const a of staff) {
    // A doctor account without a doctor record yet is not "deactivated"; its doctor routes find nothing.
    const doctorActive = a.doctorActive === null || Number(a.doctorActive) === 1;
    accounts.set(Number(a.id), { role: a.role, status: a.status, version: Number(a.session_version), doctorActive });
  }
  return { accounts, staff: new Set(staff.map((a) => Number(a.id))), revokedSessions: new Set(revoked.map((r) => r.familyId)) };
}

async function snapshotOf(db: Db, now: Date, accessTokenTtlSeconds: number): Promise<Snapshot> {
  const cache = cacheOf(db);
  const current = cache.current;
  if (current && current.generation === cache.generation && performance.now() - current.startedAt < SNAPSHOT_MAX_AGE_MS) return current.snapshot;
  if (cache.loading && cache.loading.generation === cache.generation) return cache.loading.promise;

  const generation = cache.generation;
  const startedAt = performance.now();
  const since = new Date(now.getTime() - accessTokenTtlSeconds * 1000 - SKEW_MARGIN_MS);
  const promise = load(db, since).then(
    (snapshot) => {
      // A change committed while this load ran has bumped the generation: do not keep it.
      if (cache.generation === generation) cache.current = { snapshot, startedAt, generation };
      if (cache.loading?.promise === promise) cache.loading = undefined;
      return snapshot;
    },
    (error: unknown) => {
      if (cache.loading?.promise === promise) cache.loading = undefined;
      throw error;
    },
  );
  cache.loading = { promise, generation };
  return promise;
}

/**
 * The rule: a token is honoured only while its account is active, its session version is the
 * account's current one, its login has not ended, and its role is the account's role. Answers
 * whether a doctor's token still carries the doctor's powers (false once deactivated).
 *
 * A snapshot cannot judge a token signed after its load began (e.g. the first login of a staff
 * account created a moment ago by another process, or of an account enabled again): so a token
 * it refuses is judged again on a fresh load before the refusal stands — once per token, so a
 * refused token presented again costs nothing, and fresh loads are bounded by logins.
 */
export async function checkNotRevoked(
  db: Db,
  token: string,
  claims: AccessClaims,
  now: Date,
  accessTokenTtlSeconds: number,
): Promise<{ doctorActive: boolean }> {
  const snapshot = await snapshotOf(db, now, accessTokenTtlSeconds);
  try {
    return judge(snapshot, claims);
  } catch (error) {
    const cache = cacheOf(db);
    if (cache.rechecked.has(token)) throw error;
    if (cache.rechecked.size >= RECHECKED_MAX) cache.rechecked.clear();
    cache.rechecked.add(token);
    sessionsChanged(db);
    return judge(await snapshotOf(db, now, accessTokenTtlSeconds), claims);
  }
}

function judge(snapshot: Snapshot, claims: AccessClaims): { doctorActive: boolean } {
  const account = snapshot.accounts.get(claims.userId);
  const revoked = () => new AppError('TOKEN_INVALID', '登录已失效，请重新登录');
  if (account && account.status !== 'active') throw new AppError('ACCOUNT_DISABLED');
  if (claims.role !== 'patient' && !snapshot.staff.has(claims.userId)) throw revoked(); // demoted
  if (claims.sessionId !== undefined && snapshot.revokedSessions.has(claims.sessionId)) throw revoked();
  if (!account) return { doctorActive: true };
  if (claims.sessionVersion < account.version || account.role !== claims.role) throw revoked();
  return { doctorActive: account.doctorActive };
}
