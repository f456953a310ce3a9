/** The console's rule page lists every booking rule the server has, so none is hidden from admins. */
import { describe, expect, it } from 'vitest';
import { RULES } from '../../admin/src/pages/rule-sources.js';
import { defaultRules } from '../../functions/src/rules/booking-rules.js';

describe('admin rule-sources', () => {
  it('names every rule of the server exactly once, with a Chinese label and a unit', () => {
    expect(RULES.map((r) => r.name).sort()).toEqual(Object.keys(defaultRules).sort());
    for (const rule of RULES) {
      expect(rule.label).toMatch(/[\u4e00-\u9fff]/);
      expect(rule.unit).not.toBe('');
    }
  });
});
