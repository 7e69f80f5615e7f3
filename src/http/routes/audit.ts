// The audit log: read, chain-verified, and a checkpoint signed by the service key.
import { z } from 'zod';
import { auditHead, listAudit, verifyChain } from '../../db/audit.js';
import { requireRole } from '../auth.js';
import type { App } from '../context.js';
import { bearer, op } from '../openapi.js';

export const CHECKPOINT_TYP = 'nonred-checkpoint+jws';

export function registerAuditRoutes(app: App): void {
  app.openapi(op({ roles: ['auditor', 'admin'], method: 'get', path: '/v1/audit', tags: ['audit'], summary: 'Audit-log entries after a sequence number (?after=, or ?cursor= with the next of the previous page)', security: bearer,
    request: { query: z.object({ after: z.coerce.number().int().min(0).optional(), cursor: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }) } },
  { status: 200, description: '{items, next?}' }, [401, 403, 422]),
  (c) => {
    requireRole(c, 'auditor', 'admin');
    const q = c.req.valid('query');
    const items = listAudit(c.get('deps').store.sqlite, q.after ?? q.cursor ?? 0, q.limit);
    return c.json(items.length === q.limit ? { items, next: String(items[items.length - 1]!.seq) } : { items });
  });

  app.openapi(op({ roles: ['auditor', 'admin'], method: 'get', path: '/v1/audit/verify', tags: ['audit'], summary: 'Recompute the hash chain', security: bearer },
    { status: 200, description: '{valid, size, head, firstBadSeq?}' }, [401, 403]),
  (c) => {
    requireRole(c, 'auditor', 'admin');
    return c.json(verifyChain(c.get('deps').store.sqlite));
  });

  app.openapi(op({ roles: ['auditor', 'admin'], method: 'get', path: '/v1/audit/checkpoint', tags: ['audit'], summary: 'The log head, signed by the service key', security: bearer },
    { status: 200, description: '{size, head, checkpoint}' }, [401, 403]),
  async (c) => {
    requireRole(c, 'auditor', 'admin');
    const deps = c.get('deps');
    const { size, head } = auditHead(deps.store.sqlite);
    const at = deps.clock().toISOString();
    const checkpoint = await deps.keys.sign(CHECKPOINT_TYP, JSON.stringify({ size, head, at }));
    return c.json({ size, head, at, checkpoint });
  });
}
