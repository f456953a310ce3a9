import { call } from '../../services/request';
import { currentSession, signIn } from '../../services/session';
import type { TokenPair } from '../../services/types';

/**
 * Changes the password: other devices are signed out, this one keeps going with the new tokens,
 * and a change the admin required is done.
 */
export async function changePassword(oldPassword: string, newPassword: string): Promise<void> {
  const tokens = await call<TokenPair>('POST', '/me/password', { body: { oldPassword, newPassword } });
  const session = currentSession();
  if (session) signIn({ ...session.account, mustChangePassword: false }, tokens);
}
