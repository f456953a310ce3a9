/**
 * Reads a V8 .cpuprofile (from `npm run bench:booking -- --cpu-prof DIR`) and prints where the
 * time went: self time by package / source file, the top functions by self time, JavaScript time
 * charged to the nearest function of our own code (functions/src) on the stack — "which of our
 * calls asked for this work" — and inclusive time of the functions matching `--focus`.
 *
 * Read the native write/writev frames with care on a loaded machine: V8 samples on a timer, so
 * time the process spent preempted right after a socket write (which wakes MariaDB or the
 * client) is charged to that write. process.cpuUsage (the bench's "CPU ms per request") is
 * the real cost; the JavaScript sections below leave those frames out.
 *
 *   npx tsx bench/profile-summary.ts DIR/round2-b-server0.cpuprofile [--top 40] [--focus 'jwtVerify|safeParse']
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '40' }, focus: { type: 'string' } },
});
const top = Number(values.top);

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').reduce((a, n) => a + (selfUs.get(n.id) ?? 0), 0);
  const busy = total - idle;

  const where = (url: string): string => {
    if (!url) return '(native / V8)';
    const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (nm) return nm[1]!;
    if (url.startsWith('node:')) return url;
    const src = /\/work\/[^/]+\/(.*)$/.exec(url.replace('file://', ''));
    return src ? src[1]! : url;
  };
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)') continue;
    add(byPackage, where(n.callFrame.url), us);
    add(byFunction, `${n.callFrame.functionName || '(anonymous)'}  ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`, us);
  }
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  console.log(`\n${file}: ${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms busy (not idle)`);
  console.log('\nself time by package / file');
  for (const [k, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${ms(us)} ${pct(us)}  ${k}`);
  console.log('\nself time by function');
  for (const [k, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ${pct(us)}  ${k}`);

  // Inclusive time: every sample counts once for each distinct function on its stack.
  const inclusive = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at)!;
      if (n.callFrame.functionName === '(idle)') break;
      const key = `${n.callFrame.functionName || '(anonymous)'}  ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      add(inclusive, key, profile.timeDeltas[i] ?? 0);
    }
  });
  // JavaScript only: samples in syscalls, GC or the profiler itself left out, each charged to the
  // nearest frame of functions/src/ on its stack.
  const SYSCALLS = new Set(['writeBuffer', 'writev', 'writeString', 'dispatch', '(program)', '(garbage collector)', '(idle)']);
  const byAppFunction = new Map<string, number>();
  let javascript = 0;
  profile.samples.forEach((id, i) => {
    if (SYSCALLS.has(byId.get(id)!.callFrame.functionName)) return;
    const us = profile.timeDeltas[i] ?? 0;
    javascript += us;
    let key = '(not under our code: driver callbacks, node:http, promise jobs)';
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (frame.url.includes('functions/src/')) {
        key = `${frame.functionName || '(anonymous)'}  ${where(frame.url)}`;
        break;
      }
    }
    add(byAppFunction, key, us);
  });
  console.log(`\nJavaScript time (${(javascript / 1000).toFixed(0)} ms) by the nearest function of functions/src on the stack`);
  for (const [k, us] of [...byAppFunction].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(`${ms(us)} ${`${((100 * us) / javascript).toFixed(1)}%`.padStart(6)}  ${k}`);
  }

  const focus = values.focus ? new RegExp(values.focus) : undefined;
  console.log(`\ninclusive time${focus ? ` of /${focus.source}/` : ' (top)'}`);
  const rows = [...inclusive].filter(([k]) => !focus || focus.test(k)).sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, us] of rows) console.log(`${ms(us)} ${pct(us)}  ${k}`);
}
