/**
 * 科室排序 (PUT /api/v1/admin/departments/order): the console's drag and drop rewrites the order of
 * one parent's departments in one transaction; the patient app's department list follows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { drivers } from '../support/drivers.js';
import { adminOf, createDepartment } from '../support/hospital.js';
import { createPatients, tokenFor } from '../support/scenario.js';

const ORDER = '/api/v1/admin/departments/order';

type Node = { id: number; name: string; children: Node[] };

describe('PUT /api/v1/admin/departments/order', () => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    app = await startTestApp();
    token = (await adminOf(app)).accessToken;
  });
  afterAll(() => app.close());

  const reorder = (body: unknown, as = token) => app.request('PUT', ORDER, { token: as, body });

  /** A 大科 with three 小科 made in the order 甲, 乙, 丙. */
  async function family() {
    const parent = await createDepartment(app, token, { name: '内科' });
    const children = [];
    for (const name of ['甲科', '乙科', '丙科']) children.push(await createDepartment(app, token, { name, parentId: parent.id }));
    return { parent, children: children.map((c) => c.id) };
  }

  /** The patient app's tree: the 小科 names under `parentId`, in its order. */
  async function patientOrder(parentId: number): Promise<string[]> {
    const tree = await app.request('GET', '/api/v1/departments');
    const parent = (tree.body.items as Node[]).find((d) => d.id === parentId)!;
    return parent.children.map((c) => c.name);
  }

  async function reorderAudits(parentId: number | 'root') {
    const rows = await app.database.db
      .selectFrom('audit_log')
      .select(['actor_role', 'summary'])
      .where('action', '=', 'department.reorder')
      .where('target_id', '=', String(parentId))
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ role: r.actor_role, summary: typeof r.summary === 'string' ? JSON.parse(r.summary) : r.summary }));
  }

  it('is for admins only: anonymous 401, a patient and a doctor 403', async () => {
    const { parent, children } = await family();
    const body = { parentId: parent.id, ids: [...children].reverse() };
    const [patient] = await createPatients(app.database.db, 1);
    const doctor = await staffSession(app, 'doctor');
    expect((await app.request('PUT', ORDER, { body })).status).toBe(401);
    expect((await reorder(body, await tokenFor(app, patient!.userId))).body.error.code).toBe('FORBIDDEN');
    expect((await reorder(body, doctor.accessToken)).body.error.code).toBe('FORBIDDEN');
    expect(await patientOrder(parent.id)).toEqual(['甲科', '乙科', '丙科']);
    expect(await reorderAudits(parent.id)).toEqual([]);
    expect((await reorder(body)).status).toBe(200);
  });

  it("rewrites one parent's order, audited with before and after, and the patient app lists the new order", async () => {
    const { parent, children } = await family();
    const [a, b, c] = children as [number, number, number];
    const res = await reorder({ parentId: parent.id, ids: [c, a, b] });
    expect(res.status).toBe(200);
    const mine = (res.body.items as { id: number; sortOrder: number }[]).filter((d) => children.includes(d.id));
    expect(mine.map((d) => [d.id, d.sortOrder])).toEqual([[c, 10], [a, 20], [b, 30]]);
    expect(await patientOrder(parent.id)).toEqual(['丙科', '甲科', '乙科']);
    expect(await reorderAudits(parent.id)).toEqual([{ role: 'admin', summary: { parentId: parent.id, before: [a, b, c], after: [c, a, b] } }]);
  });

  it('orders the 大科 too (parentId null), inactive ones included', async () => {
    await createDepartment(app, token, { name: '停用大科', active: false });
    const all = await app.request('GET', '/api/v1/admin/departments', { token });
    const roots = (all.body.items as { id: number; parentId: number | null }[]).filter((d) => d.parentId === null).map((d) => d.id);
    const reversed = [...roots].reverse();
    expect((await reorder({ parentId: null, ids: reversed })).status).toBe(200);
    const tree = await app.request('GET', '/api/v1/departments');
    const activeRoots = (tree.body.items as Node[]).map((d) => d.id);
    expect(activeRoots).toEqual(reversed.filter((id) => activeRoots.includes(id)));
    expect(activeRoots.length).toBe(roots.length - 1);
    const audit = await reorderAudits('root');
    expect(audit.at(-1)!.summary.after).toEqual(reversed);
  });

  it('refuses anything but exactly the current siblings, each once, with 409 DEPARTMENT_ORDER_MISMATCH, changing nothing', async () => {
    const { parent, children } = await family();
    const [a, b, c] = children as [number, number, number];
    const other = await family();
    const cases: [string, number[], Record<string, number[]>, string][] = [
      ['a repeated id', [a, b, c, a], { missing: [], unexpected: [], duplicates: [a] }, '排序中有重复的科室'],
      ['a missing sibling', [b, a], { missing: [c], unexpected: [], duplicates: [] }, '排序缺少该上级科室下的部分科室（含停用），请刷新后重试'],
      // Moving a 小科 under another 大科 is an edit of its 上级科室, not a reorder.
      ["another 大科's 小科", [a, b, c, other.children[0]!], { missing: [], unexpected: [other.children[0]!], duplicates: [] }, '排序中有不属于该上级科室的科室；调整所属大科请编辑科室的上级科室'],
      ['the parent itself', [parent.id, a, b, c], { missing: [], unexpected: [parent.id], duplicates: [] }, '排序中有不属于该上级科室的科室；调整所属大科请编辑科室的上级科室'],
    ];
    for (const [what, ids, details, message] of cases) {
      const res = await reorder({ parentId: parent.id, ids });
      expect([what, res.status, res.body.error]).toEqual([what, 409, { code: 'DEPARTMENT_ORDER_MISMATCH', message, details }]);
    }
    // A list made before another admin added a 小科: refused, the new one would have no place.
    const late = await createDepartment(app, token, { name: '丁科', parentId: parent.id });
    const stale = await reorder({ parentId: parent.id, ids: [c, b, a] });
    expect([stale.status, stale.body.error.details]).toEqual([409, { missing: [late.id], unexpected: [], duplicates: [] }]);
    expect(await patientOrder(parent.id)).toEqual(['甲科', '乙科', '丙科', '丁科']);
    expect(await reorderAudits(parent.id)).toEqual([]);
  });

  it('answers 404 for an unknown parent and 400 for a malformed body', async () => {
    const missing = await reorder({ parentId: 99_999_999, ids: [1] });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'DEPARTMENT_NOT_FOUND']);
    for (const body of [{ parentId: null, ids: [] }, { ids: [1] }, { parentId: null, ids: [0] }, { parentId: null, ids: ['1'] }]) {
      const res = await reorder(body);
      expect([JSON.stringify(body), res.status, res.body.error.code]).toEqual([JSON.stringify(body), 400, 'VALIDATION_FAILED']);
    }
  });
});

