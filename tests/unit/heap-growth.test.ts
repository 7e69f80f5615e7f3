import { describe, expect, it } from 'vitest';
import { boundedVerifications, boundHeapGrowth, enableBoundedHeapGrowth } from '../../src/heap-growth.js';
import { makeCtx, makeToken } from '../helpers/app.js';

describe('bounded heap growth', () => {
  it('does nothing until enabled, then counts verifications in progress; ending twice counts once', () => {
    boundHeapGrowth()();
    expect(boundedVerifications()).toBe(0);
    enableBoundedHeapGrowth();
    const a = boundHeapGrowth();
    const b = boundHeapGrowth();
    expect(boundedVerifications()).toBe(2);
    a();
    a();
    expect(boundedVerifications()).toBe(1);
    b();
    expect(boundedVerifications()).toBe(0);
  });

  it('is on while a report is made and sent, and off again once it has been (small and large answers)', async () => {
    enableBoundedHeapGrowth();
    const ctx = await makeCtx();
    const proc = await makeToken(ctx, 'procurement');
    for (const n of [3, 20_000]) {
      const items = Array.from({ length: n }, (_, i) => ({ id: String(i), parent: i < 10 ? null : String(i % 10), manufacturer: 'Maker', partNumber: `P-${i}`, name: `Part ${i}`, category: 'frame', quantity: 1 }));
      const up = await ctx.json<{ id: string }>('POST', '/v1/boms', { token: proc, body: { schema: 'nonred/bom/v1', name: `B${n}`, partNumber: `B-${n}`, revision: 'A', items }, expect: 201 });
      const res = await ctx.req('POST', `/v1/boms/${up.id}/verify`, { token: proc });
      expect(res.status).toBe(201);
      await res.arrayBuffer();
      expect(boundedVerifications()).toBe(0);
    }
    // a verification that fails before the walk ends leaves nothing on either
    const missing = await ctx.req('POST', '/v1/boms/no-such-bom/verify', { token: proc });
    expect(missing.status).toBe(404);
    expect(boundedVerifications()).toBe(0);
  });
});
