/**
 * 科室排序: the order of a 大科's 小科 (or of the 大科 themselves) rewritten at once, as the
 * console's drag and drop sends it. The patient app lists departments by this order
 * (catalog.ts departmentTree: sort_order, then id).
 */
import { recordAudit } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../context.js';
import { inTransaction, type Trx } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { listDepartmentsForAdmin, type DepartmentAdminView } from './catalog-admin.js';

/** Gap between neighbours' sort orders, so a number typed in the edit form can still go between two. */
const SORT_STEP = 10;

/** The siblings under `parentId` (null: the 大科), active or not, locked against a concurrent reorder, move or insert. */
async function lockSiblings(trx: Trx, parentId: number | null) {
  let q = trx.selectFrom('department').select(['id', 'sort_order']);
  q = parentId === null ? q.where('parent_id', 'is', null) : q.where('parent_id', '=', parentId);
  return q.orderBy('sort_order').orderBy('id').forUpdate().execute();
}

/** What separates `ids` from the current siblings: empty lists when they are exactly the siblings, each once. */
function mismatch(ids: number[], siblings: number[]) {
  const current = new Set(siblings);
  const sent = new Set(ids);
  return {
    missing: siblings.filter((id) => !sent.has(id)),
    unexpected: [...sent].filter((id) => !current.has(id)),
    duplicates: [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))],
  };
}

/** The admin's reason in Chinese, or undefined when the list is right. */
function mismatchMessage(wrong: ReturnType<typeof mismatch>): string | undefined {
  if (wrong.duplicates.length > 0) return '排序中有重复的科室';
  if (wrong.unexpected.length > 0) return '排序中有不属于该上级科室的科室；调整所属大科请编辑科室的上级科室';
  if (wrong.missing.length > 0) return '排序缺少该上级科室下的部分科室（含停用），请刷新后重试';
  return undefined;
}

/**
 * Puts the departments under `parentId` (null: the 大科) in the order of `ids`. The list must be
 * exactly the current siblings, inactive ones included, each once: anything else — a department
 * of another parent (moving a 小科 is an edit of its 上级科室), a missing or repeated id, a list
 * made before someone added a sibling — is refused with 409 DEPARTMENT_ORDER_MISMATCH naming the
 * ids, and nothing changes. The siblings are locked first, so the check and the rewrite see the
 * same set; the audit entry (before and after) is written in the same transaction.
 */
export async function reorderDepartments(
  deps: AppDeps,
  actor: Principal,
  parentId: number | null,
  ids: number[],
  meta: RequestMeta,
): Promise<DepartmentAdminView[]> {
  const now = deps.clock.now();
  await inTransaction(deps.db, async (trx) => {
    const siblings = await lockSiblings(trx, parentId);
    if (parentId !== null) {
      const parent = await trx.selectFrom('department').select('id').where('id', '=', parentId).executeTakeFirst();
      if (!parent) throw new AppError('DEPARTMENT_NOT_FOUND', '上级科室不存在');
    }
    const wrong = mismatch(ids, siblings.map((s) => s.id));
    const refusal = mismatchMessage(wrong);
    if (refusal) throw new AppError('DEPARTMENT_ORDER_MISMATCH', refusal, wrong);
    const before = new Map(siblings.map((s) => [s.id, s.sort_order]));
    for (const [index, id] of ids.entries()) {
      const sortOrder = (index + 1) * SORT_STEP;
      if (before.get(id) === sortOrder) continue;
      await trx.updateTable('department').set({ sort_order: sortOrder, updated_at: now }).where('id', '=', id).execute();
    }
    await recordAudit(
      trx,
      { actor, action: 'department.reorder', target: { type: 'department', id: parentId ?? 'root' }, meta, summary: { parentId, before: siblings.map((s) => s.id), after: ids } },
      now,
    );
  });
  return listDepartmentsForAdmin(deps.db);
}
