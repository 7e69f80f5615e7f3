// Issued reports: the body exactly as signed, its JWS, and one row per tree node for
// where-used (with the canonical parent, so a path can be rebuilt without the body).
import type Database from 'better-sqlite3';
import { normalizeName, parsePartKey } from '../domain/part-key.js';
import type { PathStep, TreeNode } from '../domain/walk.js';
import { stmt } from './statements.js';

export interface ReportRow {
  id: string;
  bomId: string;
  policyId: string;
  policyVersion: number;
  verdict: string;
  generatedAt: string;
  stale: boolean;
  createdAt: string;
}

interface Raw {
  id: string; bom_id: string; policy_id: string; policy_version: number; verdict: string; generated_at: string; stale: number; created_at: string;
}
const META = 'id, bom_id, policy_id, policy_version, verdict, generated_at, stale, created_at';
const toRow = (r: Raw): ReportRow => ({
  id: r.id, bomId: r.bom_id, policyId: r.policy_id, policyVersion: r.policy_version, verdict: r.verdict,
  generatedAt: r.generated_at, stale: r.stale === 1, createdAt: r.created_at,
});

/** The where-used rows of a report's tree nodes: key halves, canonical parent, display names. */
export type ReportPartRow = readonly [key: string, mfrNorm: string, pnNorm: string, via: string | null, manufacturer: string, partNumber: string, name: string | null];

export function reportParts(nodes: readonly TreeNode[]): ReportPartRow[] {
  return nodes.map((n) => {
    const halves = parsePartKey(n.key);
    return [n.key, halves?.manufacturer ?? normalizeName(n.manufacturer), halves?.partNumber ?? normalizeName(n.partNumber), n.via, n.manufacturer, n.partNumber, n.name];
  });
}

/** Stores a report; `body` is its UTF-8 text, stored as TEXT without another conversion. */
export function insertReport(db: Database.Database, row: ReportRow, body: Buffer, jws: string, parts: readonly ReportPartRow[]): void {
  stmt(db, `INSERT INTO reports (id, bom_id, policy_id, policy_version, verdict, generated_at, body, jws, stale, created_at)
    VALUES (?, ?, ?, ?, ?, ?, CAST(? AS TEXT), ?, 0, ?)`)
    .run(row.id, row.bomId, row.policyId, row.policyVersion, row.verdict, row.generatedAt, body, jws, row.createdAt);
  const ins = stmt(db, 'INSERT INTO report_parts (report_id, key, mfr_norm, pn_norm, via, manufacturer, part_number, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  for (const p of parts) ins.run(row.id, ...p);
}

export function getReport(db: Database.Database, id: string): (ReportRow & { body: string; jws: string }) | undefined {
  const r = stmt(db, `SELECT ${META}, body, jws FROM reports WHERE id = ?`).get(id) as (Raw & { body: string; jws: string }) | undefined;
  return r ? { ...toRow(r), body: r.body, jws: r.jws } : undefined;
}

export interface ReportFilter {
  bom?: string;
  verdict?: string;
  stale?: boolean;
  after?: string;
  limit: number;
}

export function listReports(db: Database.Database, f: ReportFilter): ReportRow[] {
  const where = ['id > @after'];
  const params: Record<string, unknown> = { after: f.after ?? '', limit: f.limit };
  if (f.bom !== undefined) {
    where.push('bom_id = @bom');
    params.bom = f.bom;
  }
  if (f.verdict !== undefined) {
    where.push('verdict = @verdict');
    params.verdict = f.verdict;
  }
  if (f.stale !== undefined) {
    where.push('stale = @stale');
    params.stale = f.stale ? 1 : 0;
  }
  return (stmt(db, `SELECT ${META} FROM reports WHERE ${where.join(' AND ')} ORDER BY id LIMIT @limit`).all(params) as Raw[]).map(toRow);
}

export interface ReportOccurrence {
  reportId: string;
  bomId: string;
  bomName: string;
  path: PathStep[];
}

/** Reports whose tree holds the part, with the canonical path rebuilt from `via` links. */
export function reportOccurrences(db: Database.Database, pnNorm: string, mfrNorms: readonly string[]): ReportOccurrence[] {
  if (mfrNorms.length === 0) return [];
  const rows = stmt(db, `SELECT p.report_id, p.key, r.bom_id, b.name AS bom_name, b.part_number, json_extract(b.bom, '$.manufacturer') AS bom_manufacturer
    FROM report_parts p JOIN reports r ON r.id = p.report_id JOIN boms b ON b.id = r.bom_id
    WHERE p.pn_norm = ? AND p.mfr_norm IN (${mfrNorms.map(() => '?').join(',')}) ORDER BY r.bom_id, p.report_id`)
    .all(pnNorm, ...mfrNorms) as { report_id: string; key: string; bom_id: string; bom_name: string; part_number: string | null; bom_manufacturer: string | null }[];
  const step = stmt(db, 'SELECT via, manufacturer, part_number, name FROM report_parts WHERE report_id = ? AND key = ?');
  return rows.map((r) => {
    const steps: PathStep[] = [];
    let key: string | null = r.key;
    for (let guard = 0; key !== null && guard < 1000; guard++) {
      const s = step.get(r.report_id, key) as { via: string | null; manufacturer: string; part_number: string; name: string | null } | undefined;
      if (!s) break;
      steps.push({ manufacturer: s.manufacturer, partNumber: s.part_number, name: s.name });
      key = s.via;
    }
    steps.push({ manufacturer: r.bom_manufacturer, partNumber: r.part_number, name: r.bom_name });
    return { reportId: r.report_id, bomId: r.bom_id, bomName: r.bom_name, path: steps.reverse() };
  });
}
