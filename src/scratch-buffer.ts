// A large buffer kept between uses. Signing and serialising a 100,000-node report each need
// about 70–95 MB; a fresh allocation of that size is new memory the kernel must map page by
// page (on the machines measured in bench/, about 3 ms per MB), while memory used before
// costs nothing more. So the largest buffer is kept for the next use, and let go after a
// quiet minute: a burst of verifications shares it, an idle service gives it back.

const IDLE_MS = 60_000;

export class ScratchBuffer {
  #spare: Buffer | null = null;
  #timer: NodeJS.Timeout | null = null;
  readonly #shared: boolean;

  /** `shared`: in shared memory, so that a worker thread can read it without a copy. */
  constructor(opts: { shared?: boolean } = {}) {
    this.#shared = opts.shared === true;
  }

  /** A new buffer of exactly `size` bytes, of the kind this one keeps. */
  allocate(size: number): Buffer {
    return this.#shared ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.allocUnsafeSlow(size);
  }

  /** A buffer of at least `size` bytes, with arbitrary contents; give it back when done. */
  take(size: number): Buffer {
    const spare = this.#spare;
    if (spare !== null && spare.length >= size) {
      this.#spare = null;
      return spare;
    }
    return this.allocate(size);
  }

  /** Keeps `buf` for the next take, if it is larger than the one kept. */
  give(buf: Uint8Array): void {
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    if (this.#spare !== null && this.#spare.length >= b.length) return;
    this.#spare = b;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#spare = null;
      this.#timer = null;
    }, IDLE_MS);
    this.#timer.unref();
  }
}
