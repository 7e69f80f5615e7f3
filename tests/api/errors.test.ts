import { beforeEach, describe, expect, it } from 'vitest';
import { makeCtx, makeToken, type TestCtx } from '../helpers/app.js';

let ctx: TestCtx;
let proc: string;
beforeEach(async () => {
  ctx = await makeCtx();
  proc = await makeToken(ctx, 'procurement');
});

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status: res.status, code: expect.any(String), title: expect.any(String), detail: expect.any(String), type: expect.any(String) });
  expect(JSON.stringify(body)).not.toMatch(/\bat \w+ \(|node_modules|SQLITE|sqlite|INSERT INTO|SELECT /);
  return body;
}

const bomCount = (ctx: TestCtx) => (ctx.deps.store.sqlite.prepare('SELECT COUNT(*) n FROM boms').get() as { n: number }).n;

describe('errors are problems with stable codes', () => {
  it('answers malformed JSON with 400 request.malformed_json', async () => {
    const res = await ctx.req('POST', '/v1/suppliers', { body: '{"id": "x",', type: 'application/json' });
    expect(res.status).toBe(400);
    expect((await problem(res)).code).toBe('request.malformed_json');
  });

  it('authenticates and checks the role before reading the body', async () => {
    const noToken = await ctx.req('POST', '/v1/suppliers', { token: null, body: '{', type: 'application/json' });
    expect(noToken.status).toBe(401);
    const auditor = await makeToken(ctx, 'auditor');
    const forbidden = await ctx.req('POST', '/v1/suppliers', { token: auditor, body: '{', type: 'application/json' });
    expect(forbidden.status).toBe(403);
  });

  it('answers a JWS sent as application/json with 415, not 400', async () => {
    for (const path of ['/v1/declarations', '/v1/declarations/batch']) {
      const res = await ctx.req('POST', path, { token: proc, body: 'eyJhbGciOiJFZERTQSJ9.e30.AA', type: 'application/json' });
      expect([path, res.status, ((await res.json()) as { code: string }).code]).toEqual([path, 415, 'request.unsupported_media_type']);
    }
  });

  it('accepts the bearer scheme in any case', async () => {
    expect((await ctx.req('GET', '/v1/boms', { token: null, headers: { authorization: `bearer ${proc}` } })).status).toBe(200);
  });

  it('answers a wrong content type with 415', async () => {
    const res = await ctx.req('POST', '/v1/suppliers', { body: 'id=x', type: 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect((await problem(res)).code).toBe('request.unsupported_media_type');
    const bom = await ctx.req('POST', '/v1/boms', { token: proc, body: 'a,b', type: 'application/pdf' });
    expect(bom.status).toBe(415);
  });

  it('answers an oversized body with 413', async () => {
    const res = await ctx.req('POST', '/v1/suppliers', { body: JSON.stringify({ id: 'x', name: 'y'.repeat(2 * 1024 * 1024) }) });
    expect(res.status).toBe(413);
    expect((await problem(res)).code).toBe('request.too_large');
  });

  it('answers an unknown route with 404 not_found', async () => {
    const res = await ctx.req('GET', '/v1/nothing-here');
    expect(res.status).toBe(404);
    expect((await problem(res)).code).toBe('not_found');
    expect((await ctx.req('GET', '/v1/reports/rpt_missing', { token: proc })).status).toBe(404);
  });

  it('lists the offending paths of a validation failure and refuses unknown keys', async () => {
    const res = await ctx.req('POST', '/v1/suppliers', { body: { id: 'BAD ID', name: '', domicile: 'PL', color: 'red' } });
    expect(res.status).toBe(422);
    const body = await problem(res);
    expect(body.code).toBe('validation.failed');
    const paths = (body.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/body/id', '/body/name']));
    expect(JSON.stringify(body.errors)).toContain('color');
  });

  it('never leaks an unexpected error: a generic 500 with a request id', async () => {
    ctx.deps.store.sqlite.exec('DROP TABLE report_parts; DROP TABLE reports;');
    const up = await ctx.json<{ id: string }>('POST', '/v1/boms', { token: proc, body: { schema: 'nonred/bom/v1', name: 'x', items: [{ id: '1', manufacturer: 'M', partNumber: 'P' }] }, expect: 201 });
    const res = await ctx.req('POST', `/v1/boms/${up.id}/verify`, { token: proc });
    expect(res.status).toBe(500);
    const body = await problem(res);
    expect(body.code).toBe('internal');
    expect(body.detail).toContain(res.headers.get('x-request-id')!);
  });
});

describe('BOM upload', () => {
  const item = (id: string, parent: string | null, extra: Record<string, unknown> = {}) => ({ id, parent, manufacturer: 'M', partNumber: `P${id}`, ...extra });

  it('stores the BOM with the sha256 of the uploaded bytes', async () => {
    const bytes = JSON.stringify({ schema: 'nonred/bom/v1', name: 'Q', items: [item('1', null), item('2', '1', { quantity: 2.5 })] }, null, 2);
    const up = await ctx.json<Record<string, unknown>>('POST', '/v1/boms', { token: proc, body: bytes, expect: 201 });
    const { createHash } = await import('node:crypto');
    expect(up).toMatchObject({ name: 'Q', nodes: 2, sha256: `sha256:${createHash('sha256').update(bytes).digest('hex')}` });
    const got = await ctx.json<{ bom: { items: unknown[] } }>('GET', `/v1/boms/${up.id as string}`, { token: proc, expect: 200 });
    expect(got.bom.items).toHaveLength(2);
    const named = await ctx.json<Record<string, unknown>>('POST', '/v1/boms?name=Renamed&revision=C', { token: proc, body: bytes, expect: 201 });
    expect(named).toMatchObject({ name: 'Renamed', revision: 'C' });
  });

  it.each([
    ['an unknown parent', [item('1', null), item('2', 'nope')], '/items/1', /unknown parent "nope"/],
    ['an item that is its own parent', [item('1', '1')], '/items/0', /own parent/],
    ['a parent cycle', [item('1', '2'), item('2', '1')], '/items/0', /cycle/],
    ['a duplicate id', [item('1', null), item('1', null)], '/items/1', /duplicate/],
  ])('refuses %s with 422 naming the item, storing nothing', async (_what, items, path, message) => {
    const res = await ctx.req('POST', '/v1/boms', { token: proc, body: { schema: 'nonred/bom/v1', name: 'Q', items } });
    expect(res.status).toBe(422);
    const body = await problem(res);
    expect(body.code).toBe('bom.invalid');
    expect((body.errors as { path: string; message: string }[])[0]).toMatchObject({ path, message: expect.stringMatching(message) });
    expect(bomCount(ctx)).toBe(0);
  });

  it('normalises country names in native BOMs, and names an ambiguous one with its path and value', async () => {
    const body = { schema: 'nonred/bom/v1', name: 'Q', origin: { assembledIn: 'Republic of China' }, items: [item('1', null, { origin: { manufacturedIn: 'Taiwan, Province of China', manufacturer: { domicile: 'Hong Kong SAR' } } })] };
    const up = await ctx.json<{ id: string }>('POST', '/v1/boms', { token: proc, body, expect: 201 });
    const got = await ctx.json<{ bom: { origin: unknown; items: { origin: unknown }[] } }>('GET', `/v1/boms/${up.id}`, { token: proc });
    expect(got.bom.origin).toEqual({ assembledIn: 'TW' });
    expect(got.bom.items[0]!.origin).toEqual({ manufacturedIn: 'TW', manufacturer: { domicile: 'HK' } });
    const bad = await ctx.req('POST', '/v1/boms', { token: proc, body: { ...body, items: [item('1', null, { origin: { manufacturedIn: 'Korea' } })] } });
    const p = await problem(bad);
    expect((p.errors as { path: string; message: string }[])[0]).toEqual({ path: '/items/0/origin/manufacturedIn', message: expect.stringContaining('"Korea" is ambiguous') });
  });

  it('stores a 20,000-deep chain in linear space and answers where-used with its full path', async () => {
    const items = Array.from({ length: 20_000 }, (_, i) => item(String(i), i === 0 ? null : String(i - 1)));
    const up = await ctx.json<{ id: string; nodes: number }>('POST', '/v1/boms', { token: proc, body: { schema: 'nonred/bom/v1', name: 'Deep', items }, expect: 201 });
    expect(up.nodes).toBe(20_000);
    const rows = ctx.deps.store.sqlite.prepare('SELECT COUNT(*) n, SUM(LENGTH(manufacturer) + LENGTH(part_number)) bytes FROM bom_parts WHERE bom_id = ?').get(up.id) as { n: number; bytes: number };
    expect(rows.n).toBe(20_000);
    expect(rows.bytes).toBeLessThan(20_000 * 20);
    const wu = await ctx.json<{ items: { paths: unknown[][] }[] }>('GET', '/v1/parts/where-used?manufacturer=M&partNumber=P999', { token: proc, expect: 200 });
    expect(wu.items[0]!.paths[0]).toHaveLength(1001);
  });

  it('answers malformed JSON with 400 bom.malformed and a schema violation with 422 naming the path', async () => {
    const bad = await ctx.req('POST', '/v1/boms', { token: proc, body: '{"schema":', type: 'application/json' });
    expect([bad.status, (await problem(bad)).code]).toEqual([400, 'bom.malformed']);
    const res = await ctx.req('POST', '/v1/boms', { token: proc, body: { schema: 'nonred/bom/v1', name: 'Q', items: [item('1', null, { quantity: -1 })] } });
    const body = await problem(res);
    expect(body.code).toBe('bom.invalid');
    expect((body.errors as { path: string }[])[0]!.path).toBe('/items/0/quantity');
    expect(bomCount(ctx)).toBe(0);
  });
});

describe('documentation', () => {
  it('publishes the OpenAPI document generated from the schemas, and a page to read it', async () => {
    const doc = await ctx.json<{ openapi: string; paths: Record<string, Record<string, any>> }>('GET', '/openapi.json', { token: null, expect: 200 });
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/declarations', '/v1/boms/{id}/verify', '/v1/audit/checkpoint', '/healthz']));
    const supplierBody = doc.paths['/v1/suppliers']!.post.requestBody.content['application/json'].schema;
    expect(supplierBody.properties).toHaveProperty('manufacturerNames');
    const page = await ctx.req('GET', '/docs', { token: null });
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('/v1/parts/where-used');
    expect(html).not.toMatch(/<script[^>]+src=.https?:/);
  });

  it('serves the JWKS and a health check without a token', async () => {
    const jwks = await ctx.json<{ keys: Record<string, unknown>[] }>('GET', '/.well-known/jwks.json', { token: null, expect: 200 });
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', kid: ctx.deps.keys.kid, alg: 'EdDSA', status: 'current' })]);
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    expect(await ctx.json('GET', '/healthz', { token: null, expect: 200 })).toMatchObject({ status: 'ok' });
  });
});

describe('request ids', () => {
  it('puts a distinct x-request-id on every response, whoever built it', async () => {
    const responses = await Promise.all([
      ctx.req('GET', '/healthz', { token: null }),
      ctx.req('GET', '/openapi.json', { token: null }),
      ctx.req('GET', '/docs', { token: null }),
      ctx.req('GET', '/v1/boms', { token: proc }),
      ctx.req('GET', '/v1/boms', { token: null }), // 401 problem
      ctx.req('GET', '/v1/boms/nope', { token: proc }), // 404 problem
      ctx.req('GET', '/no/such/route', { token: null }),
      ctx.req('POST', '/v1/suppliers', { body: '{', type: 'application/json' }), // 400 problem
    ]);
    const ids = responses.map((r) => r.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
