/** Admin management of departments and doctors. A doctor's login account is created with them. */
import { createStaffAccount } from '../auth/staff-accounts.js';
import { sessionsChanged } from '../auth/revocation.js';
import { recordAudit } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import { isDuplicateKey } from '../db/driver-errors.js';
import { inTransaction, type Trx } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { shanghaiDate } from '../time/shanghai.js';
import { TITLE_LABELS, type DoctorTitle } from './catalog.js';

export interface DepartmentInput {
  code: string;
  name: string;
  parentId: number | null;
  intro: string | null;
  location: string | null;
  sortOrder: number;
  active: boolean;
}

export interface DepartmentAdminView extends DepartmentInput {
  id: number;
  doctorCount: number;
}

export async function listDepartmentsForAdmin(db: Db): Promise<DepartmentAdminView[]> {
  const rows = await db
    .selectFrom('department as dep')
    .leftJoin('doctor', 'doctor.department_id', 'dep.id')
    .select((eb) => ['dep.id', 'dep.code', 'dep.name', 'dep.parent_id', 'dep.intro', 'dep.location', 'dep.sort_order', 'dep.active', eb.fn.count<number>('doctor.id').as('doctorCount')])
    .groupBy(['dep.id', 'dep.code', 'dep.name', 'dep.parent_id', 'dep.intro', 'dep.location', 'dep.sort_order', 'dep.active'])
    .orderBy('dep.sort_order')
    .orderBy('dep.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    name: r.name,
    parentId: r.parent_id,
    intro: r.intro,
    location: r.location,
    sortOrder: r.sort_order,
    active: r.active === 1,
    doctorCount: Number(r.doctorCount),
  }));
}

/** Departments nest one level (大科 → 小科): a parent must exist and be top-level itself. */
async function checkParent(trx: Trx, parentId: number | null, selfId?: number): Promise<void> {
  if (parentId === null) return;
  if (parentId === selfId) throw new AppError('DEPARTMENT_PARENT_INVALID');
  const parent = await trx.selectFrom('department').select('parent_id').where('id', '=', parentId).executeTakeFirst();
  if (!parent || parent.parent_id !== null) throw new AppError('DEPARTMENT_PARENT_INVALID', '上级科室须为已存在的一级科室');
  if (selfId !== undefined) {
    const child = await trx.selectFrom('department').select('id').where('parent_id', '=', selfId).limit(1).executeTakeFirst();
    if (child) throw new AppError('DEPARTMENT_PARENT_INVALID', '该科室下设有小科，不能再设上级科室');
  }
}

/** What still depends on a department: reasons it may not be deactivated. */
export interface DepartmentDependants {
  activeDoctors: number;
  activeChildDepartments: number;
  futureSessions: number;
}

/**
 * Counts what depends on a department and its 小科: active doctors, active child departments,
 * and sessions from today (Shanghai) on that are not 停诊. Call it with the department row locked.
 */
async function countDependants(trx: Trx, departmentId: number, now: Date): Promise<DepartmentDependants> {
  const children = await trx.selectFrom('department').select(['id', 'active']).where('parent_id', '=', departmentId).execute();
  const ids = [departmentId, ...children.map((c) => c.id)];
  const doctors = await trx
    .selectFrom('doctor')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('department_id', 'in', ids)
    .where('active', '=', 1)
    .executeTakeFirstOrThrow();
  const sessions = await trx
    .selectFrom('clinic_session')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('department_id', 'in', ids)
    .where('session_date', '>=', shanghaiDate(now))
    .where('status', '!=', 'suspended')
    .executeTakeFirstOrThrow();
  return {
    activeDoctors: Number(doctors.n),
    activeChildDepartments: children.filter((c) => c.active === 1).length,
    futureSessions: Number(sessions.n),
  };
}

