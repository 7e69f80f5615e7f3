// RFC 8785 JSON Canonicalization Scheme, through the `canonicalize` package, and the
// SHA-256 of canonical JSON that the audit log chains on.
import canonicalizeLib from 'canonicalize';
import { createHash } from 'node:crypto';

const canonicalizeFn = canonicalizeLib as unknown as (v: unknown) => string | undefined;

export function jcs(value: unknown): string {
  const out = canonicalizeFn(value);
  if (out === undefined) throw new Error('value cannot be canonicalised');
  return out;
}

export function jcsSha256(value: unknown): string {
  return sha256Hex(jcs(value));
}

/** The SHA-256 of text already canonical (what jcs returned), without canonicalising it again. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
