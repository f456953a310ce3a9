/**
 * The app's API types (miniapp/src/services/types.ts) are written by hand from the served
 * OpenAPI document; this keeps them honest: each interface has exactly the properties of its
 * schema, optional exactly where the schema does not require them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { REPO_ROOT } from './build.js';

interface JsonSchema {
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  [key: string]: unknown;
}

let app: TestApp;
let document: { components: { schemas: Record<string, JsonSchema> }; paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: JsonSchema }> }> }>> };

beforeAll(async () => {
  app = await startTestApp();
  document = (await app.request('GET', '/api/v1/openapi.json')).body;
});

afterAll(async () => {
  await app?.close();
});

function resolve(schema: JsonSchema): JsonSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.split('/').at(-1)!;
  return resolve(document.components.schemas[name]!);
}

function okResponse(route: string): JsonSchema {
  return resolve(document.paths[route]!.get!.responses['200']!.content['application/json']!.schema);
}

/** Each interface of types.ts: its properties and whether each is optional. */
function interfaces(): Map<string, Map<string, boolean>> {
  const file = path.join(REPO_ROOT, 'miniapp/src/services/types.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found = new Map<string, Map<string, boolean>>();
  for (const statement of source.statements) {
    if (!ts.isInterfaceDeclaration(statement)) continue;
    const members = new Map<string, boolean>();
    for (const member of statement.members) {
      if (ts.isPropertySignature(member) && member.name) members.set(member.name.getText(source), member.questionToken !== undefined);
    }
    found.set(statement.name.text, members);
  }
  return found;
}

it('match the schemas of the served openapi.json', () => {
  const calendar = okResponse('/api/v1/doctors/{id}/sessions');
  const clinicSession = resolve(calendar.properties!.sessions!.items!);
  const schemas: Record<string, JsonSchema> = {
    Account: resolve({ $ref: '#/components/schemas/Account' }),
    TokenPair: resolve({ $ref: '#/components/schemas/TokenPair' }),
    Session: resolve({ $ref: '#/components/schemas/Session' }),
    DepartmentNode: resolve({ $ref: '#/components/schemas/DepartmentNode' }),
    DoctorCard: resolve({ $ref: '#/components/schemas/DoctorCard' }),
    PatientProfile: resolve({ $ref: '#/components/schemas/PatientProfile' }),
    HealthRecord: resolve({ $ref: '#/components/schemas/HealthRecord' }),
    Appointment: resolve({ $ref: '#/components/schemas/Appointment' }),
    DoctorCalendar: calendar,
    ClinicSession: clinicSession,
    CalendarSlot: resolve(clinicSession.properties!.slots!.items!),
    EffectiveBookingRules: resolve({ $ref: '#/components/schemas/EffectiveBookingRules' }),
  };
  const declared = interfaces();
  for (const [name, schema] of Object.entries(schemas)) {
    const members = declared.get(name);
    expect(members, name).toBeDefined();
    const required = new Set(schema.required ?? []);
    const expected = Object.keys(schema.properties ?? {}).map((p) => [p, !required.has(p)]).sort();
    expect([...members!.entries()].sort(), name).toEqual(expected);
  }
});
