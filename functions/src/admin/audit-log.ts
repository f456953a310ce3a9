/**
 * The audit log as admins read it: filtered by actor, action, target and Shanghai day, newest
 * first, a bounded page at a time. Summaries are written personal-data-free (audit/audit.ts:
 * phones masked, no ID numbers, no secrets); the actor's phone is masked here as everywhere.
 */
import * as z from 'zod';
import { maskPhone } from '../auth/phone.js';
import type { Db } from '../db/create-db.js';
import { localDateSchema } from '../schemas.js';
import { shanghaiDayRange } from './shanghai-range.js';

export const auditLogQuerySchema = z.strictObject({
  actor: z
    .string()
    .trim()
    .regex(/^\d{1,15}$/, '操作人请填写用户编号或 11 位手机号')
    .optional()
    .meta({ description: '操作人：用户编号，或 11 位手机号' }),
  action: z.string().trim().min(1).max(64).optional().meta({ description: '操作代码，如 booking_rule.update；以 . 结尾时按前缀匹配' }),
  targetType: z.string().trim().min(1).max(32).optional(),
  targetId: z.string().trim().min(1).max(64).optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  from: localDateSchema.optional(),
  to: localDateSchema.optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type AuditLogQuery = z.output<typeof auditLogQuerySchema>;

export const auditEntrySchema = z
  .object({
    id: z.number().int(),
    createdAt: z.iso.datetime(),
    actor: z.object({
      userId: z.number().int().nullable(),
      role: z.enum(['patient', 'doctor', 'admin', 'system', 'anonymous']),
      name: z.string().nullable().meta({ description: '账号显示名（患者账号不显示）' }),
      phone: z.string().nullable().meta({ description: '脱敏手机号，如 138****8000' }),
    }),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    outcome: z.enum(['success', 'failure']),
    ip: z.string().nullable().meta({ description: '来源 IP（末段隐去）' }),
    requestId: z.string().nullable(),
    summary: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntryView = z.input<typeof auditEntrySchema>;

export const auditPageSchema = z.object({
  items: z.array(auditEntrySchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

const PHONE = /^1\d{10}$/;

/** One page of the audit log, newest first (id order is insertion order). */
export async function listAuditLog(db: Db, query: AuditLogQuery): Promise<z.input<typeof auditPageSchema>> {
  let q = db.selectFrom('audit_log as l').leftJoin('user_account as u', 'u.id', 'l.actor_user_id');
  if (query.actor !== undefined) {
    // An 11-digit number starting with 1 is a phone; anything else an account id.
    if (PHONE.test(query.actor)) q = q.where('u.phone', '=', query.actor);
    else q = q.where('l.actor_user_id', '=', Number(query.actor));
  }
  if (query.action) {
    q = query.action.endsWith('.') ? q.where('l.action', 'like', `${query.action.replace(/[\\%_]/g, '\\$&')}%`) : q.where('l.action', '=', query.action);
  }
  if (query.targetType) q = q.where('l.target_type', '=', query.targetType);
  if (query.targetId) q = q.where('l.target_id', '=', query.targetId);
  if (query.outcome) q = q.where('l.outcome', '=', query.outcome);
  const { start, end } = shanghaiDayRange(query.from, query.to);
  if (start) q = q.where('l.created_at', '>=', start);
  if (end) q = q.where('l.created_at', '<', end);

  const [rows, count] = await Promise.all([
    q
      .select([
        'l.id', 'l.created_at', 'l.actor_user_id', 'l.actor_role', 'l.action', 'l.target_type', 'l.target_id',
        'l.outcome', 'l.ip', 'l.request_id', 'l.summary', 'u.phone', 'u.display_name',
      ])
      .orderBy('l.id', 'desc')
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      id: Number(r.id),
      createdAt: r.created_at.toISOString(),
      actor: {
        userId: r.actor_user_id === null ? null : Number(r.actor_user_id),
        role: r.actor_role,
        // A patient's display name may be their real name: only staff names are shown.
        name: r.actor_role === 'patient' ? null : (r.display_name ?? null),
        phone: r.phone ? maskPhone(r.phone) : null,
      },
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      outcome: r.outcome,
      ip: r.ip ? maskIp(r.ip) : null,
      requestId: r.request_id,
      summary: parseSummary(r.summary),
    })),
    total: Number(count.n),
    page: query.page,
    pageSize: query.pageSize,
  };
}

function parseSummary(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { text };
  }
}

/** 192.168.1.* / 2001:db8:…:*: enough to tell sources apart, not to locate a person. */
export function maskIp(ip: string): string {
  if (ip.includes('.')) return ip.replace(/\.\d+$/, '.*');
  const parts = ip.split(':');
  return parts.length > 2 ? `${parts.slice(0, 3).join(':')}:*` : ip;
}
