// The demo programme (fixtures/demo), seeded on first start so that a newcomer sees a real
// report at once. It goes through the public API in-process — the same code paths as any
// client — with tokens it creates: suppliers, keys, signed declarations, the quadcopter
// BOM and its verification. Supplier private keys are generated here and discarded.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../paths.js';
import { CompactSign } from 'jose';
import { appendAudit, inTransaction } from '../db/audit.js';
import { insertToken } from '../db/tokens.js';
import { hashToken, newTokenSecret } from '../http/auth.js';
import { createApp } from '../http/app.js';
import type { Deps } from './deps.js';

export const DEMO_DIR = projectPath('fixtures', 'demo');

interface Programme {
  suppliers: { id: string; name: string; domicile: string; ultimateParent: unknown; manufacturerNames: string[]; alg: 'EdDSA' | 'ES256' }[];
  aliases: { name: string; aliases: string[] }[];
  declarations: (Record<string, unknown> & { supplier: string; id: string; components?: Record<string, unknown>[] })[];
}

export interface SeedResult {
  adminToken: string | null;
  procurementToken: string;
  auditorToken: string;
  bomId: string;
  reportId: string;
  verdict: string;
}

export function isSeeded(deps: Deps): boolean {
  const r = deps.store.sqlite.prepare("SELECT value FROM meta WHERE key = 'demo_seeded'").get() as { value: string } | undefined;
  return r !== undefined;
}

export function isEmpty(deps: Deps): boolean {
  const r = deps.store.sqlite.prepare('SELECT (SELECT COUNT(*) FROM suppliers) + (SELECT COUNT(*) FROM boms) + (SELECT COUNT(*) FROM api_tokens) AS n').get() as { n: number };
  return r.n === 0;
}

function createToken(deps: Deps, role: 'admin' | 'procurement' | 'auditor', label: string): string {
  const secret = newTokenSecret();
  const now = deps.clock().toISOString();
  const row = { id: deps.ids('tok'), role, supplier: null, label, createdAt: now, expiresAt: null, revokedAt: null };
  inTransaction(deps.store.sqlite, () => {
    insertToken(deps.store.sqlite, row, hashToken(secret));
    appendAudit(deps.store.sqlite, { at: now, actor: 'system', action: 'token.created', subject: row.id, payload: row });
  });
  return secret;
}

export async function seedDemo(deps: Deps): Promise<SeedResult> {
  const programme = JSON.parse(readFileSync(join(DEMO_DIR, 'programme.json'), 'utf8')) as Programme;
  const bomBytes = readFileSync(join(DEMO_DIR, '..', 'boms', 'quadcopter.json'));
  const app = createApp(deps);
  const adminToken = deps.config.bootstrapToken === null ? createToken(deps, 'admin', 'first admin (printed at first start)') : null;
  const admin = adminToken ?? deps.config.bootstrapToken!;
  const procurementToken = createToken(deps, 'procurement', 'demo procurement');
  const auditorToken = createToken(deps, 'auditor', 'demo auditor');

  const call = async (token: string, method: string, path: string, body?: string | Buffer, type = 'application/json') => {
    const res = await app.request(path, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': type } : {}) }, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`demo seed: ${method} ${path} → ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };

  const privateKeys = new Map<string, { key: KeyObject; kid: string; alg: 'EdDSA' | 'ES256' }>();
  for (const s of programme.suppliers) {
    const { alg, ...supplier } = s;
    await call(admin, 'POST', '/v1/suppliers', JSON.stringify(supplier));
    const pair = alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = pair.publicKey.export({ format: 'jwk' });
    const res = await call(admin, 'POST', `/v1/suppliers/${s.id}/keys`, JSON.stringify({ jwk }));
    privateKeys.set(s.id, { key: pair.privateKey, kid: res.kid as string, alg });
  }
  for (const a of programme.aliases) await call(admin, 'POST', '/v1/manufacturers/aliases', JSON.stringify(a));

  const now = deps.clock().getTime();
  const issuedAt = new Date(now - 30 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const expiresAt = new Date(now + 335 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const shaById = new Map<string, string>();
  for (const d of programme.declarations) {
    const components = d.components?.map((comp) => {
      const ref = comp.declaration;
      return typeof ref === 'string' && ref.startsWith('@') ? { ...comp, declaration: shaById.get(ref.slice(1))! } : comp;
    });
    const payload = { schema: 'nonred/declaration/v1', ...d, issuedAt, expiresAt, ...(components ? { components } : {}) };
    const signer = privateKeys.get(d.supplier)!;
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'nonred-declaration+jws' })
      .sign(signer.key);
    const res = await call(procurementToken, 'POST', '/v1/declarations', jws, 'application/jose');
    shaById.set(d.id, res.sha256 as string);
  }

  const bom = await call(procurementToken, 'POST', '/v1/boms', bomBytes);
  const report = await call(procurementToken, 'POST', `/v1/boms/${bom.id as string}/verify?policy=non-red`);
  deps.store.sqlite.prepare("INSERT INTO meta (key, value) VALUES ('demo_seeded', ?)").run(deps.clock().toISOString());
  return { adminToken, procurementToken, auditorToken, bomId: bom.id as string, reportId: report.id as string, verdict: report.verdict as string };
}
