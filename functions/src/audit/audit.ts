/**
 * The audit log: one row per sensitive action, success or failure, written in the same
 * transaction as the change when there is one (pass the `trx`), so the two cannot disagree.
 */
import { CompiledQuery } from 'kysely';
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import type { Trx } from '../db/transaction.js';

export interface AuditEntry {
  /** Who did it; undefined for an anonymous caller (e.g. a failed login), 'system' for jobs. */
  actor: Principal | 'system' | undefined;
  action: string;
  target?: { type: string; id: string | number };
  outcome?: 'success' | 'failure';
  meta?: RequestMeta;
  /** Before/after or the reason of a failure. Never passwords, tokens, codes or ID numbers. */
  summary?: Record<string, unknown>;
}

/*
 * One fixed statement, compiled once: the audit row is written inside every booking's
 * transaction, and building it with the query builder each time cost a tenth of a booking's
 * JavaScript time (bench/booking-burst.ts --cpu-prof).
 */
const INSERT_AUDIT = `INSERT INTO audit_log
  (actor_user_id, actor_role, action, target_type, target_id, outcome, ip, request_id, summary, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export async function recordAudit(db: Db | Trx, entry: AuditEntry, now: Date): Promise<void> {
  const actor = entry.actor;
  await db.executeQuery(
    CompiledQuery.raw(INSERT_AUDIT, [
      actor && actor !== 'system' ? actor.userId : null,
      actor === 'system' ? 'system' : (actor?.role ?? 'anonymous'),
      entry.action,
      entry.target?.type ?? null,
      entry.target ? String(entry.target.id) : null,
      entry.outcome ?? 'success',
      entry.meta?.ip ?? null,
      entry.meta?.requestId ?? null,
      entry.summary ? JSON.stringify(entry.summary) : null,
      now,
    ]),
  );
}
