// Accepted declarations: intake writes, reads by hash and filter, and the evidence source
// the walk queries in batches (one query per frontier, not one per node).
import type Database from 'better-sqlite3';
import type { DeclarationPayload, Origin } from '../domain/declaration-schema.js';
import type { DeclarationRecord, EvidenceSource, SuccessorRef } from '../domain/evidence.js';
import { encodeWalkRecord, stampWalkRecord, StoredRecord, type RecordContext } from './walk-record.js';
import { stmt } from './statements.js';
import type { EvidenceReader, ReaderSession } from './evidence-reader.js';
import {
  BY_PN_FROM, BY_SHA_FROM, FRAME, hexAt, matchesSql, ORIGINS_SQL, originIdsOf, originRows, PER_QUERY, successorsSql,
} from './walk-queries.js';
import { attachJwsPayload } from '../crypto/verify-declaration.js';

/** The id of an origin's text in `origins`, added when new. */
export function originIdOf(db: Database.Database, json: string): number {
  const found = stmt(db, 'SELECT id FROM origins WHERE json = ?').pluck().get(json) as number | undefined;
  if (found !== undefined) return found;
  return stmt(db, 'INSERT INTO origins (json) VALUES (?) RETURNING id').pluck().get(json) as number;
}

export interface WalkRow {
  /** lower-case hex */
  sha256: string;
  supplier: string;
  id: string;
  pnNorm: string;
  supersedes: string | null;
  receivedAt: string;
  /** the origin's JSON text as signed, null when it has none */
  originJson: string | null;
  /** from encodeWalkRecord: stamped here with the receipt time and the origin's id */
  record: Uint8Array;
}

/** Stores a declaration's walk row (in the transaction that stores the declaration). */
export function insertWalkRow(db: Database.Database, r: WalkRow): void {
  stampWalkRecord(r.record, r.receivedAt, r.originJson === null ? null : originIdOf(db, r.originJson));
  // has_successor: a successor may have arrived first (SPEC §3: the named id need not exist yet)
  stmt(db, `INSERT INTO declaration_walk (pn_norm, sha256, received_at, has_successor, walk) VALUES
    (?, ?, ?, EXISTS (SELECT 1 FROM declarations s WHERE s.supplier_id = ? AND s.supersedes = ?), ?)`)
    .run(r.pnNorm, r.sha256, r.receivedAt, r.supplier, r.id, r.record);
  if (r.supersedes !== null) {
    stmt(db, `UPDATE declaration_walk SET has_successor = 1 WHERE has_successor = 0
      AND (pn_norm, sha256) IN (SELECT pn_norm, sha256 FROM declarations WHERE supplier_id = ? AND decl_id = ?)`).run(r.supplier, r.supersedes);
  }
}

const WALK_ROWS_FILLED = 'declaration_walk.filled';

/**
 * Makes the walk rows of declarations stored before there were any, from each payload as
 * signed, once: a mark in `meta` says it is done, so that start-up does not look again.
 */
export function fillWalkRows(db: Database.Database): number {
  if (stmt(db, 'SELECT 1 FROM meta WHERE key = ?').get(WALK_ROWS_FILLED) !== undefined) return 0;
  let filled = 0;
  let after = 0;
  for (;;) {
    const rows = stmt(db, `SELECT d.rowid, d.sha256, d.supplier_id, d.decl_id, d.kid, d.received_at, d.pn_norm, d.supersedes, d.payload FROM declarations d
      WHERE d.rowid > ? AND NOT EXISTS (SELECT 1 FROM declaration_walk w WHERE w.pn_norm = d.pn_norm AND w.sha256 = d.sha256)
      ORDER BY d.rowid LIMIT 1000`).raw().all(after) as [number, string, string, string, string, string, string, string | null, string][];
    if (rows.length === 0) break;
    db.transaction(() => {
      for (const [rowid, sha256, supplier, id, kid, receivedAt, pnNorm, supersedes, payloadText] of rows) {
        const p = JSON.parse(payloadText) as DeclarationPayload;
        insertWalkRow(db, {
          sha256, supplier, id, pnNorm, supersedes, receivedAt, originJson: p.origin === undefined ? null : JSON.stringify(p.origin),
          record: encodeWalkRecord({ sha256, supplier, id, kid }, p),
        });
        after = rowid;
      }
    })();
    filled += rows.length;
  }
  stmt(db, "INSERT INTO meta (key, value) VALUES (?, '1')").run(WALK_ROWS_FILLED);
  return filled;
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
    insert: stmt(db, `INSERT INTO declarations (sha256, supplier_id, decl_id, kid, submitted_by, submitter_supplier, received_at,
      issued_at, expires_at, supersedes, mfr_norm, pn_norm, payload, jws, log_index) VALUES
      (@sha256, @supplier, @id, @kid, @submittedBy, @submitterSupplier, @receivedAt, @issuedAt, @expiresAt, @supersedes,
       @mfrNorm, @pnNorm, @payload, @jws, @logIndex)`),
  };
}

