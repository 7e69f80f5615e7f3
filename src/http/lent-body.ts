// Answers with bytes the caller only lends (a buffer kept between reports): small answers
// are copied and the buffer given back at once; large ones are streamed in copied pieces
// and the buffer given back when the last piece has been taken, or the client went away.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

const COPY_BELOW = 1024 * 1024;
const PIECE = 64 * 1024;

export function lentBody(c: Context, bytes: Uint8Array, done: () => void, status: ContentfulStatusCode, headers: Record<string, string>): Response {
  if (bytes.length < COPY_BELOW) {
    const copy = new Uint8Array(bytes);
    done();
    return c.body(copy, status, headers);
  }
  let off = 0;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done();
  };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const end = Math.min(bytes.length, off + PIECE);
      // a copy: the lent bytes are reused once done() has run
      controller.enqueue(new Uint8Array(bytes.subarray(off, end)));
      off = end;
      if (off >= bytes.length) {
        controller.close();
        finish();
      }
    },
    cancel() {
      finish();
    },
  }, { highWaterMark: 0 });
  return c.body(stream, status, { ...headers, 'content-length': String(bytes.length) });
}
