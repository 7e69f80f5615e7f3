// Reports: listed, and fetched as JSON (with the unsigned `status` beside the signed body)
// or as the JWS the service signed (Accept: application/jose or ?format=jws).
import { z } from 'zod';
import { getReport, listReports } from '../../db/reports.js';
import { Problem } from '../../problem.js';
import type { ReportBody } from '../../domain/report.js';
import { findingsToCsv, reportToCycloneDx } from '../../formats/report-exports.js';
import { buildBundle } from '../../service/audit-bundle.js';
import { attachPayload } from '../../service/reports.js';
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

/** The same for the body as UTF-8 bytes. */
export function reportJsonBytes(body: Buffer, status: ReportStatus): Uint8Array<ArrayBuffer> {
  // Buffer.concat allocates a new, unshared ArrayBuffer
  return Buffer.concat([body.subarray(0, body.length - 1), Buffer.from(`,"status":${JSON.stringify(status)}}`, 'utf8')]) as Uint8Array<ArrayBuffer>;
}

/** Accept negotiation for the report's forms; JSON unless another is asked for. */
function negotiate(accept: string | undefined): 'json' | 'jws' | 'cyclonedx' | 'csv' {
  const a = (accept ?? '').toLowerCase();
  if (a.includes('application/jose')) return 'jws';
  if (a.includes('application/vnd.cyclonedx+json')) return 'cyclonedx';
  if (a.includes('text/csv')) return 'csv';
  return 'json';
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

  app.openapi(op({ roles: READERS, method: 'get', path: '/v1/reports/{id}/bundle', tags: ['reports'], summary: 'The audit bundle: the signed report, the BOM as uploaded, the declarations with their receipts, the registry as it stood, the policy and the JWKS', security: bearer,
    description: 'Check it offline with `nonred report verify --bundle FILE`.',
    request: { params: z.object({ id: z.string().max(100) }) } }, { status: 200, description: 'the bundle' }, [401, 403, 404]),
  async (c) => {
    const id = c.req.valid('param').id;
    const bundle = await buildBundle(c.get('deps'), id);
    c.header('content-disposition', `attachment; filename="${id}.bundle.json"`);
    return c.json(bundle);
  });

  app.openapi(op({ roles: READERS, method: 'get', path: '/v1/reports/{id}', tags: ['reports'], summary: 'A report as JSON, as the signed JWS, as CycloneDX 1.6 or its findings as CSV (?format= or Accept: application/jose, application/vnd.cyclonedx+json, text/csv)', security: bearer,
    request: { params: z.object({ id: z.string().max(100) }), query: z.object({ format: z.enum(['json', 'jws', 'cyclonedx', 'csv']).optional() }) } },
  { status: 200, description: 'the report' }, [401, 403, 404, 422]),
  (c) => {
    requireRole(c, ...READERS);
    const row = getReport(c.get('deps').store.sqlite, c.req.valid('param').id);
    if (!row) throw new Problem(404, 'not_found', 'no such report');
    const format = c.req.valid('query').format ?? negotiate(c.req.header('accept'));
    c.header('vary', 'Accept');
    switch (format) {
      case 'jws':
        return c.body(attachPayload(row.jws, row.body), 200, { 'content-type': 'application/jose' });
      case 'cyclonedx':
        return c.body(JSON.stringify(reportToCycloneDx(JSON.parse(row.body) as ReportBody), null, 2), 200, {
          'content-type': 'application/vnd.cyclonedx+json; version=1.6',
          'content-disposition': `attachment; filename="${row.id}.cdx.json"`,
        });
      case 'csv':
        return c.body(findingsToCsv(JSON.parse(row.body) as ReportBody), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${row.id}-findings.csv"`,
        });
      default:
        return c.body(reportJson(row.body, { stale: row.stale }), 200, { 'content-type': 'application/json' });
    }
  });
}
