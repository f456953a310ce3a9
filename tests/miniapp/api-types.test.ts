/**
 * The apps' API types (miniapp/src/services/api-types.gen.ts) are generated from the served
 * OpenAPI document by `npm run api:types`; this fails when they drift from it (as `npm test`'s
 * `scripts/api-types.ts --verify` does), and when services/types.ts grows a hand-written copy
 * of an API shape instead of an alias of the generated ones.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { errorCatalog } from '../../functions/src/errors.js';
import { API_TYPES_FILE, apiTypesSource } from '../../scripts/api-types.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { REPO_ROOT } from './build.js';

let app: TestApp;
let served: Record<string, any>;

beforeAll(async () => {
  app = await startTestApp();
  served = (await app.request('GET', '/api/v1/openapi.json')).body;
});

afterAll(async () => {
  await app?.close();
});

it('api-types.gen.ts is what openapi-typescript makes of the served openapi.json (else: npm run api:types)', async () => {
  expect(readFileSync(API_TYPES_FILE, 'utf8')).toBe(await apiTypesSource(served));
});

it('carries every error code with the message the server sends for it', () => {
  const source = readFileSync(API_TYPES_FILE, 'utf8');
  for (const [code, [, message]] of Object.entries(errorCatalog)) expect(source).toContain(`  ${code}: ${JSON.stringify(message)},`);
});

it('services/types.ts only names the generated types: no interface, object type or list of literals of its own', () => {
  const file = path.join(REPO_ROOT, 'miniapp/src/services/types.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const handWritten: string[] = [];
  for (const statement of source.statements) {
    if (ts.isInterfaceDeclaration(statement)) handWritten.push(statement.name.text);
    if (!ts.isTypeAliasDeclaration(statement)) continue;
    const type = statement.type;
    const literalUnion = ts.isUnionTypeNode(type) && type.types.every((t) => ts.isLiteralTypeNode(t));
    if (ts.isTypeLiteralNode(type) || ts.isLiteralTypeNode(type) || literalUnion) handWritten.push(statement.name.text);
  }
  expect(handWritten).toEqual([]);
  expect(source.text).toContain("from './api-types.gen'");
});
