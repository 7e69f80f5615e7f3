// Accepted declarations: intake writes, reads by hash and filter, and the evidence source
// the walk queries in batches (one query per frontier, not one per node).
import type Database from 'better-sqlite3';
import type { DeclarationPayload, DeclaredComponent, Origin } from '../domain/declaration-schema.js';
import type { DeclarationRecord, EvidenceSource, SuccessorRef } from '../domain/evidence.js';
import { normalizeName } from '../domain/part-key.js';
import { stmt } from './statements.js';
import { attachJwsPayload } from '../crypto/verify-declaration.js';

// ---- the walk column ------------------------------------------------------------------------
// What the walk reads of a declaration, kept beside the payload as one JSON array:
//   [sha256, supplier, id, kid, receivedAt, originId,          (the head, known at storing)
//    issuedAtMs, expiresAtMs, mfrNorm, pnNorm, part, components, componentNorms]  (the tail)
// part and components are the payload's own members as signed; the rest is derived from
// them or from the row. One JSON.parse per frontier then gives the walk every record,
// instead of a payload parse (and its origin, and its names normalised again) per node.

/** The tail of the walk column, from the payload alone (so a verify worker can compute it). */
export function walkTail(p: DeclarationPayload): string {
  const norms: string[] = [];
  for (const c of p.components ?? []) norms.push(normalizeName(c.manufacturer), normalizeName(c.partNumber));
  const expires = p.expiresAt === undefined ? null : Date.parse(p.expiresAt);
  return JSON.stringify([
    Date.parse(p.issuedAt), expires, normalizeName(p.part.manufacturer), normalizeName(p.part.partNumber),
    p.part, p.components ?? null, p.components === undefined ? null : norms,
  ]).slice(1, -1);
}

export interface WalkHead {
  /** lower-case hex */
  sha256: string;
  supplier: string;
  id: string;
  kid: string;
  receivedAt: string;
}

export function walkColumn(head: WalkHead, originId: number | null, tail: string): string {
  return `${JSON.stringify([`sha256:${head.sha256}`, head.supplier, head.id, head.kid, head.receivedAt, originId])}`.slice(0, -1) + `,${tail}]`;
}

type WalkArray = [
  sha256: string, supplier: string, id: string, kid: string, receivedAt: string, originId: number | null,
  issuedAtMs: number, expiresAtMs: number | null, mfrNorm: string, pnNorm: string,
  part: DeclarationPayload['part'], components: DeclaredComponent[] | null, componentNorms: string[] | null,
];

/** The id of an origin's text in `origins`, added when new. */
export function originIdOf(db: Database.Database, json: string): number {
  const found = stmt(db, 'SELECT id FROM origins WHERE json = ?').pluck().get(json) as number | undefined;
  if (found !== undefined) return found;
  return stmt(db, 'INSERT INTO origins (json) VALUES (?) RETURNING id').pluck().get(json) as number;
}

/**
 * Fills the walk column of rows stored before it existed, from each payload as signed.
 * Rows missing it are found through a partial index that is empty once this has run.
 */
export function fillWalkColumns(db: Database.Database): number {
  let filled = 0;
  for (;;) {
    const rows = stmt(db, `SELECT sha256, supplier_id, decl_id, kid, received_at, payload FROM declarations
      INDEXED BY declarations_walk_missing WHERE walk IS NULL LIMIT 1000`).raw().all() as [string, string, string, string, string, string][];
    if (rows.length === 0) return filled;
    const update = stmt(db, 'UPDATE declarations SET origin_id = ?, walk = ? WHERE sha256 = ?');
    db.transaction(() => {
      for (const [sha256, supplier, id, kid, receivedAt, payloadText] of rows) {
        const p = JSON.parse(payloadText) as DeclarationPayload;
        const originId = p.origin === undefined ? null : originIdOf(db, JSON.stringify(p.origin));
        update.run(originId, walkColumn({ sha256, supplier, id, kid, receivedAt }, originId, walkTail(p)), sha256);
      }
    })();
    filled += rows.length;
  }
}

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
    // has_successor: a successor may have arrived first (SPEC §3: the named id need not exist yet)
    insert: stmt(db, `INSERT INTO declarations (sha256, supplier_id, decl_id, kid, submitted_by, submitter_supplier, received_at,
      issued_at, expires_at, supersedes, mfr_norm, pn_norm, payload, origin_id, walk, has_successor, jws, log_index) VALUES
      (@sha256, @supplier, @id, @kid, @submittedBy, @submitterSupplier, @receivedAt, @issuedAt, @expiresAt, @supersedes,
       @mfrNorm, @pnNorm, @payload, @originId, @walk,
       EXISTS (SELECT 1 FROM declarations s WHERE s.supplier_id = @supplier AND s.supersedes = @id), @jws, @logIndex)`),
    markSuperseded: stmt(db, 'UPDATE declarations SET has_successor = 1 WHERE supplier_id = ? AND decl_id = ? AND has_successor = 0'),
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

