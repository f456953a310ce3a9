/**
 * The HTTP application: a plain Node `(req, res)` listener. `server.ts` mounts it on node:http;
 * the Lambda entries (`lambda/api*.ts`) wrap it with serverless-http. Routing by router.ts
 * (rou3); every route's input is validated by its zod schemas before the handler runs; every
 * error leaves through `sendError`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import type { Principal, RequestMeta } from '../context.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { checkNotRevoked } from '../auth/revocation.js';
import { verifyAccessToken } from '../auth/tokens.js';
import { readJsonBody } from './body.js';
import { applyCors, securityHeaders } from './headers.js';
import { sendError, sendJson, sendTextStream, validationError } from './respond.js';
import { Reply, TextStream, type RouteSpec } from './route.js';
import { Router } from './router.js';

export type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export interface AppOptions {
  /** Validate every response against its route's schema (tests): a mismatch is a bug. */
  validateResponses?: boolean;
}

// Also admits API Gateway's own ids (base64, e.g. `JKJaXmPLvHcESHA=`), which serverless-http puts
// in X-Request-Id when the client sent none, so our logs line up with the gateway's.
const REQUEST_ID = /^[A-Za-z0-9._=+/-]{1,64}$/;

/**
 * The schema of a route that declares no params or query: nothing is accepted. One instance for
 * the process — zod compiles an object schema on its first parse, and building a fresh one per
 * request cost a fifth of a refusal's CPU (bench/booking-burst.ts --cpu-prof).
 */
const NO_INPUT = z.strictObject({});

export function createApp(deps: AppDeps, routes: readonly RouteSpec[], options: AppOptions = {}): Listener {
  const router = new Router<RouteSpec>();
  for (const route of routes) router.add(route.method, route.path, route);

  const headers = Object.entries(securityHeaders(deps.config.env));

  return (req, res) => {
    const started = process.hrtime.bigint();
    const headerId = req.headers['x-request-id'];
    const requestId = typeof headerId === 'string' && REQUEST_ID.test(headerId) ? headerId : randomUUID();
    const log = deps.log.child({ requestId });
    res.setHeader('X-Request-Id', requestId);
    for (const [name, value] of headers) res.setHeader(name, value);

    const url = new URL(req.url ?? '/', 'http://localhost');
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.info({ method: req.method, path: url.pathname, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });

    if (applyCors(req, res, deps.config)) return; // answered a preflight

    const method = (req.method ?? 'GET').toUpperCase();
    const found = router.find(method, url.pathname);
    if (!found) {
      const allowed = (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).filter((m) => router.find(m, url.pathname));
      if (allowed.length > 0) res.setHeader('Allow', allowed.join(', '));
      return sendError(res, new AppError(allowed.length > 0 ? 'METHOD_NOT_ALLOWED' : 'ROUTE_NOT_FOUND'), log);
    }
    const route = found.value;
    const meta: RequestMeta = {
      requestId,
      ip: clientIp(req, deps.config.trustProxy),
      userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'].slice(0, 255) : undefined,
    };

    handle(route, req, res, found.params, url.searchParams, meta, deps, log, options).catch((error: unknown) => {
      // The rest of an oversized body is still arriving: end the connection after the answer
      // instead of reading it all to keep the connection alive.
      if (error instanceof AppError && error.code === 'PAYLOAD_TOO_LARGE') res.setHeader('Connection', 'close');
      sendError(res, error, log);
    });
  };
}

async function handle(
  route: RouteSpec,
  req: IncomingMessage,
  res: ServerResponse,
  rawParams: Record<string, string | undefined>,
  searchParams: URLSearchParams,
  meta: RequestMeta,
  deps: AppDeps,
  log: AppDeps['log'],
  options: AppOptions,
): Promise<void> {
  const principal = route.auth === 'public' ? undefined : await authenticate(req, route, deps);

  const params = parse(route.params, rawParams, 'params');
  const query = parse(route.query, queryObject(searchParams), 'query');
  const body = route.body ? parse(route.body, await readJsonBody(req), 'body') : await rejectBody(req);

  const result = await route.handler({ body, query, params, principal, headers: req.headers, meta, log, deps });
  if (result instanceof TextStream) return sendTextStream(res, route.status ?? 200, route.contentType ?? 'text/plain; charset=utf-8', result);
  const reply = result instanceof Reply ? result : new Reply(result);
  if (options.validateResponses) {
    const checked = route.response.safeParse(reply.body);
    if (!checked.success) {
      throw new Error(`response of ${route.method} ${route.path} does not match its schema: ${checked.error.message}`);
    }
  }
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  sendJson(res, reply.status ?? route.status ?? 200, reply.body);
}

async function authenticate(req: IncomingMessage, route: RouteSpec, deps: AppDeps): Promise<Principal> {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header) : null;
  if (!match?.[1]) throw new AppError('UNAUTHENTICATED');
  const now = deps.clock.now();
  const claims = await verifyAccessToken(deps.config, match[1], now);
  // A valid signature is not enough: the login, the account and its role must still stand.
  const { doctorActive } = await checkNotRevoked(deps.db, match[1], claims, now, deps.config.accessTokenTtlSeconds);
  if (Array.isArray(route.auth)) {
    if (!route.auth.includes(claims.role)) throw new AppError('FORBIDDEN');
    if (claims.role === 'doctor' && !doctorActive) throw new AppError('FORBIDDEN', '该医生已停诊，不能再使用医生功能');
  }
  // An admin chose this account's password (created or reset it): nothing but the change until then.
  if (claims.mustChangePassword && !route.duringPasswordChange) throw new AppError('PASSWORD_CHANGE_REQUIRED');
  return { userId: claims.userId, role: claims.role };
}

function parse(schema: z.ZodType | undefined, value: unknown, where: 'params' | 'query' | 'body'): unknown {
  const target = schema ?? NO_INPUT;
  const result = target.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

/** A repeated query key becomes an array; a single one a string. */
function queryObject(searchParams: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(searchParams.keys())) {
    const all = searchParams.getAll(key);
    out[key] = all.length === 1 ? (all[0] as string) : all;
  }
  return out;
}

/** Routes without a body schema accept no body; an unexpected one is a client error. */
async function rejectBody(req: IncomingMessage): Promise<undefined> {
  const body = await readJsonBody(req);
  if (body !== undefined) throw new AppError('VALIDATION_FAILED', '该接口不接受请求体');
  return undefined;
}

/**
 * Behind a trusted proxy the client address is the entry that proxy appended: the last one.
 * Earlier entries come from the client and can be forged to dodge per-IP rate limits.
 */
function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',').at(-1)?.trim();
    if (last) return last.slice(0, 45);
  }
  return (req.socket?.remoteAddress ?? 'unknown').slice(0, 45);
}
