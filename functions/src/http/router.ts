/**
 * The route table of the HTTP app: which route answers a method and path, with the path's
 * parameters. It replaced find-my-way, whose radix tree suits thousands of routes: for our
 * hundred it was 58 KiB of the API's bundle with its dependencies (parsed at every Lambda cold
 * start) and ~10 ms to build at import (bench/lambda-bundles.ts, --cpu-prof). Here adding a
 * route is a push into a list; a lookup compares the segments of the routes of that method and
 * length, a few dozen string comparisons per request.
 *
 * What it matches (as find-my-way did with the options the app used): a route path such as
 * `/api/v1/doctors/{id}`, case-sensitive; one trailing slash is ignored; each segment is
 * percent-decoded before it is compared or taken as a parameter (a malformed escape matches
 * nothing); a parameter is one segment (empty too: its schema refuses it) of at most 200 characters; where several
 * routes match, the one whose first differing segment is literal wins (`/me/messages/read-all`
 * over `/me/messages/{id}`).
 */

/** Longest parameter value accepted: a longer segment matches no route (404). */
export const MAX_PARAM_LENGTH = 200;

/** A literal segment, or the name of a parameter. */
type Segment = { literal: string } | { param: string };

interface Entry<T> {
  pattern: string;
  segments: Segment[];
  value: T;
}

export interface RouteMatch<T> {
  value: T;
  params: Record<string, string>;
}

export class Router<T> {
  /** Entries by method and number of segments: only those can match a path of that length. */
  private readonly entries = new Map<string, Entry<T>[]>();

  /** Declares `method path`; a second route of the same method and shape is a programming error. */
  add(method: string, path: string, value: T): void {
    const segments: Segment[] = path
      .split('/')
      .slice(1)
      .map((part) => {
        const param = /^\{(\w+)\}$/.exec(part)?.[1];
        return param ? { param } : { literal: part };
      });
    const pattern = segments.map((s) => ('param' in s ? '{}' : s.literal)).join('/');
    const key = `${method} ${segments.length}`;
    const list = this.entries.get(key) ?? [];
    if (list.some((e) => e.pattern === pattern)) throw new Error(`route ${method} ${path} is declared twice`);
    list.push({ pattern, segments, value });
    this.entries.set(key, list);
  }

  /** The route answering `method` at `pathname` (as in a URL: percent-encoded), if any. */
  find(method: string, pathname: string): RouteMatch<T> | undefined {
    const parts = splitPath(pathname);
    if (!parts) return undefined;
    let best: Entry<T> | undefined;
    for (const entry of this.entries.get(`${method} ${parts.length}`) ?? []) {
      if (matches(entry.segments, parts) && (!best || moreLiteral(entry.segments, best.segments))) best = entry;
    }
    if (!best) return undefined;
    const params: Record<string, string> = {};
    best.segments.forEach((segment, i) => {
      if ('param' in segment) params[segment.param] = parts[i]!;
    });
    return { value: best.value, params };
  }
}

/** The decoded segments of a path, without one trailing slash; undefined for a malformed escape. */
function splitPath(pathname: string): string[] | undefined {
  const trimmed = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  try {
    return trimmed
      .split('/')
      .slice(1)
      .map((part) => (part.includes('%') ? decodeURIComponent(part) : part));
  } catch {
    return undefined;
  }
}

function matches(segments: Segment[], parts: string[]): boolean {
  return segments.every((segment, i) => {
    const part = parts[i]!;
    return 'param' in segment ? part.length <= MAX_PARAM_LENGTH : part === segment.literal;
  });
}

/** At the first segment where the two differ in kind, `a` has the literal one. */
function moreLiteral(a: Segment[], b: Segment[]): boolean {
  for (let i = 0; i < a.length; i += 1) {
    const aLiteral = 'literal' in a[i]!;
    if (aLiteral !== ('literal' in b[i]!)) return aLiteral;
  }
  return false;
}