/** Whether the declaration is held: cheaper than getDeclaration when it usually is not. */
export function holdsDeclaration(db: Database.Database, shaHex: string): boolean {
  return stmt(db, 'SELECT 1 FROM declarations WHERE sha256 = ?').get(shaHex) !== undefined;
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

/**
 * The walk's evidence source over this database; with `asOf`, only what had been received
 * by then (and only successors received by then), as a report issued at that time saw it.
 *
 * The lookup by part number is one search of declaration_walk, which is clustered by it.
 * Each query answers one blob holding the walk records of up to PER_QUERY matches, each
 * framed with the position of the value it answers and its has_successor flag, so that
 * 100,000 records cost 400 rows rather than 100,000; the values asked for travel as one
 * JSON array read with json_each. Records are read in place (see walk-record.ts). With a
 * `reader`, lookups by part number (as of now) run on its thread (see evidence-reader.ts).
 */
export function dbEvidence(db: Database.Database, asOf?: string, reader: EvidenceReader | null = null): EvidenceSource {
  const timed = asOf !== undefined;
  const byPn = stmt(db, matchesSql(BY_PN_FROM, timed)).pluck();
  const bySha = stmt(db, matchesSql(BY_SHA_FROM, timed)).pluck();
  const successorsOf = stmt(db, successorsSql(timed)).raw();
  const originsOf = stmt(db, ORIGINS_SQL).raw();
  const payloadOf = stmt(db, 'SELECT payload FROM declarations WHERE sha256 = ?').pluck();
  const params = (values: readonly unknown[]) => (asOf === undefined ? { values: JSON.stringify(values) } : { values: JSON.stringify(values), asOf });
  // origins never change: each is parsed once, and every record with that origin shares it
  const origins = new Map<number, Origin>();
  // the few strings most records repeat are kept once (what was decoded is dropped young)
  const interned = new Map<string, string>();
  const ctx: RecordContext = {
    intern(s) {
      const hit = interned.get(s);
      if (hit !== undefined) return hit;
      if (interned.size < 100_000) interned.set(s, s);
      return s;
    },
    origin: (id) => origins.get(id),
    components: (sha256) => (JSON.parse(payloadOf.get(sha256.slice(7)) as string) as DeclarationPayload).components ?? [],
  };

  /** Appends the records of one answer (of list q) to `out`. */
  const read = (b: Buffer, q: number, pnOf: ((position: number) => string) | null, out: DeclarationRecord[]): void => {
    // first the origins and successors the records need, each looked up once
    const used = new Set<number>();
    originIdsOf(b, used);
    const missing = [...used].filter((id) => !origins.has(id)).sort((x, y) => x - y);
    if (missing.length > 0) for (const [id, json] of originRows(originsOf, missing)) origins.set(id, JSON.parse(json) as Origin);
    const superseded = new Set<string>();
    for (let at = 0; at < b.length;) {
      const len = hexAt(b, at + 9, 8);
      if (b[at + 8] === 0x31) superseded.add(new StoredRecord(b, at + FRAME, ctx, NO_SUCCESSORS, '').id);
      at += FRAME + len;
    }
    const succ = new Map<string, SuccessorRef[]>();
    if (superseded.size > 0) {
      const ids = [...superseded].sort();
      for (let i = 0; i < ids.length; i += PER_QUERY) {
        for (const s of successorsOf.all(params(ids.slice(i, i + PER_QUERY))) as [string, string, string, string, string][]) {
          const k = `${s[1]}\u0000${s[4]}`;
          const list = succ.get(k);
          const ref = { sha256: `sha256:${s[0]}`, kid: s[2], receivedAtMs: Date.parse(s[3]) };
          if (list) list.push(ref);
          else succ.set(k, [ref]);
        }
      }
    }
    for (let at = 0; at < b.length;) {
      const len = hexAt(b, at + 9, 8);
      const position = q * PER_QUERY + hexAt(b, at, 8);
      const r = new StoredRecord(b, at + FRAME, ctx, NO_SUCCESSORS, pnOf === null ? null : pnOf(position));
      if (b[at + 8] !== 0x31) out.push(r);
      else out.push(new StoredRecord(b, at + FRAME, ctx, succ.get(`${r.supplier}\u0000${r.id}`) ?? NO_SUCCESSORS, r.pnNorm));
      at += FRAME + len;
    }
  };

  /**
   * Records answering `values`, PER_QUERY to a query; `pnOf` gives a match's part number
   * when the query knows it.
   */
  const records = (query: Database.Statement, values: readonly string[], pnOf: ((position: number) => string) | null): DeclarationRecord[] => {
    const out: DeclarationRecord[] = [];
    for (let i = 0, q = 0; i < values.length; i += PER_QUERY, q++) {
      const blob = query.get(params(values.slice(i, i + PER_QUERY))) as Buffer | null;
      if (blob !== null) read(blob, q, pnOf, out);
    }
    return out;
  };

  /**
   * The same from the evidence reader's thread (see evidence-reader.ts), given as they
   * come: the walk places one answer's records on their nodes while the thread searches
   * for the next. A list the thread cannot answer is asked of this connection.
   */
  function* recordsFromReader(session: ReaderSession, lists: readonly string[][], pnOf: (position: number) => string): Generator<DeclarationRecord> {
    const out: DeclarationRecord[] = [];
    for (let q = 0; q < lists.length; q++) {
      const answer = session.next();
      let blob: Buffer | null;
      if (answer !== null) {
        for (const [id, json] of answer.origins) if (!origins.has(id)) origins.set(id, JSON.parse(json) as Origin);
        blob = answer.blob;
      } else blob = byPn.get(params(lists[q]!)) as Buffer | null;
      if (blob === null) continue;
      out.length = 0;
      read(blob, q, pnOf, out);
      yield* out;
    }
  }

  // The values are asked for in sorted order: consecutive searches then meet the same
  // B-tree pages, which costs a third of the time the walk's own order does at 100,000
  // parts (SQLite's page cache is far smaller than the table). The walk does not depend on
  // the order records arrive in: it orders each part's evidence itself.
  return {
    byPartNumbers(pns) {
      const sorted = [...pns].sort();
      // the part number asked for is the record's own: the same string, not another copy
      const pnOf = (position: number) => sorted[position]!;
      // (inside a transaction of this connection the thread would not see its writes)
      if (reader !== null && asOf === undefined && !db.inTransaction) {
        const lists: string[][] = [];
        for (let i = 0; i < sorted.length; i += PER_QUERY) lists.push(sorted.slice(i, i + PER_QUERY));
        const session = reader.ask(lists, origins);
        if (session !== null) return recordsFromReader(session, lists, pnOf);
      }
      return records(byPn, sorted, pnOf);
    },
    bySha256(shas) {
      const hexes = shas.filter((s) => /^sha256:[0-9a-f]{64}$/.test(s)).map((s) => s.slice(7)).sort();
      return new Map(records(bySha, hexes, null).map((r) => [r.sha256, r]));
    },
  };
}
