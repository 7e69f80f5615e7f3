// Intake gives the same answers whether the per-line checks run inline or on the verify
// worker threads (the server's default).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoredRecord } from '../../src/db/walk-record.js';
import { verifyPool } from '../../src/service/verify-pool.js';
import {
  headerText, makeCtx, makeKey, makeSupplier, makeToken, payload, rawJws, signDeclaration, type TestCtx,
} from '../helpers/app.js';

const pool = verifyPool(2);
afterAll(() => pool.close());

async function run(ctx: TestCtx) {
  const s = await makeSupplier(ctx, { id: 'acme-avionics' });
  const ed = await makeKey(ctx, s, 'EdDSA');
  const ec = await makeKey(ctx, s, 'ES256');
  const proc = await makeToken(ctx, 'procurement');
  const good = await signDeclaration(ed, { id: 'D-1' });
  const lines = [
    good,
    await signDeclaration(ec, { id: 'D-2' }),
    good, // the same bytes twice in one batch
    `${good.slice(0, -4)}AAAA`, // signature does not verify
    rawJws(ed, headerText(ed), '{"schema":"nonred/declaration/v1","id":"a","id":"b"}'), // duplicate key
    await signDeclaration(ed, { id: 'D-3' }, { kid: 'no-such-kid' }),
    await signDeclaration(ed, { id: 'D-4', part: { manufacturer: 'M' } }), // schema
    'not.a.jws!',
    'a.b',
    ...Array.from({ length: 120 }, (_, i) => `${i}`).map(() => ''), // empty lines, spread over chunks
  ].filter((l) => l !== '');
  const batch = async () => (await ctx.json<{ results: { line: number; status: string; code?: string; sha256?: string }[] }>('POST', '/v1/declarations/batch',
    { token: proc, body: lines.join('\n'), type: 'application/x-ndjson', expect: 200 })).results;
  const first = await batch();
  const again = await batch();
  const db = ctx.deps.store.sqlite;
  const rows = db.prepare(`SELECT d.decl_id, d.mfr_norm, d.payload, w.walk FROM declarations d
    JOIN declaration_walk w ON w.pn_norm = d.pn_norm AND w.sha256 = d.sha256 ORDER BY d.decl_id`).all() as
    { decl_id: string; mfr_norm: string; payload: string; walk: Buffer }[];
  const originJson = (id: number) => db.prepare('SELECT json FROM origins WHERE id = ?').pluck().get(id) as string;
  return { first, again, rows, originJson };
}

describe('verify workers', () => {
  it('accept, hold and reject exactly as the inline checks do', async () => {
    const inline = await run(await makeCtx());
    const pooled = await run(await makeCtx(undefined, { checker: pool }));
    const shape = (r: Awaited<ReturnType<typeof run>>) => ({
      first: r.first.map((x) => [x.line, x.status, x.code]), again: r.again.map((x) => [x.line, x.status, x.code]),
      // keys and generated part numbers differ between the two contexts
      rows: r.rows.map((x) => [x.decl_id, x.mfr_norm, x.walk.length > 0]),
    });
    expect(shape(pooled)).toEqual(shape(inline));
    expect(shape(inline).first.map((x) => x[1])).toEqual(['accepted', 'accepted', 'held', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    expect(shape(inline).again.map((x) => x[1])).toEqual(['held', 'held', 'held', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    for (const r of pooled.rows) {
      const p = JSON.parse(r.payload) as { part: unknown; origin: unknown };
      // the walk record the workers computed holds the part as signed, and its origin
      let origin: unknown;
      const rec = new StoredRecord(r.walk, 0, {
        intern: (x: string) => x,
        origin: (id) => (origin = JSON.parse(pooled.originJson(id))),
        components: () => [],
      }, [], null);
      expect(rec.part).toEqual(p.part);
      expect(origin).toEqual(p.origin);
    }
  });

  it('spreads a large batch over the workers and keeps line order', async () => {
    const ctx = await makeCtx(undefined, { checker: pool });
    const key = await makeKey(ctx, await makeSupplier(ctx));
    const proc = await makeToken(ctx, 'procurement');
    const lines = await Promise.all(Array.from({ length: 230 }, (_, i) => signDeclaration(key, payload(key, { id: `B-${i}` }))));
    const res = await ctx.json<{ results: { line: number; status: string }[] }>('POST', '/v1/declarations/batch', { token: proc, body: lines.join('\n'), type: 'application/x-ndjson', expect: 200 });
    expect(res.results.map((r) => r.line)).toEqual(lines.map((_, i) => i + 1));
    expect(res.results.every((r) => r.status === 'accepted')).toBe(true);
    expect(pool.stats().workers).toBe(2);
    expect(pool.stats().chunks).toBeGreaterThanOrEqual(Math.ceil(230 / 50));
  });
});

describe('dispatch', () => {
  it('holds at most three chunks on a worker and queues the rest on the main thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nonred-worker-'));
    try {
      // a worker that answers each chunk a little later and logs how many it held when one came
      const file = join(dir, 'slow.mjs');
      const log = join(dir, 'held.log');
      writeFileSync(file, `import { parentPort } from 'node:worker_threads';
import { appendFileSync } from 'node:fs';
let held = 0;
parentPort.on('message', (m) => {
  held++;
  appendFileSync(${JSON.stringify(log)}, held + '\\n');
  setTimeout(() => { held--; parentPort.postMessage({ id: m.id, results: m.lines.map((l) => ({ line: l.line, text: l.text })) }); }, 5);
});
`);
      const slow = verifyPool(2, file);
      const lines = Array.from({ length: 1_000 }, (_, i) => ({ line: i + 1, text: `t${i}` }));
      const out = await slow.check(lines, new Map(), Date.now());
      expect(out.map((r) => r.line)).toEqual(lines.map((l) => l.line));
      const held = readFileSync(log, 'utf8').trim().split('\n').map(Number);
      expect(held).toHaveLength(20); // every chunk reached a worker once
      expect(Math.max(...held)).toBe(3);
      await slow.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails queued chunks with the worker, and close fails what is still pending', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nonred-worker-'));
    try {
      const file = join(dir, 'silent.mjs');
      writeFileSync(file, `import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => {});\n`);
      const silent = verifyPool(1, file);
      const lines = Array.from({ length: 500 }, (_, i) => ({ line: i + 1, text: `t${i}` }));
      const checking = expect(silent.check(lines, new Map(), Date.now())).rejects.toThrow(/verify pool closed/);
      await new Promise((r) => setTimeout(r, 50));
      await silent.close();
      await checking;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a verify worker that fails', () => {
  it('fails the checks it held instead of hanging, and the next check starts afresh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nonred-worker-'));
    try {
      const line = [{ line: 1, text: 'a.b.c' }];
      for (const [name, onMessage, expected] of [
        ['throws.mjs', "throw new Error('worker broke')", /worker broke/],
        ['exits.mjs', 'process.exit(3)', /exited with code 3/],
      ] as const) {
        const file = join(dir, name);
        writeFileSync(file, `import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => { ${onMessage}; });\n`);
        const bad = verifyPool(2, file);
        await expect(bad.check(line, new Map(), Date.now())).rejects.toThrow(expected);
        // a batch of more chunks than the workers hold: the queued ones fail with it
        const many = Array.from({ length: 400 }, (_, i) => ({ line: i + 1, text: 'a.b.c' }));
        await expect(bad.check(many, new Map(), Date.now())).rejects.toThrow(expected);
        await expect(bad.check(line, new Map(), Date.now())).rejects.toThrow(expected);
        expect(bad.stats().chunks).toBe(2 + 8);
        await bad.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
