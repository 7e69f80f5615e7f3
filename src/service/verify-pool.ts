// Where intake's per-line checks run. Inline (on the calling thread) for tests and the
// CLI; in the server, a pool of worker threads, one per core by default
// (NONRED_VERIFY_WORKERS). A batch is cut into chunks spread over the workers; the
// signatures themselves are checked on libuv's thread pool either way.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { projectPath } from '../paths.js';
import { checkLines, type CheckedLine, type KeyInfo, type SubmittedLine } from './line-check.js';
import type { CheckRequest } from './verify-worker.js';

export interface LineChecker {
  check(lines: readonly SubmittedLine[], keys: ReadonlyMap<string, KeyInfo>, nowMs: number): Promise<CheckedLine[]>;
  close(): Promise<void>;
}

export const inlineChecker: LineChecker = {
  check: checkLines,
  close: async () => {},
};

/** Lines per message: large enough that posting costs little, small enough to spread a batch. */
const CHUNK = 50;

/** The compiled worker: the pool runs from dist/ (tests build it before they run). */
export const WORKER_FILE = projectPath('dist', 'service', 'verify-worker.js');

export interface VerifyPool extends LineChecker {
  /** worker threads running, and chunks they have been sent */
  stats(): { workers: number; chunks: number };
}

export function verifyPool(size = availableParallelism()): VerifyPool {
  if (size < 1) return { ...inlineChecker, stats: () => ({ workers: 0, chunks: 0 }) };
  const pending = new Map<number, { resolve: (r: CheckedLine[]) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let turn = 0;
  let workers: Worker[] | null = null;
  // Started on first use: a server that takes no declarations never pays for them.
  const start = (): Worker[] => Array.from({ length: size }, () => {
    const w = new Worker(WORKER_FILE);
    w.on('message', (m: { id: number; results?: CheckedLine[]; error?: string }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (pending.size === 0) for (const x of workers ?? []) x.unref();
      if (m.results) p.resolve(m.results);
      else p.reject(new Error(`verify worker failed: ${m.error}`));
    });
    w.on('error', (e) => {
      // a worker that dies fails what was pending (nothing of it was stored); start afresh
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(e);
      }
      if (workers) for (const other of workers) void other.terminate();
      workers = null;
    });
    w.unref();
    return w;
  });
  const send = (lines: SubmittedLine[], keys: [string, KeyInfo][], nowMs: number) =>
    new Promise<CheckedLine[]>((resolve, reject) => {
      workers ??= start();
      // idle workers must not keep the process alive; busy ones must, or an await on them
      // (seeding the demo before the server listens) would find an empty event loop
      if (pending.size === 0) for (const x of workers) x.ref();
      const id = nextId++;
      pending.set(id, { resolve, reject });
      const msg: CheckRequest = { id, lines, keys, nowMs };
      workers[turn++ % workers.length]!.postMessage(msg);
    });
  return {
    async check(lines, keys, nowMs) {
      const keyList = [...keys];
      const parts: Promise<CheckedLine[]>[] = [];
      for (let i = 0; i < lines.length; i += CHUNK) parts.push(send(lines.slice(i, i + CHUNK), keyList, nowMs));
      return (await Promise.all(parts)).flat();
    },
    stats: () => ({ workers: workers?.length ?? 0, chunks: nextId }),
    async close() {
      const ws = workers ?? [];
      workers = null;
      await Promise.all(ws.map((w) => w.terminate()));
    },
  };
}
