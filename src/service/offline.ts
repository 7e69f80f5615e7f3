// Verification without a server (SPEC §10): declarations from files, checked by the same
// intake rules, with the registry as exported by GET /v1/registry or a folder of public
// keys (then every declaration counts as third-party), fed to the same walk.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import type { SupplierAlg } from '../crypto/jwk.js';
import { decodeCompactJws, verifyDecodedDeclaration } from '../crypto/verify-declaration.js';
import type { HeldDeclaration } from '../domain/memory-evidence.js';
import type { KeyFacts, RegistrySnapshot } from '../domain/registry.js';
import { Problem } from '../problem.js';
import { snapshotOf, type RegistryDocument } from './audit-bundle.js';

export interface OfflineKey {
  kid: string;
  alg: SupplierAlg;
  jwk: Record<string, unknown>;
  /** the registered owner; null when keys come from a folder and the owner is not known */
  supplier: string | null;
  facts: KeyFacts | null;
}

export async function keyFromJwk(jwk: Record<string, unknown>): Promise<OfflineKey> {
  if ('d' in jwk) throw new Problem(422, 'key.invalid', 'a private key was given where public keys belong');
  const alg: SupplierAlg | null = jwk.kty === 'OKP' && jwk.crv === 'Ed25519' ? 'EdDSA' : jwk.kty === 'EC' && jwk.crv === 'P-256' ? 'ES256' : null;
  if (alg === null) throw new Problem(422, 'key.invalid', 'only Ed25519 and P-256 public keys are used');
  const pub = alg === 'EdDSA' ? { kty: 'OKP', crv: 'Ed25519', x: jwk.x } : { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  return { kid: await calculateJwkThumbprint(pub as never, 'sha256'), alg, jwk: pub, supplier: null, facts: null };
}

export function keysFromRegistry(doc: RegistryDocument): OfflineKey[] {
  return doc.keys.map((k) => ({
    kid: k.kid, alg: k.alg, jwk: k.jwk, supplier: k.supplier,
    facts: { kid: k.kid, supplier: k.supplier, status: k.status, reason: k.reason ?? null, revokedAt: k.revokedAt ?? null, compromisedAt: k.compromisedAt ?? null },
  }));
}

export interface LoadedDeclarations {
  held: HeldDeclaration[];
  rejected: { label: string; reason: string }[];
}

/**
 * Checks each declaration by the intake rules (at its own issuedAt, so that expiry is left
 * to the walk). Offline there is no receipt time: a declaration counts as received at its
 * issuedAt, except under a key revoked as compromised, where it counts as received at the
 * compromise — the cautious reading, since a thief can write any issuedAt.
 */
export async function loadDeclarations(files: readonly { label: string; text: string }[], keys: readonly OfflineKey[]): Promise<LoadedDeclarations> {
  const byKid = new Map(keys.map((k) => [k.kid, k]));
  const held: HeldDeclaration[] = [];
  const rejected: LoadedDeclarations['rejected'] = [];
  const seen = new Set<string>();
  for (const f of files) {
    try {
      const decoded = decodeCompactJws(f.text);
      if (seen.has(decoded.sha256)) continue;
      const issuedAt = typeof decoded.payload.issuedAt === 'string' ? decoded.payload.issuedAt : '';
      const at = Number.isNaN(Date.parse(issuedAt)) ? new Date() : new Date(issuedAt);
      const payloadSupplier = typeof decoded.payload.supplier === 'string' ? decoded.payload.supplier : '';
      const v = await verifyDecodedDeclaration(decoded, {
        now: at,
        lookupKey: (kid) => {
          const k = byKid.get(kid);
          return k ? { supplier: k.supplier ?? payloadSupplier, alg: k.alg, key: createPublicKey({ key: k.jwk as JsonWebKey, format: 'jwk' }), status: 'active' } : undefined;
        },
      });
      const facts = byKid.get(v.kid)!.facts;
      const receivedAt = facts?.status === 'revoked' && facts.reason === 'compromised' && facts.compromisedAt ? facts.compromisedAt : v.payload.issuedAt;
      seen.add(decoded.sha256);
      held.push({ sha256: `sha256:${v.sha256}`, supplier: v.payload.supplier, id: v.payload.id, kid: v.kid, receivedAt, payload: v.payload });
    } catch (e) {
      if (!(e instanceof Problem)) throw e;
      rejected.push({ label: f.label, reason: `${e.code}: ${e.message}` });
    }
  }
  return { held, rejected };
}

/** The registry the walk sees offline: the exported one, or — from a folder of keys — none at all. */
export function offlineRegistry(doc: RegistryDocument | null, keys: readonly OfflineKey[], held: readonly HeldDeclaration[]): RegistrySnapshot {
  if (doc) return snapshotOf(doc);
  // Signers are known only by their declarations: no supplier speaks for any manufacturer,
  // so every declaration is third-party, and no registry facts apply.
  const suppliers = [...new Set(held.map((h) => h.supplier))].sort()
    .map((id) => ({ id, name: id, domicile: 'unknown', ultimateParent: null, manufacturerNames: [] }));
  const signerOf = new Map(held.map((h) => [h.kid, h.supplier]));
  return {
    suppliers,
    keys: keys.map((k) => ({ kid: k.kid, supplier: signerOf.get(k.kid) ?? '', status: 'active', reason: null, revokedAt: null, compromisedAt: null })),
    aliases: [],
  };
}