/** 409 DEPARTMENT_IN_USE naming each dependant and what the admin must change first. */
function departmentInUse(d: DepartmentDependants): AppError | undefined {
  const held: string[] = [];
  const fix: string[] = [];
  if (d.activeDoctors > 0) {
    held.push(`${d.activeDoctors} 位在职医生`);
    fix.push('医生');
  }
  if (d.activeChildDepartments > 0) {
    held.push(`${d.activeChildDepartments} 个启用中的小科`);
    fix.push('小科');
  }
  if (d.futureSessions > 0) {
    held.push(`${d.futureSessions} 个未来出诊`);
    fix.push('排班');
  }
  if (held.length === 0) return undefined;
  return new AppError('DEPARTMENT_IN_USE', `该科室仍有 ${held.join('、')}，请先调整${fix.join('和')}后再停用`, { ...d });
}

/**
 * Creates or updates a department. Deactivating one (active → inactive) is refused with
 * DEPARTMENT_IN_USE while active doctors, active 小科 or future non-停诊 sessions depend on it or
 * its 小科; the check runs under the department's row lock in the same transaction as the update.
 * Every session insert share-locks the same row and re-checks `active` under it
 * (schedule/sessions.ts, lockActiveDepartment), so a session created concurrently is either
 * counted here or refused there: never an inactive department with a future session.
 * Reactivation and other edits are never refused for dependants.
 */
export async function saveDepartment(
  deps: AppDeps,
  actor: Principal,
  id: number | undefined,
  input: DepartmentInput,
  meta: RequestMeta,
): Promise<DepartmentAdminView> {
  const now = deps.clock.now();
  const values = {
    code: input.code,
    name: input.name,
    parent_id: input.parentId,
    intro: input.intro,
    location: input.location,
    sort_order: input.sortOrder,
    active: input.active ? 1 : 0,
    updated_at: now,
  };
  try {
    const savedId = await inTransaction(deps.db, async (trx) => {
      // The row lock comes before any plain read: under REPEATABLE READ the first plain read fixes
      // the snapshot, and the dependants must be counted as of after the lock was granted.
      if (id !== undefined) {
        const before = await trx.selectFrom('department').select(['id', 'active']).where('id', '=', id).forUpdate().executeTakeFirst();
        if (!before) throw new AppError('DEPARTMENT_NOT_FOUND');
        if (before.active === 1 && !input.active) {
          const refusal = departmentInUse(await countDependants(trx, id, now));
          if (refusal) throw refusal;
        }
      }
      await checkParent(trx, input.parentId, id);
      let target = id;
      if (target === undefined) {
        target = Number((await trx.insertInto('department').values({ ...values, created_at: now }).executeTakeFirstOrThrow()).insertId);
      } else {
        await trx.updateTable('department').set(values).where('id', '=', target).execute();
      }
      await recordAudit(trx, { actor, action: id === undefined ? 'department.create' : 'department.update', target: { type: 'department', id: target }, meta, summary: { ...input } }, now);
      return target;
    });
    const saved = (await listDepartmentsForAdmin(deps.db)).find((d) => d.id === savedId);
    return saved!;
  } catch (error) {
    if (isDuplicateKey(error, 'uq_department_code')) throw new AppError('DEPARTMENT_CODE_TAKEN');
    throw error;
  }
}

export interface DoctorInput {
  departmentId: number;
  name: string;
  title: DoctorTitle;
  specialty: string;
  intro: string | null;
  photoUrl: string | null;
  defaultFeeFen: number;
  sortOrder: number;
  active: boolean;
}

export interface DoctorAdminView extends DoctorInput {
  id: number;
  userId: number;
  titleLabel: string;
  departmentName: string;
  phone: string;
}

