import { call } from '../../services/request';
import { replaceTokens } from '../../services/session';
import type { TokenPair } from '../../services/types';

/** Changes the password: other devices are signed out, this one keeps going with the new tokens. */
export async function changePassword(oldPassword: string, newPassword: string): Promise<void> {
  replaceTokens(await call<TokenPair>('POST', '/me/password', { body: { oldPassword, newPassword } }));
}
