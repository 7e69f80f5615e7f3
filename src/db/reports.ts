// Issued reports: the body exactly as signed, its JWS, and one row per tree node for
// where-used (with the canonical parent, so a path can be rebuilt without the body).
import type Database from 'better-sqlite3';
import { normalizeName, parsePartKey } from '../domain/part-key.js';
import { compareCodeUnits } from '../domain/sort-keys.js';
import type { PathStep, TreeNode, WalkPart } from '../domain/walk.js';
import { boundHeapGrowth } from '../heap-growth.js';
import { bomRootStep } from './boms.js';
import { climbSql, rememberedPath, type RememberedPath } from './remembered-paths.js';
import { stmt } from './statements.js';

export interface ReportRow {
  id: string;
  bomId: string;
  policyId: string;
  policyVersion: number;
  verdict: string;
  generatedAt: string;
  stale: boolean;
  createdAt: string;
}

interface Raw {
  id: string; bom_id: string; policy_id: string; policy_version: number; verdict: string; generated_at: string; stale: number; created_at: string;
}
const META = 'id, bom_id, policy_id, policy_version, verdict, generated_at, stale, created_at';
const toRow = (r: Raw): ReportRow => ({
  id: r.id, bomId: r.bom_id, policyId: r.policy_id, policyVersion: r.policy_version, verdict: r.verdict,
  generatedAt: r.generated_at, stale: r.stale === 1, createdAt: r.created_at,
});

/** The where-used rows of a report read back from its stored body (the walk gives them directly). */
export function partsFromTree(nodes: readonly TreeNode[]): WalkPart[] {
  return nodes.map((n) => {
    const halves = parsePartKey(n.key);
    return {
      key: n.key, mfrNorm: halves?.manufacturer ?? normalizeName(n.manufacturer), pnNorm: halves?.partNumber ?? normalizeName(n.partNumber),
      via: n.via, shownJson: JSON.stringify({ manufacturer: n.manufacturer, partNumber: n.partNumber, name: n.name, category: n.category }),
    };
  });
}

/** A body is stored in pieces of this many bytes (see report_chunks in schema.ts). */
export const REPORT_CHUNK_BYTES = 64 * 1024;

/**
 * Stores a report, in one transaction: its row (insertReport), its body (UTF-8, exactly
 * as signed) in pieces (insertReportBody), then its signature (setReportJws), which may
 * be computed while the body is written. Its where-used rows are not written here: queue
 * them with queueReportParts once the transaction has committed.
 */
export function insertReport(db: Database.Database, row: ReportRow): void {
  stmt(db, `INSERT INTO reports (id, bom_id, policy_id, policy_version, verdict, generated_at, jws, stale, created_at, parts_indexed)
    VALUES (?, ?, ?, ?, ?, ?, '', 0, ?, 0)`)
    .run(row.id, row.bomId, row.policyId, row.policyVersion, row.verdict, row.generatedAt, row.createdAt);
}

export function insertReportBody(db: Database.Database, id: string, body: Uint8Array): void {
  const piece = stmt(db, 'INSERT INTO report_chunks (report_id, seq, data) VALUES (?, ?, ?)');
  for (let off = 0, seq = 0; off < body.length || seq === 0; off += REPORT_CHUNK_BYTES, seq++) {
    piece.run(id, seq, body.subarray(off, Math.min(body.length, off + REPORT_CHUNK_BYTES)));
  }
}

/** The JWS in detached form ("header..signature"). */
export function setReportJws(db: Database.Database, id: string, jws: string): void {
  stmt(db, 'UPDATE reports SET jws = ? WHERE id = ?').run(jws, id);
}

/** A stored report's body as text; undefined when there is no such report. */
export function reportBody(db: Database.Database, id: string): string | undefined {
  const pieces = stmt(db, 'SELECT data FROM report_chunks WHERE report_id = ? ORDER BY seq').pluck().all(id) as Buffer[];
  if (pieces.length === 0) return undefined;
  return (pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces)).toString('utf8');
}

// ---- where-used rows, written after the report --------------------------------------------
// A 100,000-node report has 100,000 rows, about as long to write as the rest of storing
// it. They are written after the answer, a slice per turn of the event loop, and every
// where-used query first writes whatever is still queued: so a query never misses a
// report, and a verification does not wait for its index.
//
// They are written in the order of where-used's index (part number, then manufacturer),
// not in the report's key order (manufacturer first). In key order each manufacturer's
// rows swept the whole index again, so a report's rows cost more the more reports were
// stored: 100,000 rows took 0.8 s into an empty table and 4.6 s beside five reports like
// it. In index order they are one sweep, and took 0.7–0.9 s each time.

