// createApp(deps): the whole HTTP API as a Hono app. Built here, served in server.ts;
// tests call app.request() without opening a port.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import type { MiddlewareHandler } from 'hono';
import { stmt } from '../db/statements.js';
import { Problem } from '../problem.js';
import type { Deps } from '../service/deps.js';
import { authenticate } from './auth.js';
import { newRouter, type App, type AppEnv } from './context.js';
import { op } from './openapi.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerBomRoutes } from './routes/boms.js';
import { registerDeclarationRoutes } from './routes/declarations.js';
import { registerPartRoutes } from './routes/parts.js';
import { registerPolicyRoutes } from './routes/policies.js';
import { registerRegistryRoutes } from './routes/registry.js';
import { registerReportRoutes } from './routes/reports.js';
import { registerTokenRoutes } from './routes/tokens.js';
import { renderDocs, type OpenApiDoc } from '../web/docs.js';

const MiB = 1024 * 1024;
/** Request body limits by path; everything else gets DEFAULT_LIMIT. */
const BODY_LIMITS: [RegExp, number][] = [
  [/^\/v1\/declarations\/batch$/, 128 * MiB],
  [/^\/v1\/boms$/, 64 * MiB],
  [/^\/v1\/declarations$/, 1 * MiB],
];
const DEFAULT_LIMIT = 1 * MiB;

function problemResponse(p: Problem, requestId: string, headers?: Headers): Response {
  const h = new Headers(headers);
  h.set('content-type', 'application/problem+json');
  h.set('x-request-id', requestId);
  if (p.status === 401) h.set('www-authenticate', 'Bearer');
  return new Response(JSON.stringify(p.toJSON()), { status: p.status, headers: h });
}

function fromHttpException(e: HTTPException): Problem {
  const msg = e.message || '';
  switch (e.status) {
    case 400:
      return /json/i.test(msg)
        ? new Problem(400, 'request.malformed_json', 'the request body is not valid JSON')
        : new Problem(400, 'request.invalid', msg || 'bad request');
    case 401: return new Problem(401, 'auth.invalid', 'authentication failed');
    case 404: return new Problem(404, 'not_found', 'not found');
    case 413: return new Problem(413, 'request.too_large', 'the request body is too large');
    case 415: return new Problem(415, 'request.unsupported_media_type', 'this endpoint does not accept that content type');
    default: return new Problem(e.status, 'request.invalid', msg || 'request refused');
  }
}

/** Enforces the size limit of each path's request bodies. */
function bodyLimits(): MiddlewareHandler<AppEnv> {
  const limiters = new Map<number, MiddlewareHandler>();
  const limiter = (size: number) => {
    let l = limiters.get(size);
    if (!l) {
      l = bodyLimit({ maxSize: size, onError: () => { throw new Problem(413, 'request.too_large', `the request body exceeds ${size} bytes`); } });
      limiters.set(size, l);
    }
    return l;
  };
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'DELETE' || c.req.method === 'OPTIONS') return next();
    const size = BODY_LIMITS.find(([re]) => re.test(c.req.path))?.[1] ?? DEFAULT_LIMIT;
    return limiter(size)(c, next);
  };
}

export function createApp(deps: Deps): App {
  const app = newRouter();

  app.use('*', async (c, next) => {
    const requestId = randomUUID();
    c.set('requestId', requestId);
    c.set('deps', deps);
    c.set('actor', undefined);
    // Set before the handler runs, so every response the context builds carries it. Setting
    // a header on a finished response makes the server rebuild it as a stream (about a
    // third of a small GET's cost), so afterwards only responses built elsewhere get it.
    c.header('x-request-id', requestId);
    await next();
    if (!c.res.headers.has('x-request-id')) c.res.headers.set('x-request-id', requestId);
  });
  app.use('*', bodyLimits());
  app.use('/v1/*', authenticate());

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });

  app.openapi(op({ method: 'get', path: '/healthz', tags: ['service'], summary: 'Liveness and database check' }, { status: 200, description: '{status: "ok"}' }),
    (c) => {
      const row = stmt(deps.store.sqlite, 'SELECT 1 AS ok').get() as { ok: number };
      return c.json({ status: row.ok === 1 ? 'ok' : 'degraded', db: 'ok', time: deps.clock().toISOString() });
    });
  app.openapi(op({ method: 'get', path: '/.well-known/jwks.json', tags: ['service'], summary: 'The service public keys (current and retired)' }, { status: 200, description: 'a JWK set' }),
    (c) => c.json(deps.keys.jwks()));

  registerRegistryRoutes(app);
  registerTokenRoutes(app);
  registerDeclarationRoutes(app);
  registerBomRoutes(app);
  registerReportRoutes(app);
  registerPartRoutes(app);
  registerPolicyRoutes(app);
  registerAuditRoutes(app);

  const docConfig = {
    openapi: '3.1.0',
    info: {
      title: 'nonred',
      version: '1',
      description: 'Supply-chain provenance verification for non-Red drone components: signed supplier declarations in, BOMs verified against an origin policy, signed reports out.',
    },
  };
  let cachedDoc: OpenApiDoc | null = null;
  const document = (): OpenApiDoc => (cachedDoc ??= app.getOpenAPI31Document(docConfig) as unknown as OpenApiDoc);
  app.get('/openapi.json', (c) => c.json(document()));
  app.get('/docs', (c) => c.html(renderDocs(document())));
  app.get('/', (c) => c.redirect('/docs'));

  app.notFound((c) => problemResponse(new Problem(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`), c.get('requestId') ?? randomUUID()));

  app.onError((err, c) => {
    const requestId = c.get('requestId') ?? randomUUID();
    if (err instanceof Problem) return problemResponse(err, requestId);
    if (err instanceof HTTPException) return problemResponse(fromHttpException(err), requestId, err.getResponse().headers);
    if (err instanceof z.ZodError) {
      return problemResponse(new Problem(422, 'validation.failed', 'the request is invalid'), requestId);
    }
    // Unknown: logged with the request id, answered without any of its text.
    deps.log.error('unhandled error', { requestId, method: c.req.method, path: c.req.path, error: err instanceof Error ? err.stack : String(err) });
    return problemResponse(new Problem(500, 'internal', `an internal error occurred; quote request id ${requestId}`), requestId);
  });

  return app;
}
