// API tokens (admin): created with a role (and a supplier for supplier tokens), shown once,
// listed without their secret, revoked, optionally expiring.
import { z } from 'zod';
import { appendAudit, inTransaction } from '../../db/audit.js';
import { getSupplier } from '../../db/registry.js';
import { getToken, insertToken, listTokens, revokeToken, ROLES } from '../../db/tokens.js';
import { supplierId, timestamp } from '../../domain/declaration-schema.js';
import { Problem } from '../../problem.js';
import { actorName } from '../../service/deps.js';
import { hashToken, newTokenSecret, requireRole } from '../auth.js';
import type { App } from '../context.js';
import { bearer, jsonBody, listQuery, op, page } from '../openapi.js';

const tokenInput = z.strictObject({
  role: z.enum(ROLES),
  supplier: supplierId.optional(),
  expiresAt: timestamp.optional(),
  label: z.string().trim().min(1).max(200).optional(),
});

export function registerTokenRoutes(app: App): void {
  app.openapi(op({ roles: ['admin'], method: 'post', path: '/v1/tokens', tags: ['tokens'], summary: 'Create an API token (admin); the secret is shown once', security: bearer,
    request: { body: jsonBody(tokenInput) } }, { status: 201, description: '{id, token, role, supplier?}' }, [400, 401, 403, 415, 422]),
  (c) => {
    const actor = requireRole(c, 'admin');
    const deps = c.get('deps');
    const db = deps.store.sqlite;
    const input = c.req.valid('json');
    if (input.role === 'supplier' && input.supplier === undefined) {
      throw new Problem(422, 'validation.failed', 'a supplier token names its supplier', { errors: [{ path: '/body/supplier', message: 'required for role supplier' }] });
    }
    if (input.role !== 'supplier' && input.supplier !== undefined) {
      throw new Problem(422, 'validation.failed', 'only supplier tokens name a supplier', { errors: [{ path: '/body/supplier', message: 'only for role supplier' }] });
    }
    if (input.supplier !== undefined && !getSupplier(db, input.supplier)) {
      throw new Problem(422, 'validation.failed', `supplier ${input.supplier} is not registered`, { errors: [{ path: '/body/supplier', message: 'unknown supplier' }] });
    }
    const now = deps.clock();
    if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= now.getTime()) {
      throw new Problem(422, 'validation.failed', 'expiresAt is already past', { errors: [{ path: '/body/expiresAt', message: 'in the past' }] });
    }
    const secret = newTokenSecret();
    const row = {
      id: deps.ids('tok'), role: input.role, supplier: input.supplier ?? null, label: input.label ?? null,
      createdAt: now.toISOString(), expiresAt: input.expiresAt ?? null, revokedAt: null,
    };
    inTransaction(db, () => {
      insertToken(db, row, hashToken(secret));
      appendAudit(db, { at: row.createdAt, actor: actorName(actor), action: 'token.created', subject: row.id, payload: row });
    });
    return c.json({ id: row.id, token: secret, role: row.role, ...(row.supplier ? { supplier: row.supplier } : {}), ...(row.expiresAt ? { expiresAt: row.expiresAt } : {}), ...(row.label ? { label: row.label } : {}) }, 201);
  });

  app.openapi(op({ roles: ['admin'], method: 'get', path: '/v1/tokens', tags: ['tokens'], summary: 'List tokens (never their secrets)', security: bearer,
    request: { query: listQuery } }, { status: 200, description: '{items, next?}' }, [401, 403, 422]),
  (c) => {
    requireRole(c, 'admin');
    const q = c.req.valid('query');
    return c.json(page(listTokens(c.get('deps').store.sqlite, q.cursor ?? '', q.limit), q.limit, (t) => t.id));
  });

  app.openapi(op({ roles: ['admin'], method: 'delete', path: '/v1/tokens/{id}', tags: ['tokens'], summary: 'Revoke a token', security: bearer,
    request: { params: z.object({ id: z.string().max(100) }) } }, { status: 200, description: 'the revoked token' }, [401, 403, 404]),
  (c) => {
    const actor = requireRole(c, 'admin');
    const deps = c.get('deps');
    const db = deps.store.sqlite;
    const { id } = c.req.valid('param');
    const now = deps.clock().toISOString();
    const row = inTransaction(db, () => {
      const t = getToken(db, id);
      if (!t) throw new Problem(404, 'not_found', 'no such token');
      if (t.revokedAt === null) {
        revokeToken(db, id, now);
        appendAudit(db, { at: now, actor: actorName(actor), action: 'token.revoked', subject: id, payload: { id } });
      }
      return getToken(db, id)!;
    });
    return c.json(row, 200);
  });
}
