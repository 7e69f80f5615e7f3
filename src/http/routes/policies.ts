// Policies: read by every role but suppliers; written by admins. A PUT makes the next
// version; `id@version` pins one.
import { z } from 'zod';
import { appendAudit, inTransaction } from '../../db/audit.js';
import { getPolicy, insertPolicy, listPolicies, listPolicyVersions } from '../../db/policies.js';
import { materializePolicy, parsePolicyRef, POLICY_ID_RE, policyInputSchema } from '../../domain/policy.js';
import { Problem } from '../../problem.js';
import { actorName } from '../../service/deps.js';
import { READERS, requireRole } from '../auth.js';
import type { App } from '../context.js';
import { bearer, jsonBody, op } from '../openapi.js';

const view = (r: { policy: object; sha256: string; createdAt: string }) => ({ ...r.policy, sha256: r.sha256, createdAt: r.createdAt });

export function registerPolicyRoutes(app: App): void {
  app.openapi(op({ roles: READERS, method: 'get', path: '/v1/policies', tags: ['policies'], summary: 'The latest version of every policy', security: bearer },
    { status: 200, description: '{items}' }, [401, 403]),
  (c) => {
    requireRole(c, ...READERS);
    return c.json({ items: listPolicies(c.get('deps').store.sqlite).map(view) });
  });

  app.openapi(op({ roles: READERS, method: 'get', path: '/v1/policies/{id}', tags: ['policies'], summary: 'A policy: "non-red" is the latest version, "non-red@1" pins one; ?versions lists them all', security: bearer,
    request: { params: z.object({ id: z.string().max(100) }), query: z.object({ versions: z.string().optional() }) } },
  { status: 200, description: 'the policy' }, [401, 403, 404]),
  (c) => {
    requireRole(c, ...READERS);
    const db = c.get('deps').store.sqlite;
    const ref = parsePolicyRef(c.req.valid('param').id);
    if (!ref) throw new Problem(404, 'not_found', 'no such policy');
    if (c.req.valid('query').versions !== undefined) {
      const all = listPolicyVersions(db, ref.id);
      if (all.length === 0) throw new Problem(404, 'not_found', 'no such policy');
      return c.json({ items: all.map(view) });
    }
    const row = getPolicy(db, ref.id, ref.version);
    if (!row) throw new Problem(404, 'not_found', 'no such policy');
    return c.json(view(row));
  });

  app.openapi(op({ roles: ['admin'], method: 'put', path: '/v1/policies/{id}', tags: ['policies'], summary: 'Write the next version of a policy (admin); the body carries no version', security: bearer,
    request: { params: z.object({ id: z.string().regex(POLICY_ID_RE, 'lower-case letters, digits and dashes') }), body: jsonBody(policyInputSchema) } },
  { status: 201, description: 'the new version' }, [400, 401, 403, 415, 422]),
  (c) => {
    const actor = requireRole(c, 'admin');
    const deps = c.get('deps');
    const db = deps.store.sqlite;
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const now = deps.clock().toISOString();
    const row = inTransaction(db, () => {
      const latest = getPolicy(db, id, null);
      const policy = materializePolicy(id, (latest?.policy.version ?? 0) + 1, input);
      const inserted = insertPolicy(db, policy, now);
      appendAudit(db, { at: now, actor: actorName(actor), action: 'policy.written', subject: `${id}@${policy.version}`, payload: { ...policy, sha256: inserted.sha256 } });
      return inserted;
    });
    return c.json(view(row), 201);
  });
}
