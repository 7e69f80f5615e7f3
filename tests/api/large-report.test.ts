// Reports of several megabytes take the paths small ones do not: the body is stored in
// pieces, answered as a stream from a buffer kept between reports, and signed in place.
import { compactVerify, createLocalJWKSet } from 'jose';
import { describe, expect, it } from 'vitest';
import { REPORT_CHUNK_BYTES } from '../../src/db/reports.js';
import { makeCtx, makeToken, type TestCtx } from '../helpers/app.js';

function bigBom(n: number, tag: string) {
  return {
    schema: 'nonred/bom/v1', name: `Large ${tag}`, partNumber: `L-${tag}`, revision: 'A',
    items: Array.from({ length: n }, (_, i) => ({
      id: String(i), parent: i < 10 ? null : String(i % 10), manufacturer: `Maker ${i % 7} ${tag}`, partNumber: `P-${i}`,
      name: `Part ${i} — ${tag} “é”`, category: i % 3 === 0 ? 'radio' : 'frame', quantity: 1 + (i % 3), origin: { manufacturedIn: i % 50 === 0 ? 'CN' : 'PL' },
    })),
  };
}

async function verifyOnce(ctx: TestCtx, proc: string, n: number, tag: string) {
  const up = await ctx.json<{ id: string }>('POST', '/v1/boms', { token: proc, body: bigBom(n, tag), expect: 201 });
  const res = await ctx.req('POST', `/v1/boms/${up.id}/verify`, { token: proc });
  expect(res.status).toBe(201);
  const bytes = Buffer.from(await res.arrayBuffer());
  expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
  return { bytes, report: JSON.parse(bytes.toString('utf8')) as Record<string, any> };
}

describe('a report of several megabytes', () => {
  it('answers, stores and signs the same bytes, also when a second report reuses the buffer', async () => {
    const ctx = await makeCtx();
    const proc = await makeToken(ctx, 'procurement');
    const auditor = await makeToken(ctx, 'auditor');
    const jwks = createLocalJWKSet(ctx.deps.keys.jwks() as never);
    // the second is smaller than the first: it is written into the first one's buffer
    for (const [n, tag] of [[3000, 'one'], [2000, 'two']] as const) {
      const { bytes, report } = await verifyOnce(ctx, proc, n, tag);
      expect(bytes.length).toBeGreaterThan(2 * 1024 * 1024);
      expect(report.tree.nodes).toHaveLength(n);
      expect(report.tree.nodes.every((node: any) => node.name.includes(tag))).toBe(true);
      expect(report.verdict).toBe('fail');
      expect(report.status).toEqual({ stale: false });
      // stored in pieces and read back whole
      const pieces = ctx.deps.store.sqlite.prepare('SELECT count(*) AS c FROM report_chunks WHERE report_id = ?').get(report.id) as { c: number };
      expect(pieces.c).toBe(Math.ceil((bytes.length - ',"status":{"stale":false}'.length) / REPORT_CHUNK_BYTES));
      const got = await ctx.req('GET', `/v1/reports/${report.id}`, { token: auditor });
      expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
      // the signed form's payload is the body without status, and verifies
      const jws = await (await ctx.req('GET', `/v1/reports/${report.id}`, { token: auditor, headers: { accept: 'application/jose' } })).text();
      const v = await compactVerify(jws, jwks);
      const { status: _status, ...body } = report;
      expect(new TextDecoder().decode(v.payload)).toBe(JSON.stringify(body));
    }
  });

  it('keeps a report\'s answer intact while another report is written before it has been read', async () => {
    const ctx = await makeCtx();
    const proc = await makeToken(ctx, 'procurement');
    const a = await ctx.json<{ id: string }>('POST', '/v1/boms', { token: proc, body: bigBom(2500, 'alpha'), expect: 201 });
    const b = await ctx.json<{ id: string }>('POST', '/v1/boms', { token: proc, body: bigBom(2500, 'beta'), expect: 201 });
    const resA = await ctx.req('POST', `/v1/boms/${a.id}/verify`, { token: proc }); // not read yet
    const resB = await ctx.req('POST', `/v1/boms/${b.id}/verify`, { token: proc });
    const bodyB = JSON.parse(await resB.text()) as Record<string, any>;
    const bodyA = JSON.parse(await resA.text()) as Record<string, any>;
    expect(bodyA.bom.id).toBe(a.id);
    expect(bodyB.bom.id).toBe(b.id);
    expect(bodyA.tree.nodes.every((n: any) => n.name.includes('alpha'))).toBe(true);
    const storedA = await ctx.req('GET', `/v1/reports/${bodyA.id}`, { token: proc });
    expect(JSON.parse(await storedA.text())).toEqual(bodyA);
  });
});
