// Strict base64url (RFC 7515 §2): the URL-safe alphabet, no padding, no whitespace, and no
// non-zero spare bits — so that one byte string has exactly one encoding and a re-encoded
// copy of a declaration cannot pass for a different one.

const ALPHABET = /^[A-Za-z0-9_-]*$/;

const SEXTET = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) SEXTET['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charCodeAt(i)] = i;

export function decodeStrictBase64url(segment: string): Buffer | null {
  if (!ALPHABET.test(segment)) return null;
  const rest = segment.length % 4;
  if (rest === 1) return null;
  // The encoding is canonical unless the last character carries bits past the data: with
  // 2 characters left over it holds 4 spare bits, with 3 it holds 2; they must be zero.
  if (rest !== 0) {
    const last = SEXTET[segment.charCodeAt(segment.length - 1)]!;
    if ((last & (rest === 2 ? 0x0f : 0x03)) !== 0) return null;
  }
  return Buffer.from(segment, 'base64url');
}

export function encodeBase64url(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString('base64url');
}
