// Suppliers, their public keys and revocations, and the manufacturer alias registry.
import type Database from 'better-sqlite3';
import { normalizeName, type AliasEntry } from '../domain/part-key.js';
import type { KeyFacts, RegistrySnapshot, SupplierFacts, UltimateParent } from '../domain/registry.js';
import { invalidateReadCache, readCached } from './read-cache.js';
import { stmt } from './statements.js';

export interface SupplierRow extends SupplierFacts {
  createdAt: string;
}

interface RawSupplier {
  id: string; name: string; domicile: string; ultimate_parent: string | null; manufacturer_names: string; created_at: string;
}

function toSupplier(r: RawSupplier): SupplierRow {
  return {
    id: r.id,
    name: r.name,
    domicile: r.domicile,
    ultimateParent: r.ultimate_parent === null ? null : (JSON.parse(r.ultimate_parent) as UltimateParent),
    manufacturerNames: JSON.parse(r.manufacturer_names) as string[],
    createdAt: r.created_at,
  };
}

export function getSupplier(db: Database.Database, id: string): SupplierRow | undefined {
  const r = stmt(db, 'SELECT * FROM suppliers WHERE id = ?').get(id) as RawSupplier | undefined;
  return r ? toSupplier(r) : undefined;
}

export function listSuppliers(db: Database.Database, after: string, limit: number): SupplierRow[] {
  return (stmt(db, 'SELECT * FROM suppliers WHERE id > ? ORDER BY id LIMIT ?').all(after, limit) as RawSupplier[]).map(toSupplier);
}

