// Declaration intake (single and NDJSON batch) and reads. A supplier sees only what it
// signed or submitted; anything else is 404, never 403, so existence does not leak.
import { z } from 'zod';
import { dbEvidence, getDeclaration, listDeclarations, visibleToSupplier, type DeclarationRow } from '../../db/declarations.js';
import { getKey, manufacturerSpellings } from '../../db/registry.js';
import { invalidity } from '../../domain/evidence.js';
import { normalizeName } from '../../domain/part-key.js';
import type { KeyFacts } from '../../domain/registry.js';
import { Problem } from '../../problem.js';
import type { Actor, Deps } from '../../service/deps.js';
import { intakeLines, receiptOf, signBatchReceipt, signReceipt } from '../../service/intake.js';
import { requireRole } from '../auth.js';
import { bodyLines, type App } from '../context.js';
import { bearer, listQuery, op, page, rawBody, requireMediaType } from '../openapi.js';

export const MAX_BATCH_LINES = 20_000;
const NDJSON_TYPES = ['application/x-ndjson', 'application/jsonl'];

function visible(deps: Deps, actor: Actor, row: DeclarationRow): boolean {
  return actor.role !== 'supplier' || visibleToSupplier(deps.store.sqlite, row, actor.supplier!);
}

const shaParam = z.object({
  sha256: z.string().regex(/^(sha256:)?[0-9a-fA-F]{64}$/, 'sha256:<hex> or the bare hex'),
});

function statusOf(deps: Deps, row: DeclarationRow): string {
  const db = deps.store.sqlite;
  const rec = dbEvidence(db).bySha256([`sha256:${row.sha256}`]).get(`sha256:${row.sha256}`);
  if (!rec) return 'valid';
  // only the keys this judgement reads: the signer's and its successors'
  const keys = new Map<string, KeyFacts>();
  for (const kid of [rec.kid, ...rec.successors.map((x) => x.kid)]) {
    const k = getKey(db, kid);
    if (k) keys.set(kid, k);
  }
  return invalidity(rec, deps.clock().getTime(), Number.POSITIVE_INFINITY, keys) ?? 'valid';
}

function summaryOf(row: DeclarationRow) {
  const payload = JSON.parse(row.payload) as { part: unknown };
  return {
    sha256: `sha256:${row.sha256}`, supplier: row.supplier, id: row.id, kid: row.kid, part: payload.part,
    issuedAt: row.issuedAt, expiresAt: row.expiresAt, supersedes: row.supersedes, receivedAt: row.receivedAt, logIndex: row.logIndex,
  };
}

