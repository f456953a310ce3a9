/**
 * The admin's login, kept in localStorage so a reload stays signed in. Listeners hear every change,
 * so the shell leaves for the login page the moment a refresh is refused anywhere.
 */
import type { Account, TokenPair } from './schema';

export interface AdminSession {
  account: Account;
  tokens: TokenPair;
}

const KEY = 'bx87h9.admin.session';
const listeners = new Set<(session: AdminSession | null) => void>();

let current: AdminSession | null = read();

function read(): AdminSession | null {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as AdminSession | null;
    // A stored login of another role (shared browser, old build) is not an admin's: ignore it.
    return stored?.account?.role === 'admin' && stored.tokens?.refreshToken ? stored : null;
  } catch {
    return null;
  }
}

function write(session: AdminSession | null): void {
  current = session;
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
  for (const listener of listeners) listener(session);
}

export const currentSession = (): AdminSession | null => current;
export const signIn = (session: AdminSession): void => write(session);
export const signOut = (): void => write(null);
export function replaceTokens(tokens: TokenPair): void {
  if (current) write({ ...current, tokens });
}
/** The server says this login must change its password first: the shell shows only that page. */
export function requirePasswordChange(): void {
  if (current && !current.account.mustChangePassword) write({ ...current, account: { ...current.account, mustChangePassword: true } });
}
/** The password was changed (fresh tokens): the change an admin required is done. */
export function passwordChanged(tokens: TokenPair): void {
  if (current) write({ account: { ...current.account, mustChangePassword: false }, tokens });
}
export function onSessionChange(listener: (session: AdminSession | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
