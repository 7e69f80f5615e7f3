// API tokens: random secrets shown once, stored only as their SHA-256.
import type Database from 'better-sqlite3';
import { invalidateReadCache, readCached } from './read-cache.js';
import { stmt } from './statements.js';

export const ROLES = ['admin', 'procurement', 'auditor', 'supplier'] as const;
export type Role = (typeof ROLES)[number];

export interface TokenRow {
  id: string;
  role: Role;
  supplier: string | null;
  label: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

interface Raw {
  id: string; token_hash: string; role: string; supplier_id: string | null; label: string | null;
  created_at: string; expires_at: string | null; revoked_at: string | null;
}

const toRow = (r: Raw): TokenRow => ({
  id: r.id, role: r.role as Role, supplier: r.supplier_id, label: r.label,
  createdAt: r.created_at, expiresAt: r.expires_at, revokedAt: r.revoked_at,
});

export function insertToken(db: Database.Database, row: TokenRow, tokenHash: string): void {
  invalidateReadCache(db);
  stmt(db, 'INSERT INTO api_tokens (id, token_hash, role, supplier_id, label, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(row.id, tokenHash, row.role, row.supplier, row.label, row.createdAt, row.expiresAt, row.revokedAt);
}

/** Every authenticated request asks this: answered from the read cache while no token changed. */
export function tokenByHash(db: Database.Database, tokenHash: string): TokenRow | undefined {
  return readCached(db, 'token', tokenHash, () => {
    const r = stmt(db, 'SELECT * FROM api_tokens WHERE token_hash = ?').get(tokenHash) as Raw | undefined;
    return r ? Object.freeze(toRow(r)) : undefined;
  });
}

export function getToken(db: Database.Database, id: string): TokenRow | undefined {
  const r = stmt(db, 'SELECT * FROM api_tokens WHERE id = ?').get(id) as Raw | undefined;
  return r ? toRow(r) : undefined;
}

export function listTokens(db: Database.Database, after: string, limit: number): TokenRow[] {
  return (stmt(db, 'SELECT * FROM api_tokens WHERE id > ? ORDER BY id LIMIT ?').all(after, limit) as Raw[]).map(toRow);
}

export function revokeToken(db: Database.Database, id: string, at: string): void {
  invalidateReadCache(db);
  stmt(db, 'UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id);
}
