// Uploaded BOMs: the bytes as uploaded (and their sha256), the normalised form the walk
// reads, and one row per item for where-used.
import type Database from 'better-sqlite3';
import type { Bom } from '../domain/bom.js';
import { normalizeName } from '../domain/part-key.js';
import type { PathStep } from '../domain/walk.js';

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
  db.prepare(`INSERT INTO boms (id, name, part_number, revision, sha256, format, media_type, content, bom, nodes, created_at, created_by)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(row.id, row.name, row.partNumber, row.revision, row.sha256, row.format, row.mediaType, content, JSON.stringify(bom), row.nodes, row.createdAt, row.createdBy);
  // where-used: every item with the path that leads to it from the root
  const byId = new Map(bom.items.map((it) => [it.id, it]));
  const pathCache = new Map<string, PathStep[]>();
  const rootStep: PathStep = { manufacturer: bom.manufacturer, partNumber: bom.partNumber, name: bom.name };
  const pathTo = (id: string): PathStep[] => {
    const chain: string[] = [];
    let cur: string | null = id;
    while (cur !== null && !pathCache.has(cur)) {
      chain.push(cur);
      cur = byId.get(cur)!.parent;
    }
    let base = cur === null ? [rootStep] : pathCache.get(cur)!;
    for (let i = chain.length - 1; i >= 0; i--) {
      const it = byId.get(chain[i]!)!;
      base = [...base, { manufacturer: it.manufacturer, partNumber: it.partNumber, name: it.name ?? null }];
      pathCache.set(chain[i]!, base);
    }
    return pathCache.get(id)!;
  };
  const ins = db.prepare('INSERT INTO bom_parts (bom_id, item_id, mfr_norm, pn_norm, path) VALUES (?, ?, ?, ?, ?)');
  for (const it of bom.items) {
    ins.run(row.id, it.id, normalizeName(it.manufacturer), normalizeName(it.partNumber), JSON.stringify(pathTo(it.id)));
  }
}

export function getBom(db: Database.Database, id: string): BomRow | undefined {
  const r = db.prepare(`SELECT ${META_COLS} FROM boms WHERE id = ?`).get(id) as Raw | undefined;
  return r ? toRow(r) : undefined;
}

export function getBomContent(db: Database.Database, id: string): { bom: Bom; content: Buffer } | undefined {
  const r = db.prepare('SELECT bom, content FROM boms WHERE id = ?').get(id) as { bom: string; content: Buffer } | undefined;
  return r ? { bom: JSON.parse(r.bom) as Bom, content: r.content } : undefined;
}

export function listBoms(db: Database.Database, after: string, limit: number): BomRow[] {
  return (db.prepare(`SELECT ${META_COLS} FROM boms WHERE id > ? ORDER BY id LIMIT ?`).all(after, limit) as Raw[]).map(toRow);
}

export interface BomOccurrence {
  bomId: string;
  bomName: string;
  path: PathStep[];
}

export function bomOccurrences(db: Database.Database, pnNorm: string, mfrNorms: readonly string[]): BomOccurrence[] {
  if (mfrNorms.length === 0) return [];
  const rows = db.prepare(`SELECT p.bom_id, b.name, p.path FROM bom_parts p JOIN boms b ON b.id = p.bom_id
    WHERE p.pn_norm = ? AND p.mfr_norm IN (${mfrNorms.map(() => '?').join(',')}) ORDER BY p.bom_id, p.item_id`)
    .all(pnNorm, ...mfrNorms) as { bom_id: string; name: string; path: string }[];
  return rows.map((r) => ({ bomId: r.bom_id, bomName: r.name, path: JSON.parse(r.path) as PathStep[] }));
}
