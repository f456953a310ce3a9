/**
 * What each kind of visit downloads: builds the console with a manifest into a temporary folder
 * and sums, per route, the JS a browser fetches (the entry, its static imports, the page's chunk
 * and its static imports, transitively), raw and gzip. `node admin/scripts/bundle-size.mjs`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const adminDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = mkdtempSync(path.join(tmpdir(), 'admin-size-'));
execFileSync('npx', ['vite', 'build', '--manifest', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], { cwd: adminDir, stdio: 'inherit' });
const manifest = JSON.parse(readFileSync(path.join(out, '.vite/manifest.json'), 'utf8'));

const sizes = (file) => {
  const bytes = readFileSync(path.join(out, file));
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};
/** The chunk files a module's chunk needs before it runs: itself and its static imports. */
function closure(key, files = new Set()) {
  const chunk = manifest[key];
  if (!chunk || files.has(chunk.file)) return files;
  files.add(chunk.file);
  for (const imported of chunk.imports ?? []) closure(imported, files);
  return files;
}
const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
function report(label, files) {
  const js = [...files].filter((f) => f.endsWith('.js'));
  const total = js.map(sizes).reduce((a, s) => ({ raw: a.raw + s.raw, gzip: a.gzip + s.gzip }), { raw: 0, gzip: 0 });
  console.log(`${label.padEnd(24)} ${String(js.length).padStart(2)} JS files  ${kb(total.raw).padStart(10)}  gzip ${kb(total.gzip).padStart(9)}`);
}

const entry = closure('index.html');
for (const [label, page] of [['登录页 (login)', 'src/pages/LoginPage.tsx'], ['统计看板 (dashboard)', 'src/pages/DashboardPage.tsx'], ['科室管理 (departments)', 'src/pages/DepartmentsPage.tsx']]) {
  // A page in the entry chunk (no code splitting) has no manifest key of its own.
  report(label, closure(page, new Set(entry)));
}
report('全部 (every chunk)', new Set(Object.values(manifest).map((c) => c.file)));
const largest = Object.values(manifest)
  .map((c) => c.file)
  .filter((f) => f.endsWith('.js'))
  .map((f) => ({ f, ...sizes(f) }))
  .sort((a, b) => b.raw - a.raw)[0];
console.log(`largest chunk: ${largest.f} ${kb(largest.raw)} gzip ${kb(largest.gzip)}`);
rmSync(out, { recursive: true, force: true });
