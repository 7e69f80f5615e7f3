// The detached JWS of a large payload (RFC 7515 appendix F). jose would build the signing
// input as a string, encode it to bytes and hand it to WebCrypto, which copies it again:
// for a 100,000-node report, four fresh copies of about 95 MB. Here the signing input
// (RFC 7515 §5.1: ASCII(BASE64URL(header) '.' BASE64URL(payload))) is written once into a
// buffer kept between reports and signed in place. Ed25519 (RFC 8032) is deterministic, so
// the signature is the one jose gives for the same header and payload — which the tests
// check, and jose verifies every signature this service hands out.
import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import type { ScratchBuffer } from '../scratch-buffer.js';

/** Bytes of a base64url encoding without padding. */
const base64urlLength = (n: number) => Math.floor(n / 3) * 4 + [0, 2, 3][n % 3]!;
// a multiple of 3 bytes: each slice encodes on its own exactly as within the whole
const ENCODE_STEP = 3 * 16 * 1024;

/**
 * BASE64URL of src[from, to), a piece at a time. `from` is a multiple of 3 (or `to` is the
 * end), so that pieces encoded one after another are the encoding of the whole.
 */
export function* base64urlPieces(src: Buffer, from: number, to: number): Generator<string> {
  for (let i = from; i < to; i += ENCODE_STEP) yield src.toString('base64url', i, Math.min(to, i + ENCODE_STEP));
}

/** BASE64URL(UTF8(JSON of the protected header)), as jose serialises it. */
export function protectedHeaderOf(header: Record<string, string>): string {
  return Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
}

/** The base64url Ed25519 signature of `payload` under `protectedB64`. */
export function signDetachedEd25519(privateKey: KeyObject, protectedB64: string, payload: Uint8Array, scratch: ScratchBuffer): string {
  const size = protectedB64.length + 1 + base64urlLength(payload.length);
  const input = scratch.take(size);
  try {
    let off = input.write(protectedB64, 0, 'latin1');
    input[off++] = 0x2e; // '.'
    for (const piece of base64urlPieces(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), 0, payload.length)) {
      off += input.write(piece, off, 'latin1');
    }
    if (off !== size) throw new Error('signing input has an unexpected length');
    return cryptoSign(null, input.subarray(0, size), privateKey).toString('base64url');
  } finally {
    scratch.give(input);
  }
}
