// Writes JSON text as UTF-8 straight into a byte buffer. A 100,000-node report is about
// 70 MB: built as objects, serialised to one string and encoded, it passes through memory
// three times; written piece by piece into one buffer (reused between reports by the
// service), it passes once. The output is exactly what JSON.stringify gives for the same
// values, which the tests hold it to.

/** `buf` as a Buffer over the same memory (itself when it is one). */
function asBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

export class JsonWriter {
  #buf: Uint8Array;
  /**
   * #buf as a Buffer: Buffer#write encodes into it in place, where TextEncoder#encodeInto
   * needed a new view of the free part for every piece (about twice as long per piece)
   */
  #out: Buffer;
  #len = 0;
  readonly #allocate: (size: number) => Uint8Array;
  #watcher: ((length: number, buffer: Uint8Array) => void) | null = null;
  #watchEvery = 0;
  #nextWatch = Infinity;
  /** what the watcher was told of: it may have read it, so it is never cut */
  #told = 0;

  /**
   * `scratch`: a buffer to write into; when too small it is replaced by a larger one from
   * `allocate` (by default a plain Uint8Array).
   */
  constructor(scratch?: Uint8Array, allocate: (size: number) => Uint8Array = (size) => new Uint8Array(size)) {
    this.#allocate = allocate;
    this.#buf = scratch ?? allocate(64 * 1024);
    this.#out = asBuffer(this.#buf);
  }

  get length(): number {
    return this.#len;
  }

  /** The buffer written into — larger than what was written; see bytes(). */
  get buffer(): Uint8Array {
    return this.#buf;
  }

  #room(n: number): void {
    if (this.#buf.length - this.#len >= n) return;
    let size = this.#buf.length * 2;
    while (size - this.#len < n) size *= 2;
    const next = this.#allocate(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#out = asBuffer(next);
    this.#watcher?.(this.#len, next);
  }

  #tell(): void {
    this.#told = this.#len;
    this.#nextWatch = this.#len + this.#watchEvery;
    this.#watcher!(this.#len, this.#buf);
  }

  /**
   * Tells `watcher` what has been written, each time about `every` more bytes are, and at
   * once when the buffer is replaced by a larger one; what it was told of can no longer be
   * cut (truncate). Null stops it.
   */
  watch(every: number, watcher: ((length: number, buffer: Uint8Array) => void) | null): this {
    this.#watcher = watcher;
    this.#watchEvery = every;
    this.#told = 0;
    this.#nextWatch = watcher === null ? Infinity : this.#len + every;
    return this;
  }

  /** Text that is already JSON (or part of it): copied as UTF-8. */
  raw(text: string): this {
    // a UTF-16 code unit becomes at most three UTF-8 bytes
    this.#room(text.length * 3);
    this.#len += this.#out.write(text, this.#len);
    if (this.#len >= this.#nextWatch) this.#tell();
    return this;
  }

  /** Bytes that are already UTF-8 JSON: `bytes`, or its bytes from `start` to `end`. */
  rawBytes(bytes: Uint8Array, start = 0, end = bytes.length): this {
    const n = end - start;
    this.#room(n);
    if (Buffer.isBuffer(bytes)) bytes.copy(this.#out, this.#len, start, end); // no view made
    else this.#buf.set(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), this.#len);
    this.#len += n;
    if (this.#len >= this.#nextWatch) this.#tell();
    return this;
  }

  /** Any JSON value, as JSON.stringify writes it. */
  value(v: unknown): this {
    const text = JSON.stringify(v);
    return this.raw(text === undefined ? 'null' : text);
  }

  /** Cuts what was written back to `length` bytes (to rewrite a tail). */
  truncate(length: number): this {
    if (length < 0 || length > this.#len) throw new RangeError('truncate beyond what was written');
    if (length < this.#told) throw new RangeError('truncate into what the watcher was told of');
    this.#len = length;
    return this;
  }

  /** What was written: a view of the buffer, valid until the next write. */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  text(): string {
    return new TextDecoder().decode(this.bytes());
  }
}
