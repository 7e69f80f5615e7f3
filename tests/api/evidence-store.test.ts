// The database evidence source: what the walk reads of stored declarations must be exactly
// what was signed, however the row is laid out — also for rows stored before the layout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, PAGE_SIZE } from '../../src/db/open.js';
import { dbEvidence } from '../../src/db/declarations.js';
import type { DeclarationPayload } from '../../src/domain/declaration-schema.js';
import { recordOf, type DeclarationRecord } from '../../src/domain/evidence.js';
import { JsonWriter } from '../../src/domain/json-writer.js';
import { normalizeName } from '../../src/domain/part-key.js';
import { makeCtx, makeKey, makeSupplier, payload, sha256Of, signDeclaration } from '../helpers/app.js';
import { databaseBefore } from '../helpers/old-migrations.js';

/** Every member a record gives the walk, also those a source decodes only when read. */
const view = (r: DeclarationRecord | undefined) => {
  if (!r) return r;
  const w = new JsonWriter();
  r.writePartMembers(w);
  return {
    sha256: r.sha256, supplier: r.supplier, id: r.id, kid: r.kid, receivedAtMs: r.receivedAtMs,
    issuedAtMs: r.issuedAtMs, expiresAtMs: r.expiresAtMs, category: r.category, part: r.part, partMembers: w.text(), origin: r.origin,
    componentsPlain: r.componentsPlain, components: r.components, mfrNorm: r.mfrNorm, pnNorm: r.pnNorm, successors: r.successors,
    componentKeys: Array.from({ length: r.componentCount }, (_, j) => [r.componentMfr(j), r.componentPn(j), r.componentQuantity(j), r.componentCategory(j)]),
  };
};

describe('database evidence source', () => {
  it('gives the walk the signed members back, sharing one object between equal origins', async () => {
    const ctx = await makeCtx();
    const key = await makeKey(ctx, await makeSupplier(ctx));
    const comps = [{ manufacturer: 'Other  Co', partNumber: ' X-1', quantity: 0.25, origin: { manufacturedIn: 'DE' } }, { manufacturer: 'Ünï', partNumber: 'Y\u00a02', declaration: `sha256:${'a'.repeat(64)}` }];
    const p1 = payload(key, { part: { manufacturer: 'Acme', partNumber: 'PN-1', name: 'one', category: 'radio', revision: 'C' }, components: comps, expiresAt: '2027-01-01T00:00:00.5Z' });
    const p2 = payload(key, { part: { manufacturer: 'Acme', partNumber: 'PN-2', name: 'two \u00e9 "quoted" \\ \u2028', category: 'camera' } });
    const jws = [await signDeclaration(key, p1), await signDeclaration(key, p2)];
    const res = await ctx.req('POST', '/v1/declarations/batch', { body: jws.join('\n'), type: 'application/x-ndjson' });
    expect(res.status).toBe(200);

    const recs = [...dbEvidence(ctx.deps.store.sqlite).byPartNumbers([normalizeName('PN-1'), normalizeName('PN-2')])];
    const byPn = new Map(recs.map((r) => [r.part.partNumber, r]));
    expect(recs).toHaveLength(2);
    for (const [p, text] of [[p1, jws[0]!], [p2, jws[1]!]] as const) {
      const held = { sha256: sha256Of(text), supplier: key.supplier, id: p.id as string, kid: key.kid, receivedAt: '2026-11-20T12:00:00.000Z', payload: p as unknown as DeclarationPayload };
      // the same record as the in-memory source makes from the signed payload
      expect(view(byPn.get((p.part as { partNumber: string }).partNumber))).toEqual(view(recordOf(held, [])));
    }
    expect(view(byPn.get('PN-1'))!.componentKeys).toEqual([['other co', 'x-1', 0.25, null], ['ünï', 'y 2', 1, null]]);
    expect(byPn.get('PN-1')!.componentsPlain).toBe(false);
    expect(byPn.get('PN-2')!.componentsPlain).toBe(true);
    // the same origin text is parsed once
    expect(byPn.get('PN-1')!.origin).toBe(byPn.get('PN-2')!.origin);
    expect(ctx.deps.store.sqlite.prepare('SELECT count(*) AS c FROM origins').get()).toEqual({ c: 1 });
  });

  it('reads a declaration without an origin', async () => {
    const ctx = await makeCtx();
    const key = await makeKey(ctx, await makeSupplier(ctx));
    const p = payload(key, { part: { manufacturer: 'Acme', partNumber: 'PN-9', name: 'nine', category: 'radio' }, origin: undefined });
    const res = await ctx.req('POST', '/v1/declarations', { body: await signDeclaration(key, p), type: 'application/jose' });
    expect(res.status).toBe(201);
    const db = ctx.deps.store.sqlite;
    expect(db.prepare('SELECT count(*) AS c FROM origins').get()).toEqual({ c: 0 });
    const [rec] = [...dbEvidence(db).byPartNumbers([normalizeName('PN-9')])];
    expect(rec!.origin).toBeUndefined();
    expect(rec!.components).toEqual([]);
  });

  it('knows a declaration is superseded whichever of the two arrived first', async () => {
    const ctx = await makeCtx();
    const key = await makeKey(ctx, await makeSupplier(ctx));
    const part = { manufacturer: 'Acme', partNumber: 'PN-S', name: 's', category: 'radio' };
    const submit = async (over: Record<string, unknown>) => {
      const text = await signDeclaration(key, { part, ...over });
      expect((await ctx.req('POST', '/v1/declarations', { body: text, type: 'application/jose' })).status).toBe(201);
      return sha256Of(text);
    };
    // successor first: the named id has not arrived yet
    const b2 = await submit({ id: 'B-2', supersedes: 'B-1' });
    const b1 = await submit({ id: 'B-1' });
    // predecessor first
    const a1 = await submit({ id: 'A-1' });
    const a2 = await submit({ id: 'A-2', supersedes: 'A-1' });
    const recs = new Map([...dbEvidence(ctx.deps.store.sqlite).byPartNumbers(['pn-s'])].map((r) => [r.sha256, r]));
    expect(recs.get(a1)!.successors.map((s) => s.sha256)).toEqual([a2]);
    expect(recs.get(b1)!.successors.map((s) => s.sha256)).toEqual([b2]);
    expect(recs.get(a2)!.successors).toEqual([]);
    expect(recs.get(b2)!.successors).toEqual([]);
    // a successor received after the moment asked about does not count then
    ctx.clock.now = new Date('2026-11-20T13:00:00.000Z');
    const a3 = await submit({ id: 'A-3', supersedes: 'A-2' });
    const now = new Map([...dbEvidence(ctx.deps.store.sqlite).byPartNumbers(['pn-s'])].map((r) => [r.sha256, r]));
    expect(now.get(a2)!.successors.map((s) => s.sha256)).toEqual([a3]);
    const before = new Map([...dbEvidence(ctx.deps.store.sqlite, '2026-11-20T12:30:00.000Z').byPartNumbers(['pn-s'])].map((r) => [r.sha256, r]));
    expect([...before.keys()].sort()).toEqual([a1, a2, b1, b2].sort());
    expect(before.get(a2)!.successors).toEqual([]);
  });
});

