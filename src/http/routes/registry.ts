// Suppliers, their keys and revocations, manufacturer aliases, and the registry export.
import { z } from 'zod';
import { parsePublicJwk } from '../../crypto/jwk.js';
import { appendAudit, inTransaction } from '../../db/audit.js';
import {
  aliasRows, getKey, getSupplier, insertAlias, insertKey, insertSupplier, keysOf, listSuppliers, registryAsOf, revokeKey,
  type KeyRow,
} from '../../db/registry.js';
import { countryCode, supplierId, timestamp } from '../../domain/declaration-schema.js';
import { normalizeName } from '../../domain/part-key.js';
import { Problem } from '../../problem.js';
import { actorName } from '../../service/deps.js';
import { READERS, requireRole } from '../auth.js';
import type { App } from '../context.js';
import { bearer, jsonBody, listQuery, op, page } from '../openapi.js';
import { registryDocument } from '../../service/audit-bundle.js';

const knownCountry = countryCode.refine((c) => c !== 'unknown', { message: 'a registered domicile must be a country code' });
const name = z.string().trim().min(1).max(300);

export const supplierInput = z.strictObject({
  id: supplierId,
  name,
  domicile: knownCountry,
  ultimateParent: z.union([z.literal('self'), z.strictObject({ name, domicile: knownCountry })]).optional(),
  manufacturerNames: z.array(name).max(100).default([]),
});

const keyInput = z.strictObject({ jwk: z.record(z.string(), z.unknown()) });
const revokeInput = z.strictObject({
  reason: z.enum(['superseded', 'compromised']),
  compromisedAt: timestamp.optional(),
});
const aliasInput = z.strictObject({ name, aliases: z.array(name).min(1).max(100) });

function publicKeyView(k: KeyRow) {
  return {
    kid: k.kid, supplier: k.supplier, alg: k.alg, jwk: JSON.parse(k.jwk) as unknown, status: k.status,
    ...(k.status === 'revoked' ? { reason: k.reason, revokedAt: k.revokedAt, ...(k.compromisedAt ? { compromisedAt: k.compromisedAt } : {}) } : {}),
    createdAt: k.createdAt,
  };
}

