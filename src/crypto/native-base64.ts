// Uint8Array.prototype.toBase64 (TC39 "Uint8Array to/from base64", in ES2026 and Node 25),
// installed on Node 20 from Buffer's native encoder when the runtime lacks it.
//
// jose base64url-encodes every JWS payload through `toBase64` when it exists and otherwise
// through String.fromCharCode chunks and btoa, which costs about 15 ms per MB: for a
// 70 MB report that was over a second of the signing time. Encoding has exactly one
// correct output for given bytes, so Buffer's encoder gives the same JWS. Only the encoder
// is installed: decoding stays with jose's strict path (Buffer's decoder skips invalid
// characters, the standard's throws).
type Alphabet = 'base64' | 'base64url';
interface ToBase64Options {
  alphabet?: Alphabet;
  omitPadding?: boolean;
}

export function toBase64(bytes: Uint8Array, options?: ToBase64Options): string {
  const alphabet = options?.alphabet ?? 'base64';
  if (alphabet !== 'base64' && alphabet !== 'base64url') throw new TypeError('alphabet must be "base64" or "base64url"');
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (alphabet === 'base64') {
    const s = buf.toString('base64');
    return options?.omitPadding === true ? s.replace(/=+$/, '') : s;
  }
  const s = buf.toString('base64url'); // Buffer's base64url never pads
  if (options?.omitPadding === true) return s;
  const pad = (4 - (s.length % 4)) % 4;
  return pad === 0 ? s : s + '='.repeat(pad);
}

interface WithToBase64 {
  toBase64?: (this: Uint8Array, options?: ToBase64Options) => string;
}

export function installNativeBase64(): void {
  const proto = Uint8Array.prototype as unknown as WithToBase64;
  if (typeof proto.toBase64 === 'function') return;
  Object.defineProperty(Uint8Array.prototype, 'toBase64', {
    value: function (this: Uint8Array, options?: ToBase64Options) {
      return toBase64(this, options);
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

installNativeBase64();
