// Caches of small, rarely written tables (tokens, manufacturer aliases) that every request
// reads. An entry is good while its generation stands: this connection bumps the
// generation on each write to such a table, and SQLite's data_version moves when another
// connection (the CLI's --db, a second server) commits; that commit is seen from the next
// turn of the event loop. Nothing is cached from inside a transaction, so a rolled-back
// write is never remembered.
import type Database from 'better-sqlite3';
import { stmt } from './statements.js';

const local = new WeakMap<Database.Database, number>();

/** Call on every write to a cached table (inside or outside a transaction). */
export function invalidateReadCache(db: Database.Database): void {
  local.set(db, (local.get(db) ?? 0) + 1);
}

// data_version is read at most once per turn of the event loop: a request asks for a
// token and then, say, the alias table; within one turn the answer cannot be more than
// that turn old, and writes through this connection bump the local count at once.
const turn = new WeakMap<Database.Database, number>();
let clearing = false;
const turnSeen: Database.Database[] = [];

function generation(db: Database.Database): string {
  let dataVersion = turn.get(db);
  if (dataVersion === undefined) {
    dataVersion = stmt(db, 'PRAGMA data_version').pluck().get() as number;
    turn.set(db, dataVersion);
    turnSeen.push(db);
    if (!clearing) {
      clearing = true;
      setImmediate(() => {
        for (const d of turnSeen.splice(0)) turn.delete(d);
        clearing = false;
      });
    }
  }
  return `${dataVersion}:${local.get(db) ?? 0}`;
}

interface Slot {
  generation: string;
  values: Map<string, unknown>;
}
const slots = new WeakMap<Database.Database, Map<string, Slot>>();

/**
 * `load()`'s value for (name, key), from the cache while the generation stands. At most
 * `max` keys per name are kept; a full cache starts over. `load` returning undefined is
 * not cached, so unknown keys (say, a guessed token) never fill the cache.
 */
export function readCached<T>(db: Database.Database, name: string, key: string, load: () => T | undefined, max = 10_000): T | undefined {
  if (db.inTransaction) return load();
  const gen = generation(db);
  let byName = slots.get(db);
  if (!byName) slots.set(db, (byName = new Map()));
  let slot = byName.get(name);
  if (!slot || slot.generation !== gen || slot.values.size >= max) byName.set(name, (slot = { generation: gen, values: new Map() }));
  if (slot.values.has(key)) return slot.values.get(key) as T;
  const v = load();
  if (v !== undefined) slot.values.set(key, v);
  return v;
}
