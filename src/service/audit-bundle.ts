// The audit bundle (SPEC §7): one JSON file with the signed report, the BOM as uploaded,
// every declaration the walk looked at with its signed receipt, the registry as it stood,
// the policy and the JWKS — and the offline check of such a file: every signature, then
// the walk re-run with `generatedAt` as the clock, whose body must come out identical.
import { createHash, createPublicKey, type JsonWebKey } from 'node:crypto';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { z } from 'zod';
import { decodeCompactJws, verifyDecodedDeclaration } from '../crypto/verify-declaration.js';
import { registryAsOf, type RegistryExport } from '../db/registry.js';
import { dbEvidence, getDeclaration } from '../db/declarations.js';
import { getBom, getBomContent } from '../db/boms.js';
import { getReport } from '../db/reports.js';
import type { DeclarationRecord, EvidenceSource } from '../domain/evidence.js';
import { memoryEvidence, type HeldDeclaration } from '../domain/memory-evidence.js';
import type { Policy } from '../domain/policy.js';
import { rerunDiffers, type ReportBody } from '../domain/report.js';
import type { RegistrySnapshot } from '../domain/registry.js';
import { walk } from '../domain/walk.js';
import { importBom } from '../formats/import-bom.js';
import { Problem } from '../problem.js';
import type { Deps } from './deps.js';
import { receiptOf, signReceipt } from './intake.js';
import { attachPayload } from './reports.js';

export const BUNDLE_SCHEMA = 'nonred/audit-bundle/v1';
export const REGISTRY_SCHEMA = 'nonred/registry/v1';

const keyEntry = z.object({
  kid: z.string(),
  supplier: z.string(),
  alg: z.enum(['EdDSA', 'ES256']),
  jwk: z.record(z.string(), z.unknown()),
  status: z.enum(['active', 'revoked']),
  reason: z.enum(['superseded', 'compromised']).nullish(),
  revokedAt: z.string().nullish(),
  compromisedAt: z.string().nullish(),
});

/** The registry document of GET /v1/registry and of audit bundles. */
export const registryDocumentSchema = z.object({
  schema: z.literal(REGISTRY_SCHEMA),
  at: z.string(),
  suppliers: z.array(z.object({
    id: z.string(),
    name: z.string(),
    domicile: z.string(),
    ultimateParent: z.union([z.literal('self'), z.object({ name: z.string().optional(), domicile: z.string().optional() })]).nullable(),
    manufacturerNames: z.array(z.string()),
  })),
  aliases: z.array(z.object({ name: z.string(), aliases: z.array(z.string()) })),
  keys: z.array(keyEntry),
});
export type RegistryDocument = z.infer<typeof registryDocumentSchema>;

export function registryDocument(reg: RegistryExport, at: string): RegistryDocument {
  return {
    schema: REGISTRY_SCHEMA,
    at,
    suppliers: reg.suppliers.map((s) => ({ id: s.id, name: s.name, domicile: s.domicile, ultimateParent: s.ultimateParent, manufacturerNames: s.manufacturerNames })),
    aliases: reg.aliases.map((a) => ({ name: a.name, aliases: [...a.aliases] })),
    keys: reg.publicKeys.map((k) => ({
      kid: k.kid, supplier: k.supplier, alg: k.alg, jwk: k.jwk as Record<string, unknown>, status: k.status as 'active' | 'revoked',
      reason: k.reason as 'superseded' | 'compromised' | null, revokedAt: k.revokedAt, compromisedAt: k.compromisedAt,
    })),
  };
}

export function snapshotOf(doc: RegistryDocument): RegistrySnapshot {
  return {
    suppliers: doc.suppliers.map((s) => ({ ...s, ultimateParent: s.ultimateParent })),
    keys: doc.keys.map((k) => ({ kid: k.kid, supplier: k.supplier, status: k.status, reason: k.reason ?? null, revokedAt: k.revokedAt ?? null, compromisedAt: k.compromisedAt ?? null })),
    aliases: doc.aliases,
  };
}

