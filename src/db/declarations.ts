// Accepted declarations: intake writes, reads by hash and filter, and the evidence source
// the walk queries in batches (one query per frontier, not one per node).
import type Database from 'better-sqlite3';
import type { DeclarationPayload } from '../domain/declaration-schema.js';
import type { DeclarationRecord, EvidenceSource, SuccessorRef } from '../domain/evidence.js';
import { stmt } from './statements.js';
import { attachJwsPayload } from '../crypto/verify-declaration.js';

export interface DeclarationRow {
  sha256: string;
  supplier: string;
  id: string;
  kid: string;
  submittedBy: string;
  submitterSupplier: string | null;
  receivedAt: string;
  issuedAt: string;
  expiresAt: string | null;
  supersedes: string | null;
  mfrNorm: string;
  pnNorm: string;
  payload: string;
  jws: string;
  logIndex: number;
}

interface Raw {
  sha256: string; supplier_id: string; decl_id: string; kid: string; submitted_by: string; submitter_supplier: string | null;
  received_at: string; issued_at: string; expires_at: string | null; supersedes: string | null; mfr_norm: string; pn_norm: string;
  payload: string; jws: string; log_index: number;
}

const toRow = (r: Raw): DeclarationRow => ({
  sha256: r.sha256, supplier: r.supplier_id, id: r.decl_id, kid: r.kid, submittedBy: r.submitted_by,
  submitterSupplier: r.submitter_supplier, receivedAt: r.received_at, issuedAt: r.issued_at, expiresAt: r.expires_at,
  supersedes: r.supersedes, mfrNorm: r.mfr_norm, pnNorm: r.pn_norm, payload: r.payload, jws: attachJwsPayload(r.jws, r.payload), logIndex: r.log_index,
});

export function declarationStatements(db: Database.Database) {
  return {
    bySha: stmt(db, 'SELECT * FROM declarations WHERE sha256 = ?'),
    bySupplierId: stmt(db, 'SELECT sha256 FROM declarations WHERE supplier_id = ? AND decl_id = ?'),
    insert: stmt(db, `INSERT INTO declarations (sha256, supplier_id, decl_id, kid, submitted_by, submitter_supplier, received_at,
      issued_at, expires_at, supersedes, mfr_norm, pn_norm, payload, jws, log_index) VALUES
      (@sha256, @supplier, @id, @kid, @submittedBy, @submitterSupplier, @receivedAt, @issuedAt, @expiresAt, @supersedes,
       @mfrNorm, @pnNorm, @payload, @jws, @logIndex)`),
  };
}

export function getDeclaration(db: Database.Database, shaHex: string): DeclarationRow | undefined {
  const r = stmt(db, 'SELECT * FROM declarations WHERE sha256 = ?').get(shaHex) as Raw | undefined;
  return r ? toRow(r) : undefined;
}

/** Records that a supplier submitted a declaration; true when this is new. */
export function addSubmitter(db: Database.Database, shaHex: string, supplier: string, at: string): boolean {
  return stmt(db, 'INSERT OR IGNORE INTO declaration_submitters (sha256, supplier_id, submitted_at) VALUES (?, ?, ?)').run(shaHex, supplier, at).changes === 1;
}

/** Whether a supplier may read a declaration: it signed it or submitted it. */
export function visibleToSupplier(db: Database.Database, row: DeclarationRow, supplier: string): boolean {
  if (row.supplier === supplier) return true;
  return stmt(db, 'SELECT 1 FROM declaration_submitters WHERE sha256 = ? AND supplier_id = ?').get(row.sha256, supplier) !== undefined;
}

export interface DeclarationFilter {
  pnNorm?: string;
  mfrNorms?: string[];
  supplier?: string;
  /** for a supplier caller: only what it signed or submitted */
  visibleTo?: string;
  after?: string;
  limit: number;
}

