// A report's where-used rows are written after the report, in slices: a where-used query
// never misses them, closing writes what is queued, and a stop before that is made good at
// the next start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../src/db/open.js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDeps } from '../../src/service/bootstrap.js';
import { flushReportParts, partsFromTree, queueReportParts, reportBody } from '../../src/db/reports.js';
import { boundedVerifications, enableBoundedHeapGrowth } from '../../src/heap-growth.js';
import type { TreeNode, WalkPart } from '../../src/domain/walk.js';
import { seedDemo } from '../../src/service/seed-demo.js';
import { makeCtx } from '../helpers/app.js';
import { databaseBefore } from '../helpers/old-migrations.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function demoDeps(file: string) {
  return openDeps({ ...loadConfig({ NONRED_DB: file, NONRED_LOG: 'silent', NONRED_DEMO: '0' }), bootstrapToken: 'report-index-test-token-0123456789' });
}

/** Takes a report's where-used rows out and queues them again, as issueReport leaves them. */
function requeue(db: Database.Database, reportId: string): number {
  flushReportParts(db);
  const parts = partsFromTree((JSON.parse(reportBody(db, reportId)!) as { tree: { nodes: TreeNode[] } }).tree.nodes);
  db.prepare('DELETE FROM report_parts WHERE report_id = ?').run(reportId);
  db.prepare('UPDATE reports SET parts_indexed = 0 WHERE id = ?').run(reportId);
  queueReportParts(db, reportId, parts, (e) => {
    throw e;
  });
  return parts.length;
}

/** A database file with the demo programme and its report. */
async function seededFile() {
  const dir = mkdtempSync(join(tmpdir(), 'nonred-index-'));
  dirs.push(dir);
  const file = join(dir, 'db.sqlite');
  const deps = await demoDeps(file);
  const { reportId } = await seedDemo(deps);
  return { file, deps, reportId };
}

function state(db: Database.Database, id: string) {
  const nodes = (JSON.parse(reportBody(db, id)!) as { tree: { nodes: unknown[] } }).tree.nodes.length;
  const rows = (db.prepare('SELECT count(*) AS n FROM report_parts WHERE report_id = ?').get(id) as { n: number }).n;
  const indexed = (db.prepare('SELECT parts_indexed AS f FROM reports WHERE id = ?').get(id) as { f: number }).f;
  return { nodes, rows, indexed };
}

