// Strict base64url (RFC 7515 §2): the URL-safe alphabet, no padding, no whitespace, and no
// non-zero spare bits — so that one byte string has exactly one encoding and a re-encoded
// copy of a declaration cannot pass for a different one.

// Buffer's decoder is lenient (it skips characters outside the alphabet, stops at "=" and
// drops spare bits), and its base64url encoder is canonical (no padding, zero spare bits).
// So a segment is strict exactly when re-encoding what Buffer decoded gives it back: any
// padding, whitespace, foreign or lone trailing character, or non-zero spare bit changes
// the re-encoding. Two native passes, where testing the alphabet with a regular expression
// first cost more than decoding.
export function decodeStrictBase64url(segment: string): Buffer | null {
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : null;
}

export function encodeBase64url(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString('base64url');
}
