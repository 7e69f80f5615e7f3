// nonred audit verify: recompute the audit log's hash chain straight from the database
// file, read-only, with no server.
import type Database from 'better-sqlite3';
import type { Command } from 'commander';
import { action, CliError, EXIT, out, print } from '../io.js';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the hash-chained audit log (auditor)');
  audit.command('verify')
    .description('check the audit chain in a database file offline; exit 0 valid, 1 broken')
    .requiredOption('--db <file>', 'the SQLite database file')
    .action(action(async (opts: { db: string }) => {
      const [{ default: Sqlite }, { verifyChain }] = await Promise.all([import('better-sqlite3'), import('../../db/audit.js')]);
      let db: Database.Database;
      try {
        db = new Sqlite(opts.db, { readonly: true, fileMustExist: true });
      } catch {
        throw new CliError(`cannot open ${opts.db} as a nonred database`);
      }
      try {
        const r = verifyChain(db);
        print(JSON.stringify(r));
        if (!r.valid) {
          print(out.red(`broken at entry ${r.firstBadSeq}: ${r.reason}`));
          return EXIT.fail;
        }
        print(out.green(`valid: ${r.size} entries, head ${r.head}`));
        return EXIT.ok;
      } catch (e) {
        throw new CliError(`${opts.db}: ${e instanceof Error ? e.message : 'not a nonred database'}`);
      } finally {
        db.close();
      }
    }));
}
