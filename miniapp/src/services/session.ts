/**
 * The signed-in patient's tokens, kept in Taro storage (localStorage on H5) so a reload or a
 * mini-program restart stays signed in. Pages subscribe to learn about sign-in and sign-out.
 */
import Taro from '@tarojs/taro';
import type { Account, TokenPair } from './types';

const STORAGE_KEY = 'bx87h9.session';

export interface StoredSession {
  account: Account;
  accessToken: string;
  refreshToken: string;
}

type Listener = (session: StoredSession | null) => void;
const listeners = new Set<Listener>();
let cached: StoredSession | null | undefined;

export function currentSession(): StoredSession | null {
  if (cached === undefined) {
    const stored: unknown = Taro.getStorageSync(STORAGE_KEY);
    const session = stored && typeof stored === 'object' ? (stored as StoredSession) : null;
    // A login of another role kept from before this app admitted only its own: not ours to use.
    cached = session?.account.role === process.env.TARO_APP_ROLE ? session : null;
  }
  return cached;
}

function save(session: StoredSession | null): void {
  cached = session;
  if (session) Taro.setStorageSync(STORAGE_KEY, session);
  else Taro.removeStorageSync(STORAGE_KEY);
  listeners.forEach((listener) => listener(session));
}

export function signIn(account: Account, tokens: TokenPair): void {
  save({ account, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
}

/** After a refresh or a password change: same account, new token pair. */
export function replaceTokens(tokens: TokenPair): void {
  const session = currentSession();
  if (session) save({ ...session, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
}

export function signOut(): void {
  save(null);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