interface Queued {
  reportId: string;
  parts: readonly WalkPart[];
  /** positions in `parts`, in the index's order (set when the first slice is written) */
  order: Int32Array | null;
  next: number;
}

/** The positions of `parts` ordered by part number, then manufacturer, then key. */
function indexOrder(parts: readonly WalkPart[]): Int32Array {
  const order = new Int32Array(parts.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((x, y) => {
    const a = parts[x]!;
    const b = parts[y]!;
    return compareCodeUnits(a.pnNorm, b.pnNorm) || compareCodeUnits(a.mfrNorm, b.mfrNorm) || compareCodeUnits(a.key, b.key);
  });
}
const queues = new WeakMap<Database.Database, Queued[]>();
const SLICE_ROWS = 2_000;

function writeSlice(db: Database.Database, q: Queued, rows: number): void {
  const ins = stmt(db, 'INSERT INTO report_parts (report_id, key, mfr_norm, pn_norm, via, manufacturer, part_number, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const parts = q.parts;
  const order = (q.order ??= indexOrder(parts));
  const end = Math.min(parts.length, q.next + rows);
  db.transaction(() => {
    for (let i = q.next; i < end; i++) {
      const p = parts[order[i]!]!;
      const shown = JSON.parse(p.shownJson) as { manufacturer: string; partNumber: string; name: string | null };
      ins.run(q.reportId, p.key, p.mfrNorm, p.pnNorm, p.via, shown.manufacturer, shown.partNumber, shown.name);
    }
    if (end === parts.length) stmt(db, 'UPDATE reports SET parts_indexed = 1 WHERE id = ?').run(q.reportId);
  }).immediate();
  q.next = end;
}

/** Writes up to `rows` queued where-used rows (all of them by default); true when none are left. */
export function flushReportParts(db: Database.Database, rows = Infinity): boolean {
  const queue = queues.get(db);
  if (!queue || queue.length === 0) return true;
  // Written all at once (a where-used query straight after a large verification), the rows'
  // garbage outgrew V8's own heap growth: at 300,000 nodes the server peaked at 1.35 GB,
  // and at 1.08 GB with the growth bounded as during a verification (heap-growth.ts).
  const unbound = boundHeapGrowth();
  try {
    while (queue.length > 0 && rows > 0) {
      const q = queue[0]!;
      const n = Math.min(rows, q.parts.length - q.next, SLICE_ROWS * 50);
      writeSlice(db, q, n);
      rows -= n;
      if (q.next === q.parts.length) queue.shift();
    }
  } finally {
    unbound();
  }
  return queue.length === 0;
}

const draining = new WeakSet<Database.Database>();
const onErrors = new WeakMap<Database.Database, (e: unknown) => void>();
/** when nobody says the answer went out, the rows are written from this long after queueing */
const START_AFTER_MS = 1_000;

/**
 * Queues a stored report's where-used rows. They are written in slices once the report's
 * answer has been sent (startReportParts), or a second after queueing if nothing says so.
 * Should a slice fail, the queue is dropped and reported: its reports keep parts_indexed
 * = 0 and are indexed again at the next start.
 */
export function queueReportParts(db: Database.Database, reportId: string, parts: readonly WalkPart[], onError: (e: unknown) => void): void {
  let queue = queues.get(db);
  if (!queue) queues.set(db, (queue = []));
  queue.push({ reportId, parts, order: null, next: 0 });
  onErrors.set(db, onError);
  setTimeout(() => startReportParts(db), START_AFTER_MS).unref();
}

/** Starts writing the queued where-used rows, a slice per turn of the event loop. */
export function startReportParts(db: Database.Database): void {
  if (draining.has(db)) return;
  draining.add(db);
  const drain = () => {
    if (!db.open) return; // closing wrote what was left (see openStore)
    try {
      if (!flushReportParts(db, SLICE_ROWS)) setImmediate(drain);
      else draining.delete(db);
    } catch (e) {
      queues.delete(db);
      draining.delete(db);
      onErrors.get(db)?.(e);
    }
  };
  setImmediate(drain);
}

/** At start-up: reports whose where-used rows a stop cut short are indexed again from their body. */
export function indexUnindexedReports(db: Database.Database): number {
  const ids = stmt(db, 'SELECT id FROM reports WHERE parts_indexed = 0').pluck().all() as string[];
  for (const id of ids) {
    const body = reportBody(db, id)!;
    const parts = partsFromTree((JSON.parse(body) as { tree: { nodes: TreeNode[] } }).tree.nodes);
    stmt(db, 'DELETE FROM report_parts WHERE report_id = ?').run(id);
    writeSlice(db, { reportId: id, parts, order: null, next: 0 }, parts.length);
  }
  return ids.length;
}

// A report's body and signature never change once stored (what changes, `stale`, is a
// column of its own), so the most recently read ones are kept, up to a byte budget.
const bodies = new WeakMap<Database.Database, Map<string, { body: string; jws: string }>>();
const BODY_BYTES_KEPT = 64 * 1024 * 1024;
const bodyBytes = new WeakMap<Database.Database, number>();

export function getReport(db: Database.Database, id: string): (ReportRow & { body: string; jws: string }) | undefined {
  let cache = bodies.get(db);
  if (!cache) bodies.set(db, (cache = new Map()));
  const hit = cache.get(id);
  if (hit) {
    const r = stmt(db, `SELECT ${META} FROM reports WHERE id = ?`).get(id) as Raw | undefined;
    return r ? { ...toRow(r), ...hit } : undefined;
  }
  const meta = stmt(db, `SELECT ${META}, jws FROM reports WHERE id = ?`).get(id) as (Raw & { jws: string }) | undefined;
  if (!meta) return undefined;
  const r = { ...meta, body: reportBody(db, id)! };
  if (!db.inTransaction && r.body.length < BODY_BYTES_KEPT / 8) {
    let used = (bodyBytes.get(db) ?? 0) + r.body.length + r.jws.length;
    if (used > BODY_BYTES_KEPT) {
      cache.clear();
      used = r.body.length + r.jws.length;
    }
    cache.set(id, { body: r.body, jws: r.jws });
    bodyBytes.set(db, used);
  }
  return { ...toRow(r), body: r.body, jws: r.jws };
}

export interface ReportFilter {
  bom?: string;
  verdict?: string;
  stale?: boolean;
  after?: string;
  limit: number;
}

export function listReports(db: Database.Database, f: ReportFilter): ReportRow[] {
  const where = ['id > @after'];
  const params: Record<string, unknown> = { after: f.after ?? '', limit: f.limit };
  if (f.bom !== undefined) {
    where.push('bom_id = @bom');
    params.bom = f.bom;
  }
  if (f.verdict !== undefined) {
    where.push('verdict = @verdict');
    params.verdict = f.verdict;
  }
  if (f.stale !== undefined) {
    where.push('stale = @stale');
    params.stale = f.stale ? 1 : 0;
  }
  return (stmt(db, `SELECT ${META} FROM reports WHERE ${where.join(' AND ')} ORDER BY id LIMIT @limit`).all(params) as Raw[]).map(toRow);
}

export interface ReportOccurrence {
  reportId: string;
  bomId: string;
  bomName: string;
  path: readonly PathStep[];
  /** the path as JSON, for callers that merge equal paths */
  pathKey: string;
}

/** Reports whose tree holds the part, with the canonical path rebuilt from `via` links. */
export function reportOccurrences(db: Database.Database, pnNorm: string, mfrNorms: readonly string[]): ReportOccurrence[] {
  if (mfrNorms.length === 0) return [];
  const hits = stmt(db, `SELECT r.bom_id, p.report_id, p.key FROM report_parts p JOIN reports r ON r.id = p.report_id
    WHERE p.pn_norm = ? AND p.mfr_norm IN (${mfrNorms.map(() => '?').join(',')}) ORDER BY r.bom_id, p.report_id, p.key`)
    .raw().all(pnNorm, ...mfrNorms) as [string, string, string][];
  return hits.map(([bomId, reportId, key]) => {
    const root = bomRootStep(db, bomId);
    return { reportId, bomId, bomName: root.bomName, ...nodePath(db, reportId, key, root) };
  });
}

const REPORT_CLIMB = climbSql('report_parts', 'report_id', 'key', 'via');

function nodePath(db: Database.Database, reportId: string, key: string, root: PathStep): RememberedPath {
  return rememberedPath(db, `report\u0000${reportId}\u0000${key}`, REPORT_CLIMB, { scope: reportId, id: key }, root);
}
