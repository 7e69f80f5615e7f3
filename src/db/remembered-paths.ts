// Where-used paths, rebuilt once and remembered. A stored BOM or report never changes, so
// neither does the path to any of its items or tree nodes: one recursive query climbs the
// parent links, and the path and its JSON are kept (bounded), never invalidated.
import type Database from 'better-sqlite3';
import type { PathStep } from '../domain/walk.js';
import { stmt } from './statements.js';

export interface RememberedPath {
  path: readonly PathStep[];
  /** the path as JSON, for callers that merge equal paths or write it out */
  pathKey: string;
}

const KEPT = 50_000;
const caches = new WeakMap<Database.Database, Map<string, RememberedPath>>();

/**
 * `climb` (see climbSql) yields the steps from the root's child down to the part; `root`
 * is put first. Remembered under `key` unless read inside a transaction (what
 * is being written may yet roll back).
 */
export function rememberedPath(db: Database.Database, key: string, climb: string, params: { scope: string; id: string }, root: PathStep): RememberedPath {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let hit = cache.get(key);
  if (hit) return hit;
  const steps = (stmt(db, climb).raw().all(params) as [string, string, string | null][])
    .map(([manufacturer, partNumber, name]): PathStep => ({ manufacturer, partNumber, name }));
  const path = Object.freeze([{ manufacturer: root.manufacturer, partNumber: root.partNumber, name: root.name }, ...steps]);
  hit = { path, pathKey: JSON.stringify(path) };
  if (db.inTransaction) return hit;
  if (cache.size >= KEPT) cache.clear();
  cache.set(key, hit);
  return hit;
}

/** Paths never hold more steps than this (the walk's depth limit is far below it). */
const MAX_PATH_STEPS = 10_000;

/**
 * The query that climbs `table` from the row (@scope, @id) up its `parent` links, yielding
 * each step's names root-side first: for BOM items and for report tree nodes alike.
 */
export function climbSql(table: string, scope: string, id: string, parent: string): string {
  return `WITH RECURSIVE up(n, parent, manufacturer, part_number, name) AS (
      SELECT 0, ${parent}, manufacturer, part_number, name FROM ${table} WHERE ${scope} = @scope AND ${id} = @id
      UNION ALL
      SELECT up.n + 1, p.${parent}, p.manufacturer, p.part_number, p.name
        FROM up JOIN ${table} p ON p.${scope} = @scope AND p.${id} = up.parent
        WHERE up.n < ${MAX_PATH_STEPS})
    SELECT manufacturer, part_number, name FROM up ORDER BY n DESC`;
}
