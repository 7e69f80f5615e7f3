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

/** The committed migrations, applied at every open. */
export const MIGRATIONS_DIR = projectPath('migrations');

export function openStore(path: string, opts: StoreOptions = {}): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
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
