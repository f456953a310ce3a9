/**
 * The public catalogue: departments (大科 → 小科), their doctors, and doctor search. Only active
 * departments and doctors are shown to patients.
 */
import { sql } from 'kysely';
import type { Db } from '../db/create-db.js';
import { AppError } from '../errors.js';
import { getEffectiveRulesByDepartment } from '../rules/booking-rules.js';
import { addDays, shanghaiDate, type LocalDate } from '../time/shanghai.js';

export type DoctorTitle = 'chief' | 'associate_chief' | 'attending' | 'resident';

export const TITLE_LABELS: Record<DoctorTitle, string> = {
  chief: '主任医师',
  associate_chief: '副主任医师',
  attending: '主治医师',
  resident: '住院医师',
};

export interface DepartmentNode {
  id: number;
  code: string;
  name: string;
  intro: string | null;
  location: string | null;
  parentId: number | null;
  children: DepartmentNode[];
}

export async function departmentTree(db: Db): Promise<DepartmentNode[]> {
  const rows = await db
    .selectFrom('department')
    .select(['id', 'code', 'name', 'intro', 'location', 'parent_id'])
    .where('active', '=', 1)
    .orderBy('sort_order')
    .orderBy('id')
    .execute();
  const nodes = new Map<number, DepartmentNode>(
    rows.map((r) => [r.id, { id: r.id, code: r.code, name: r.name, intro: r.intro, location: r.location, parentId: r.parent_id, children: [] }]),
  );
  const roots: DepartmentNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId === null ? undefined : nodes.get(node.parentId);
    if (parent) parent.children.push(node);
    else if (node.parentId === null) roots.push(node);
    // A child of an inactive parent is hidden with its parent.
  }
  return roots;
}

export async function getDepartment(db: Db, id: number): Promise<Omit<DepartmentNode, 'children'>> {
  const r = await db.selectFrom('department').select(['id', 'code', 'name', 'intro', 'location', 'parent_id']).where('id', '=', id).where('active', '=', 1).executeTakeFirst();
  if (!r) throw new AppError('DEPARTMENT_NOT_FOUND');
  return { id: r.id, code: r.code, name: r.name, intro: r.intro, location: r.location, parentId: r.parent_id };
}

export interface DoctorCard {
  id: number;
  name: string;
  title: DoctorTitle;
  titleLabel: string;
  specialty: string;
  intro: string | null;
  photoUrl: string | null;
  feeFen: number;
  department: { id: number; name: string; location: string | null };
  /** The booking window at a glance: one entry per day the doctor has a session. */
  availability: Array<{ date: LocalDate; remaining: number; released: boolean }>;
}

/**
 * Active doctors of a department (and of its 小科 when it is a 大科), or matching a search on
 * name or specialty, each with the days of their own department's booking window (daysAhead)
 * that have sessions.
 */
export async function listDoctors(
  db: Db,
  filter: { departmentId?: number | undefined; q?: string | undefined },
  now: Date,
): Promise<DoctorCard[]> {
  let query = db
    .selectFrom('doctor as d')
    .innerJoin('department as dep', 'dep.id', 'd.department_id')
    .leftJoin('department as par', 'par.id', 'dep.parent_id')
    .select(['d.id', 'd.name', 'd.title', 'd.specialty', 'd.intro', 'd.photo_url', 'd.default_fee_fen', 'dep.id as depId', 'dep.name as depName', 'dep.location as depLocation', 'dep.parent_id as depParentId'])
    .where('d.active', '=', 1)
    .where('dep.active', '=', 1)
    // A closed 大科 hides its 小科 (departmentTree) and closes their booking (booking/book.ts).
    .where((eb) => eb.or([eb('par.id', 'is', null), eb('par.active', '=', 1)]));
  if (filter.departmentId !== undefined) {
    const id = filter.departmentId;
    query = query.where((eb) => eb.or([eb('dep.id', '=', id), eb('dep.parent_id', '=', id)]));
  }
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('d.name', 'like', like), eb('d.specialty', 'like', like), eb('dep.name', 'like', like)]));
  }
  const doctors = await query.orderBy('dep.sort_order').orderBy('d.sort_order').orderBy('d.id').limit(200).execute();
  if (doctors.length === 0) return [];

  // Each doctor's window is their own 小科's daysAhead (its override, its 大科's, or the global one).
  const today = shanghaiDate(now);
  const rules = await getEffectiveRulesByDepartment(db, doctors.map((d) => ({ id: d.depId, parentId: d.depParentId })));
  const untilOf = (departmentId: number) => addDays(today, rules.get(departmentId)!.daysAhead);
  const until = doctors.map((d) => untilOf(d.depId)).reduce((latest, date) => (date > latest ? date : latest));
  const days = await db
    .selectFrom('clinic_session as s')
    .innerJoin('slot', 'slot.session_id', 's.id')
    .select([
      's.doctor_id',
      's.session_date',
      sql<number>`SUM(slot.remaining)`.as('remaining'),
      sql<Date>`MIN(s.release_at)`.as('releaseAt'),
    ])
    .where('s.doctor_id', 'in', doctors.map((d) => d.id))
    .where('s.status', '=', 'open')
    .where('s.session_date', '>=', today)
    .where('s.session_date', '<=', until)
    .groupBy(['s.doctor_id', 's.session_date'])
    .orderBy('s.session_date')
    .execute();

  return doctors.map((d) => ({
    id: d.id,
    name: d.name,
    title: d.title,
    titleLabel: TITLE_LABELS[d.title],
    specialty: d.specialty,
    intro: d.intro,
    photoUrl: d.photo_url,
    feeFen: d.default_fee_fen,
    department: { id: d.depId, name: d.depName, location: d.depLocation },
    availability: days
      .filter((day) => day.doctor_id === d.id && day.session_date <= untilOf(d.depId))
      .map((day) => ({ date: day.session_date, remaining: Number(day.remaining), released: new Date(day.releaseAt) <= now })),
  }));
}

export async function getDoctor(db: Db, id: number, now: Date): Promise<DoctorCard> {
  const doctor = await db.selectFrom('doctor').select(['department_id']).where('id', '=', id).where('active', '=', 1).executeTakeFirst();
  if (!doctor) throw new AppError('DOCTOR_NOT_FOUND');
  const cards = await listDoctors(db, { departmentId: doctor.department_id }, now);
  const card = cards.find((c) => c.id === id);
  if (!card) throw new AppError('DOCTOR_NOT_FOUND');
  return card;
}
