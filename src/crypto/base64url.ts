// Strict base64url (RFC 7515 §2): the URL-safe alphabet, no padding, no whitespace, and no
// non-zero spare bits — so that one byte string has exactly one encoding and a re-encoded
// copy of a declaration cannot pass for a different one.

const ALPHABET = /^[A-Za-z0-9_-]*$/;

export function decodeStrictBase64url(segment: string): Buffer | null {
  if (!ALPHABET.test(segment)) return null;
  if (segment.length % 4 === 1) return null;
  const bytes = Buffer.from(segment, 'base64url');
  // Re-encoding gives the canonical form; any difference means spare bits were set.
  if (bytes.toString('base64url') !== segment) return null;
  return bytes;
}

export function encodeBase64url(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString('base64url');
}
