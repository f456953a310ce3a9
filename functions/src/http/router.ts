/**
 * The route table of the HTTP app: which route answers a method and path, with the path's
 * parameters, matched by rou3 (h3's router). It replaced find-my-way, whose radix tree with its
 * dependencies was 58 KiB of the API's bundle, parsed at every Lambda cold start, and ~10 ms to
 * build at import (bench/lambda-bundles.ts, --cpu-prof).
 *
 * What it matches (as find-my-way did with the options the app used): a route path such as
 * `/api/v1/doctors/{id}`, case-sensitive; one trailing slash is ignored; a literal segment wins
 * over a parameter (`/me/messages/read-all` over `/me/messages/{id}`); a parameter is one
 * non-empty segment, percent-decoded (a malformed escape matches nothing), of at most 200
 * characters. Unlike find-my-way, literal segments are compared as sent: an escaped one
 * (`/me/%6Dessages`) matches nothing, and neither does an empty parameter (`/doctors//sessions`).
 */
import { addRoute, createRouter, findRoute, type RouterContext } from 'rou3';

/** Longest parameter value accepted: a longer segment matches no route (404). */
export const MAX_PARAM_LENGTH = 200;

export interface RouteMatch<T> {
  value: T;
  params: Record<string, string>;
}

export class Router<T> {
  private readonly table: RouterContext<T> = createRouter<T>();
  private readonly declared = new Set<string>();

  /** Declares `method path`; a second route of the same method and shape is a programming error. */
  add(method: string, path: string, value: T): void {
    const shape = `${method} ${path.replace(/\{\w+\}/g, '{}')}`;
    if (this.declared.has(shape)) throw new Error(`route ${method} ${path} is declared twice`);
    this.declared.add(shape);
    addRoute(this.table, method, path.replace(/\{(\w+)\}/g, ':$1'), value);
  }

  /** The route answering `method` at `pathname` (as in a URL: percent-encoded), if any. */
  find(method: string, pathname: string): RouteMatch<T> | undefined {
    const found = findRoute(this.table, method, pathname);
    if (!found) return undefined;
    const params: Record<string, string> = {};
    for (const [name, raw] of Object.entries(found.params ?? {})) {
      let value: string;
      try {
        value = raw.includes('%') ? decodeURIComponent(raw) : raw;
      } catch {
        return undefined;
      }
      if (value.length > MAX_PARAM_LENGTH) return undefined;
      params[name] = value;
    }
    return { value: found.data, params };
  }
}
