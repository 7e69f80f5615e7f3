// Uploaded BOMs: the bytes as uploaded (and their sha256), the normalised form the walk
// reads, and one row per item for where-used.
import type Database from 'better-sqlite3';
import type { Bom } from '../domain/bom.js';
import { normalizeName } from '../domain/part-key.js';
import type { PathStep } from '../domain/walk.js';
import { climbSql, rememberedPath, type RememberedPath } from './remembered-paths.js';
import { stmt } from './statements.js';

export interface BomRow {
  id: string;
  name: string;
  partNumber: string | null;
  revision: string | null;
  sha256: string;
  format: string;
  mediaType: string;
  nodes: number;
  createdAt: string;
  createdBy: string;
}

interface Raw {
  id: string; name: string; part_number: string | null; revision: string | null; sha256: string; format: string;
  media_type: string; nodes: number; created_at: string; created_by: string;
}
const META_COLS = 'id, name, part_number, revision, sha256, format, media_type, nodes, created_at, created_by';
const toRow = (r: Raw): BomRow => ({
  id: r.id, name: r.name, partNumber: r.part_number, revision: r.revision, sha256: r.sha256, format: r.format,
  mediaType: r.media_type, nodes: r.nodes, createdAt: r.created_at, createdBy: r.created_by,
});

export function insertBom(db: Database.Database, row: BomRow, content: Buffer, bom: Bom): void {
  stmt(db, `INSERT INTO boms (id, name, part_number, revision, sha256, format, media_type, content, bom, nodes, created_at, created_by)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(row.id, row.name, row.partNumber, row.revision, row.sha256, row.format, row.mediaType, content, JSON.stringify(bom), row.nodes, row.createdAt, row.createdBy);
  insertBomParts(db, row.id, bom);
}

/** where-used rows: every item with its parent link and names (paths are rebuilt on read). */
function insertBomParts(db: Database.Database, bomId: string, bom: Bom): void {
  const ins = stmt(db, 'INSERT INTO bom_parts (bom_id, item_id, parent_item_id, mfr_norm, pn_norm, manufacturer, part_number, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  for (const it of bom.items) {
    ins.run(bomId, it.id, it.parent, normalizeName(it.manufacturer), normalizeName(it.partNumber), it.manufacturer, it.partNumber, it.name ?? null);
  }
}

/** Refills where-used rows for BOMs that have none (after the migration that recreated the table). */
export function rebuildBomParts(db: Database.Database): number {
  const missing = stmt(db, 'SELECT id, bom FROM boms b WHERE NOT EXISTS (SELECT 1 FROM bom_parts p WHERE p.bom_id = b.id)').all() as { id: string; bom: string }[];
  for (const m of missing) {
    const bom = JSON.parse(m.bom) as Bom;
    if (bom.items.length > 0) insertBomParts(db, m.id, bom);
  }
  return missing.length;
}

export function getBom(db: Database.Database, id: string): BomRow | undefined {
  const r = stmt(db, `SELECT ${META_COLS} FROM boms WHERE id = ?`).get(id) as Raw | undefined;
  return r ? toRow(r) : undefined;
}

export function getBomContent(db: Database.Database, id: string): { bom: Bom; content: Buffer } | undefined {
  const r = stmt(db, 'SELECT bom, content FROM boms WHERE id = ?').get(id) as { bom: string; content: Buffer } | undefined;
  return r ? { bom: JSON.parse(r.bom) as Bom, content: r.content } : undefined;
}

export function listBoms(db: Database.Database, after: string, limit: number): BomRow[] {
  return (stmt(db, `SELECT ${META_COLS} FROM boms WHERE id > ? ORDER BY id LIMIT ?`).all(after, limit) as Raw[]).map(toRow);
}

export interface BomOccurrence {
  bomId: string;
  bomName: string;
  path: readonly PathStep[];
  /** the path as JSON, for callers that merge equal paths */
  pathKey: string;
}

// A BOM never changes once stored, so the root step of its paths is cached (bounded).
const rootSteps = new WeakMap<Database.Database, Map<string, PathStep & { bomName: string }>>();

export function bomRootStep(db: Database.Database, bomId: string): PathStep & { bomName: string } {
  let cache = rootSteps.get(db);
  if (!cache) rootSteps.set(db, (cache = new Map()));
  let step = cache.get(bomId);
  if (!step) {
    const r = stmt(db, "SELECT name, part_number, json_extract(bom, '$.manufacturer') AS manufacturer FROM boms WHERE id = ?").get(bomId) as
      { name: string; part_number: string | null; manufacturer: string | null };
    step = { manufacturer: r.manufacturer, partNumber: r.part_number, name: r.name, bomName: r.name };
    if (cache.size > 50_000) cache.clear();
    cache.set(bomId, step);
  }
  return step;
}

export function bomOccurrences(db: Database.Database, pnNorm: string, mfrNorms: readonly string[]): BomOccurrence[] {
  if (mfrNorms.length === 0) return [];
  // (one placeholder per spelling: a manufacturer has a handful, and a plain IN list lets
  // SQLite read the covering index in order without sorting)
  const hits = stmt(db, `SELECT bom_id, item_id FROM bom_parts WHERE pn_norm = ? AND mfr_norm IN (${mfrNorms.map(() => '?').join(',')})
    ORDER BY bom_id, item_id`).raw().all(pnNorm, ...mfrNorms) as [string, string][];
  return hits.map(([bomId, itemId]) => {
    const root = bomRootStep(db, bomId);
    return { bomId, bomName: root.bomName, ...itemPath(db, bomId, itemId, root) };
  });
}

const BOM_CLIMB = climbSql('bom_parts', 'bom_id', 'item_id', 'parent_item_id');

function itemPath(db: Database.Database, bomId: string, itemId: string, root: PathStep): RememberedPath {
  return rememberedPath(db, `bom\u0000${bomId}\u0000${itemId}`, BOM_CLIMB, { scope: bomId, id: itemId }, root);
}
