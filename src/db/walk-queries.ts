// The queries the walk reads evidence with, shared by the main connection (declarations.ts)
// and the evidence reader's thread (evidence-reader-worker.ts), so that both ask the same.
import type Database from 'better-sqlite3';

/**
 * Part numbers (or hashes) per query. Each answer is one blob of at most this many walk
 * records (about 70 KB): small enough to be short-lived garbage once read.
 */
export const PER_QUERY = 250;
// each match in an answer: 8 hex digits of the position asked for, 1 digit has_successor,
// 8 hex digits of the walk record's length, then the record
export const FRAME = 17;

export function hexAt(b: Uint8Array, at: number, digits: number): number {
  let v = 0;
  for (let i = 0; i < digits; i++) {
    const c = b[at + i]!;
    v = v * 16 + (c <= 57 ? c - 48 : c - 87);
  }
  return v;
}

const timeFilter = (asOf: boolean, t: string) => (asOf ? ` AND ${t}.received_at <= @asOf` : '');

/** One blob of framed walk records answering the JSON array @values (see dbEvidence). */
export function matchesSql(from: string, asOf: boolean): string {
  return `SELECT CAST(group_concat(printf('%08x%d%08x', j.key, w.has_successor, length(w.walk))
    || w.walk, '') AS BLOB) FROM ${from}${timeFilter(asOf, 'w')}`;
}

export const BY_PN_FROM = 'json_each(@values) j JOIN declaration_walk w ON w.pn_norm = j.value';
export const BY_SHA_FROM = 'json_each(@values) j JOIN declarations d ON d.sha256 = j.value JOIN declaration_walk w ON w.pn_norm = d.pn_norm AND w.sha256 = d.sha256';

export function successorsSql(asOf: boolean): string {
  return `SELECT d.sha256, d.supplier_id, d.kid, d.received_at, d.supersedes FROM json_each(@values) j
    JOIN declarations d ON d.supersedes = j.value AND d.supersedes IS NOT NULL${timeFilter(asOf, 'd')}`;
}

export const ORIGINS_SQL = 'SELECT o.id, o.json FROM json_each(@values) j JOIN origins o ON o.id = j.value';

/** The origin ids the records of an answer refer to (-1, none, left out). */
export function originIdsOf(b: Uint8Array, into: Set<number>): void {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let at = 0; at < b.length;) {
    const len = hexAt(b, at + 9, 8);
    const id = view.getInt32(at + FRAME + 8, true);
    if (id !== -1) into.add(id);
    at += FRAME + len;
  }
}

/** Origins by id, PER_QUERY at a time: [id, json] rows. */
export function originRows(stmt: Database.Statement, ids: readonly number[]): [number, string][] {
  const out: [number, string][] = [];
  for (let i = 0; i < ids.length; i += PER_QUERY) {
    for (const row of stmt.all({ values: JSON.stringify(ids.slice(i, i + PER_QUERY)) }) as [number, string][]) out.push(row);
  }
  return out;
}
