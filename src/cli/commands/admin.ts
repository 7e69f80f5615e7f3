// Admin commands: tokens, suppliers, keys, revocations — against a server, or in-process
// on the database file (--db) — and an online backup of a running service's database.
import { chmodSync, copyFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Command } from 'commander';
import { connect, expectOk, type ConnectOptions } from '../client.js';
import { action, CliError, note, print } from '../io.js';
import { readJsonFile } from './sign.js';

export function registerAdmin(program: Command, conn: (local?: { db?: string | undefined }) => ConnectOptions): void {
  const token = program.command('token').description('API tokens (admin)');
  token.command('create')
    .description('create a token; prints the secret alone (it is shown once)')
    .requiredOption('--role <role>', 'admin, procurement, auditor or supplier')
    .option('--supplier <id>', 'for supplier tokens')
    .option('--expires-at <time>', 'RFC 3339 expiry')
    .option('--label <text>', 'what the token is for')
    .option('--db <file>', 'work on this database file in-process instead of a server')
    .action(action(async (opts: { db?: string; role: string; supplier?: string; expiresAt?: string; label?: string }) => {
      const client = await connect(conn(opts));
      try {
        const body = { role: opts.role, ...(opts.supplier ? { supplier: opts.supplier } : {}), ...(opts.expiresAt ? { expiresAt: opts.expiresAt } : {}), ...(opts.label ? { label: opts.label } : {}) };
        const res = expectOk<{ token: string; id: string }>(await client.request('POST', '/v1/tokens', { body: JSON.stringify(body), type: 'application/json' }));
        note(`token ${res.id} (${opts.role})`);
        print(res.token);
      } finally {
        client.close();
      }
    }));

  const supplier = program.command('supplier').description('suppliers (admin)');
  supplier.command('add')
    .description('register a supplier; prints its id')
    .requiredOption('--id <id>', 'supplier id (a-z, 0-9, -)')
    .requiredOption('--name <name>', 'legal name')
    .requiredOption('--domicile <country>', 'country of domicile (ISO code or name)')
    .option('--manufacturer-name <name...>', 'manufacturer names the supplier speaks for')
    .option('--ultimate-parent-self', 'the supplier is its own ultimate parent')
    .option('--ultimate-parent-name <name>', "the ultimate parent's name")
    .option('--ultimate-parent-domicile <country>', "the ultimate parent's domicile")
    .option('--db <file>', 'work on this database file in-process instead of a server')
    .action(action(async (opts: { db?: string; id: string; name: string; domicile: string; manufacturerName?: string[]; ultimateParentSelf?: boolean; ultimateParentName?: string; ultimateParentDomicile?: string }) => {
      const { normalizeCountry } = await import('../../domain/countries.js');
      const country = (v: string, flag: string) => {
        const r = normalizeCountry(v);
        if (!r.ok || r.code === 'unknown') throw new CliError(`${flag}: ${r.ok ? 'a registered domicile must be a country' : r.message}`);
        if (r.code !== v) note(`notice: ${flag} "${v}" → ${r.code}`);
        return r.code;
      };
      let ultimateParent: unknown;
      if (opts.ultimateParentSelf) ultimateParent = 'self';
      else if (opts.ultimateParentName || opts.ultimateParentDomicile) {
        if (!opts.ultimateParentName || !opts.ultimateParentDomicile) throw new CliError('give both --ultimate-parent-name and --ultimate-parent-domicile');
        ultimateParent = { name: opts.ultimateParentName, domicile: country(opts.ultimateParentDomicile, '--ultimate-parent-domicile') };
      }
      const body = { id: opts.id, name: opts.name, domicile: country(opts.domicile, '--domicile'), manufacturerNames: opts.manufacturerName ?? [], ...(ultimateParent ? { ultimateParent } : {}) };
      const client = await connect(conn(opts));
      try {
        const res = expectOk<{ id: string }>(await client.request('POST', '/v1/suppliers', { body: JSON.stringify(body), type: 'application/json' }));
        print(res.id);
      } finally {
        client.close();
      }
    }));

  const key = program.command('key').description('supplier public keys (admin)');
  key.command('add')
    .description("register a supplier's public key; prints its kid")
    .requiredOption('--supplier <id>', 'the supplier')
    .requiredOption('--jwk <file>', 'the public JWK (NAME.public.jwk)')
    .option('--db <file>', 'work on this database file in-process instead of a server')
    .action(action(async (opts: { db?: string; supplier: string; jwk: string }) => {
      const jwk = readJsonFile(opts.jwk);
      const client = await connect(conn(opts));
      try {
        const res = expectOk<{ kid: string }>(await client.request('POST', `/v1/suppliers/${encodeURIComponent(opts.supplier)}/keys`, { body: JSON.stringify({ jwk }), type: 'application/json' }));
        print(res.kid);
      } finally {
        client.close();
      }
    }));
  key.command('revoke')
    .description('revoke a key: superseded (rotation) or compromised (with --compromised-at)')
    .argument('<kid>', 'the key id')
    .requiredOption('--reason <reason>', 'superseded or compromised')
    .option('--compromised-at <time>', 'RFC 3339: declarations received from then on stop counting')
    .option('--db <file>', 'work on this database file in-process instead of a server')
    .action(action(async (kid: string, opts: { db?: string; reason: string; compromisedAt?: string }) => {
      const client = await connect(conn(opts));
      try {
        const body = { reason: opts.reason, ...(opts.compromisedAt ? { compromisedAt: opts.compromisedAt } : {}) };
        const res = expectOk(await client.request('POST', `/v1/keys/${encodeURIComponent(kid)}/revoke`, { body: JSON.stringify(body), type: 'application/json' }));
        print(JSON.stringify(res));
      } finally {
        client.close();
      }
    }));

  program.command('backup')
    .description("copy the database with SQLite's online backup (safe while the server runs), and the service key beside it")
    .requiredOption('--db <file>', 'the database file')
    .requiredOption('--out <file>', 'the backup file')
    .action(action(async (opts: { db: string; out: string }) => {
      if (existsSync(opts.out)) throw new CliError(`${opts.out} exists; choose a new file`);
      const { default: Sqlite } = await import('better-sqlite3');
      let db: Database.Database;
      try {
        db = new Sqlite(opts.db, { readonly: true, fileMustExist: true });
      } catch {
        throw new CliError(`cannot open ${opts.db}`);
      }
      try {
        await db.backup(opts.out);
      } finally {
        db.close();
      }
      const keyFile = process.env.NONRED_SERVICE_KEY_FILE ?? join(dirname(opts.db), 'service-key.jwk');
      if (existsSync(keyFile)) {
        const dest = `${opts.out}.service-key.jwk`;
        copyFileSync(keyFile, dest);
        chmodSync(dest, 0o600);
        note(`wrote ${opts.out} and ${dest} (the service signing key, mode 0600)`);
      } else {
        note(`wrote ${opts.out} (no service key file at ${keyFile}: it comes from NONRED_SERVICE_KEY; keep that with the backup)`);
      }
      print(opts.out);
    }));
}
