/**
 * The console's 审计日志 filters by the actions it has a Chinese label for (admin/src/components/labels.ts):
 * every action the server audits must have one, or an admin could not find it there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../miniapp/build.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** ACTION_LABEL's keys, read as text: the console's modules resolve imports the bundler's way, not Node's. */
function labelledActions(): Set<string> {
  const source = readFileSync(path.join(REPO_ROOT, 'admin/src/components/labels.ts'), 'utf8');
  const table = source.slice(source.indexOf('export const ACTION_LABEL'), source.indexOf('};', source.indexOf('export const ACTION_LABEL')));
  return new Set([...table.matchAll(/^\s+'([a-z_]+\.[a-z_]+)': '/gm)].map((m) => m[1]!));
}

describe('audit action labels', () => {
  it('name every action the server records', () => {
    const actions = new Set<string>();
    for (const file of sourceFiles(path.join(REPO_ROOT, 'functions/src'))) {
      const text = readFileSync(file, 'utf8');
      // `action: 'x.y'` and the branches of `action: cond ? 'x.create' : 'x.update'`.
      for (const match of text.matchAll(/action: ([^,}]+)/g)) {
        for (const code of match[1]!.matchAll(/'([a-z_]+\.[a-z_]+)'/g)) actions.add(code[1]!);
      }
    }
    expect(actions.size).toBeGreaterThan(40);
    const labelled = labelledActions();
    expect(labelled.has('auth.login')).toBe(true);
    expect([...actions].filter((a) => !labelled.has(a)).sort()).toEqual([]);
  });
});
