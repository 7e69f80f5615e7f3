// Walk benchmark driver: builds each graph in a child process, then measures it in a fresh one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WalkResult {
  size: number;
  nodes: number;
  reachable: number;
  verdict: string;
  findings: number;
  walkMs: number;
  /** writing the report's where-used rows, which the service does after answering */
  indexMs: number;
  cteMs: number;
  peakRssMb: number;
  reportBytes: number;
}

const HERE = import.meta.dirname;

export function benchWalk(size: number): WalkResult {
  const dir = mkdtempSync(join(tmpdir(), 'nonred-bench-walk-'));
  try {
    const db = join(dir, 'walk.db');
    const setup = JSON.parse(execFileSync(process.execPath, [join(HERE, 'walk-setup.js'), db, String(size)], { encoding: 'utf8', maxBuffer: 1 << 24 })) as { bomId: string };
    const out = execFileSync(process.execPath, ['--max-old-space-size=4096', join(HERE, 'walk-run.js'), db, setup.bomId], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const r = JSON.parse(out.trim().split('\n').pop()!) as Omit<WalkResult, 'size'>;
    console.log(`walk ${size}: ${r.walkMs.toFixed(0)} ms (CTE ${r.cteMs.toFixed(1)} ms, ×${(r.walkMs / r.cteMs).toFixed(1)}), peak RSS ${r.peakRssMb.toFixed(0)} MB, ${r.nodes} nodes, verdict ${r.verdict}`);
    return { size, ...r };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
