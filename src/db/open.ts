// Opens the SQLite database the way nonred uses it: WAL, foreign keys, a busy timeout for
// a second process, and the committed drizzle-kit migrations applied before anything else.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { projectPath } from '../paths.js';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import { fillWalkRows } from './declarations.js';
import { startEvidenceReader, type EvidenceReader } from './evidence-reader.js';
import { flushReportParts } from './reports.js';
import * as schema from './schema.js';

export type Drizzle = BetterSQLite3Database<typeof schema>;

export interface Store {
  sqlite: Database.Database;
  orm: Drizzle;
  /** the database file, or ":memory:" */
  path: string;
  /** present when checkpoints run on their own thread (see openStore) */
  checkpointer: Checkpointer | null;
  /** present when the walk's evidence lookups run on their own thread (see openStore) */
  evidenceReader: EvidenceReader | null;
  close(): void;
}

export interface StoreOptions {
  /** WAL checkpoints on a thread of their own instead of inside commits: for the server */
  backgroundCheckpoints?: boolean;
  /** the walk's lookups by part number on a thread of their own (evidence-reader.ts): for the server */
  evidenceThread?: boolean;
  onError?: (message: string) => void;
}

/** The page size of a database nonred creates. */
export const PAGE_SIZE = 8192;

/** The committed migrations, applied at every open. */
export const MIGRATIONS_DIR = projectPath('migrations');

export function openStore(path: string, opts: StoreOptions = {}): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  // Only a new, empty file takes this (an existing one keeps the page size it was made
  // with). A declaration's walk record, 1–2 KB at 20 components, is a row of a WITHOUT
  // ROWID table, whose b-tree keeps at most about a quarter of a page in the row: at 4 KB
  // pages every such row spilled into an overflow page of its own (4.6 KB stored per
  // declaration where 1.3 KB was needed); at 8 KB rows up to about 2 KB stay inline, and
  // intake writes a third fewer pages to the WAL.
  sqlite.pragma(`page_size = ${PAGE_SIZE}`);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const orm = drizzle(sqlite, { schema });
  migrate(orm, { migrationsFolder: MIGRATIONS_DIR });
  fillWalkRows(sqlite);
  const checkpointer = opts.backgroundCheckpoints === true && path !== ':memory:'
    ? startCheckpointer(sqlite, path, opts.onError ?? (() => {}))
    : null;
  const evidenceReader = opts.evidenceThread === true && path !== ':memory:'
    ? startEvidenceReader(path, opts.onError ?? (() => {}))
    : null;
  return {
    sqlite, orm, path, checkpointer, evidenceReader,
    close: () => {
      checkpointer?.close();
      evidenceReader?.close();
      try {
        flushReportParts(sqlite); // where-used rows still queued are written now
      } catch {
        // left at parts_indexed = 0: start-up writes them
      }
      sqlite.close();
    },
  };
}