describe('migration 0006 and the start-up fill', () => {
  it('gives rows stored before the walk column the same records as new ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nonred-mig-'));
    try {
      // the migrations as they stood before 0006
      const { file, sqlite } = databaseBefore('0006', dir);
      const origin = { manufacturedIn: 'PL', software: { dataHostedIn: [] } };
      const payloads: DeclarationPayload[] = [
        { schema: 'nonred/declaration/v1', id: 'D-1', supplier: 's', issuedAt: '2026-11-01T00:00:00Z', part: { manufacturer: 'M', partNumber: 'P', name: 'n \u00e9', category: 'radio' }, origin, components: [{ manufacturer: 'C o', partNumber: 'Q', quantity: 1e-7 }] },
        { schema: 'nonred/declaration/v1', id: 'D-2', supplier: 's', issuedAt: '2026-11-02T00:00:00Z', supersedes: 'D-1', part: { manufacturer: 'M', partNumber: 'P', name: 'n', category: 'radio' }, origin },
      ];
      const ins = sqlite.prepare(`INSERT INTO declarations (sha256, supplier_id, decl_id, kid, submitted_by, received_at, issued_at, supersedes, mfr_norm, pn_norm, payload, origin_json, jws, log_index)
        VALUES (?, 's', ?, 'k', 't', '2026-11-03T00:00:00Z', ?, ?, 'm', 'p', ?, ?, 'h..s', 1)`);
      sqlite.pragma('foreign_keys = OFF');
      payloads.forEach((p, i) => ins.run(String(i + 1).repeat(64), p.id, p.issuedAt, p.supersedes ?? null, JSON.stringify(p), JSON.stringify(p.origin)));
      sqlite.close();

      const store = openStore(file);
      try {
        const db = store.sqlite;
        // a file made before keeps its page size
        expect(db.pragma('page_size', { simple: true })).toBe(4096);
        expect(db.prepare('SELECT count(*) AS c FROM declaration_walk').get()).toEqual({ c: 2 });
        expect(db.prepare("SELECT value FROM meta WHERE key = 'declaration_walk.filled'").pluck().get()).toBe('1');
        const recs = [...dbEvidence(db).byPartNumbers(['p'])].sort((a, b) => a.id.localeCompare(b.id));
        const held = payloads.map((p, i) => ({ sha256: `sha256:${String(i + 1).repeat(64)}`, supplier: 's', id: p.id, kid: 'k', receivedAt: '2026-11-03T00:00:00Z', payload: p }));
        expect(recs.map(view)).toEqual([recordOf(held[0]!, [{ sha256: held[1]!.sha256, kid: 'k', receivedAtMs: Date.parse('2026-11-03T00:00:00Z') }]), recordOf(held[1]!, [])].map(view));
        expect(recs[0]!.origin).toBe(recs[1]!.origin);
      } finally {
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a new database', () => {
  it('is made with 8 KB pages, so a 20-component walk record stays in its row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nonred-page-'));
    try {
      const file = join(dir, 'db.sqlite');
      const store = openStore(file);
      store.close();
      const again = openStore(file); // and keeps them when opened again
      try {
        expect(PAGE_SIZE).toBe(8192);
        expect(again.sqlite.pragma('page_size', { simple: true })).toBe(8192);
        expect(again.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      } finally {
        again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
