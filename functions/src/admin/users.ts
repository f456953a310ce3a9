/** The admin's list of accounts (any role). Creating and disabling them: auth/staff-accounts.ts. */
import type { Role } from '../context.js';
import type { Db } from '../db/create-db.js';
import { maskPhone } from '../auth/phone.js';
import { ACCOUNT_COLUMNS, toAccountView, type AccountView } from '../auth/account-view.js';

export interface AccountListQuery {
  role?: Role | undefined;
  /** A prefix of the phone number. */
  phone?: string | undefined;
  page: number;
  pageSize: number;
}

export interface AccountListPage {
  items: (AccountView & { failedLoginCount: number; lockedUntil: string | null })[];
  total: number;
  page: number;
  pageSize: number;
}

/** Accounts, newest first, a page at a time; admins see accounts, not personal data, so phones are masked. */
export async function listAccounts(db: Db, query: AccountListQuery): Promise<AccountListPage> {
  let q = db.selectFrom('user_account');
  if (query.role) q = q.where('role', '=', query.role);
  if (query.phone) q = q.where('phone', 'like', `${query.phone}%`);
  const columns = [...ACCOUNT_COLUMNS, 'failed_login_count', 'locked_until'] as const;
  const [rows, count] = await Promise.all([
    q.select(columns).orderBy('id', 'desc').limit(query.pageSize).offset((query.page - 1) * query.pageSize).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      ...toAccountView(r),
      phone: maskPhone(r.phone),
      failedLoginCount: r.failed_login_count,
      lockedUntil: r.locked_until?.toISOString() ?? null,
    })),
    total: Number(count.n),
    page: query.page,
    pageSize: query.pageSize,
  };
}
