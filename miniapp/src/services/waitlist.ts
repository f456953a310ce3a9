/** 候补: join a full session's waitlist, list mine with positions, leave. Used by the waitlist subpackage only. */
import { call } from './request';
import type { WaitlistEntry } from './types';

/** Refusals (WAITLIST_NOT_FULL, WAITLIST_LIMIT_REACHED…) are the caller's to show. */
export function joinWaitlist(sessionId: number, profileId: number, slotStarts?: string[]) {
  return call<WaitlistEntry>('POST', '/waitlist', { body: { sessionId, profileId, ...(slotStarts && slotStarts.length > 0 ? { slotStarts } : {}) }, quiet: true });
}

export async function fetchMyWaitlist(scope: 'active' | 'all' = 'all'): Promise<WaitlistEntry[]> {
  return (await call<{ items: WaitlistEntry[] }>('GET', '/waitlist', { query: { scope } })).items;
}

export function leaveWaitlist(id: number) {
  return call<WaitlistEntry>('POST', `/waitlist/${id}/leave`);
}
