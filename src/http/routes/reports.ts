// Reports: listed, and fetched as JSON (with the unsigned `status` beside the signed body)
// or as the JWS the service signed (Accept: application/jose or ?format=jws).
import { z } from 'zod';
import { getReport, listReports } from '../../db/reports.js';
import { Problem } from '../../problem.js';
import { READERS, requireRole } from '../auth.js';
import type { App } from '../context.js';
import { bearer, listQuery, op, page } from '../openapi.js';

export interface ReportStatus {
  stale: boolean;
  since?: string;
  reasons?: string[];
  replacedBy?: string;
}

/** The JSON form: the signed body with `status` appended, without re-serialising the body. */
export function reportJson(bodyText: string, status: ReportStatus): string {
  return `${bodyText.slice(0, -1)},"status":${JSON.stringify(status)}}`;
}

export function registerReportRoutes(app: App): void {
  app.openapi(op({ roles: READERS, method: 'get', path: '/v1/reports', tags: ['reports'], summary: 'List reports', security: bearer,
    request: { query: listQuery.extend({
      bom: z.string().max(100).optional(),
      verdict: z.enum(['pass', 'fail', 'incomplete']).optional(),
      stale: z.enum(['true', 'false']).optional(),
    }) } }, { status: 200, description: '{items, next?}' }, [401, 403, 422]),
  (c) => {
    requireRole(c, ...READERS);
    const q = c.req.valid('query');
    const rows = listReports(c.get('deps').store.sqlite, {
      ...(q.bom !== undefined ? { bom: q.bom } : {}),
      ...(q.verdict !== undefined ? { verdict: q.verdict } : {}),
      ...(q.stale !== undefined ? { stale: q.stale === 'true' } : {}),
      ...(q.cursor !== undefined ? { after: q.cursor } : {}),
      limit: q.limit,
    });
    return c.json(page(rows, q.limit, (r) => r.id));
  });

  app.openapi(op({ roles: READERS, method: 'get', path: '/v1/reports/{id}', tags: ['reports'], summary: 'A report as JSON, or as the signed JWS (Accept: application/jose or ?format=jws)', security: bearer,
    request: { params: z.object({ id: z.string().max(100) }), query: z.object({ format: z.enum(['json', 'jws']).optional() }) } },
  { status: 200, description: 'the report' }, [401, 403, 404, 422]),
  (c) => {
    requireRole(c, ...READERS);
    const row = getReport(c.get('deps').store.sqlite, c.req.valid('param').id);
    if (!row) throw new Problem(404, 'not_found', 'no such report');
    const format = c.req.valid('query').format ?? (/application\/jose/i.test(c.req.header('accept') ?? '') ? 'jws' : 'json');
    c.header('vary', 'Accept');
    if (format === 'jws') return c.body(row.jws, 200, { 'content-type': 'application/jose' });
    return c.body(reportJson(row.body, { stale: row.stale }), 200, { 'content-type': 'application/json' });
  });
}
