// The registry as the walk sees it: suppliers with the facts the programme checked when it
// enrolled them, their keys and revocations, and the manufacturer alias table.
import type { AliasEntry } from './part-key.js';

export type UltimateParent = 'self' | { name?: string | undefined; domicile?: string | undefined };

export interface SupplierFacts {
  id: string;
  name: string;
  domicile: string;
  ultimateParent: UltimateParent | null;
  manufacturerNames: string[];
}

export type KeyStatus = 'active' | 'revoked';
export type RevocationReason = 'superseded' | 'compromised';

export interface KeyFacts {
  kid: string;
  supplier: string;
  status: KeyStatus;
  reason: RevocationReason | null;
  revokedAt: string | null;
  compromisedAt: string | null;
}

export interface RegistrySnapshot {
  suppliers: SupplierFacts[];
  keys: KeyFacts[];
  aliases: AliasEntry[];
}

/**
 * Whether a key's revocation excludes a declaration received at `receivedAtMs` (SPEC §4).
 * Judged on the service's receipt time, never on the signer's own `issuedAt`: a thief
 * holding a compromised key can write any issuedAt, but cannot backdate our clock.
 */
export function revocationExcludes(key: KeyFacts | undefined, receivedAtMs: number): boolean {
  if (!key) return true; // a key the registry does not know proves nothing
  if (key.status !== 'revoked') return false;
  const received = receivedAtMs;
  if (key.reason === 'compromised') {
    const from = Date.parse(key.compromisedAt ?? key.revokedAt ?? '');
    return Number.isNaN(from) ? true : received >= from;
  }
  const revoked = Date.parse(key.revokedAt ?? '');
  return Number.isNaN(revoked) ? true : received >= revoked;
}
