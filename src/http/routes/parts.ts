// Where-used: every BOM and report a part appears in, at any depth — BOM items and the
// declared sub-components that reports reached.
import { z } from 'zod';
import { bomOccurrences } from '../../db/boms.js';
import { manufacturerSpellings } from '../../db/registry.js';
import { flushReportParts, reportOccurrences } from '../../db/reports.js';
import { normalizeName } from '../../domain/part-key.js';
import { READERS, requireRole } from '../auth.js';
import type { App } from '../context.js';
import { bearer, op } from '../openapi.js';

export function registerPartRoutes(app: App): void {
  app.openapi(op({ roles: READERS, method: 'get', path: '/v1/parts/where-used', tags: ['parts'], summary: 'Every BOM and report a part appears in, at any depth', security: bearer,
    request: { query: z.object({ manufacturer: z.string().trim().min(1).max(300), partNumber: z.string().trim().min(1).max(200) }) } },
  { status: 200, description: '{items: [{bom: {id, name}, reports: [ids], paths: [[steps]]}]}' }, [401, 403, 422]),
  (c) => {
    requireRole(c, ...READERS);
    const db = c.get('deps').store.sqlite;
    const q = c.req.valid('query');
    flushReportParts(db); // rows of reports just issued, still queued
    const mfrNorms = manufacturerSpellings(db, q.manufacturer);
    const pn = normalizeName(q.partNumber);
    // paths as their JSON: equal paths merge, and the remembered text is reused below
    const byBom = new Map<string, { bom: { id: string; name: string }; reports: Set<string>; paths: Set<string> }>();
    const entry = (id: string, name: string) => {
      let e = byBom.get(id);
      if (!e) byBom.set(id, (e = { bom: { id, name }, reports: new Set(), paths: new Set() }));
      return e;
    };
    for (const o of bomOccurrences(db, pn, mfrNorms)) entry(o.bomId, o.bomName).paths.add(o.pathKey);
    for (const o of reportOccurrences(db, pn, mfrNorms)) {
      const e = entry(o.bomId, o.bomName);
      e.reports.add(o.reportId);
      e.paths.add(o.pathKey);
    }
    // written out by hand to reuse each path's JSON (the same document c.json would give)
    const items = [...byBom.values()].sort((a, b) => (a.bom.id < b.bom.id ? -1 : 1)).map((e) =>
      `{"bom":${JSON.stringify(e.bom)},"reports":${JSON.stringify([...e.reports].sort())},"paths":[${[...e.paths].join(',')}]}`);
    return c.body(`{"items":[${items.join(',')}]}`, 200, { 'content-type': 'application/json' });
  });
}
