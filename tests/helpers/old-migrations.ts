// A database file migrated only up to (not including) a given migration tag, for tests that
// store rows the way an older release did and then open them with the current code.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { MIGRATIONS_DIR } from '../../src/db/open.js';

/** Creates `dir/db.sqlite` with every committed migration whose tag sorts before `tag`. */
export function databaseBefore(tag: string, dir: string): { file: string; sqlite: Database.Database } {
  const old = join(dir, 'migrations');
  cpSync(MIGRATIONS_DIR, old, { recursive: true });
  const journalFile = join(old, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  journal.entries = journal.entries.filter((e) => e.tag < tag);
  writeFileSync(journalFile, JSON.stringify(journal));
  const file = join(dir, 'db.sqlite');
  const sqlite = new Database(file);
  migrate(drizzle(sqlite), { migrationsFolder: old });
  return { file, sqlite };
}
