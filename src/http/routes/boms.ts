// BOM upload (the content type picks the importer), reads, and verification into a report.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { appendAudit, inTransaction } from '../../db/audit.js';
import { getBom, getBomContent, insertBom, listBoms } from '../../db/boms.js';
import { BOM_MEDIA_TYPES, importBom } from '../../formats/import-bom.js';
import { aliasEntries, knownManufacturerNames } from '../../db/registry.js';
import { unknownManufacturers, unknownManufacturersMessage } from '../../domain/manufacturer-names.js';
import { buildCanon } from '../../domain/part-key.js';
import { Problem } from '../../problem.js';
import { actorName } from '../../service/deps.js';
import { issueReport, serverTiming } from '../../service/reports.js';
import { READERS, requireRole } from '../auth.js';
import type { App } from '../context.js';
import { bearer, listQuery, op, page, rawBody } from '../openapi.js';
import { lentBody } from '../lent-body.js';

const rootOverrides = z.object({
  name: z.string().trim().min(1).max(300).optional(),
  partNumber: z.string().trim().min(1).max(200).optional(),
  revision: z.string().trim().min(1).max(100).optional(),
});

export function registerBomRoutes(app: App): void {
  app.openapi(op({ roles: ['procurement'], method: 'post', path: '/v1/boms', tags: ['boms'], summary: 'Upload a BOM (procurement)', security: bearer,
    description: 'The content type picks the importer: text/csv (indented level or id/parent columns); application/vnd.cyclonedx+json (CycloneDX 1.4–1.6); application/json (CycloneDX when bomFormat says so, else the native nonred/bom/v1). Query parameters name, partNumber and revision name or override the root. The answer lists manufacturer names nonred has never seen, with near matches.',
    request: {
      query: rootOverrides,
      body: rawBody(BOM_MEDIA_TYPES, 'the BOM file as exported'),
    } },
  { status: 201, description: '{id, name, sha256, nodes}' }, [400, 401, 403, 413, 415, 422]),
  async (c) => {
    const actor = requireRole(c, 'procurement');
    const deps = c.get('deps');
    const db = deps.store.sqlite;
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const bytes = Buffer.from(await c.req.arrayBuffer());
    const q = c.req.valid('query');
    const imported = await importBom(mediaType, bytes, q);
    const unknown = unknownManufacturers(imported.bom.items, knownManufacturerNames(db), buildCanon(aliasEntries(db)));
    const bom = imported.bom;
    const sha256 = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const now = deps.clock().toISOString();
    const row = {
      id: deps.ids('bom'), name: bom.name, partNumber: bom.partNumber, revision: bom.revision, sha256,
      format: imported.format, mediaType, nodes: imported.nodes, createdAt: now, createdBy: actor.tokenId,
    };
    inTransaction(db, () => {
      insertBom(db, row, bytes, bom);
      appendAudit(db, { at: now, actor: actorName(actor), action: 'bom.uploaded', subject: row.id, payload: { id: row.id, name: row.name, sha256, format: row.format, nodes: row.nodes } });
    });
    return c.json({
      id: row.id, name: row.name, partNumber: row.partNumber, revision: row.revision, sha256, format: row.format, nodes: row.nodes,
      ...(imported.ignoredColumns ? { ignoredColumns: imported.ignoredColumns } : {}),
      unknownManufacturers: unknown,
      ...(unknown.length > 0 ? { warnings: [unknownManufacturersMessage(unknown)] } : {}),
    }, 201);
  });

  app.openapi(op({ roles: READERS, method: 'get', path: '/v1/boms', tags: ['boms'], summary: 'List BOMs', security: bearer, request: { query: listQuery } },
    { status: 200, description: '{items, next?}' }, [401, 403, 422]),
  (c) => {
    requireRole(c, ...READERS);
    const q = c.req.valid('query');
    return c.json(page(listBoms(c.get('deps').store.sqlite, q.cursor ?? '', q.limit), q.limit, (b) => b.id));
  });

  app.openapi(op({ roles: READERS, method: 'get', path: '/v1/boms/{id}', tags: ['boms'], summary: 'A BOM: its metadata and normalised items', security: bearer,
    request: { params: z.object({ id: z.string().max(100) }) } }, { status: 200, description: 'the BOM' }, [401, 403, 404]),
  (c) => {
    requireRole(c, ...READERS);
    const db = c.get('deps').store.sqlite;
    const id = c.req.valid('param').id;
    const row = getBom(db, id);
    const content = row ? getBomContent(db, id) : undefined;
    if (!row || !content) throw new Problem(404, 'not_found', 'no such BOM');
    return c.json({ ...row, bom: content.bom });
  });

  app.openapi(op({ roles: ['procurement'], method: 'post', path: '/v1/boms/{id}/verify', tags: ['boms'], summary: 'Verify a BOM against a policy → a signed report (procurement)', security: bearer,
    request: { params: z.object({ id: z.string().max(100) }), query: z.object({ policy: z.string().max(100).optional() }) } },
  { status: 201, description: 'the report' }, [401, 403, 404, 422]),
  async (c) => {
    const actor = requireRole(c, 'procurement');
    const deps = c.get('deps');
    const issued = await issueReport(deps, c.req.valid('param').id, c.req.valid('query').policy, actor);
    c.header('location', `/v1/reports/${issued.id}`);
    return lentBody(c, issued.json, issued.done, 201, { 'content-type': 'application/json', 'server-timing': serverTiming(issued.timings) });
  });
}
