/** 消息: the patient's inbox (GET/POST /me/messages…). */
import { call } from './request';
import type { InboxPage } from './types';

export function fetchMessages(cursor?: string) {
  return call<InboxPage>('GET', `/me/messages?limit=20${cursor ? `&cursor=${cursor}` : ''}`);
}

export async function fetchUnreadCount(): Promise<number> {
  return (await call<{ unread: number }>('GET', '/me/messages/unread-count')).unread;
}

export function markMessageRead(id: number) {
  return call<{ ok: true }>('POST', `/me/messages/${id}/read`);
}

export function markAllMessagesRead() {
  return call<{ marked: number }>('POST', '/me/messages/read-all');
}
