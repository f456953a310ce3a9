/**
 * The console's rule page lists every booking rule the server has, so none is hidden from admins.
 * The admin app is a browser build outside the root type check, so its rule list is read as text.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRules } from '../../functions/src/rules/booking-rules.js';

const source = readFileSync(path.join(import.meta.dirname, '../../admin/src/pages/rule-sources.ts'), 'utf8');
const rules = [...source.matchAll(/\{ name: '(\w+)', label: '([^']*)', unit: '([^']*)'/g)].map(([, name, label, unit]) => ({ name: name!, label: label!, unit: unit! }));

describe('admin rule-sources', () => {
  it('names every rule of the server exactly once, with a Chinese label and a unit', () => {
    expect(rules.map((r) => r.name).sort()).toEqual(Object.keys(defaultRules).sort());
    for (const rule of rules) {
      expect(rule.label).toMatch(/[\u4e00-\u9fff]/);
      expect(rule.unit).not.toBe('');
    }
  });
});
