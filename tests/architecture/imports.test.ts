/**
 * The import graph of functions/src keeps its layering, so it stays true as the code grows:
 *  - the domain never imports the HTTP layer (`http/`); only the HTTP adapters do — `http/` itself,
 *    each domain's `*.routes.ts` (the thin handlers: parse → call one domain function → return),
 *    the route table `routes.ts`, and the hosts `server.ts`, `bootstrap.ts` and `lambda/`;
 *  - no cycle between the top-level modules of functions/src (a folder, or a file at the root such
 *    as `context.ts`), type-only imports included: a cycle means neither side owns the concept;
 *  - a route file (`*.routes.ts`) holds no domain logic: it does not query the database, open a
 *    transaction or write the audit log — its handlers parse, call one domain function, return.
 * Imports are read from the source text (static `import … from`, `export … from`, `import('…')`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../functions/src');

/**
 * Cycles between top-level modules that need a real redesign, each with its reason. Keep this
 * empty unless a cycle cannot be broken by moving a type or function to its owner.
 */
const ALLOWED_CYCLES: readonly { modules: readonly string[]; reason: string }[] = [];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Source-relative path with forward slashes, e.g. `booking/book.ts`. */
const rel = (file: string) => relative(SRC, file).split(sep).join('/');

/** The relative imports of a file, resolved to source-relative paths (`.js` → `.ts`). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+['"]([^'"]+)['"]/gms),
    ...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]!);
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => rel(resolve(dirname(file), s.replace(/\.js$/, '.ts'))));
}

/** The HTTP layer and its adapters: the only files allowed to import `http/`. */
function isHttpLayer(path: string): boolean {
  return (
    path.startsWith('http/') ||
    path.startsWith('lambda/') ||
    path.endsWith('.routes.ts') ||
    ['routes.ts', 'server.ts', 'bootstrap.ts'].includes(path)
  );
}

/**
 * The top-level module a file belongs to: its first folder, or the root file's name. A domain's
 * `*.routes.ts` is its HTTP adapter, so it counts as its own module (`booking.routes`): the HTTP
 * layer importing the domain and a route file importing `http/route` is no cycle.
 */
function topModule(path: string): string {
  const top = path.split('/')[0]!.replace(/\.ts$/, '');
  return path.endsWith('.routes.ts') ? `${top}.routes` : top;
}

const graph = tsFiles(SRC)
  .filter((file) => !file.endsWith('.test.ts'))
  .map((file) => ({ path: rel(file), imports: importsOf(file) }));

/** Strongly connected components with more than one module (Tarjan). */
function moduleCycles(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) visit(node);
  return components;
}

describe('import graph of functions/src', () => {
  it('reads the imports (sanity: the walker sees the known edges)', () => {
    const book = graph.find((f) => f.path === 'booking/book.ts');
    expect(book?.imports).toContain('errors.ts');
    expect(graph.length).toBeGreaterThan(50);
  });

  it('no domain file imports the HTTP layer', () => {
    const violations = graph.flatMap(({ path, imports }) =>
      isHttpLayer(path) ? [] : imports.filter((i) => i.startsWith('http/')).map((i) => `${path} → ${i}`),
    );
    expect(violations).toEqual([]);
  });

  it('no cycle between top-level modules, except the commented allow-list', () => {
    const edges = new Map<string, Set<string>>();
    for (const { path, imports } of graph) {
      const from = topModule(path);
      for (const target of imports) {
        const to = topModule(target);
        if (to === from) continue;
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)!.add(to);
      }
    }
    const allowed = new Set(ALLOWED_CYCLES.map((c) => [...c.modules].sort().join(' ↔ ')));
    const cycles = moduleCycles(edges)
      .map((c) => c.join(' ↔ '))
      .filter((c) => !allowed.has(c));
    // Name the file-level edges of each cycle, so the message says what to move.
    const detail = cycles.map((cycle) => {
      const members = new Set(cycle.split(' ↔ '));
      const crossing = graph.flatMap(({ path, imports }) =>
        imports
          .filter((i) => members.has(topModule(path)) && members.has(topModule(i)) && topModule(i) !== topModule(path))
          .map((i) => `  ${path} → ${i}`),
      );
      return [cycle, ...crossing].join('\n');
    });
    expect(detail).toEqual([]);
  });

  it('route files hold no domain logic: no query, transaction or audit entry of their own', () => {
    /** What only a domain module does, with how it shows in the source. */
    const domainOnly: readonly { what: string; pattern: RegExp }[] = [
      { what: 'imports kysely', pattern: /^\s*import\s[^;]*?\sfrom\s+['"]kysely['"]/ms },
      { what: 'opens a transaction', pattern: /\binTransaction\(|\.transaction\(\)/ },
      { what: 'writes the audit log', pattern: /\brecordAudit\(/ },
      { what: 'queries the database', pattern: /\.(selectFrom|updateTable|insertInto|deleteFrom|replaceInto)\(/ },
    ];
    const routeFiles = tsFiles(SRC).filter((file) => file.endsWith('.routes.ts'));
    expect(routeFiles.length).toBeGreaterThan(10);
    const violations = routeFiles.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return domainOnly.filter(({ pattern }) => pattern.test(text)).map(({ what }) => `${rel(file)} ${what}`);
    });
    expect(violations).toEqual([]);
  });
});
