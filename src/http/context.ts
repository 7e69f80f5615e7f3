// The Hono environment of nonred's app: the dependencies and the authenticated actor.
import { isAscii } from 'node:buffer';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Actor, Deps } from '../service/deps.js';
import { Problem, zodErrors } from '../problem.js';

export interface AppEnv {
  Variables: {
    deps: Deps;
    actor: Actor | undefined;
    requestId: string;
  };
}

export type App = OpenAPIHono<AppEnv>;

export function newRouter(): App {
  return new OpenAPIHono<AppEnv>({
    // zod failures on params, query or body become one problem shape (422 validation.failed)
    defaultHook: (result) => {
      if (!result.success) {
        const target = result.target;
        throw new Problem(422, 'validation.failed', `the request ${target} is invalid`, {
          errors: zodErrors(result.error.issues, `/${target === 'json' ? 'body' : target}`),
        });
      }
      return undefined;
    },
  });
}

/** One line of a request body: its number (from 1) and its text. */
export interface BodyLine {
  line: number;
  text: string;
}

const NEWLINE = 0x0a;
const utf8 = new TextDecoder('utf-8');
const utf8KeepBom = new TextDecoder('utf-8', { ignoreBOM: true });
/** A line's text: compact JWS are ASCII, whose bytes are their text (checked natively). */
const textOf = (bytes: Uint8Array, first: boolean): string => {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // a BOM is dropped only at the start of the body, as when the whole body is decoded
  return isAscii(b) ? b.toString('latin1') : first ? utf8.decode(b) : utf8KeepBom.decode(b);
};

/**
 * The non-blank lines of a request body, numbered as `(await req.text()).split('\n')`
 * numbers them, read piece by piece as the body arrives: a 4 MB batch is never held as
 * one buffer or one string (fresh memory of that size is what reading it cost). A line is
 * decoded on its own, which gives the same text as decoding the whole body: a newline byte
 * never falls inside a UTF-8 sequence, and a sequence cut short by one is replaced either
 * way.
 */
export async function bodyLines(pieces: AsyncIterable<Uint8Array> | null): Promise<BodyLine[]> {
  const out: BodyLine[] = [];
  let line = 1;
  let partial: Uint8Array[] = [];
  const finish = (bytes: Uint8Array) => {
    const text = textOf(bytes, line === 1);
    if (text.trim() !== '') out.push({ line, text });
    line++;
  };
  const joined = (tail: Uint8Array) => {
    if (partial.length === 0) return tail;
    const all = Buffer.concat([...partial, tail]);
    partial = [];
    return all;
  };
  if (pieces !== null) {
    for await (const piece of pieces) {
      let start = 0;
      for (let nl = piece.indexOf(NEWLINE); nl !== -1; nl = piece.indexOf(NEWLINE, start)) {
        finish(joined(piece.subarray(start, nl)));
        start = nl + 1;
      }
      // kept as a copy: the piece's memory may be reused by the stream
      if (start < piece.length) partial.push(Uint8Array.prototype.slice.call(piece, start));
    }
  }
  finish(joined(new Uint8Array(0)));
  return out;
}