describe.each(drivers)('a reorder beside a concurrent new 小科 on %s', (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({}, undefined, { driver });
  });
  afterAll(() => app.close());

  it('waits for the insert and refuses the list that lacks it, so no sibling is left out of the order', async () => {
    const token = (await adminOf(app)).accessToken;
    const parent = await createDepartment(app, token, { name: '外科' });
    const ids: number[] = [];
    for (const name of ['一科', '二科']) ids.push((await createDepartment(app, token, { name, parentId: parent.id })).id);
    const db = app.database.db;
    // Another admin's new 小科, not yet committed when the reorder starts.
    const other = await db.startTransaction().execute();
    const now = app.clock.now();
    const inserted = await other
      .insertInto('department')
      .values({ code: `LATE${process.pid % 1000}`, name: '三科', parent_id: parent.id, sort_order: 0, active: 1, created_at: now, updated_at: now })
      .executeTakeFirstOrThrow();
    let answered = false;
    const reordering = app.request('PUT', ORDER, { token, body: { parentId: parent.id, ids: [ids[1], ids[0]] } }).finally(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const answeredBeforeCommit = answered;
    await other.commit().execute();
    const res = await reordering;
    // The siblings' lock (FOR UPDATE over the parent's index range) waited for the insert.
    expect(answeredBeforeCommit).toBe(false);
    expect([res.status, res.body.error?.details]).toEqual([409, { missing: [Number(inserted.insertId)], unexpected: [], duplicates: [] }]);
  });
});
