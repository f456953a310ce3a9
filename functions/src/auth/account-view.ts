/** How an account is shown (the account's own `me`, the admin's lists): never its secrets. */
import type { Role } from '../context.js';
import type { Db } from '../db/create-db.js';
import { AppError } from '../errors.js';

export interface AccountView {
  id: number;
  phone: string;
  role: Role;
  status: 'active' | 'disabled';
  displayName: string | null;
  createdAt: string;
  /** Until the owner sets their own password, only the password change, logout and `me` are answered. */
  mustChangePassword: boolean;
}

export type AccountRow = {
  id: number;
  phone: string;
  role: Role;
  status: 'active' | 'disabled';
  display_name: string | null;
  created_at: Date;
  must_change_password: number;
};

export function toAccountView(user: AccountRow): AccountView {
  return {
    id: user.id,
    phone: user.phone,
    role: user.role,
    status: user.status,
    displayName: user.display_name,
    createdAt: user.created_at.toISOString(),
    mustChangePassword: user.must_change_password === 1,
  };
}

/** The columns `toAccountView` reads. */
export const ACCOUNT_COLUMNS = ['id', 'phone', 'role', 'status', 'display_name', 'created_at', 'must_change_password'] as const;

/** The signed-in account (`GET /me`). */
export async function getAccount(db: Db, userId: number): Promise<AccountView> {
  const user = await db.selectFrom('user_account').select(ACCOUNT_COLUMNS).where('id', '=', userId).executeTakeFirst();
  if (!user) throw new AppError('NOT_FOUND');
  return toAccountView(user);
}

