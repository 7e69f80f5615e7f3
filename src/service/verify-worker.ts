// A verify worker: runs checkLines (line-check.ts) on the lines the pool sends it, so the
// JSON parsing, schema checks and the rest of the per-line work leave the main thread,
// which keeps the database, the audit log and HTTP. See verify-pool.ts.
import { parentPort } from 'node:worker_threads';
import { checkLines, type KeyInfo, type SubmittedLine } from './line-check.js';

export interface CheckRequest {
  id: number;
  lines: SubmittedLine[];
  keys: [string, KeyInfo][];
  nowMs: number;
}

parentPort!.on('message', (req: CheckRequest) => {
  checkLines(req.lines, new Map(req.keys), req.nowMs).then(
    (results) => parentPort!.postMessage({ id: req.id, results }),
    (e: unknown) => parentPort!.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
