// The signing thread (see signing-thread.ts): signs a payload the main thread shares with
// it, and answers through shared memory, since the main thread waits for it in a
// synchronous transaction and cannot take a message then.
import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { ScratchBuffer } from '../scratch-buffer.js';
import { signDetachedEd25519 } from './detached-sign.js';
import { DONE, FAILED, OUT_OFFSET, READY_INDEX, type SignJob } from './signing-thread.js';

const { jwk, control } = workerData as { jwk: JsonWebKey; control: SharedArrayBuffer };
const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
const state = new Int32Array(control, 0, 3);
const out = new Uint8Array(control, OUT_OFFSET);
const scratch = new ScratchBuffer();

parentPort!.on('message', (job: SignJob) => {
  let result: number;
  try {
    const sig = signDetachedEd25519(privateKey, job.protectedB64, new Uint8Array(job.buffer, job.offset, job.length), scratch);
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
