// Where intake's per-line checks run. Inline (on the calling thread) for tests and the
// CLI; in the server, a pool of worker threads, one per core by default
// (NONRED_VERIFY_WORKERS). A batch is cut into chunks that the workers pull as they free
// up (each holds at most IN_FLIGHT); the signatures themselves are checked on libuv's
// thread pool either way.
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

/**
 * Chunks a worker holds at once: the two it checks (verify-worker.ts) and one waiting, so
 * it never waits for the next while its last signatures are out. Posting a whole batch at
 * once instead parked its chunks, deserialized, in the workers' heaps, where every scavenge
 * copied them again: in three interleaved pairs of intake benchmark runs this bound gave a
 * ratio of 0.57–0.58 against 0.54–0.57, and 5.3–5.9 page faults per declaration against
 * 6.3–6.9.
 */
const IN_FLIGHT = 3;

/**
 * A verify worker's young generation, in MB. Checking a line makes a few dozen short-lived
 * objects and buffers (decoded segments, the parsed payload, zod's copy of it, the walk
 * record); a young generation larger than V8's default lets more of them die there instead
 * of being promoted and marked later. In three interleaved pairs of intake benchmark runs it
 * gave 2,379–2,475 declarations/s against 2,140–2,424 without, with less server CPU per
 * declaration, for at most this much more memory per busy worker.
 */
const YOUNG_GENERATION_MB = 64;

/** The compiled worker: the pool runs from dist/ (tests build it before they run). */
export const WORKER_FILE = projectPath('dist', 'service', 'verify-worker.js');

export interface VerifyPool extends LineChecker {
  /** worker threads running, and chunks they have been sent */
  stats(): { workers: number; chunks: number };
}

export function verifyPool(size = availableParallelism(), file = WORKER_FILE): VerifyPool {
  if (size < 1) return { ...inlineChecker, stats: () => ({ workers: 0, chunks: 0 }) };
  const pending = new Map<number, { worker: number; resolve: (r: CheckedLine[]) => void; reject: (e: Error) => void }>();
  // Chunks not yet posted, oldest first: a worker holds at most IN_FLIGHT at a time, so a
  // batch's lines wait here, as the strings this thread already has, and not deserialized
  // in a worker's heap, where every scavenge until their turn would copy them again.
  const queued: { id: number; msg: CheckRequest }[] = [];
  let busy: number[] = [];
  let nextId = 0;
  let workers: Worker[] | null = null;
  // A worker that fails or exits fails what was pending or queued (nothing of it was
  // stored): the set is dropped and the next check starts a fresh one.
  const fail = (set: Worker[], e: Error) => {
    if (workers !== set) return; // an old set, or one being closed
    workers = null;
    queued.length = 0;
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(e);
    }
    for (const w of set) void w.terminate();
  };
  // Each queued chunk goes to the least busy worker with room.
  const dispatch = (set: Worker[]) => {
    while (queued.length > 0) {
      let w = -1;
      for (let i = 0; i < set.length; i++) if (busy[i]! < IN_FLIGHT && (w === -1 || busy[i]! < busy[w]!)) w = i;
      if (w === -1) return;
      const { id, msg } = queued.shift()!;
      pending.get(id)!.worker = w;
      busy[w]!++;
      set[w]!.postMessage(msg);
    }
  };
  // Started on first use: a server that takes no declarations never pays for them.
  const start = (): Worker[] => {
    const set: Worker[] = [];
    busy = new Array<number>(size).fill(0);
    for (let i = 0; i < size; i++) {
      const w = new Worker(file, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
      w.on('message', (m: { id: number; results?: CheckedLine[]; error?: string }) => {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        busy[p.worker]!--;
        dispatch(set);
        if (pending.size === 0) for (const x of set) x.unref();
        if (m.results) p.resolve(m.results);
        else p.reject(new Error(`verify worker failed: ${m.error}`));
      });
      w.on('error', (e) => fail(set, e));
      w.on('exit', (code) => fail(set, new Error(`verify worker exited with code ${code}`)));
      w.unref();
      set.push(w);
    }
    return set;
  };
  const send = (lines: SubmittedLine[], keys: [string, KeyInfo][], nowMs: number) =>
    new Promise<CheckedLine[]>((resolve, reject) => {
      const set = (workers ??= start());
      // idle workers must not keep the process alive; busy ones must, or an await on them
      // (seeding the demo before the server listens) would find an empty event loop
      if (pending.size === 0) for (const x of set) x.ref();
      const id = nextId++;
      pending.set(id, { worker: -1, resolve, reject });
      queued.push({ id, msg: { id, lines, keys, nowMs } });
      dispatch(set);
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
      queued.length = 0;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new Error('verify pool closed'));
      }
      await Promise.all(ws.map((w) => w.terminate()));
    },
  };
}
