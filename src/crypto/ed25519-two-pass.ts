// Ed25519 signing (RFC 8032 §5.1.6) of a message that is still being written.
//
// Ed25519 reads its message twice: once for the nonce r = SHA-512(prefix ‖ M), and once
// for the challenge k = SHA-512(R ‖ A ‖ M), which needs R = rB and so the first pass
// whole. OpenSSL (node:crypto) takes the message in one piece, so a 100,000-node report
// (about 95 MB of signing input) was hashed twice after it was written: about 350 ms. Here
// the first pass runs as the report is written (on the signing thread, while the main
// thread writes it), and only the second after. The hashing is OpenSSL's; the curve
// arithmetic is @noble/curves'. The result is exactly what OpenSSL signs (Ed25519 is
// deterministic), which the tests hold it to on many keys and messages.
import { createHash, type Hash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';

const { Point } = ed25519;
const Fn = Point.Fn;

/** A SHA-512 digest as a little-endian integer, reduced modulo the group order L. */
function scalarOf(digest: Uint8Array): bigint {
  let v = 0n;
  for (let i = digest.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(digest[i]!);
  return Fn.create(v);
}

/** A private key expanded for signing (RFC 8032 §5.1.5). */
export interface ExpandedKey {
  readonly prefix: Uint8Array;
  readonly scalar: bigint;
  readonly publicKey: Uint8Array;
}

/** `seed`: the 32-byte private key (a JWK's `d`). */
export function expandKey(seed: Uint8Array): ExpandedKey {
  const { prefix, scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(seed);
  return { prefix, scalar, publicKey: pointBytes };
}

export class Ed25519TwoPass {
  readonly #first: Hash;
  readonly #key: ExpandedKey;
  #done = false;

  constructor(key: ExpandedKey) {
    this.#key = key;
    this.#first = createHash('sha512').update(key.prefix);
  }

  /** The next bytes of the message, in order (a string: its latin1 bytes). */
  update(piece: Uint8Array | string): void {
    if (this.#done) throw new Error('the signature is already made');
    if (typeof piece === 'string') this.#first.update(piece, 'latin1');
    else this.#first.update(piece);
  }

  /**
   * The 64-byte signature. `again` is the whole message once more, in pieces, byte for byte
   * what the updates gave (it is read a second time: the challenge).
   */
  sign(again: Iterable<Uint8Array | string>): Uint8Array {
    if (this.#done) throw new Error('the signature is already made');
    this.#done = true;
    const r = scalarOf(this.#first.digest());
    // (r = 0 has probability 2^-252; multiply refuses it rather than sign with the identity)
    const R = Point.BASE.multiply(r).toBytes();
    const challenge = createHash('sha512').update(R).update(this.#key.publicKey);
    for (const piece of again) {
      if (typeof piece === 'string') challenge.update(piece, 'latin1');
      else challenge.update(piece);
    }
    const k = scalarOf(challenge.digest());
    const s = Fn.create(r + k * this.#key.scalar);
    const sig = new Uint8Array(64);
    sig.set(R, 0);
    sig.set(Fn.toBytes(s), 32);
    return sig;
  }
}
