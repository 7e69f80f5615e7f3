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
//    issuedAtMs, expiresAtMs, mfrNorm, part, components, componentNorms]  (the tail)
// part and components are the payload's own members as signed; the rest is derived from
// them or from the row (the normalised part number is the row's pn_norm). The walk then
// parses these instead of whole payloads, and finds the names already normalised.

/** The tail of the walk column, from the payload alone (so a verify worker can compute it). */
export function walkTail(p: DeclarationPayload): string {
  const norms: string[] = [];
  for (const c of p.components ?? []) norms.push(normalizeName(c.manufacturer), normalizeName(c.partNumber));
  const expires = p.expiresAt === undefined ? null : Date.parse(p.expiresAt);
  return JSON.stringify([
    Date.parse(p.issuedAt), expires, normalizeName(p.part.manufacturer),
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
  issuedAtMs: number, expiresAtMs: number | null, mfrNorm: string,
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
/** part numbers (or hashes) per query: each answer is one JSON text of at most this many records */
const PER_QUERY = 2_000;

/**
 * The walk's evidence source over this database; with `asOf`, only what had been received
 * by then (and only successors received by then), as a report issued at that time saw it.
 *
 * The lookup by part number reads the covering index (pn_norm, has_successor, walk) alone.
 * Each query answers one JSON text holding up to PER_QUERY matches — [position of the
 * value asked for, has_successor, walk column] for each — so that 100,000 records cost
 * fifty JSON.parse calls rather than 100,000 rows; and the values asked for travel as one
 * JSON array read with json_each.
 */
export function dbEvidence(db: Database.Database, asOf?: string): EvidenceSource {
  const timeFilter = asOf === undefined ? '' : ' AND d.received_at <= @asOf';
  // (a row without its walk column would drop out of group_concat unnoticed: it gives null)
  const matches = (join: string) => stmt(db, `SELECT '[' || group_concat(j.key || ',' || d.has_successor || ',' || coalesce(d.walk, 'null')) || ']'
    FROM json_each(@values) j JOIN declarations d ON ${join}${timeFilter}`).pluck();
  const byPn = matches('d.pn_norm = j.value');
  const bySha = matches('d.sha256 = j.value');
  const successorsOf = stmt(db, `SELECT d.sha256, d.supplier_id, d.kid, d.received_at, d.supersedes FROM json_each(@values) j
    JOIN declarations d ON d.supersedes = j.value AND d.supersedes IS NOT NULL${timeFilter}`).raw();
  const originsOf = stmt(db, 'SELECT o.id, o.json FROM json_each(@values) j JOIN origins o ON o.id = j.value').raw();
  const params = (values: readonly unknown[]) => (asOf === undefined ? { values: JSON.stringify(values) } : { values: JSON.stringify(values), asOf });
  // origins never change: each is parsed once, and every record with that origin shares it
  const origins = new Map<number, Origin>();
  // the few strings most records repeat are kept once (what JSON.parse made is dropped young)
  const interned = new Map<string, string>();
  const intern = (s: string): string => {
    const hit = interned.get(s);
    if (hit !== undefined) return hit;
    if (interned.size < 100_000) interned.set(s, s);
    return s;
  };

  /** Records from the answers to `query` over `values`; pnOf gives a match's part number. */
  const records = (query: Database.Statement, values: readonly string[], pnOf: (position: number, w: WalkArray) => string): DeclarationRecord[] => {
    const rows: (number | WalkArray)[][] = [];
    for (let i = 0; i < values.length; i += PER_QUERY) {
      const text = query.get(params(values.slice(i, i + PER_QUERY))) as string | null;
      if (text === null) continue;
      const flat = JSON.parse(text) as (number | WalkArray | null)[];
      if (i > 0) for (let k = 0; k < flat.length; k += 3) flat[k] = (flat[k] as number) + i;
      rows.push(flat as (number | WalkArray)[]);
    }
    const missingOrigins: number[] = [];
    const superseded: string[] = [];
    for (const flat of rows) {
      for (let k = 0; k < flat.length; k += 3) {
        const w = flat[k + 2] as WalkArray | null;
        if (w === null) throw new Error('a declaration row has no walk column: the store was not opened with openStore');
        if (w[5] !== null && !origins.has(w[5])) missingOrigins.push(w[5]);
        if (flat[k + 1] === 1) superseded.push(w[2]);
      }
    }
    if (missingOrigins.length > 0) {
      const ids = [...new Set(missingOrigins)];
      for (let i = 0; i < ids.length; i += PER_QUERY) {
        for (const [id, json] of originsOf.all(params(ids.slice(i, i + PER_QUERY))) as [number, string][]) origins.set(id, JSON.parse(json) as Origin);
      }
    }
    const succ = new Map<string, SuccessorRef[]>();
    if (superseded.length > 0) {
      const ids = [...new Set(superseded)];
      for (let i = 0; i < ids.length; i += PER_QUERY) {
        for (const s of successorsOf.all(params(ids.slice(i, i + PER_QUERY))) as [string, string, string, string, string][]) {
          const k = `${s[1]}\u0000${s[4]}`;
          const list = succ.get(k);
          const ref = { sha256: `sha256:${s[0]}`, kid: s[2], receivedAt: s[3] };
          if (list) list.push(ref);
          else succ.set(k, [ref]);
        }
      }
    }
    const out: DeclarationRecord[] = [];
    for (const flat of rows) {
      for (let k = 0; k < flat.length; k += 3) {
        const w = flat[k + 2] as WalkArray;
        const norms = w[11];
        if (norms !== null) for (let j = 0; j < norms.length; j += 2) norms[j] = intern(norms[j]!);
        out.push({
          sha256: w[0], supplier: intern(w[1]), id: w[2], kid: intern(w[3]), receivedAt: intern(w[4]),
          issuedAtMs: w[6], expiresAtMs: w[7], mfrNorm: intern(w[8]), pnNorm: pnOf(flat[k] as number, w),
          part: w[9], origin: w[5] === null ? undefined : origins.get(w[5]),
          components: w[10] ?? NO_COMPONENTS, componentNorms: norms ?? NO_NORMS,
          successors: flat[k + 1] === 1 ? succ.get(`${w[1]}\u0000${w[2]}`) ?? NO_SUCCESSORS : NO_SUCCESSORS,
        });
      }
    }
    return out;
  };

  return {
    byPartNumbers(pns) {
      // the part number asked for is the record's own: the same string, not another copy
      return records(byPn, pns, (position) => pns[position]!);
    },
    bySha256(shas) {
      const hexes = shas.filter((s) => /^sha256:[0-9a-f]{64}$/.test(s)).map((s) => s.slice(7));
      const recs = records(bySha, hexes, (_, w) => normalizeName(w[9].partNumber));
      return new Map(recs.map((r) => [r.sha256, r]));
    },
  };
}