export const bundleSchema = z.object({
  schema: z.literal(BUNDLE_SCHEMA),
  report: z.string(),
  bom: z.object({
    id: z.string(),
    mediaType: z.string(),
    sha256: z.string(),
    /** the uploaded bytes, base64 */
    content: z.string(),
    /** the root as named at upload (query parameters may have overridden the file) */
    root: z.object({ name: z.string(), partNumber: z.string().nullable(), revision: z.string().nullable() }),
  }),
  declarations: z.array(z.object({ jws: z.string(), receipt: z.string() })),
  registry: registryDocumentSchema,
  policy: z.record(z.string(), z.unknown()),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
});
export type AuditBundle = z.infer<typeof bundleSchema>;

function recording(source: EvidenceSource, seen: Map<string, DeclarationRecord>): EvidenceSource {
  return {
    byPartNumbers(pns) {
      const out = [...source.byPartNumbers(pns)];
      for (const r of out) seen.set(r.sha256, r);
      return out;
    },
    bySha256(shas) {
      const out = source.bySha256(shas);
      for (const r of out.values()) seen.set(r.sha256, r);
      return out;
    },
  };
}

export async function buildBundle(deps: Deps, reportId: string): Promise<AuditBundle> {
  const db = deps.store.sqlite;
  const row = getReport(db, reportId);
  if (!row) throw new Problem(404, 'not_found', 'no such report');
  const body = JSON.parse(row.body) as ReportBody;
  const bomRow = getBom(db, row.bomId)!;
  const content = getBomContent(db, row.bomId)!;
  const registry = registryAsOf(db, body.generatedAt);
  // Re-run the walk as it ran, recording every declaration it looked at.
  const seen = new Map<string, DeclarationRecord>();
  const { sha256: _s, ...policy } = body.policy;
  walk({ bom: content.bom, policy: policy as Policy, now: body.generatedAt, registry, evidence: recording(dbEvidence(db, body.generatedAt), seen) });
  const declarations = [];
  for (const sha of [...seen.keys()].sort()) {
    const stored = getDeclaration(db, sha.slice(7))!;
    declarations.push({ jws: stored.jws, receipt: await signReceipt(deps, receiptOf(stored)) });
  }
  return {
    schema: BUNDLE_SCHEMA,
    report: attachPayload(row.jws, row.body),
    bom: {
      id: bomRow.id, mediaType: bomRow.mediaType, sha256: bomRow.sha256, content: content.content.toString('base64'),
      root: { name: content.bom.name, partNumber: content.bom.partNumber, revision: content.bom.revision },
    },
    declarations,
    registry: registryDocument(registry, body.generatedAt),
    policy: body.policy as unknown as Record<string, unknown>,
    jwks: deps.keys.jwks() as unknown as { keys: Record<string, unknown>[] },
  };
}

export interface BundleCheck {
  valid: boolean;
  reportId?: string;
  verdict?: string;
  checks: { name: string; ok: boolean; detail: string }[];
}

/**
 * Checks a bundle offline. `jwks` pins the service keys the auditor trusts; without it the
 * bundle's own JWKS is used (and the result says so).
 */
