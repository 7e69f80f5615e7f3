// V8's heap growth, bounded while a verification runs.
//
// A 100,000-node verification leaves about 100 MB of the walk's objects behind it, and V8
// lets the heap grow well past what is live before it collects them (up to 4×): back-to-
// back verifications then hold the last one's garbage beside the current one's work. A
// heap that grows by 25% between full collections keeps the service's peak memory near one
// verification's. A tighter bound is false economy: most of what a walk allocates stays
// live until its report is out, so each extra full collection marks it all and frees
// little. At 300,000 nodes, 10% meant about eight collections per verification with pauses
// of 0.3–0.8 s (the evidence reader keeps the second core busy, so marking is mostly not
// concurrent); 25% took 2–3 s off a 9–12 s verification for 15–40 MB more peak memory, and
// made no measurable difference at 100,000 nodes. Everything else (intake above all: many
// short-lived objects on several threads) runs faster with V8's own growth, which collects
// less often, so the bound is on only while a verification is in progress. The flag is
// process-wide and read at every collection, so setting it at run time works.
import { setFlagsFromString } from 'node:v8';

let enabled = false;
let running = 0;
const BOUNDED = '--heap-growing-percent=25';
// 0 is V8's default: its own growth factor
const DEFAULT = '--heap-growing-percent=0';

/** Turns the bound on for this process (the server does; tests and the CLI do not). */
export function enableBoundedHeapGrowth(): void {
  enabled = true;
}

/** Bounds heap growth until the returned function is called (once is enough; more are ignored). */
export function boundHeapGrowth(): () => void {
  if (!enabled) return () => {};
  if (running++ === 0) setFlagsFromString(BOUNDED);
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    if (--running === 0) setFlagsFromString(DEFAULT);
  };
}

/** Verifications in progress (for tests). */
export function boundedVerifications(): number {
  return running;
}