export function listDeclarations(db: Database.Database, f: DeclarationFilter): DeclarationRow[] {
  const where: string[] = ['sha256 > @after'];
  const params: Record<string, unknown> = { after: f.after ?? '', limit: f.limit };
  if (f.pnNorm !== undefined) {
    where.push('pn_norm = @pn');
    params.pn = f.pnNorm;
  }
  if (f.mfrNorms !== undefined) {
    where.push(`mfr_norm IN (${f.mfrNorms.map((_, i) => `@m${i}`).join(', ') || "''"})`);
    f.mfrNorms.forEach((m, i) => (params[`m${i}`] = m));
  }
  if (f.supplier !== undefined) {
    where.push('supplier_id = @supplier');
    params.supplier = f.supplier;
  }
  if (f.visibleTo !== undefined) {
    where.push('(supplier_id = @visible OR EXISTS (SELECT 1 FROM declaration_submitters s WHERE s.sha256 = declarations.sha256 AND s.supplier_id = @visible))');
    params.visible = f.visibleTo;
  }
  const sql = `SELECT * FROM declarations WHERE ${where.join(' AND ')} ORDER BY sha256 LIMIT @limit`;
  return (stmt(db, sql).all(params) as Raw[]).map(toRow);
}

const CHUNK = 500;

function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

/**
 * The walk's evidence source over this database; with `asOf`, only what had been received
 * by then (and only successors received by then), as a report issued at that time saw it.
 */
export function dbEvidence(db: Database.Database, asOf?: string): EvidenceSource {
  const timeFilter = asOf === undefined ? '' : ' AND received_at <= @asOf';
  const cols = 'sha256, supplier_id, decl_id, kid, received_at, payload';
  type Lite = Pick<Raw, 'sha256' | 'supplier_id' | 'decl_id' | 'kid' | 'received_at' | 'payload'>;
  const q = (sql: string) => stmt(db, sql);
  const named = (n: number) => Array.from({ length: n }, (_, i) => `@p${i}`).join(',');
  const params = (values: readonly string[]) => {
    const out: Record<string, string> = {};
    values.forEach((v, i) => (out[`p${i}`] = v));
    if (asOf !== undefined) out.asOf = asOf;
    return out;
  };

  const withSuccessors = (rows: Lite[]): DeclarationRecord[] => {
    const succ = new Map<string, SuccessorRef[]>();
    const ids = [...new Set(rows.map((r) => r.decl_id))];
    for (const part of chunks(ids)) {
      const found = q(`SELECT sha256, supplier_id, kid, received_at, supersedes FROM declarations WHERE supersedes IS NOT NULL AND supersedes IN (${named(part.length)})${timeFilter}`)
        .all(params(part)) as { sha256: string; supplier_id: string; kid: string; received_at: string; supersedes: string }[];
      for (const s of found) {
        const k = `${s.supplier_id}\u0000${s.supersedes}`;
        const list = succ.get(k) ?? [];
        list.push({ sha256: `sha256:${s.sha256}`, kid: s.kid, receivedAt: s.received_at });
        succ.set(k, list);
      }
    }
    return rows.map((r) => ({
      sha256: `sha256:${r.sha256}`,
      supplier: r.supplier_id,
      id: r.decl_id,
      kid: r.kid,
      receivedAt: r.received_at,
      payload: JSON.parse(r.payload) as DeclarationPayload,
      successors: succ.get(`${r.supplier_id}\u0000${r.decl_id}`) ?? [],
    }));
  };

  return {
    byPartNumbers(pns) {
      const rows: Lite[] = [];
      for (const part of chunks(pns)) {
        rows.push(...(q(`SELECT ${cols} FROM declarations WHERE pn_norm IN (${named(part.length)})${timeFilter}`).all(params(part)) as Lite[]));
      }
      return withSuccessors(rows);
    },
    bySha256(shas) {
      const hexes = shas.filter((s) => /^sha256:[0-9a-f]{64}$/.test(s)).map((s) => s.slice(7));
      const rows: Lite[] = [];
      for (const part of chunks(hexes)) {
        rows.push(...(q(`SELECT ${cols} FROM declarations WHERE sha256 IN (${named(part.length)})${timeFilter}`).all(params(part)) as Lite[]));
      }
      return new Map(withSuccessors(rows).map((r) => [r.sha256, r]));
    },
  };
}

