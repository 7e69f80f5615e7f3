// Reads under load: GET a stored (small) report and where-used over 10,000 stored BOMs,
// 64 connections from a second process (autocannon), against GET /healthz under the same load.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { insertBom } from '../src/db/boms.js';
import { openDeps } from '../src/service/bootstrap.js';
import { seedDemo } from '../src/service/seed-demo.js';
import { rng, startServer, BOOT, api } from './lib.js';

export interface LoadResult { rps: number; p50: number; p95: number; p97_5: number; p99: number; errors: number; non2xx: number }
export interface ReadsResult { healthz: LoadResult; report: LoadResult; whereUsed: LoadResult; boms: number; whereUsedBoms: number }

const HERE = import.meta.dirname;

function load(url: string, token: string, seconds: number): LoadResult {
  const out = execFileSync(process.execPath, [join(HERE, 'load-worker.js'), url, token, String(seconds)], { encoding: 'utf8' });
  return JSON.parse(out) as LoadResult;
}

export async function benchReads(seconds = 10, bomCount = 10_000): Promise<ReadsResult> {
  const dir = mkdtempSync(join(tmpdir(), 'nonred-bench-reads-'));
  const db = join(dir, 'nonred.db');
  // the demo programme (one small report), then 10,000 BOMs of 30 lines each, parts drawn
  // from a pool of 40,000, written straight to the store
  {
    const deps = await openDeps({ ...loadConfig({ NONRED_DB: db, NONRED_LOG: 'silent' }), bootstrapToken: BOOT });
    await seedDemo(deps);
    const store = deps.store;
    const rand = rng(10_000);
    const AT = '2026-11-01T00:00:00.000Z';
    store.sqlite.transaction(() => {
      for (let b = 0; b < bomCount; b++) {
        const items = Array.from({ length: 30 }, (_, i) => {
          const p = Math.floor(rand() * 40_000);
          return { id: String(i), parent: i < 5 ? null : String(Math.floor(rand() * 5)), manufacturer: `Maker ${p % 50}`, partNumber: `WU-${p}`, quantity: 1 };
        });
        const bom = { name: `Programme BOM ${b}`, partNumber: `PB-${b}`, revision: null, manufacturer: null, items };
        insertBom(store.sqlite, { id: `bom_read_${String(b).padStart(5, '0')}`, name: bom.name, partNumber: bom.partNumber, revision: null, sha256: 'sha256:bench', format: 'native', mediaType: 'application/json', nodes: 30, createdAt: AT, createdBy: 'bench' }, Buffer.from(JSON.stringify(bom)), bom);
      }
    })();
    store.close();
  }
  const server = await startServer(db);
  try {
    const token = (await api(server.url, 'POST', '/v1/tokens', { role: 'auditor' }, BOOT)).token as string;
    const reports = await api(server.url, 'GET', '/v1/reports', undefined, token);
    const reportId = (reports.items as { id: string }[])[0]!.id;
    const part = 'WU-1234';
    const wu = await api(server.url, 'GET', `/v1/parts/where-used?manufacturer=Maker%2034&partNumber=${part}`, undefined, token);
    const healthz = load(`${server.url}/healthz`, token, seconds);
    const report = load(`${server.url}/v1/reports/${reportId}`, token, seconds);
    const whereUsed = load(`${server.url}/v1/parts/where-used?manufacturer=Maker%2034&partNumber=${part}`, token, seconds);
    const r = { healthz, report, whereUsed, boms: bomCount, whereUsedBoms: (wu.items as unknown[]).length };
    console.log(`reads: healthz ${healthz.rps.toFixed(0)} req/s; report ${report.rps.toFixed(0)} req/s p99 ${report.p99} ms; where-used (${r.whereUsedBoms} of ${bomCount} BOMs) ${whereUsed.rps.toFixed(0)} req/s p95 ${whereUsed.p95.toFixed(1)} ms`);
    return r;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
