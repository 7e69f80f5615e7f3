// The database schema (drizzle). Migrations in migrations/ are generated from this file by
// drizzle-kit and committed; they are applied at start and in every test.
import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const suppliers = sqliteTable('suppliers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  domicile: text('domicile').notNull(),
  /** JSON: "self" | {name, domicile} | null */
  ultimateParent: text('ultimate_parent'),
  /** JSON array of the manufacturer names the supplier speaks for */
  manufacturerNames: text('manufacturer_names').notNull(),
  createdAt: text('created_at').notNull(),
});

export const manufacturerAliases = sqliteTable('manufacturer_aliases', {
  aliasNorm: text('alias_norm').primaryKey(),
  alias: text('alias').notNull(),
  canonical: text('canonical').notNull(),
  canonicalNorm: text('canonical_norm').notNull(),
  createdAt: text('created_at').notNull(),
}, (t) => [index('manufacturer_aliases_canonical').on(t.canonicalNorm)]);

export const supplierKeys = sqliteTable('supplier_keys', {
  kid: text('kid').primaryKey(),
  supplierId: text('supplier_id').notNull().references(() => suppliers.id),
  alg: text('alg').notNull(),
  jwk: text('jwk').notNull(),
  status: text('status').notNull(),
  reason: text('reason'),
  revokedAt: text('revoked_at'),
  compromisedAt: text('compromised_at'),
  createdAt: text('created_at').notNull(),
}, (t) => [index('supplier_keys_supplier').on(t.supplierId)]);

export const apiTokens = sqliteTable('api_tokens', {
  id: text('id').primaryKey(),
  tokenHash: text('token_hash').notNull(),
  role: text('role').notNull(),
  supplierId: text('supplier_id').references(() => suppliers.id),
  label: text('label'),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at'),
  revokedAt: text('revoked_at'),
}, (t) => [uniqueIndex('api_tokens_hash').on(t.tokenHash)]);

/** Distinct origin objects of declarations, as signed (JSON text). */
export const origins = sqliteTable('origins', {
  id: integer('id').primaryKey(),
  json: text('json').notNull(),
}, (t) => [uniqueIndex('origins_json').on(t.json)]);

export const declarations = sqliteTable('declarations', {
  /** lower-case hex of the SHA-256 of the exact compact JWS */
  sha256: text('sha256').primaryKey(),
  supplierId: text('supplier_id').notNull().references(() => suppliers.id),
  declId: text('decl_id').notNull(),
  kid: text('kid').notNull().references(() => supplierKeys.kid),
  submittedBy: text('submitted_by').notNull(),
  submitterSupplier: text('submitter_supplier'),
  receivedAt: text('received_at').notNull(),
  issuedAt: text('issued_at').notNull(),
  expiresAt: text('expires_at'),
  supersedes: text('supersedes'),
  mfrNorm: text('mfr_norm').notNull(),
  pnNorm: text('pn_norm').notNull(),
  /** the payload exactly as signed */
  payload: text('payload').notNull(),
  /** the JWS detached ("header..signature"); the payload segment is the base64url of `payload` */
  jws: text('jws').notNull(),
  logIndex: integer('log_index').notNull(),
}, (t) => [
  uniqueIndex('declarations_supplier_id').on(t.supplierId, t.declId),
  index('declarations_pn').on(t.pnNorm),
  index('declarations_supersedes').on(t.supplierId, t.supersedes),
  // successors are looked up by the ids they name, in batches, before the supplier is known
  index('declarations_supersedes_id').on(t.supersedes).where(sql`supersedes IS NOT NULL`),
  index('declarations_submitter').on(t.submitterSupplier),
]);

/**
 * What the walk reads of each declaration, in a compact binary layout (db/walk-record.ts),
 * beside the declarations table and clustered by part number: a 100,000-node walk reads
 * 100,000 of these in place instead of parsing 100,000 payloads. Derived from the signed
 * payload (rows stored before this table are filled at start-up). WITHOUT ROWID (in the
 * migration: drizzle does not say it), so a lookup by part number is one B-tree search.
 */
export const declarationWalk = sqliteTable('declaration_walk', {
  pnNorm: text('pn_norm').notNull(),
  sha256: text('sha256').notNull().references(() => declarations.sha256),
  /** for the walk's view as of a moment (audit-bundle re-runs) */
  receivedAt: text('received_at').notNull(),
  /** 1 once a declaration of the same supplier names this one's id in `supersedes` */
  hasSuccessor: integer('has_successor').notNull().default(0),
  walk: blob('walk', { mode: 'buffer' }).notNull(),
}, (t) => [primaryKey({ columns: [t.pnNorm, t.sha256] })]);

