/**
 * Route definitions: one object per endpoint, holding everything the app needs to serve it and
 * the OpenAPI document needs to describe it. Handlers get validated, typed input and return a
 * value; they never touch `req`/`res`.
 */
import type { z } from 'zod';
import type { Principal, RequestMeta, Role } from '../context.js';
import type { AppDeps } from '../deps.js';
import type { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type RouteAuth = 'public' | 'authenticated' | readonly Role[];

export interface HandlerContext<B, Q, P, A extends RouteAuth = RouteAuth> {
  body: B;
  query: Q;
  params: P;
  /** The verified caller on every route that is not public. */
  principal: A extends 'public' ? undefined : Principal;
  headers: Record<string, string | string[] | undefined>;
  meta: RequestMeta;
  log: Logger;
  deps: AppDeps;
}

/** A handler's answer when it needs a status or headers other than the route's defaults. */
export class Reply<R> {
  constructor(
    readonly body: R,
    readonly status?: number,
    readonly headers?: Record<string, string | string[]>,
  ) {}
}

/**
 * A handler's answer streamed as text (a CSV export): each chunk is written as the iterable
 * yields it, so a body of any size never sits in memory. Declare the route with
 * `response: z.instanceof(TextStream)` and `contentType`. Under serverless-http the chunks are
 * collected into the Lambda response (bounded by its 6 MB payload limit); on node:http they
 * go out chunked, honouring back-pressure.
 */
export class TextStream {
  constructor(
    readonly chunks: AsyncIterable<string>,
    readonly headers: Record<string, string> = {},
  ) {}
}

export interface RouteSpec<
  B extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
  A extends RouteAuth = RouteAuth,
> {
  method: HttpMethod;
  /** OpenAPI-style path, e.g. `/api/v1/doctors/{id}`. */
  path: string;
  summary: string;
  tag: string;
  /** 'public', 'authenticated' (any role), or the roles allowed. */
  auth: A;
  /**
   * Answered to an account that must change its password first (auth/staff-accounts.ts): the
   * password change itself and `me`. Every other authenticated route answers
   * PASSWORD_CHANGE_REQUIRED to it.
   */
  duringPasswordChange?: boolean;
  body?: B;
  query?: Q;
  params?: P;
  response: R;
  /**
   * Request headers the route reads (the handler validates them, answering its own error
   * codes); listed here so the OpenAPI document describes them.
   */
  headers?: readonly HeaderDoc[];
  /** Success body's media type when it is not JSON: the handler answers a TextStream. */
  contentType?: string;
  /** Success status; 200 unless said otherwise. */
  status?: number;
  /** Domain error codes this route may answer with, for the OpenAPI document. */
  errors?: readonly ErrorCode[];
  handler: (
    ctx: HandlerContext<z.output<B>, z.output<Q>, z.output<P>, A>,
  ) => Promise<z.input<R> | Reply<z.input<R>>>;
}

export interface HeaderDoc {
  name: string;
  required: boolean;
  description: string;
  schema: Record<string, unknown>;
}

/** Identity function that gives a route literal its precise types. */
export function defineRoute<
  B extends z.ZodType,
  Q extends z.ZodType,
  P extends z.ZodType,
  R extends z.ZodType,
  const A extends RouteAuth,
>(spec: RouteSpec<B, Q, P, R, A>): RouteSpec {
  return spec as unknown as RouteSpec;
}
