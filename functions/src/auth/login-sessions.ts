/**
 * A login (session): a refresh-token family and the access tokens issued to it. Starting or
 * continuing one (`issueTokens`), ending one (`revokeFamily`) and ending all of an account's
 * (`endAllSessions`); auth/revocation.ts refuses the access tokens of an ended one at once.
 */
import { randomUUID } from 'node:crypto';
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import type { Trx } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import type { AccountView } from './account-view.js';
import { newRefreshToken, sha256Hex, signAccessToken } from './tokens.js';

export interface TokenPair {
  accessToken: string;
  accessTokenExpiresIn: number;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

export interface Session {
  account: AccountView;
  tokens: TokenPair;
}

/**
 * Starts a new refresh-token family (a login) or continues one (a refresh). The access token
 * names the family and the account's session version, so revoking either refuses it
 * (auth/revocation.ts), and says whether the account must change its password first.
 */
export async function issueTokens(
  deps: AppDeps,
  db: Db | Trx,
  user: Principal,
  meta: RequestMeta,
  account: { sessionVersion: number; mustChangePassword: boolean },
  familyId: string = randomUUID(),
): Promise<TokenPair> {
  const now = deps.clock.now();
  const refreshToken = newRefreshToken();
  const expiresAt = new Date(now.getTime() + deps.config.refreshTokenTtlDays * 86_400_000);
  await db
    .insertInto('refresh_token')
    .values({
      user_id: user.userId,
      family_id: familyId,
      token_hash: sha256Hex(refreshToken),
      expires_at: expiresAt,
      user_agent: meta.userAgent ?? null,
      ip: meta.ip,
      created_at: now,
    })
    .execute();
  return {
    accessToken: await signAccessToken(deps.config, user, now, { id: familyId, version: account.sessionVersion, mustChangePassword: account.mustChangePassword }),
    accessTokenExpiresIn: deps.config.accessTokenTtlSeconds,
    refreshToken,
    refreshTokenExpiresAt: expiresAt.toISOString(),
  };
}

/** Revokes every token of one login (refresh-token family). */
export async function revokeFamily(db: Db | Trx, familyId: string, now: Date): Promise<void> {
  await db.updateTable('refresh_token').set({ revoked_at: now }).where('family_id', '=', familyId).where('revoked_at', 'is', null).execute();
}

/**
 * Ends every login of the account: its refresh tokens are revoked and its session version is
 * raised, so every access token already issued is refused too. The caller commits, then calls
 * `sessionsChanged` so this process sees it at once.
 */
export async function endAllSessions(trx: Trx, userId: number, now: Date): Promise<void> {
  await trx
    .updateTable('user_account')
    .set((eb) => ({ session_version: eb('session_version', '+', 1), session_changed_at: now }))
    .where('id', '=', userId)
    .execute();
  await trx.updateTable('refresh_token').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}