const NO_SUCCESSORS: readonly SuccessorRef[] = Object.freeze([]);
const NO_COMPONENTS: readonly DeclaredComponent[] = Object.freeze([]);
const NO_NORMS: readonly string[] = Object.freeze([]);

/**
 * The walk's evidence source over this database; with `asOf`, only what had been received
 * by then (and only successors received by then), as a report issued at that time saw it.
 * Each batch is one query answering one JSON text — the walk columns of every match, each
 * after its has_successor flag — so that a frontier of 50,000 parts costs one JSON.parse,
 * not 50,000 rows. The values travel as one JSON array read with json_each.
 */
export function dbEvidence(db: Database.Database, asOf?: string): EvidenceSource {
  const timeFilter = asOf === undefined ? '' : ' AND d.received_at <= @asOf';
  // (a row without its walk column would drop out of group_concat unnoticed: it gives null)
  const matches = (join: string) => stmt(db, `SELECT '[' || group_concat(d.has_successor || ',' || coalesce(d.walk, 'null')) || ']'
    FROM json_each(@values) j JOIN declarations d ON ${join}${timeFilter}`).pluck();
  const byPn = matches('d.pn_norm = j.value');
  const bySha = matches('d.sha256 = j.value');
  const successorsOf = stmt(db, `SELECT d.sha256, d.supplier_id, d.kid, d.received_at, d.supersedes FROM json_each(@values) j
    JOIN declarations d ON d.supersedes = j.value AND d.supersedes IS NOT NULL${timeFilter}`).raw();
  const originsOf = stmt(db, 'SELECT o.id, o.json FROM json_each(@values) j JOIN origins o ON o.id = j.value').raw();
  const params = (values: readonly unknown[]) => (asOf === undefined ? { values: JSON.stringify(values) } : { values: JSON.stringify(values), asOf });
  // origins never change: each is parsed once, and every record with that origin shares it
  const origins = new Map<number, Origin>();

  const records = (text: string | null): DeclarationRecord[] => {
    if (text === null) return [];
    const flat = JSON.parse(text) as (0 | 1 | WalkArray)[];
    const missingOrigins: number[] = [];
    const superseded: string[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const w = flat[i + 1] as WalkArray | null;
      if (w === null) throw new Error('a declaration row has no walk column: the store was not opened with openStore');
      if (w[5] !== null && !origins.has(w[5])) missingOrigins.push(w[5]);
      if (flat[i] === 1) superseded.push(w[2]);
    }
    if (missingOrigins.length > 0) {
      for (const [id, json] of originsOf.all(params([...new Set(missingOrigins)])) as [number, string][]) origins.set(id, JSON.parse(json) as Origin);
    }
    const succ = new Map<string, SuccessorRef[]>();
    if (superseded.length > 0) {
      for (const s of successorsOf.all(params([...new Set(superseded)])) as [string, string, string, string, string][]) {
        const k = `${s[1]}\u0000${s[4]}`;
        const list = succ.get(k);
        const ref = { sha256: `sha256:${s[0]}`, kid: s[2], receivedAt: s[3] };
        if (list) list.push(ref);
        else succ.set(k, [ref]);
      }
    }
    const out: DeclarationRecord[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const w = flat[i + 1] as WalkArray;
      out.push({
        sha256: w[0], supplier: w[1], id: w[2], kid: w[3], receivedAt: w[4],
        issuedAtMs: w[6], expiresAtMs: w[7], mfrNorm: w[8], pnNorm: w[9],
        part: w[10], origin: w[5] === null ? undefined : origins.get(w[5]),
        components: w[11] ?? NO_COMPONENTS, componentNorms: w[12] ?? NO_NORMS,
        successors: flat[i] === 1 ? succ.get(`${w[1]}\u0000${w[2]}`) ?? NO_SUCCESSORS : NO_SUCCESSORS,
      });
    }
    return out;
  };

  return {
    byPartNumbers(pns) {
      return pns.length === 0 ? [] : records(byPn.get(params(pns)) as string | null);
    },
    bySha256(shas) {
      const hexes = shas.filter((s) => /^sha256:[0-9a-f]{64}$/.test(s)).map((s) => s.slice(7));
      const recs = hexes.length === 0 ? [] : records(bySha.get(params(hexes)) as string | null);
      return new Map(recs.map((r) => [r.sha256, r]));
    },
  };
}