export async function listDoctorsForAdmin(db: Db, departmentId?: number): Promise<DoctorAdminView[]> {
  let q = db
    .selectFrom('doctor as d')
    .innerJoin('department as dep', 'dep.id', 'd.department_id')
    .innerJoin('user_account as u', 'u.id', 'd.user_id')
    .select(['d.id', 'd.user_id', 'd.department_id', 'd.name', 'd.title', 'd.specialty', 'd.intro', 'd.photo_url', 'd.default_fee_fen', 'd.sort_order', 'd.active', 'dep.name as depName', 'u.phone']);
  if (departmentId !== undefined) q = q.where('d.department_id', '=', departmentId);
  const rows = await q.orderBy('dep.sort_order').orderBy('d.sort_order').orderBy('d.id').execute();
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    departmentId: r.department_id,
    departmentName: r.depName,
    name: r.name,
    title: r.title,
    titleLabel: TITLE_LABELS[r.title],
    specialty: r.specialty,
    intro: r.intro,
    photoUrl: r.photo_url,
    defaultFeeFen: r.default_fee_fen,
    sortOrder: r.sort_order,
    active: r.active === 1,
    phone: r.phone,
  }));
}

/** Locks the department row so a concurrent deactivation (saveDepartment) waits for this doctor write. */
async function checkDepartment(trx: Trx, departmentId: number): Promise<void> {
  const dep = await trx.selectFrom('department').select('id').where('id', '=', departmentId).forUpdate().executeTakeFirst();
  if (!dep) throw new AppError('DEPARTMENT_NOT_FOUND');
}

function doctorColumns(input: DoctorInput, now: Date) {
  return {
    department_id: input.departmentId,
    name: input.name,
    title: input.title,
    specialty: input.specialty,
    intro: input.intro,
    photo_url: input.photoUrl,
    default_fee_fen: input.defaultFeeFen,
    sort_order: input.sortOrder,
    active: input.active ? 1 : 0,
    updated_at: now,
  };
}

/** Creates the doctor's login account (role doctor) and the doctor record in one transaction. */
export async function createDoctor(
  deps: AppDeps,
  actor: Principal,
  input: DoctorInput & { phone: string; password: string },
  meta: RequestMeta,
): Promise<DoctorAdminView> {
  const now = deps.clock.now();
  const id = await inTransaction(deps.db, async (trx) => {
    await checkDepartment(trx, input.departmentId);
    const account = await createStaffAccount(deps, actor, { phone: input.phone, password: input.password, role: 'doctor', displayName: input.name }, meta, trx);
    const inserted = await trx
      .insertInto('doctor')
      .values({ ...doctorColumns(input, now), user_id: account.id, created_at: now })
      .executeTakeFirstOrThrow();
    const doctorId = Number(inserted.insertId);
    await recordAudit(trx, { actor, action: 'doctor.create', target: { type: 'doctor', id: doctorId }, meta, summary: { name: input.name, departmentId: input.departmentId, title: input.title } }, now);
    return doctorId;
  });
  return (await listDoctorsForAdmin(deps.db)).find((d) => d.id === id)!;
}

export async function updateDoctor(deps: AppDeps, actor: Principal, id: number, input: DoctorInput, meta: RequestMeta): Promise<DoctorAdminView> {
  const now = deps.clock.now();
  await inTransaction(deps.db, async (trx) => {
    const before = await trx.selectFrom('doctor').select(['id', 'department_id', 'active']).where('id', '=', id).executeTakeFirst();
    if (!before) throw new AppError('DOCTOR_NOT_FOUND');
    await checkDepartment(trx, input.departmentId);
    await trx.updateTable('doctor').set(doctorColumns(input, now)).where('id', '=', id).execute();
    await recordAudit(trx, { actor, action: 'doctor.update', target: { type: 'doctor', id }, meta, summary: { departmentId: { before: before.department_id, after: input.departmentId }, active: { before: before.active === 1, after: input.active } } }, now);
  });
  sessionsChanged(deps.db); // a deactivated doctor loses the doctor's routes on the next request
  return (await listDoctorsForAdmin(deps.db)).find((d) => d.id === id)!;
}
