// The evidence reader: the walk's lookups by part number run on a thread of their own.
//
// At 100,000 nodes the walk reads 100,000 walk records in 400 queries, about 200 ms of
// SQLite on the main thread, with the main thread's own work on each answer (reading the
// records, placing them on their nodes) about as long again. Here a worker thread with a
// read-only connection runs a frontier's queries one after another while the main thread
// reads the answers as they come: the two overlap, on the machine's second core.
//
// The walk is synchronous, so the answers are taken synchronously: the thread posts each on
// a MessagePort and bumps a shared counter, and the main thread sleeps on the counter
// (Atomics.wait) until the next answer is there. If the thread fails, or does not answer
// in time, the walk asks its own connection instead: the reader only ever makes it faster.
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { projectPath } from '../paths.js';

/** The compiled worker: the server runs from dist/ (tests build it before they run). */
export const EVIDENCE_READER_FILE = projectPath('dist', 'db', 'evidence-reader-worker.js');
const ANSWER_WITHIN_MS = 5_000;

export interface ReaderAnswer {
  /** the framed walk records (see dbEvidence), null when nothing matched */
  blob: Buffer | null;
  /** [id, json] of origins the records use that this session has not been sent before */
  origins: [number, string][];
}

export interface ReaderSession {
  /** The answer to the next list asked for, waiting for it; null: ask the main connection. */
  next(): ReaderAnswer | null;
}

export interface EvidenceReader {
  /**
   * Starts the lookups by part number of each list, in order. A session is one walk: the
   * origins it has been sent are not sent again (see ReaderAnswer). Null when the reader
   * is not available.
   */
  ask(chunks: readonly (readonly string[])[], session: object): ReaderSession | null;
  /** answers taken so far (for tests and the bench) */
  readonly answered: number;
  close(): void;
}

type Message =
  | { ask: number; index: number; blob: Uint8Array | null; origins: [number, string][] }
  | { ask: number; index: number; error: string }
  | { fatal: string };

export function startEvidenceReader(path: string, onError: (message: string) => void,
  opts: { file?: string; answerWithinMs?: number } = {}): EvidenceReader {
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  // (a small young generation: the thread's garbage is a few query parameters at a time,
  // and the blobs it reads leave with their answers)
  const worker = new Worker(opts.file ?? EVIDENCE_READER_FILE, {
    workerData: { path, port: port2, signal }, transferList: [port2], resourceLimits: { maxYoungGenerationSizeMb: 4 },
  });
  worker.unref();
  port1.unref();
  const within = opts.answerWithinMs ?? ANSWER_WITHIN_MS;
  let usable = true;
  let answered = 0;
  const fail = (message: string) => {
    if (!usable) return;
    usable = false;
    onError(message);
    void worker.terminate();
  };
  worker.on('error', (e) => fail(`evidence reader failed: ${e.message}`));
  worker.on('exit', (code) => fail(`evidence reader exited (${code})`));
  const sessions = new WeakMap<object, number>();
  let sessionCount = 0;
  let asks = 0;
  return {
    get answered() {
      return answered;
    },
    ask(chunks, key) {
      if (!usable || chunks.length === 0) return null;
      let session = sessions.get(key);
      if (session === undefined) sessions.set(key, (session = ++sessionCount));
      const mine = ++asks;
      // (answers still on the way for an earlier ask are passed over below)
      port1.postMessage({ session, ask: mine, chunks });
      let index = 0;
      const take = (): ReaderAnswer | null => {
        while (usable) {
          // the counter first: an answer posted after this read wakes the wait at once
          const seen = Atomics.load(signal, 0);
          const got = receiveMessageOnPort(port1) as { message: Message } | undefined;
          if (got !== undefined) {
            const m = got.message;
            if ('fatal' in m) {
              fail(`evidence reader could not start: ${m.fatal}`);
              return null;
            }
            if (m.ask !== mine || m.index !== index) continue;
            if ('error' in m) {
              onError(`evidence reader: ${m.error}`);
              return null;
            }
            answered++;
            const b = m.blob;
            return { blob: b === null ? null : Buffer.from(b.buffer, b.byteOffset, b.byteLength), origins: m.origins };
          }
          if (Atomics.wait(signal, 0, seen, within) === 'timed-out') fail(`evidence reader did not answer within ${within} ms`);
        }
        return null;
      };
      return {
        next: () => {
          const answer = take();
          // whatever happened, the next call is for the next list
          index++;
          return answer;
        },
      };
    },
    close() {
      usable = false;
      void worker.terminate();
      port1.close();
    },
  };
}