export function insertSupplier(db: Database.Database, s: SupplierRow): void {
  stmt(db, 'INSERT INTO suppliers (id, name, domicile, ultimate_parent, manufacturer_names, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(s.id, s.name, s.domicile, s.ultimateParent === null ? null : JSON.stringify(s.ultimateParent), JSON.stringify(s.manufacturerNames), s.createdAt);
}

export interface KeyRow extends KeyFacts {
  alg: 'EdDSA' | 'ES256';
  jwk: string;
  createdAt: string;
}

interface RawKey {
  kid: string; supplier_id: string; alg: string; jwk: string; status: string; reason: string | null;
  revoked_at: string | null; compromised_at: string | null; created_at: string;
}

function toKey(r: RawKey): KeyRow {
  return {
    kid: r.kid, supplier: r.supplier_id, alg: r.alg as KeyRow['alg'], jwk: r.jwk,
    status: r.status as KeyRow['status'], reason: r.reason as KeyRow['reason'],
    revokedAt: r.revoked_at, compromisedAt: r.compromised_at, createdAt: r.created_at,
  };
}

export function getKey(db: Database.Database, kid: string): KeyRow | undefined {
  const r = stmt(db, 'SELECT * FROM supplier_keys WHERE kid = ?').get(kid) as RawKey | undefined;
  return r ? toKey(r) : undefined;
}

export function keysOf(db: Database.Database, supplierId: string): KeyRow[] {
  return (stmt(db, 'SELECT * FROM supplier_keys WHERE supplier_id = ? ORDER BY created_at, kid').all(supplierId) as RawKey[]).map(toKey);
}

export function insertKey(db: Database.Database, k: KeyRow): void {
  stmt(db, 'INSERT INTO supplier_keys (kid, supplier_id, alg, jwk, status, reason, revoked_at, compromised_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(k.kid, k.supplier, k.alg, k.jwk, k.status, k.reason, k.revokedAt, k.compromisedAt, k.createdAt);
}

export function revokeKey(db: Database.Database, kid: string, reason: 'superseded' | 'compromised', revokedAt: string, compromisedAt: string | null): void {
  stmt(db, "UPDATE supplier_keys SET status = 'revoked', reason = ?, revoked_at = ?, compromised_at = ? WHERE kid = ?")
    .run(reason, revokedAt, compromisedAt, kid);
}

export interface AliasRow {
  alias: string;
  aliasNorm: string;
  canonical: string;
  canonicalNorm: string;
}

export function aliasRows(db: Database.Database): AliasRow[] {
  return (stmt(db, 'SELECT alias, alias_norm, canonical, canonical_norm FROM manufacturer_aliases ORDER BY canonical_norm, alias_norm').all() as
    { alias: string; alias_norm: string; canonical: string; canonical_norm: string }[])
    .map((r) => ({ alias: r.alias, aliasNorm: r.alias_norm, canonical: r.canonical, canonicalNorm: r.canonical_norm }));
}

export function aliasEntries(db: Database.Database): AliasEntry[] {
  const byCanonical = new Map<string, AliasEntry & { aliases: string[] }>();
  for (const r of aliasRows(db)) {
    let e = byCanonical.get(r.canonicalNorm);
    if (!e) byCanonical.set(r.canonicalNorm, (e = { name: r.canonical, aliases: [] }));
    e.aliases.push(r.alias);
  }
  return [...byCanonical.values()];
}

export function insertAlias(db: Database.Database, alias: string, canonical: string, at: string): void {
  invalidateReadCache(db);
  stmt(db, 'INSERT INTO manufacturer_aliases (alias_norm, alias, canonical, canonical_norm, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(normalizeName(alias), alias, canonical, normalizeName(canonical), at);
}

export interface RegistryExport extends RegistrySnapshot {
  /** public keys with their registration and revocation facts */
  publicKeys: { kid: string; supplier: string; alg: 'EdDSA' | 'ES256'; jwk: unknown; status: string; reason: string | null; revokedAt: string | null; compromisedAt: string | null; createdAt: string }[];
}

/**
 * The registry as it stood at `t`: suppliers, keys and aliases registered by then, and
 * revocations made by then (a key revoked later was active). What an audit bundle carries.
 */
export function registryAsOf(db: Database.Database, t: string): RegistryExport {
  const tMs = Date.parse(t);
  const suppliers = (stmt(db, 'SELECT * FROM suppliers ORDER BY id').all() as RawSupplier[]).map(toSupplier)
    .filter((s) => Date.parse(s.createdAt) <= tMs).map(({ createdAt: _c, ...s }) => s);
  const keyRows = (stmt(db, 'SELECT * FROM supplier_keys ORDER BY kid').all() as RawKey[]).map(toKey)
    .filter((k) => Date.parse(k.createdAt) <= tMs)
    .map((k) => (k.status === 'revoked' && k.revokedAt !== null && Date.parse(k.revokedAt) <= tMs
      ? k
      : { ...k, status: 'active' as const, reason: null, revokedAt: null, compromisedAt: null }));
  const aliasRowsAsOf = (stmt(db, 'SELECT alias, canonical, canonical_norm, created_at FROM manufacturer_aliases ORDER BY canonical_norm, alias_norm').all() as
    { alias: string; canonical: string; canonical_norm: string; created_at: string }[]).filter((r) => Date.parse(r.created_at) <= tMs);
  const byCanonical = new Map<string, AliasEntry & { aliases: string[] }>();
  for (const r of aliasRowsAsOf) {
    let e = byCanonical.get(r.canonical_norm);
    if (!e) byCanonical.set(r.canonical_norm, (e = { name: r.canonical, aliases: [] }));
    e.aliases.push(r.alias);
  }
  return {
    suppliers,
    keys: keyRows.map((k) => ({ kid: k.kid, supplier: k.supplier, status: k.status, reason: k.reason, revokedAt: k.revokedAt, compromisedAt: k.compromisedAt })),
    aliases: [...byCanonical.values()],
    publicKeys: keyRows.map((k) => ({ kid: k.kid, supplier: k.supplier, alg: k.alg, jwk: JSON.parse(k.jwk) as unknown, status: k.status, reason: k.reason, revokedAt: k.revokedAt, compromisedAt: k.compromisedAt, createdAt: k.createdAt })),
  };
}

/** Everything the walk needs from the registry, as it stands now. */
export function registrySnapshot(db: Database.Database): RegistrySnapshot {
  const suppliers = (stmt(db, 'SELECT * FROM suppliers ORDER BY id').all() as RawSupplier[]).map(toSupplier)
    .map(({ createdAt: _c, ...s }) => s);
  const keys = (stmt(db, 'SELECT * FROM supplier_keys ORDER BY kid').all() as RawKey[]).map(toKey)
    .map((k) => ({ kid: k.kid, supplier: k.supplier, status: k.status, reason: k.reason, revokedAt: k.revokedAt, compromisedAt: k.compromisedAt }));
  return { suppliers, keys, aliases: aliasEntries(db) };
}

/** Every manufacturer name nonred has seen: suppliers speak for them, aliases name them, declarations name them. */
export function knownManufacturerNames(db: Database.Database): string[] {
  const names = new Set<string>();
  for (const r of stmt(db, 'SELECT manufacturer_names FROM suppliers').all() as { manufacturer_names: string }[]) {
    for (const n of JSON.parse(r.manufacturer_names) as string[]) names.add(n);
  }
  for (const r of aliasRows(db)) {
    names.add(r.canonical);
    names.add(r.alias);
  }
  for (const r of stmt(db, "SELECT MIN(json_extract(payload, '$.part.manufacturer')) AS name FROM declarations GROUP BY mfr_norm").all() as { name: string }[]) {
    names.add(r.name);
  }
  return [...names].sort();
}

/**
 * Every normalised spelling that the alias registry maps onto the same canonical
 * manufacturer as `name` — what stored rows (kept unaliased) are matched against.
 */
export function manufacturerSpellings(db: Database.Database, name: string): string[] {
  // where-used asks this on every request: the alias table is read once per change
  // (a plain map, not buildCanon's memo: the names asked for come from callers)
  const table = readCached(db, 'aliases', '', () => {
    const toCanonical = new Map<string, string>();
    const aliasesOf = new Map<string, string[]>();
    for (const e of aliasEntries(db)) {
      const target = normalizeName(e.name);
      const list = aliasesOf.get(target) ?? [];
      for (const a of e.aliases) {
        toCanonical.set(normalizeName(a), target);
        list.push(normalizeName(a));
      }
      aliasesOf.set(target, list);
    }
    return { toCanonical, aliasesOf };
  })!;
  const norm = normalizeName(name);
  const target = table.toCanonical.get(norm) ?? norm;
  return [...new Set([target, ...(table.aliasesOf.get(target) ?? [])])];
}
