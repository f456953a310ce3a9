/**
 * The audit log: one row per sensitive action, success or failure, written in the same
 * transaction as the change when there is one (pass the `trx`), so the two cannot disagree.
 */
import type { Db } from '../db/create-db.js';
import type { Trx } from '../db/transaction.js';
import type { Principal, RequestMeta } from '../http/route.js';

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

export async function recordAudit(db: Db | Trx, entry: AuditEntry, now: Date): Promise<void> {
  const actor = entry.actor;
  await db
    .insertInto('audit_log')
    .values({
      actor_user_id: actor && actor !== 'system' ? actor.userId : null,
      actor_role: actor === 'system' ? 'system' : (actor?.role ?? 'anonymous'),
      action: entry.action,
      target_type: entry.target?.type ?? null,
      target_id: entry.target ? String(entry.target.id) : null,
      outcome: entry.outcome ?? 'success',
      ip: entry.meta?.ip ?? null,
      request_id: entry.meta?.requestId ?? null,
      summary: entry.summary ? JSON.stringify(entry.summary) : null,
      created_at: now,
    })
    .execute();
}
