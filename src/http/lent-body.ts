// Answers with bytes the caller only lends (a buffer kept between reports), giving them
// back once they are no longer read. Served by the Node server, the bytes are written as
// they are and given back when the response has finished (or the client went away);
// elsewhere (app.request in tests) small answers are copied and large ones streamed in
// copied pieces, given back when the last piece has been taken.
import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

const COPY_BELOW = 1024 * 1024;
const PIECE = 64 * 1024;

export function lentBody(c: Context, bytes: Uint8Array, done: () => void, status: ContentfulStatusCode, headers: Record<string, string>): Response {
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done();
  };
  if (bytes.length < COPY_BELOW) {
    const copy = new Uint8Array(bytes);
    finish();
    return c.body(copy, status, headers);
  }
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing !== undefined && typeof outgoing.once === 'function') {
    // 'finish': everything was handed to the operating system; 'close': also when cut short
    outgoing.once('finish', finish);
    outgoing.once('close', finish);
    // (the Node server writes a Uint8Array body as it is: shared memory behind it is fine)
    return c.body(bytes as Uint8Array<ArrayBuffer>, status, { ...headers, 'content-length': String(bytes.length) });
  }
  let off = 0;
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
