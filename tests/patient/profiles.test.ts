import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptField } from '../../functions/src/patient/personal-data.js';
import { residentIdCheckChar } from '../../functions/src/patient/id-document.js';
import { registerPatient } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

let serial = 0;
/** A valid resident ID: Nanyang (411302), the given birth date, a serial and the check char. */
function residentId(birth = '19850317', male = true): string {
  serial += 1;
  const seq = String(serial % 100).padStart(2, '0') + String(male ? 1 : 2);
  const first17 = `411302${birth}${seq}`;
  return first17 + residentIdCheckChar(first17);
}

const profileBody = (overrides: Record<string, unknown> = {}) => ({
  realName: '王小明',
  idType: 'resident_id',
  idNumber: residentId(),
  phone: '13912345678',
  relation: 'self',
  ...overrides,
});

describe('就诊人 profiles', () => {
  it('validates a resident ID, derives gender and birth date, and never returns or stores it in clear', async () => {
    const patient = await registerPatient(app);
    const idNumber = residentId('20150601', false);
    const res = await app.request('POST', '/api/v1/me/profiles', { token: patient.accessToken, body: profileBody({ idNumber, realName: '王小丫', relation: 'child' }) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      realName: '王小丫',
      idType: 'resident_id',
      idTypeLabel: '居民身份证',
      gender: 'female',
      birthDate: '2015-06-01',
      age: 11,
      phoneMasked: '139****5678',
      relation: 'child',
      isDefault: true,
    });
    expect(res.body.idNumberMasked).toBe(`411***********${idNumber.slice(-4)}`);
    expect(JSON.stringify(res.body)).not.toContain(idNumber);
    const list = await app.request('GET', '/api/v1/me/profiles', { token: patient.accessToken });
    expect(JSON.stringify(list.body)).not.toContain(idNumber);

    const row = await app.deps.db.selectFrom('patient_profile').selectAll().where('id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(idNumber);
    expect(decryptField(app.deps.config.fieldEncryptionKey, row.id_number_cipher)).toBe(idNumber);
    const audit = await app.deps.db.selectFrom('audit_log').select(['action', 'summary']).where('target_type', '=', 'patient_profile').where('target_id', '=', String(res.body.id)).execute();
    expect(audit.map((a) => a.action)).toEqual(['profile.create']);
    expect(audit[0]!.summary).not.toContain(idNumber);
  });

  it('refuses a wrong check digit, a gender that contradicts the ID, and incomplete foreign documents', async () => {
    const patient = await registerPatient(app);
    const valid = residentId();
    const broken = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
    const bad = await app.request('POST', '/api/v1/me/profiles', { token: patient.accessToken, body: profileBody({ idNumber: broken }) });
    expect([bad.status, bad.body.error.code, bad.body.error.message]).toEqual([422, 'ID_NUMBER_INVALID', '证件号码不正确，请核对']);
    const mismatch = await app.request('POST', '/api/v1/me/profiles', { token: patient.accessToken, body: profileBody({ gender: 'female' }) });
    expect(mismatch.body.error.code).toBe('ID_INFO_MISMATCH');
    const passportWithout = await app.request('POST', '/api/v1/me/profiles', { token: patient.accessToken, body: profileBody({ idType: 'passport', idNumber: 'E12345678' }) });
    expect([passportWithout.status, passportWithout.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const passport = await app.request('POST', '/api/v1/me/profiles', {
      token: patient.accessToken,
      body: profileBody({ idType: 'passport', idNumber: 'e12345678', gender: 'male', birthDate: '1990-01-02', realName: 'John Smith' }),
    });
    expect(passport.status).toBe(201);
    expect(passport.body.idNumberMasked).toBe('E****5678');
    const badName = await app.request('POST', '/api/v1/me/profiles', { token: patient.accessToken, body: profileBody({ realName: '<script>' }) });
    expect(badName.status).toBe(400);
  });

  it('adds a person once per account, up to the rule’s limit even when added concurrently', async () => {
    const patient = await registerPatient(app);
    const idNumber = residentId();
    expect((await app.request('POST', '/api/v1/me/profiles', { token: patient.accessToken, body: profileBody({ idNumber }) })).status).toBe(201);
    const dup = await app.request('POST', '/api/v1/me/profiles', { token: patient.accessToken, body: profileBody({ idNumber, relation: 'other' }) });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'PROFILE_DUPLICATE']);

    const answers = await Promise.all(
      Array.from({ length: 8 }, () => app.request('POST', '/api/v1/me/profiles', { token: patient.accessToken, body: profileBody({ relation: 'parent' }) })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(4); // default limit 5, one exists
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.error.code === 'PROFILE_LIMIT_REACHED')).toBe(true);
    const list = await app.request('GET', '/api/v1/me/profiles', { token: patient.accessToken });
    expect(list.body.items).toHaveLength(5);
    expect(list.body.items.filter((p: { isDefault: boolean }) => p.isDefault)).toHaveLength(1);
  });

  it('keeps one default, moves it on request and after a deletion', async () => {
    const patient = await registerPatient(app);
    const a = await app.request('POST', '/api/v1/me/profiles', { token: patient.accessToken, body: profileBody() });
    const b = await app.request('POST', '/api/v1/me/profiles', { token: patient.accessToken, body: profileBody({ relation: 'spouse', realName: '李丽' }) });
    expect([a.body.isDefault, b.body.isDefault]).toEqual([true, false]);
    const moved = await app.request('PUT', `/api/v1/me/profiles/${b.body.id}`, { token: patient.accessToken, body: { isDefault: true, phone: '13700001111' } });
    expect(moved.body).toMatchObject({ isDefault: true, phoneMasked: '137****1111' });
    const list = await app.request('GET', '/api/v1/me/profiles', { token: patient.accessToken });
    expect(list.body.items.map((p: { id: number; isDefault: boolean }) => [p.id, p.isDefault])).toEqual([
      [b.body.id, true],
      [a.body.id, false],
    ]);
    const idChange = await app.request('PUT', `/api/v1/me/profiles/${b.body.id}`, { token: patient.accessToken, body: { idNumber: residentId() } });
    expect(idChange.status).toBe(400);

    expect((await app.request('DELETE', `/api/v1/me/profiles/${b.body.id}`, { token: patient.accessToken })).status).toBe(200);
    const after = await app.request('GET', '/api/v1/me/profiles', { token: patient.accessToken });
    expect(after.body.items.map((p: { id: number; isDefault: boolean }) => [p.id, p.isDefault])).toEqual([[a.body.id, true]]);
    // The deleted person can be added again.
    const readd = await app.request('POST', '/api/v1/me/profiles', { token: patient.accessToken, body: profileBody({ idNumber: residentId(), relation: 'spouse' }) });
    expect(readd.status).toBe(201);
  });

  it('belong to their owner only', async () => {
    const owner = await registerPatient(app);
    const stranger = await registerPatient(app);
    const made = await app.request('POST', '/api/v1/me/profiles', { token: owner.accessToken, body: profileBody() });
    const id = made.body.id as number;
    for (const [method, path, body] of [
      ['PUT', `/api/v1/me/profiles/${id}`, { realName: '冒名顶替' }],
      ['DELETE', `/api/v1/me/profiles/${id}`, undefined],
      ['GET', `/api/v1/me/profiles/${id}/health-record`, undefined],
      ['PUT', `/api/v1/me/profiles/${id}/health-record`, { allergies: '无' }],
    ] as const) {
      const res = await app.request(method, path, { token: stranger.accessToken, body });
      expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 404, 'PROFILE_NOT_FOUND']);
    }
    expect((await app.request('GET', '/api/v1/me/profiles', { token: stranger.accessToken })).body.items).toEqual([]);
    const admin = await app.request('POST', '/api/v1/auth/login', { body: { phone: owner.phone, password: owner.password } });
    expect(admin.status).toBe(200);
  });
});