export async function verifyBundle(input: unknown, opts: { jwks?: JSONWebKeySet } = {}): Promise<BundleCheck> {
  const checks: BundleCheck['checks'] = [];
  const parsed = bundleSchema.safeParse(input);
  if (!parsed.success) {
    return { valid: false, checks: [{ name: 'bundle', ok: false, detail: `not an audit bundle: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}` }] };
  }
  const b = parsed.data;
  const jwks = createLocalJWKSet((opts.jwks ?? b.jwks) as JSONWebKeySet);
  checks.push({ name: 'jwks', ok: true, detail: opts.jwks ? 'service keys pinned by the caller' : 'service keys taken from the bundle itself' });

  let body: ReportBody;
  try {
    const v = await compactVerify(b.report, jwks);
    if (v.protectedHeader.typ !== 'nonred-report+jws') throw new Error('typ is not nonred-report+jws');
    body = JSON.parse(new TextDecoder().decode(v.payload)) as ReportBody;
    checks.push({ name: 'report signature', ok: true, detail: `report ${body.id} signed by ${v.protectedHeader.kid}` });
  } catch (e) {
    checks.push({ name: 'report signature', ok: false, detail: e instanceof Error ? e.message : 'does not verify' });
    return { valid: false, checks };
  }
  const bytes = Buffer.from(b.bom.content, 'base64');
  const bomSha = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const bomOk = bomSha === body.bom.sha256 && b.bom.id === body.bom.id;
  checks.push({ name: 'bom', ok: bomOk, detail: bomOk ? `BOM ${b.bom.id} matches ${bomSha}` : `the BOM's sha256 ${bomSha} is not the report's ${body.bom.sha256}` });

  const registry = snapshotOf(b.registry);
  const keyByKid = new Map(b.registry.keys.map((k) => [k.kid, k]));
  const held: HeldDeclaration[] = [];
  let declOk = true;
  for (const [i, d] of b.declarations.entries()) {
    try {
      const r = await compactVerify(d.receipt, jwks);
      const receipt = JSON.parse(new TextDecoder().decode(r.payload)) as { sha256: string; receivedAt: string; supplier: string; id: string };
      const decoded = decodeCompactJws(d.jws);
      if (receipt.sha256 !== `sha256:${decoded.sha256}`) throw new Error('the receipt is for other bytes');
      const verified = await verifyDecodedDeclaration(decoded, {
        now: new Date(receipt.receivedAt),
        lookupKey: (kid) => {
          const k = keyByKid.get(kid);
          return k ? { supplier: k.supplier, alg: k.alg, key: createPublicKey({ key: k.jwk as JsonWebKey, format: 'jwk' }), status: 'active' } : undefined;
        },
      });
      held.push({ sha256: `sha256:${verified.sha256}`, supplier: verified.payload.supplier, id: verified.payload.id, kid: verified.kid, receivedAt: receipt.receivedAt, payload: verified.payload });
    } catch (e) {
      declOk = false;
      checks.push({ name: `declaration ${i + 1}`, ok: false, detail: e instanceof Problem ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : 'invalid' });
    }
  }
  if (declOk) checks.push({ name: 'declarations', ok: true, detail: `${held.length} declaration(s) and receipts verify` });

  let rerunOk = false;
  try {
    const imported = await importBom(b.bom.mediaType, bytes, { name: b.bom.root.name, ...(b.bom.root.partNumber !== null ? { partNumber: b.bom.root.partNumber } : {}), ...(b.bom.root.revision !== null ? { revision: b.bom.root.revision } : {}) });
    if (b.bom.root.partNumber === null) imported.bom.partNumber = null;
    if (b.bom.root.revision === null) imported.bom.revision = null;
    const { sha256: _p, ...policy } = body.policy;
    const result = walk({ bom: imported.bom, policy: policy as Policy, now: body.generatedAt, registry, evidence: memoryEvidence(held) });
    const differs = rerunDiffers(body, result);
    rerunOk = differs.length === 0;
    checks.push({ name: 're-run', ok: rerunOk, detail: rerunOk ? `the walk re-run at ${body.generatedAt} gives the signed body (verdict ${result.verdict})` : `the re-run differs in ${differs.join(', ')} (verdict ${result.verdict}, signed ${body.verdict})` });
  } catch (e) {
    checks.push({ name: 're-run', ok: false, detail: e instanceof Problem ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : 'failed' });
  }
  const valid = checks.every((c) => c.ok);
  return { valid, reportId: body.id, verdict: body.verdict, checks };
}
