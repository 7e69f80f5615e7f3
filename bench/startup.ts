// Start-up: from `npm start` to the first 200 on /healthz, with a database of about 1 GB,
// against the same with an empty database.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/db/open.js';
import { insertBom } from '../src/db/boms.js';
import { ROOT } from './lib.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function timeToFirst200(db: string): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...process.env, NONRED_DB: db, NONRED_PORT: String(port), NONRED_DEMO: '0', NONRED_LOG: 'silent' }, stdio: 'ignore' });
  try {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.status === 200) return performance.now() - t0;
      } catch {
        // not listening yet
      }
      if (performance.now() - t0 > 60_000) throw new Error('no 200 within 60 s');
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
  }
}

export interface StartupResult { emptyMs: number; bigMs: number; dbBytes: number }

export async function benchStartup(targetBytes = 1024 ** 3): Promise<StartupResult> {
  const dir = mkdtempSync(join(tmpdir(), 'nonred-bench-start-'));
  try {
    const empty = join(dir, 'empty.db');
    const big = join(dir, 'big.db');
    openStore(empty).close();
    // uploaded BOM files are most of a programme's bytes: 1 MiB each until the file is ~1 GB
    const store = openStore(big);
    const count = Math.ceil(targetBytes / (1024 * 1024));
    const AT = '2026-11-01T00:00:00.000Z';
    for (let b = 0; b < count; b += 50) {
      store.sqlite.transaction(() => {
        for (let k = b; k < Math.min(count, b + 50); k++) {
          const bom = { name: `Large BOM ${k}`, partNumber: `L-${k}`, revision: null, manufacturer: null, items: [{ id: '1', parent: null, manufacturer: 'Maker', partNumber: `X-${k}`, quantity: 1 }] };
          insertBom(store.sqlite, { id: `bom_big_${k}`, name: bom.name, partNumber: bom.partNumber, revision: null, sha256: 'sha256:bench', format: 'native', mediaType: 'application/json', nodes: 1, createdAt: AT, createdBy: 'bench' }, randomBytes(1024 * 1024), bom);
        }
      })();
    }
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    const dbBytes = statSync(big).size;
    await timeToFirst200(empty); // warm the file cache for node and the modules
    const emptyMs = await timeToFirst200(empty);
    const bigMs = await timeToFirst200(big);
    console.log(`start-up: ${bigMs.toFixed(0)} ms to the first 200 with ${(dbBytes / 2 ** 30).toFixed(2)} GiB; ${emptyMs.toFixed(0)} ms with an empty database`);
    return { emptyMs, bigMs, dbBytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