describe('health records', () => {
  it('start empty, are saved whole, and the audit names fields but never their content', async () => {
    const patient = await registerPatient(app);
    const profile = await app.request('POST', '/api/v1/me/profiles', { token: patient.accessToken, body: profileBody() });
    const path = `/api/v1/me/profiles/${profile.body.id}/health-record`;
    const empty = await app.request('GET', path, { token: patient.accessToken });
    expect(empty.body).toEqual({ bloodType: 'unknown', rhFactor: 'unknown', allergies: '', chronicConditions: '', medications: '', notes: '', updatedAt: null });

    const saved = await app.request('PUT', path, {
      token: patient.accessToken,
      body: { bloodType: 'AB', rhFactor: 'negative', allergies: '青霉素过敏', chronicConditions: '高血压', medications: '氨氯地平 5mg 每日一次' },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ bloodType: 'AB', rhFactor: 'negative', allergies: '青霉素过敏', notes: '' });
    expect(saved.body.updatedAt).toMatch(/Z$/);
    const again = await app.request('PUT', path, { token: patient.accessToken, body: { ...saved.body, notes: '近期体检正常' } });
    expect(again.status).toBe(400); // updatedAt is not an input field
    const ok = await app.request('PUT', path, { token: patient.accessToken, body: { bloodType: 'AB', rhFactor: 'negative', allergies: '青霉素过敏', chronicConditions: '高血压', medications: '氨氯地平 5mg 每日一次', notes: '近期体检正常' } });
    expect(ok.body.notes).toBe('近期体检正常');

    const audit = await app.deps.db.selectFrom('audit_log').select(['action', 'summary']).where('action', '=', 'health_record.update').where('target_id', '=', String(profile.body.id)).orderBy('id').execute();
    expect(audit.map((a) => JSON.parse(a.summary!).fields)).toEqual([['bloodType', 'rhFactor', 'allergies', 'chronicConditions', 'medications'], ['notes']]);
    expect(audit.map((a) => a.summary).join()).not.toContain('青霉素');

    const tooLong = await app.request('PUT', path, { token: patient.accessToken, body: { allergies: '过'.repeat(501) } });
    expect(tooLong.status).toBe(400);
  });
});
