/** http/router.ts: the route table (rou3) that replaced find-my-way; the matching rules the app relies on. */
import { describe, expect, it } from 'vitest';
import { MAX_PARAM_LENGTH, Router } from '../../functions/src/http/router.js';

function table() {
  const router = new Router<string>();
  router.add('GET', '/api/v1/me/messages', 'list');
  router.add('POST', '/api/v1/me/messages/{id}/read', 'read one');
  router.add('POST', '/api/v1/me/messages/read-all', 'read all');
  router.add('GET', '/api/v1/doctors/{id}', 'doctor');
  router.add('GET', '/api/v1/doctors/{id}/sessions', 'sessions');
  router.add('GET', '/api/v1/admin/doctors/{id}/templates/{templateId}', 'template');
  router.add('PUT', '/api/v1/admin/doctors/{id}/templates/{templateId}', 'put template');
  router.add('GET', '/api/v1/{section}/summary', 'any summary');
  router.add('GET', '/api/v1/admin/summary', 'admin summary');
  return router;
}

describe('Router', () => {
  it('finds a route by method and path, with its parameters', () => {
    const router = table();
    expect(router.find('GET', '/api/v1/me/messages')).toEqual({ value: 'list', params: {} });
    expect(router.find('GET', '/api/v1/doctors/42')).toEqual({ value: 'doctor', params: { id: '42' } });
    expect(router.find('GET', '/api/v1/doctors/42/sessions')).toEqual({ value: 'sessions', params: { id: '42' } });
    expect(router.find('PUT', '/api/v1/admin/doctors/7/templates/9')).toEqual({ value: 'put template', params: { id: '7', templateId: '9' } });
    expect(router.find('DELETE', '/api/v1/doctors/42')).toBeUndefined();
    expect(router.find('GET', '/api/v1/doctors')).toBeUndefined();
    expect(router.find('GET', '/api/v1/doctors/42/sessions/1')).toBeUndefined();
    expect(router.find('GET', '/API/v1/me/messages')).toBeUndefined();
  });

  it('prefers a literal segment over a parameter, whatever the order of declaration', () => {
    const router = table();
    expect(router.find('POST', '/api/v1/me/messages/read-all')).toEqual({ value: 'read all', params: {} });
    expect(router.find('POST', '/api/v1/me/messages/5/read')).toEqual({ value: 'read one', params: { id: '5' } });
    expect(router.find('GET', '/api/v1/admin/summary')).toEqual({ value: 'admin summary', params: {} });
    expect(router.find('GET', '/api/v1/doctor/summary')).toEqual({ value: 'any summary', params: { section: 'doctor' } });
  });

  it('ignores one trailing slash, not two; an empty segment is no parameter', () => {
    const router = table();
    expect(router.find('GET', '/api/v1/me/messages/')).toEqual({ value: 'list', params: {} });
    expect(router.find('GET', '/api/v1/me/messages//')).toBeUndefined();
    expect(router.find('GET', '/api/v1/doctors//sessions')).toBeUndefined();
  });

  it('decodes parameters; a malformed escape matches nothing, an escaped literal neither', () => {
    const router = table();
    expect(router.find('GET', '/api/v1/doctors/%E5%BC%A0%2F1')).toEqual({ value: 'doctor', params: { id: '张/1' } });
    expect(router.find('GET', '/api/v1/doctors/%E5%BC')).toBeUndefined();
    expect(router.find('GET', '/api/v1/me/%6Dessages')).toBeUndefined();
  });

  it(`takes a parameter of at most ${MAX_PARAM_LENGTH} characters`, () => {
    const router = table();
    expect(router.find('GET', `/api/v1/doctors/${'9'.repeat(MAX_PARAM_LENGTH)}`)?.value).toBe('doctor');
    expect(router.find('GET', `/api/v1/doctors/${'9'.repeat(MAX_PARAM_LENGTH + 1)}`)).toBeUndefined();
  });

  it('refuses a second route of the same method and shape', () => {
    const router = table();
    expect(() => router.add('GET', '/api/v1/doctors/{doctorId}', 'again')).toThrow('route GET /api/v1/doctors/{doctorId} is declared twice');
    router.add('DELETE', '/api/v1/doctors/{id}', 'other method');
  });
});
