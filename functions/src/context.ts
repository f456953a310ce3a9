/**
 * The request context the domain works with: who is calling (`Principal`) and the facts about the
 * request it records (`RequestMeta`). Owned by the domain so services never import the HTTP layer;
 * `http/` builds these from a verified token and the incoming request and passes them in.
 */

export type Role = 'patient' | 'doctor' | 'admin';

/** The authenticated caller, from a verified access token. */
export interface Principal {
  userId: number;
  role: Role;
}

/** Facts about the request that the domain records (audit log, rate limits). */
export interface RequestMeta {
  requestId: string;
  ip: string;
  userAgent: string | undefined;
}
