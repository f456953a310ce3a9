/**
 * A patient account's 就诊人 as the console shows them: the same masked view the patient gets
 * (ID number and phone masked; the clear ID number never leaves patient/), and every read is
 * audited, because it is personal data read by someone other than its owner.
 */
import { recordAudit } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../context.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { listProfiles, type ProfileView } from '../patient/profiles.js';

/**
 * The live profiles of patient account `accountId`, default first. Another role's account or a
 * missing one is NOT_FOUND (staff have no 就诊人). The audit row names the account and how many
 * profiles were shown.
 */
export async function accountProfiles(deps: AppDeps, admin: Principal, accountId: number, meta: RequestMeta): Promise<ProfileView[]> {
  const account = await deps.db.selectFrom('user_account').select('role').where('id', '=', accountId).executeTakeFirst();
  if (account?.role !== 'patient') throw new AppError('NOT_FOUND', '患者账号不存在');
  const profiles = await listProfiles(deps, accountId);
  await recordAudit(
    deps.db,
    { actor: admin, action: 'patient_profile.view', target: { type: 'user_account', id: accountId }, meta, summary: { profiles: profiles.length } },
    deps.clock.now(),
  );
  return profiles;
}