export function registerDeclarationRoutes(app: App): void {
  app.openapi(op({ roles: ['supplier', 'procurement', 'admin'], method: 'post', path: '/v1/declarations', tags: ['declarations'], summary: 'Submit one signed declaration (compact JWS)', security: bearer,
    description: 'Body: the compact JWS as application/jose. 201 with a signed receipt when new, 200 with the same receipt when the exact bytes are already held.',
    request: { body: rawBody(['application/jose'], 'the compact JWS') } },
  { status: 201, description: '{sha256, supplier, id, receivedAt, logIndex, receipt}' }, [400, 401, 403, 409, 413, 415, 422]),
  async (c) => {
    const actor = requireRole(c, 'supplier', 'procurement', 'admin');
    const deps = c.get('deps');
    requireMediaType(c.req.header('content-type'), ['application/jose']);
    const [result] = await intakeLines(deps, [{ line: 1, text: await c.req.text() }], actor);
    if (result!.status === 'rejected') throw result!.problem;
    const receipt = await signReceipt(deps, result!.receipt);
    return c.json({ ...result!.receipt, receipt }, result!.status === 'accepted' ? 201 : 200);
  });

  app.openapi(op({ roles: ['supplier', 'procurement', 'admin'], method: 'post', path: '/v1/declarations/batch', tags: ['declarations'], summary: 'Submit many declarations, one compact JWS per line (NDJSON)', security: bearer,
    description: `Each line is judged on its own; a bad line does not sink the others. Blank lines are skipped but counted. At most ${MAX_BATCH_LINES} lines. The answer carries one receipt signed over every accepted or held line.`,
    request: { body: rawBody(NDJSON_TYPES, 'one compact JWS per line') } },
  { status: 200, description: '{results: [{line, status, sha256?, code?, detail?}], receipt}' }, [401, 403, 413, 415]),
  async (c) => {
    const actor = requireRole(c, 'supplier', 'procurement', 'admin');
    const deps = c.get('deps');
    requireMediaType(c.req.header('content-type'), NDJSON_TYPES);
    const lines = await bodyLines(c.req.raw.body);
    if (lines.length > MAX_BATCH_LINES) throw new Problem(413, 'request.too_large', `at most ${MAX_BATCH_LINES} declarations per batch; this has ${lines.length}`);
    const results = await intakeLines(deps, lines, actor);
    const items = results.flatMap((r) => (r.status === 'rejected' ? [] : [r.receipt]));
    const receipt = items.length > 0 ? await signBatchReceipt(deps, items) : null;
    return c.json({
      results: results.map((r) => (r.status === 'rejected'
        ? { line: r.line, status: r.status, code: r.problem.code, detail: r.problem.message, ...(r.problem.errors ? { errors: r.problem.errors } : {}) }
        : { line: r.line, status: r.status, ...r.receipt })),
      accepted: results.filter((r) => r.status === 'accepted').length,
      held: results.filter((r) => r.status === 'held').length,
      rejected: results.filter((r) => r.status === 'rejected').length,
      receipt,
    }, 200);
  });

  app.openapi(op({ roles: ['supplier', 'procurement', 'auditor', 'admin'], method: 'get', path: '/v1/declarations', tags: ['declarations'], summary: 'List declarations', security: bearer,
    request: { query: listQuery.extend({ manufacturer: z.string().max(300).optional(), partNumber: z.string().max(200).optional(), supplier: z.string().max(100).optional() }) } },
  { status: 200, description: '{items, next?}' }, [401, 403, 422]),
  (c) => {
    const actor = requireRole(c, 'supplier', 'procurement', 'auditor', 'admin');
    const db = c.get('deps').store.sqlite;
    const q = c.req.valid('query');
    const mfrNorms = q.manufacturer !== undefined ? manufacturerSpellings(db, q.manufacturer) : undefined;
    const rows = listDeclarations(db, {
      ...(q.partNumber !== undefined ? { pnNorm: normalizeName(q.partNumber) } : {}),
      ...(mfrNorms ? { mfrNorms } : {}),
      ...(q.supplier !== undefined ? { supplier: q.supplier } : {}),
      ...(actor.role === 'supplier' ? { visibleTo: actor.supplier! } : {}),
      ...(q.cursor !== undefined ? { after: q.cursor.replace(/^sha256:/, '') } : {}),
      limit: q.limit,
    });
    return c.json(page(rows.map(summaryOf), q.limit, (r) => r.sha256));
  });

  app.openapi(op({ roles: ['supplier', 'procurement', 'auditor', 'admin'], method: 'get', path: '/v1/declarations/{sha256}', tags: ['declarations'], summary: 'One declaration: header, payload, status and receipt; ?raw for the JWS itself', security: bearer,
    request: { params: shaParam, query: z.object({ raw: z.string().optional() }) } },
  { status: 200, description: 'the declaration' }, [401, 403, 404, 422]),
  async (c) => {
    const actor = requireRole(c, 'supplier', 'procurement', 'auditor', 'admin');
    const deps = c.get('deps');
    const hex = c.req.valid('param').sha256.replace(/^sha256:/, '').toLowerCase();
    const row = getDeclaration(deps.store.sqlite, hex);
    if (!row || !visible(deps, actor, row)) throw new Problem(404, 'not_found', 'no such declaration');
    if (c.req.valid('query').raw !== undefined) {
      return c.body(row.jws, 200, { 'content-type': 'application/jose' });
    }
    const header = JSON.parse(Buffer.from(row.jws.split('.')[0]!, 'base64url').toString('utf8')) as unknown;
    const item = receiptOf(row);
    const key = getKey(deps.store.sqlite, row.kid);
    return c.json({
      sha256: `sha256:${row.sha256}`, supplier: row.supplier, id: row.id, kid: row.kid,
      status: statusOf(deps, row),
      key: key ? { status: key.status, ...(key.reason ? { reason: key.reason } : {}) } : null,
      receivedAt: row.receivedAt, logIndex: row.logIndex,
      submittedBy: actor.role === 'supplier' ? undefined : row.submittedBy,
      header, payload: JSON.parse(row.payload) as unknown,
      receipt: { ...item, jws: await signReceipt(deps, item) },
    });
  });
}
