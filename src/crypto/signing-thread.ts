// Signs large payloads on a worker thread while the main thread does something else with
// them: the service stores a report's body (about 70 MB at 100,000 nodes) while its
// signature is computed, inside one write transaction. The main thread hands the payload
// over as shared memory (no copy), runs its own work, then waits for the answer with
// Atomics.wait — it is inside a synchronous transaction and cannot take a message. Should
// the thread be unavailable or fail, the payload is signed on the calling thread instead.
import type { JsonWebKey } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { projectPath } from '../paths.js';

/** The compiled worker: the server runs from dist/ (tests build it before they run). */
export const SIGNING_WORKER_FILE = projectPath('dist', 'crypto', 'signing-worker.js');

export interface SignJob {
  protectedB64: string;
  buffer: SharedArrayBuffer;
  offset: number;
  /** the payload's length; for a stream, the most it can grow to */
  length: number;
  /** a stream: the payload is still being written (see SigningStream) */
  stream: boolean;
}

// control block: [state, length of the answer, ready, stream phase, stream length, stream
// sequence], then the answer (signature or error)
const IDLE = 0;
const WORKING = 1;
export const DONE = 2;
export const FAILED = 3;
export const READY_INDEX = 2;
/** a stream's phase: still written, complete, or given up by the caller */
export const PHASE_INDEX = 3;
export const WRITTEN = 0;
export const COMPLETE = 1;
export const ABANDONED = 2;
/** how many of the stream's bytes are written (final) */
export const LENGTH_INDEX = 4;
/** bumped at each change of the two above, so that a waiting thread never misses one */
export const SEQUENCE_INDEX = 5;
export const OUT_OFFSET = 32;
const CONTROL_BYTES = OUT_OFFSET + 1024;
/**
 * How long to wait for an answer: far more than signing takes (about 4 ms per MB here),
 * for a thread that died mid-way, which a thread blocked in Atomics.wait cannot hear of.
 * The payload is then signed here.
 */
const waitMs = (bytes: number) => 5_000 + bytes / 20_000;

/**
 * A payload signed while it is written (see ed25519-two-pass.ts): the thread hashes each
 * part as it is declared written, and the rest once it is complete.
 */
export interface SigningStream {
  /** The payload's first `length` bytes are written and will not change. */
  advance(length: number): void;
  /** The payload is complete at `length` bytes: the thread finishes (wait with finish()). */
  complete(length: number): void;
  /** The payload will not be completed: the thread stops, and is free again at return. */
  abandon(): void;
}

export interface SigningThread {
  /** true once the thread has started and can take work */
  readonly ready: boolean;
  /** Starts signing; false when this payload or the thread cannot (then sign inline). */
  start(protectedB64: string, payload: Uint8Array): boolean;
  /**
   * Starts signing a payload that is still being written into `buffer` (shared memory,
   * not to be replaced while written); null when the thread cannot.
   */
  stream(protectedB64: string, buffer: Uint8Array): SigningStream | null;
  /** The base64url signature of what start() or a completed stream began; throws if the thread failed. */
  finish(): string;
  close(): void;
}

export function signingThread(privateJwk: JsonWebKey, file = SIGNING_WORKER_FILE): SigningThread {
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const state = new Int32Array(control, 0, 6);
  const out = Buffer.from(control, OUT_OFFSET);
  let broken = false;
  let pending = 0;
  // Started at once, used once it says it is ready: until then (and if it never is),
  // payloads are signed on the calling thread, which never waits for a thread to load.
  let worker: Worker | null = null;
  try {
    worker = new Worker(file, { workerData: { jwk: privateJwk, control } });
    worker.unref();
    // a thread that fails is not used again
    const fail = () => {
      broken = true;
      worker = null;
    };
    worker.on('error', fail);
    worker.on('exit', fail);
  } catch {
    broken = true;
  }
  const post = (ready: boolean, protectedB64: string, payload: Uint8Array, stream: boolean): boolean => {
    if (!ready || !(payload.buffer instanceof SharedArrayBuffer) || Atomics.load(state, 0) !== IDLE) return false;
    pending = payload.byteLength;
    Atomics.store(state, PHASE_INDEX, WRITTEN);
    Atomics.store(state, LENGTH_INDEX, 0);
    Atomics.store(state, 0, WORKING);
    const job: SignJob = { protectedB64, buffer: payload.buffer, offset: payload.byteOffset, length: payload.byteLength, stream };
    worker!.postMessage(job);
    return true;
  };
  return {
    get ready() {
      return !broken && worker !== null && Atomics.load(state, READY_INDEX) === 1;
    },
    start(protectedB64, payload) {
      return post(this.ready, protectedB64, payload, false);
    },
    stream(protectedB64, buffer) {
      if (!post(this.ready, protectedB64, buffer, true)) return null;
      let open = true;
      const say = (phase: number, length: number) => {
        Atomics.store(state, LENGTH_INDEX, length);
        Atomics.store(state, PHASE_INDEX, phase);
        Atomics.add(state, SEQUENCE_INDEX, 1);
        Atomics.notify(state, SEQUENCE_INDEX);
      };
      return {
        advance(length) {
          if (open) say(WRITTEN, length);
        },
        complete(length) {
          if (!open) throw new Error('the stream is already complete or abandoned');
          open = false;
          pending = length;
          say(COMPLETE, length);
        },
        abandon() {
          if (!open) return;
          open = false;
          say(ABANDONED, Atomics.load(state, LENGTH_INDEX));
          // the thread answers at once; then it is free for the next job
          if (Atomics.wait(state, 0, WORKING, waitMs(0)) === 'timed-out') {
            broken = true;
            void worker?.terminate();
            worker = null;
          }
          Atomics.store(state, 0, IDLE);
        },
      };
    },
    finish() {
      // (a thread that dies while waited for cannot post 'exit' to this blocked thread:
      // the timeout is what ends the wait then)
      if (Atomics.wait(state, 0, WORKING, waitMs(pending)) === 'timed-out') {
        broken = true;
        void worker?.terminate();
        worker = null;
        Atomics.store(state, 0, IDLE);
        throw new Error('the signing thread did not answer');
      }
      const result = Atomics.load(state, 0);
      const text = out.toString(result === DONE ? 'latin1' : 'utf8', 0, state[1]);
      Atomics.store(state, 0, IDLE);
      if (result !== DONE) throw new Error(`signing thread: ${text}`);
      return text;
    },
    close() {
      broken = true;
      void worker?.terminate();
      worker = null;
    },
  };
}
