// The database evidence source: what the walk reads of stored declarations must be exactly
// what was signed, however the row is laid out.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, openStore } from '../../src/db/open.js';
import { dbEvidence } from '../../src/db/declarations.js';
import { normalizeName } from '../../src/domain/part-key.js';
import { makeCtx, makeKey, makeSupplier, payload, signDeclaration } from '../helpers/app.js';

describe('database evidence source', () => {
  it('gives the signed payload back, sharing one object between equal origins', async () => {
    const ctx = await makeCtx();
    const key = await makeKey(ctx, await makeSupplier(ctx));
    const comps = [{ manufacturer: 'Other Co', partNumber: 'X-1', quantity: 2, origin: { manufacturedIn: 'DE' } }];
    const p1 = payload(key, { part: { manufacturer: 'Acme', partNumber: 'PN-1', name: 'one', category: 'radio' }, components: comps });
    const p2 = payload(key, { part: { manufacturer: 'Acme', partNumber: 'PN-2', name: 'two \u00e9 "quoted"', category: 'camera' } });
    const body = [await signDeclaration(key, p1), await signDeclaration(key, p2)].join('\n');
    const res = await ctx.req('POST', '/v1/declarations/batch', { body, type: 'application/x-ndjson' });
    expect(res.status).toBe(200);

    const recs = dbEvidence(ctx.deps.store.sqlite).byPartNumbers([normalizeName('PN-1'), normalizeName('PN-2')]);
    const byPn = new Map(recs.map((r) => [r.payload.part.partNumber, r]));
    expect(byPn.get('PN-1')!.payload).toEqual(p1);
    expect(byPn.get('PN-2')!.payload).toEqual(p2);
    // the same origin text is parsed once
    expect(byPn.get('PN-1')!.payload.origin).toBe(byPn.get('PN-2')!.payload.origin);
  });

  it('reads a declaration whose origin column is empty', async () => {
    const ctx = await makeCtx();
    const key = await makeKey(ctx, await makeSupplier(ctx));
    const p = payload(key, { part: { manufacturer: 'Acme', partNumber: 'PN-9', name: 'nine', category: 'radio' } });
    const res = await ctx.req('POST', '/v1/declarations', { body: await signDeclaration(key, p), type: 'application/jose' });
    expect(res.status).toBe(201);
    const db = ctx.deps.store.sqlite;
    expect(db.prepare('SELECT count(*) AS c FROM declarations WHERE origin_json IS NOT NULL').get()).toEqual({ c: 1 });
    db.prepare('UPDATE declarations SET origin_json = NULL').run();
    const [rec] = dbEvidence(db).byPartNumbers([normalizeName('PN-9')]);
    expect(rec!.payload).toEqual(p);
  });
});

describe('migration 0004', () => {
  it('fills the origin column of declarations stored before it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nonred-mig-'));
    try {
      // the migrations as they stood before 0004
      const old = join(dir, 'migrations');
      cpSync(MIGRATIONS_DIR, old, { recursive: true });
      const journal = JSON.parse(readFileSync(join(old, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
      journal.entries = journal.entries.filter((e) => e.tag < '0004');
      writeFileSync(join(old, 'meta/_journal.json'), JSON.stringify(journal));
      const file = join(dir, 'db.sqlite');
      const sqlite = new Database(file);
      migrate(drizzle(sqlite), { migrationsFolder: old });
      const text = JSON.stringify({ schema: 'nonred/declaration/v1', id: 'D-1', supplier: 's', issuedAt: '2026-11-01T00:00:00Z', part: { manufacturer: 'M', partNumber: 'P', name: 'n', category: 'radio' }, origin: { manufacturedIn: 'PL', software: { dataHostedIn: [] } }, components: [] });
      sqlite.exec(`PRAGMA foreign_keys = OFF; INSERT INTO declarations (sha256, supplier_id, decl_id, kid, submitted_by, received_at, issued_at, mfr_norm, pn_norm, payload, jws, log_index)
        VALUES ('${'a'.repeat(64)}', 's', 'D-1', 'k', 't', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', 'm', 'p', '${text}', 'h..s', 1)`);
      sqlite.close();
      const store = openStore(file);
      const row = store.sqlite.prepare('SELECT origin_json FROM declarations').get() as { origin_json: string };
      store.close();
      expect(JSON.parse(row.origin_json)).toEqual((JSON.parse(text) as { origin: unknown }).origin);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
