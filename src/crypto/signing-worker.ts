// The signing thread (see signing-thread.ts): signs a payload the main thread shares with
// it, and answers through shared memory, since the main thread waits for it in a
// synchronous transaction and cannot take a message then.
import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { ScratchBuffer } from '../scratch-buffer.js';
import { base64urlPieces, signDetachedEd25519 } from './detached-sign.js';
import { Ed25519TwoPass, expandKey } from './ed25519-two-pass.js';
import {
  ABANDONED, COMPLETE, DONE, FAILED, LENGTH_INDEX, OUT_OFFSET, PHASE_INDEX, READY_INDEX, SEQUENCE_INDEX, type SignJob,
} from './signing-thread.js';

const { jwk, control } = workerData as { jwk: JsonWebKey; control: SharedArrayBuffer };
const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
// (expanded once, at start: the curve's first multiplication also builds its tables)
const expanded = expandKey(Buffer.from(jwk.d!, 'base64url'));
const state = new Int32Array(control, 0, 6);
const out = new Uint8Array(control, OUT_OFFSET);
const scratch = new ScratchBuffer();
/** a stream that says nothing for this long was forgotten by its caller */
const STREAM_IDLE_MS = 60_000;

/**
 * Signs a payload as it is written (see SigningStream): each written part is encoded and
 * hashed for the nonce at once; once it is complete, the whole is encoded again for the
 * challenge. (Encoding twice costs less than keeping the signing input: 96 MB at 100,000
 * nodes, 280 MB at 300,000.)
 */
function signStream(job: SignJob): string {
  const head = `${job.protectedB64}.`;
  const signer = new Ed25519TwoPass(expanded);
  signer.update(head);
  const src = Buffer.from(job.buffer, job.offset, job.length);
  let encoded = 0;
  for (;;) {
    // (the sequence first: a change after this read ends the wait below at once)
    const seen = Atomics.load(state, SEQUENCE_INDEX);
    const phase = Atomics.load(state, PHASE_INDEX);
    const length = Atomics.load(state, LENGTH_INDEX);
    if (phase === ABANDONED) throw new Error('abandoned by its caller');
    if (length < encoded || length > job.length) throw new Error('the stream went back or past its buffer');
    // whole groups of 3 bytes while written, so that the pieces encode as the whole does
    const upto = phase === COMPLETE ? length : encoded + Math.floor((length - encoded) / 3) * 3;
    if (upto > encoded) {
      for (const piece of base64urlPieces(src, encoded, upto)) signer.update(piece);
      encoded = upto;
      continue;
    }
    if (phase === COMPLETE) break;
    if (Atomics.wait(state, SEQUENCE_INDEX, seen, STREAM_IDLE_MS) === 'timed-out') throw new Error('the stream was not completed');
  }
  function* again(): Generator<string> {
    yield head;
    yield* base64urlPieces(src, 0, encoded);
  }
  return Buffer.from(signer.sign(again())).toString('base64url');
}

parentPort!.on('message', (job: SignJob) => {
  let result: number;
  try {
    const sig = job.stream ? signStream(job) : signDetachedEd25519(privateKey, job.protectedB64, new Uint8Array(job.buffer, job.offset, job.length), scratch);
    const n = Buffer.from(out.buffer, out.byteOffset, out.byteLength).write(sig, 0, 'latin1');
    state[1] = n;
    result = DONE;
  } catch (e) {
    const n = Buffer.from(out.buffer, out.byteOffset, out.byteLength).write(e instanceof Error ? e.message : String(e), 0, 'utf8');
    state[1] = n;
    result = FAILED;
  }
  Atomics.store(state, 0, result);
  Atomics.notify(state, 0);
});

Atomics.store(state, READY_INDEX, 1);