export function registerRegistryRoutes(app: App): void {
  app.openapi(op({ roles: ['admin'], method: 'post', path: '/v1/suppliers', tags: ['registry'], summary: 'Register a supplier (admin)', security: bearer,
    request: { body: jsonBody(supplierInput) } }, { status: 201, description: 'the supplier' }, [400, 401, 403, 409, 415, 422]),
  (c) => {
    const actor = requireRole(c, 'admin');
    const deps = c.get('deps');
    const input = c.req.valid('json');
    const db = deps.store.sqlite;
    const now = deps.clock().toISOString();
    const row = {
      id: input.id, name: input.name, domicile: input.domicile, ultimateParent: input.ultimateParent ?? null,
      manufacturerNames: [...new Set(input.manufacturerNames)], createdAt: now,
    };
    inTransaction(db, () => {
      if (getSupplier(db, input.id)) throw new Problem(409, 'supplier.exists', `supplier ${input.id} is already registered`);
      insertSupplier(db, row);
      appendAudit(db, { at: now, actor: actorName(actor), action: 'supplier.registered', subject: input.id, payload: row });
    });
    return c.json({
      id: row.id, name: row.name, domicile: row.domicile,
      ...(row.ultimateParent !== null ? { ultimateParent: row.ultimateParent } : {}),
      manufacturerNames: row.manufacturerNames,
    }, 201);
  });

  app.openapi(op({ roles: READERS, method: 'get', path: '/v1/suppliers', tags: ['registry'], summary: 'List suppliers', security: bearer,
    request: { query: listQuery } }, { status: 200, description: '{items, next?}' }, [401, 403, 422]),
  (c) => {
    requireRole(c, ...READERS);
    const q = c.req.valid('query');
    const items = listSuppliers(c.get('deps').store.sqlite, q.cursor ?? '', q.limit);
    return c.json(page(items, q.limit, (s) => s.id));
  });

  app.openapi(op({ roles: READERS, method: 'get', path: '/v1/suppliers/{id}', tags: ['registry'], summary: 'A supplier with its keys', security: bearer,
    request: { params: z.object({ id: z.string().max(100) }) } }, { status: 200, description: 'the supplier' }, [401, 403, 404]),
  (c) => {
    requireRole(c, ...READERS);
    const db = c.get('deps').store.sqlite;
    const s = getSupplier(db, c.req.valid('param').id);
    if (!s) throw new Problem(404, 'not_found', 'no such supplier');
    return c.json({ ...s, keys: keysOf(db, s.id).map(publicKeyView) });
  });

  app.openapi(op({ roles: ['admin'], method: 'post', path: '/v1/suppliers/{id}/keys', tags: ['registry'], summary: 'Register a supplier public key (admin)', security: bearer,
    request: { params: z.object({ id: z.string().max(100) }), body: jsonBody(keyInput, 'a public JWK: OKP/Ed25519 or EC/P-256, no private members') } },
  { status: 201, description: '{kid, supplier, status}' }, [400, 401, 403, 404, 409, 415, 422]),
  async (c) => {
    const actor = requireRole(c, 'admin');
    const deps = c.get('deps');
    const db = deps.store.sqlite;
    const supplier = c.req.valid('param').id;
    if (!getSupplier(db, supplier)) throw new Problem(404, 'not_found', 'no such supplier');
    const info = await parsePublicJwk(c.req.valid('json').jwk);
    const now = deps.clock().toISOString();
    inTransaction(db, () => {
      const existing = getKey(db, info.kid);
      if (existing) {
        throw new Problem(409, 'key.in_use', existing.supplier === supplier
          ? `key ${info.kid} is already registered for ${supplier}`
          : `key ${info.kid} belongs to another supplier: one key proves one supplier`);
      }
      insertKey(db, { kid: info.kid, supplier, alg: info.alg, jwk: JSON.stringify(info.jwk), status: 'active', reason: null, revokedAt: null, compromisedAt: null, createdAt: now });
      appendAudit(db, { at: now, actor: actorName(actor), action: 'key.registered', subject: info.kid, payload: { kid: info.kid, supplier, alg: info.alg, jwk: info.jwk } });
    });
    return c.json({ kid: info.kid, supplier, alg: info.alg, status: 'active' }, 201);
  });

  app.openapi(op({ roles: ['admin'], method: 'post', path: '/v1/keys/{kid}/revoke', tags: ['registry'], summary: 'Revoke a supplier key (admin)', security: bearer,
    description: 'superseded: declarations received before the revocation stay valid. compromised: declarations received at or after compromisedAt stop counting, also in reports already issued.',
    request: { params: z.object({ kid: z.string().max(100) }), body: jsonBody(revokeInput) } },
  { status: 200, description: '{kid, status, reason, revokedAt, compromisedAt?}' }, [400, 401, 403, 404, 409, 415, 422]),
  (c) => {
    const actor = requireRole(c, 'admin');
    const deps = c.get('deps');
    const db = deps.store.sqlite;
    const { kid } = c.req.valid('param');
    const input = c.req.valid('json');
    const now = deps.clock();
    if (input.reason === 'compromised' && input.compromisedAt === undefined) {
      throw new Problem(422, 'validation.failed', 'a compromised key needs compromisedAt: from when its declarations stop counting', { errors: [{ path: '/body/compromisedAt', message: 'required when reason is compromised' }] });
    }
    if (input.reason === 'superseded' && input.compromisedAt !== undefined) {
      throw new Problem(422, 'validation.failed', 'compromisedAt applies only to reason "compromised"', { errors: [{ path: '/body/compromisedAt', message: 'only with reason compromised' }] });
    }
    if (input.compromisedAt !== undefined && Date.parse(input.compromisedAt) > now.getTime()) {
      throw new Problem(422, 'validation.failed', 'compromisedAt cannot be in the future', { errors: [{ path: '/body/compromisedAt', message: 'in the future' }] });
    }
    const result = inTransaction(db, () => {
      const key = getKey(db, kid);
      if (!key) throw new Problem(404, 'not_found', 'no such key');
      // A key retired as superseded may later turn out to be compromised; nothing else changes a revocation.
      if (key.status === 'revoked' && !(key.reason === 'superseded' && input.reason === 'compromised')) {
        throw new Problem(409, 'key.revoked', `key ${kid} is already revoked (${key.reason})`);
      }
      const revokedAt = key.revokedAt ?? now.toISOString();
      const compromisedAt = input.compromisedAt === undefined ? null : new Date(Date.parse(input.compromisedAt)).toISOString();
      revokeKey(db, kid, input.reason, revokedAt, compromisedAt);
      const out = { kid, status: 'revoked' as const, reason: input.reason, revokedAt, ...(compromisedAt ? { compromisedAt } : {}) };
      appendAudit(db, { at: now.toISOString(), actor: actorName(actor), action: 'key.revoked', subject: kid, payload: { ...out, supplier: key.supplier } });
      return out;
    });
    return c.json(result, 200);
  });

  app.openapi(op({ roles: ['admin'], method: 'post', path: '/v1/manufacturers/aliases', tags: ['registry'], summary: 'Add manufacturer aliases (admin)', security: bearer,
    request: { body: jsonBody(aliasInput) } }, { status: 201, description: '{name, aliases}' }, [400, 401, 403, 409, 415, 422]),
  (c) => {
    const actor = requireRole(c, 'admin');
    const deps = c.get('deps');
    const db = deps.store.sqlite;
    const input = c.req.valid('json');
    const now = deps.clock().toISOString();
    const canonicalNorm = normalizeName(input.name);
    const out = inTransaction(db, () => {
      const rows = aliasRows(db);
      const asAlias = rows.find((r) => r.aliasNorm === canonicalNorm);
      if (asAlias) throw new Problem(409, 'manufacturer.alias_conflict', `"${input.name}" is itself an alias of "${asAlias.canonical}"; add aliases to that name`);
      const added: string[] = [];
      for (const alias of input.aliases) {
        const n = normalizeName(alias);
        if (n === canonicalNorm) continue;
        const existing = rows.find((r) => r.aliasNorm === n);
        if (existing) {
          if (existing.canonicalNorm === canonicalNorm) continue;
          throw new Problem(409, 'manufacturer.alias_conflict', `"${alias}" is already an alias of "${existing.canonical}"`);
        }
        if (rows.some((r) => r.canonicalNorm === n)) {
          throw new Problem(409, 'manufacturer.alias_conflict', `"${alias}" is a canonical manufacturer name with aliases of its own`);
        }
        if (added.some((a) => normalizeName(a) === n)) continue;
        insertAlias(db, alias, input.name, now);
        added.push(alias);
      }
      appendAudit(db, { at: now, actor: actorName(actor), action: 'manufacturer.aliases_added', subject: input.name, payload: { name: input.name, aliases: added } });
      return { name: input.name, aliases: aliasRows(db).filter((r) => r.canonicalNorm === canonicalNorm).map((r) => r.alias) };
    });
    return c.json(out, 201);
  });

  app.openapi(op({ roles: READERS, method: 'get', path: '/v1/manufacturers/aliases', tags: ['registry'], summary: 'The manufacturer alias registry', security: bearer },
    { status: 200, description: '{items: [{name, aliases}]}' }, [401, 403]),
  (c) => {
    requireRole(c, ...READERS);
    const rows = aliasRows(c.get('deps').store.sqlite);
    const byName = new Map<string, { name: string; aliases: string[] }>();
    for (const r of rows) {
      const e = byName.get(r.canonicalNorm) ?? { name: r.canonical, aliases: [] };
      e.aliases.push(r.alias);
      byName.set(r.canonicalNorm, e);
    }
    return c.json({ items: [...byName.values()] });
  });

  app.openapi(op({ roles: READERS, method: 'get', path: '/v1/registry', tags: ['registry'], summary: 'Everything an offline check needs: suppliers, manufacturer names, aliases, public keys and revocations', security: bearer },
    { status: 200, description: 'the registry' }, [401, 403]),
  (c) => {
    requireRole(c, ...READERS);
    const deps = c.get('deps');
    const db = deps.store.sqlite;
    const at = deps.clock().toISOString();
    return c.json(registryDocument(registryAsOf(db, at), at));
  });
}
