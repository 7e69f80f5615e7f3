// An evidence source over declarations held in memory: used by the offline check, the
// audit-bundle re-run and the tests. Same contract as the database source.
import { recordOf, type DeclarationRecord, type EvidenceSource, type HeldDeclaration } from './evidence.js';

export type { HeldDeclaration };

/** Computes the supersession links between held declarations and indexes them. */
export function memoryEvidence(held: readonly HeldDeclaration[]): EvidenceSource {
  const bySupplierId = new Map<string, HeldDeclaration[]>();
  for (const h of held) {
    const target = h.payload.supersedes;
    if (target === undefined) continue;
    const k = `${h.supplier}\u0000${target}`;
    const list = bySupplierId.get(k);
    if (list) list.push(h);
    else bySupplierId.set(k, [h]);
  }
  const records = new Map<string, DeclarationRecord>();
  const byPn = new Map<string, DeclarationRecord[]>();
  for (const h of held) {
    const successors = (bySupplierId.get(`${h.supplier}\u0000${h.id}`) ?? [])
      .map((s) => ({ sha256: s.sha256, kid: s.kid, receivedAtMs: Date.parse(s.receivedAt) }));
    const rec = recordOf(h, successors);
    records.set(h.sha256, rec);
    const pn = rec.pnNorm;
    const list = byPn.get(pn);
    if (list) list.push(rec);
    else byPn.set(pn, [rec]);
  }
  return {
    byPartNumbers(pns) {
      return pns.flatMap((pn) => byPn.get(pn) ?? []);
    },
    bySha256(shas) {
      const out = new Map<string, DeclarationRecord>();
      for (const s of shas) {
        const r = records.get(s);
        if (r) out.set(s, r);
      }
      return out;
    },
  };
}
