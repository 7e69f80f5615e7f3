// Small helpers for describing routes: every route states its request shapes with zod (the
// single source of truth, validated at run time) and the problems it can answer with.
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import { z } from 'zod';
import type { MiddlewareHandler } from 'hono';
import type { Role } from '../db/tokens.js';
import { Problem } from '../problem.js';
import type { AppEnv } from './context.js';
import { requireRole } from './auth.js';

/**
 * For JSON bodies, after authentication and the role check: 415 for another content type,
 * 400 request.malformed_json for text that is not JSON — before any validator sees it.
 */
function jsonGate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const type = (c.req.header('content-type') ?? '').toLowerCase();
    if (!/^application\/json\s*(;|$)/.test(type)) {
      throw new Problem(415, 'request.unsupported_media_type', `send the body as application/json${type ? `, not ${type.split(';')[0]}` : ''}`);
    }
    try {
      await c.req.json();
    } catch {
      throw new Problem(400, 'request.malformed_json', 'the request body is not valid JSON');
    }
    await next();
  };
}

function roleGate(roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    requireRole(c, ...roles);
    await next();
  };
}

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

const PROBLEM_TEXT: Record<number, string> = {
  400: 'malformed request body',
  401: 'no token, or an unknown/revoked/expired one',
  403: 'the role may not do this',
  404: 'absent, or not visible to the caller',
  409: 'conflict with what is already held',
  413: 'too large',
  415: 'wrong content type',
  422: 'well-formed but invalid',
};

type Responses = RouteConfig['responses'];

export function op<const R extends Omit<RouteConfig, 'responses'>>(
  routeWithRoles: R & { roles?: Role[] },
  ok: { status: number; description: string; mediaType?: string },
  problems: number[] = [],
): R & { responses: Responses } {
  const { roles, ...route } = routeWithRoles;
  // The role check runs before any validator: a caller who may not do this learns 403,
  // not what a valid body would look like.
  const jsonBodyRoute = route.request?.body !== undefined && JSON_BODIES.has(route.request.body);
  const middleware = [...(roles ? [roleGate(roles)] : []), ...(jsonBodyRoute ? [jsonGate()] : [])];
  const withRoles = {
    ...route,
    ...(middleware.length > 0 ? { middleware } : {}),
    ...(roles ? { description: `${route.description ? `${route.description} ` : ''}Roles: ${roles.join(', ')}.` } : {}),
  };
  const responses: Responses = {
    [ok.status]: { description: ok.description },
  };
  for (const s of problems) {
    responses[s] = { description: PROBLEM_TEXT[s] ?? 'problem', content: { 'application/problem+json': { schema: problemSchema } } };
  }
  return createRoute({ ...withRoles, responses } as R & { responses: Responses }) as R & { responses: Responses };
}

/** Request bodies declared with jsonBody get the JSON gate (415 / 400) before validation. */
const JSON_BODIES = new WeakSet<object>();

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => {
  const body = {
    required: true,
    ...(description ? { description } : {}),
    content: { 'application/json': { schema } },
  };
  JSON_BODIES.add(body);
  return body;
};

export const bearer = [{ bearerAuth: [] as string[] }];

export const listQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** `{items, next?}` with the cursor of the last item when the page is full. */
export function page<T>(items: T[], limit: number, cursorOf: (item: T) => string): { items: T[]; next?: string } {
  return items.length === limit && items.length > 0 ? { items, next: cursorOf(items[items.length - 1]!) } : { items };
}

/**
 * A body of a non-JSON type (a JWS, NDJSON, CSV), documented but read by the handler
 * itself: the handler checks the media type with requireMediaType.
 */
export const rawBody = (types: readonly string[], description: string) => ({
  required: true,
  description,
  content: Object.fromEntries(types.map((t) => [t, { schema: { type: 'string' as const } }])),
});

/** 415 unless the request's content type (without parameters) is one of `types`. */
export function requireMediaType(header: string | undefined, types: readonly string[]): string {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (!types.includes(type)) {
    throw new Problem(415, 'request.unsupported_media_type', `send the body as ${types.join(' or ')}${type ? `, not ${type}` : ''}`);
  }
  return type;
}