describe('where-used rows of reports', () => {
  it('still queued are written when the store closes', async () => {
    const { file, deps, reportId } = await seededFile();
    const db = deps.store.sqlite;
    const parts = requeue(db, reportId);
    deps.store.close(); // in the same turn: the background slices have not run
    const raw = new Database(file, { readonly: true });
    expect(state(raw, reportId)).toEqual({ nodes: parts, rows: parts, indexed: 1 });
    raw.close();
  });

  it('still queued are written before a where-used query answers', async () => {
    const ctx = await makeCtx();
    const { reportId } = await seedDemo(ctx.deps);
    const db = ctx.deps.store.sqlite;
    requeue(db, reportId);
    const res = ctx.req('GET', '/v1/parts/where-used?manufacturer=Lotus%20Chips&partNumber=LC-9'); // started in this turn
    expect(state(db, reportId).indexed).toBe(0);
    const r = await res;
    expect(r.status, await r.clone().text()).toBe(200);
    expect(state(db, reportId).indexed).toBe(1);
  });

  it('are written in the order of the where-used index (part number, then manufacturer), not key order', async () => {
    const { deps, reportId } = await seededFile();
    const db = deps.store.sqlite;
    const inserted = () => db.prepare('SELECT pn_norm AS pn, mfr_norm AS mfr, key FROM report_parts WHERE report_id = ? ORDER BY rowid').all(reportId) as { pn: string; mfr: string; key: string }[];
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const indexOrder = (rows: { pn: string; mfr: string; key: string }[]) => [...rows].sort((a, b) => cmp(a.pn, b.pn) || cmp(a.mfr, b.mfr) || cmp(a.key, b.key));
    const n = requeue(db, reportId);
    flushReportParts(db, 3); // a slice first, then the rest: the order holds across slices
    flushReportParts(db);
    const rows = inserted();
    expect(rows).toHaveLength(n);
    expect(rows).toEqual(indexOrder(rows));
    // (the demo's key order differs, or this would not test anything)
    expect(rows.map((r) => r.key)).not.toEqual(rows.map((r) => r.key).sort(cmp));
    deps.store.close();
  });

  it('are written with heap growth bounded, as a verification is', async () => {
    const { deps, reportId } = await seededFile();
    const db = deps.store.sqlite;
    flushReportParts(db);
    const queued = partsFromTree((JSON.parse(reportBody(db, reportId)!) as { tree: { nodes: TreeNode[] } }).tree.nodes);
    db.prepare('DELETE FROM report_parts WHERE report_id = ?').run(reportId);
    // each row read while it is written says whether the bound was on
    const seen: number[] = [];
    const watched = queued.map((p) => new Proxy(p, { get: (t, k) => (k === 'shownJson' && seen.push(boundedVerifications()), t[k as keyof WalkPart]) }));
    enableBoundedHeapGrowth();
    queueReportParts(db, reportId, watched, (e) => {
      throw e;
    });
    expect(boundedVerifications()).toBe(0);
    flushReportParts(db);
    expect(seen.length).toBe(queued.length);
    expect(new Set(seen)).toEqual(new Set([1]));
    expect(boundedVerifications()).toBe(0);
    deps.store.close();
  });

  it('cut short by a stop are written again from the body at the next start', async () => {
    const { file, deps, reportId } = await seededFile();
    const db = deps.store.sqlite;
    // as if the process had stopped half-way through the slices
    const keep = (db.prepare('SELECT count(*) AS n FROM report_parts WHERE report_id = ?').get(reportId) as { n: number }).n;
    db.prepare('DELETE FROM report_parts WHERE report_id = ? AND rowid IN (SELECT rowid FROM report_parts WHERE report_id = ? LIMIT ?)').run(reportId, reportId, Math.floor(keep / 2));
    db.prepare('UPDATE reports SET parts_indexed = 0 WHERE id = ?').run(reportId);
    db.close(); // not store.close(): nothing queued is written
    const again = await demoDeps(file);
    const s = state(again.store.sqlite, reportId);
    expect(s).toEqual({ nodes: s.nodes, rows: s.nodes, indexed: 1 });
    const pns = (again.store.sqlite.prepare('SELECT pn_norm FROM report_parts WHERE report_id = ? ORDER BY rowid').pluck().all(reportId) as string[]);
    expect(pns).toEqual([...pns].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    again.store.close();
  });
});

describe('migration 0006 (report bodies)', () => {
  it('keeps the body of a report stored before bodies were kept in pieces', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nonred-mig7-'));
    dirs.push(dir);
    const { file, sqlite } = databaseBefore('0006', dir);
    const body = JSON.stringify({ id: 'rpt_old', name: 'Qüad', tree: { nodes: [] }, pad: 'x'.repeat(100_000) });
    sqlite.pragma('foreign_keys = OFF');
    sqlite.prepare(`INSERT INTO reports (id, bom_id, policy_id, policy_version, verdict, generated_at, body, jws, stale, created_at, parts_indexed)
      VALUES ('rpt_old', 'bom_x', 'non-red', 1, 'pass', '2026-11-01T00:00:00Z', ?, 'h..s', 0, '2026-11-01T00:00:00Z', 1)`).run(body);
    sqlite.close();
    const store = openStore(file);
    try {
      expect(reportBody(store.sqlite, 'rpt_old')).toBe(body);
    } finally {
      store.close();
    }
  });
});
