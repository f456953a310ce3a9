/**
 * The development SMS provider's outbox, readable (never in production): the developer, the H5
 * app in development and the browser tests read the codes "sent" from here.
 */
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';

export interface SentSms {
  text: string;
  code: string | null;
  sentAt: string;
}

/** The last five SMS sent to `phone`, newest first; ROUTE_NOT_FOUND unless the development provider is active. */
export async function recentDevSms(deps: AppDeps, phone: string): Promise<{ items: SentSms[] }> {
  if (deps.sms.name !== 'dev') throw new AppError('ROUTE_NOT_FOUND');
  const rows = await deps.db
    .selectFrom('notification')
    .select(['payload', 'created_at'])
    .where('channel', '=', 'sms')
    .where('recipient', '=', phone)
    .orderBy('id', 'desc')
    .limit(5)
    .execute();
  return {
    items: rows.map((r) => {
      const payload = JSON.parse(r.payload) as { text?: string; code?: string };
      return { text: payload.text ?? '', code: payload.code ?? null, sentAt: r.created_at.toISOString() };
    }),
  };
}
