/**
 * An account an admin created, or whose password an admin reset, must set its own password
 * before anything else: the login says so (account.mustChangePassword), and every other API call
 * answers 403 PASSWORD_CHANGE_REQUIRED until then. Both lead to the 修改密码 page in its
 * first-login form.
 */
import Taro from '@tarojs/taro';
import type { Chain } from '../../services/interceptors';

export const FIRST_PASSWORD_PAGE = '/pages/password/index?first=1';

/** Opens the change-password page in its first-login form, unless it is already open. */
export function goToFirstPasswordChange(): void {
  const current = Taro.getCurrentPages().at(-1)?.route ?? '';
  if (current.includes('pages/password/index')) return;
  void Taro.redirectTo({ url: FIRST_PASSWORD_PAGE });
}

/** A request interceptor: a PASSWORD_CHANGE_REQUIRED answer (a session kept from before) sends the doctor there. */
export async function passwordChangeRequired(chain: Chain) {
  const response = await chain.proceed(chain.requestParams);
  const code = (response.data as { error?: { code?: string } } | undefined)?.error?.code;
  if (response.statusCode === 403 && code === 'PASSWORD_CHANGE_REQUIRED') goToFirstPasswordChange();
  return response;
}