/** Every supplier that submitted a declaration (SPEC §1: a supplier reads what it signed or submitted). */
export const declarationSubmitters = sqliteTable('declaration_submitters', {
  sha256: text('sha256').notNull().references(() => declarations.sha256),
  supplierId: text('supplier_id').notNull().references(() => suppliers.id),
  submittedAt: text('submitted_at').notNull(),
}, (t) => [primaryKey({ columns: [t.sha256, t.supplierId] }), index('declaration_submitters_supplier').on(t.supplierId)]);

export const boms = sqliteTable('boms', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  partNumber: text('part_number'),
  revision: text('revision'),
  sha256: text('sha256').notNull(),
  format: text('format').notNull(),
  mediaType: text('media_type').notNull(),
  content: blob('content', { mode: 'buffer' }).notNull(),
  /** the normalised BOM (domain Bom) as JSON */
  bom: text('bom').notNull(),
  nodes: integer('nodes').notNull(),
  createdAt: text('created_at').notNull(),
  createdBy: text('created_by').notNull(),
});

export const bomParts = sqliteTable('bom_parts', {
  bomId: text('bom_id').notNull().references(() => boms.id),
  itemId: text('item_id').notNull(),
  /** the parent item; null under the root. Paths are rebuilt from these links, so storage stays linear in depth */
  parentItemId: text('parent_item_id'),
  mfrNorm: text('mfr_norm').notNull(),
  pnNorm: text('pn_norm').notNull(),
  manufacturer: text('manufacturer').notNull(),
  partNumber: text('part_number').notNull(),
  name: text('name'),
}, (t) => [
  primaryKey({ columns: [t.bomId, t.itemId] }),
  // covers where-used's first step: which items of which BOMs are this part
  index('bom_parts_lookup').on(t.pnNorm, t.mfrNorm, t.bomId, t.itemId),
]);

export const policies = sqliteTable('policies', {
  id: text('id').notNull(),
  version: integer('version').notNull(),
  body: text('body').notNull(),
  sha256: text('sha256').notNull(),
  createdAt: text('created_at').notNull(),
}, (t) => [primaryKey({ columns: [t.id, t.version] })]);

export const reports = sqliteTable('reports', {
  id: text('id').primaryKey(),
  bomId: text('bom_id').notNull().references(() => boms.id),
  policyId: text('policy_id').notNull(),
  policyVersion: integer('policy_version').notNull(),
  verdict: text('verdict').notNull(),
  generatedAt: text('generated_at').notNull(),
  /** the JWS in detached form ("header..signature"): its payload is the body (report_chunks) */
  jws: text('jws').notNull(),
  stale: integer('stale').notNull().default(0),
  createdAt: text('created_at').notNull(),
  /**
   * 1 once the report's where-used rows (report_parts) are all written. They are written
   * after the report is stored, in slices; a report left at 0 by a stop is indexed again
   * from its body at start-up.
   */
  partsIndexed: integer('parts_indexed').notNull().default(1),
}, (t) => [index('reports_bom').on(t.bomId), index('reports_verdict').on(t.verdict)]);

/**
 * A report's body — the JSON exactly as signed, UTF-8 — in pieces of at most 64 KiB, in
 * order. A 100,000-node body is about 70 MB: bound whole, SQLite copies it twice into
 * fresh memory; in pieces, every copy is small and reuses the same memory.
 */
export const reportChunks = sqliteTable('report_chunks', {
  reportId: text('report_id').notNull().references(() => reports.id),
  seq: integer('seq').notNull(),
  data: blob('data', { mode: 'buffer' }).notNull(),
}, (t) => [primaryKey({ columns: [t.reportId, t.seq] })]);

export const reportParts = sqliteTable('report_parts', {
  reportId: text('report_id').notNull().references(() => reports.id),
  key: text('key').notNull(),
  mfrNorm: text('mfr_norm').notNull(),
  pnNorm: text('pn_norm').notNull(),
  /** key of the parent on the canonical path; null under the root */
  via: text('via'),
  manufacturer: text('manufacturer').notNull(),
  partNumber: text('part_number').notNull(),
  name: text('name'),
}, (t) => [
  primaryKey({ columns: [t.reportId, t.key] }),
  // covers where-used's first step: which nodes of which reports are this part
  index('report_parts_lookup').on(t.pnNorm, t.mfrNorm, t.reportId, t.key),
]);

export const auditLog = sqliteTable('audit_log', {
  seq: integer('seq').primaryKey(),
  at: text('at').notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  subject: text('subject').notNull(),
  payloadSha256: text('payload_sha256').notNull(),
  prev: text('prev').notNull(),
  hash: text('hash').notNull(),
  /** the JSON whose SHA-256 is payloadSha256; kept so auditors can read what changed */
  payload: text('payload').notNull(),
});

export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull().default(sql`''`),
});
