// Declaration intake (SPEC §3): decode, verify, and store accepted declarations with their
// audit entries; answer each with a receipt signed by the service key after the commit.
// The single and the batch endpoint share this path, so they cannot drift apart.
import { appendAudit, inTransaction } from '../db/audit.js';
import { addSubmitter, declarationStatements, getDeclaration, holdsDeclaration, insertWalkRow } from '../db/declarations.js';
import { getKey } from '../db/registry.js';
import { stmt } from '../db/statements.js';
import { Problem } from '../problem.js';
import { actorName, type Actor, type Deps } from './deps.js';
import { peekKid, problemFromData, type AcceptedFields, type KeyInfo, type SubmittedLine } from './line-check.js';

export const RECEIPT_TYP = 'nonred-receipt+jws';
export const BATCH_RECEIPT_TYP = 'nonred-receipt+jws';

export interface ReceiptItem {
  sha256: string;
  supplier: string;
  id: string;
  receivedAt: string;
  logIndex: number;
}

export type LineResult =
  | { line: number; status: 'accepted' | 'held'; receipt: ReceiptItem }
  | { line: number; status: 'rejected'; problem: Problem };

export function receiptOf(row: { sha256: string; supplier: string; id: string; receivedAt: string; logIndex: number }): ReceiptItem {
  return { sha256: `sha256:${row.sha256}`, supplier: row.supplier, id: row.id, receivedAt: row.receivedAt, logIndex: row.logIndex };
}

/** Signs one receipt; Ed25519 is deterministic, so a re-issued receipt is byte-identical. */
export function signReceipt(deps: Deps, item: ReceiptItem): Promise<string> {
  return deps.keys.sign(RECEIPT_TYP, JSON.stringify(item));
}

export function signBatchReceipt(deps: Deps, items: ReceiptItem[]): Promise<string> {
  return deps.keys.sign(BATCH_RECEIPT_TYP, JSON.stringify({ items }));
}

/**
 * Takes submitted lines (each one compact JWS) through every rule and stores what passes.
 * Rejections by this authenticated caller are written to the audit log (they are evidence
 * of what was tried); an oversized payload is not, like any oversized request.
 */
export async function intakeLines(deps: Deps, lines: readonly SubmittedLine[], actor: Actor): Promise<LineResult[]> {
  const db = deps.store.sqlite;
  const receivedAt = deps.clock().toISOString();
  const results = new Map<number, LineResult>();

  // 1. the keys the lines name, then every per-line check (400-phase, then header, key,
  // signature, schema, time: 422) in the checker: inline, or on the verify workers.
  const keys = new Map<string, KeyInfo>();
  for (const { text } of lines) {
    const kid = peekKid(text);
    if (kid === null || keys.has(kid)) continue;
    const row = getKey(db, kid);
    if (row) keys.set(kid, { supplier: row.supplier, alg: row.alg, jwk: row.jwk, status: row.status });
  }
  const checked = await deps.checker.check(lines, keys, deps.clock().getTime());

  // 2. bytes already held answer "held", whatever the checks said (a key revoked since
  // does not make a held declaration a rejection). A line that passed is looked up once,
  // under the write lock below; one that failed, here.
  const rejected: { line: number; problem: Problem; sha256: string | null }[] = [];
  const verified: { line: number; v: AcceptedFields }[] = [];
  for (const c of checked) {
    if (c.ok) {
      verified.push({ line: c.line, v: c.fields });
      continue;
    }
    const held = c.sha256 === null || !holdsDeclaration(db, c.sha256) ? undefined : getDeclaration(db, c.sha256);
    if (held) results.set(c.line, { line: c.line, status: 'held', receipt: receiptOf(held) });
    else rejected.push({ line: c.line, problem: problemFromData(c.problem), sha256: c.sha256 });
  }

  // 3. store, one transaction: conflicts and key status re-checked under the write lock
  const stmts = declarationStatements(db);
  const keyStatus = stmt(db, 'SELECT status FROM supplier_keys WHERE kid = ?');
  const who = actorName(actor);
  const statusOf = new Map<string, string | null>();
  inTransaction(db, () => {
    for (const { line, v } of verified.sort((a, b) => a.line - b.line)) {
      // (the same bytes twice in one batch: the first stored them)
      const held = stmts.bySha.get(v.sha256) as { sha256: string; supplier_id: string; decl_id: string; received_at: string; log_index: number } | undefined;
      if (held) {
        results.set(line, { line, status: 'held', receipt: { sha256: `sha256:${held.sha256}`, supplier: held.supplier_id, id: held.decl_id, receivedAt: held.received_at, logIndex: held.log_index } });
        continue;
      }
      const other = stmts.bySupplierId.get(v.supplier, v.id) as { sha256: string } | undefined;
      if (other) {
        rejected.push({ line, sha256: v.sha256, problem: new Problem(409, 'declaration.id_conflict', `supplier ${v.supplier} already has a declaration "${v.id}" with other content (sha256:${other.sha256}); issue a new id and name the old one in "supersedes"`) });
        continue;
      }
      // (read once per key: nothing else writes while this transaction holds the lock)
      let status = statusOf.get(v.kid);
      if (status === undefined) statusOf.set(v.kid, (status = (keyStatus.get(v.kid) as { status: string } | undefined)?.status ?? null));
      if (status !== 'active') {
        rejected.push({ line, sha256: v.sha256, problem: new Problem(422, 'declaration.key_revoked', `key ${v.kid} of ${v.supplier} is revoked`) });
        continue;
      }
      const entry = appendAudit(db, {
        at: receivedAt, actor: who, action: 'declaration.accepted', subject: `sha256:${v.sha256}`,
        payload: { sha256: `sha256:${v.sha256}`, supplier: v.supplier, id: v.id, kid: v.kid, submittedBy: who },
      });
      stmts.insert.run({
        sha256: v.sha256, supplier: v.supplier, id: v.id, kid: v.kid, submittedBy: actor.tokenId,
        submitterSupplier: actor.supplier, receivedAt, issuedAt: v.issuedAt, expiresAt: v.expiresAt,
        supersedes: v.supersedes, mfrNorm: v.mfrNorm, pnNorm: v.pnNorm,
        // the payload is stored once, as signed; the JWS beside it detached (reassembled on read)
        payload: v.payloadText, jws: v.detachedJws, logIndex: entry.seq,
      });
      insertWalkRow(db, { sha256: v.sha256, supplier: v.supplier, id: v.id, pnNorm: v.pnNorm, supersedes: v.supersedes, receivedAt, originJson: v.originJson, record: v.walkRecord });
      results.set(line, { line, status: 'accepted', receipt: { sha256: `sha256:${v.sha256}`, supplier: v.supplier, id: v.id, receivedAt, logIndex: entry.seq } });
    }
    for (const r of rejected.sort((a, b) => a.line - b.line)) {
      if (r.problem.status !== 413) {
        appendAudit(db, {
          at: receivedAt, actor: who, action: 'declaration.rejected', subject: r.sha256 ? `sha256:${r.sha256}` : '-',
          payload: { code: r.problem.code, detail: r.problem.message, sha256: r.sha256 ? `sha256:${r.sha256}` : null, line: r.line },
        });
      }
      results.set(r.line, { line: r.line, status: 'rejected', problem: r.problem });
    }
    // A supplier reads what it signed or submitted: remember every supplier that submitted,
    // including one forwarding bytes already held (which is then a change of its own).
    if (actor.supplier !== null) {
      for (const r of results.values()) {
        if (r.status === 'rejected') continue;
        if (addSubmitter(db, r.receipt.sha256.slice(7), actor.supplier, receivedAt) && r.status === 'held') {
          appendAudit(db, {
            at: receivedAt, actor: who, action: 'declaration.submitted', subject: r.receipt.sha256,
            payload: { sha256: r.receipt.sha256, supplier: r.receipt.supplier, id: r.receipt.id, submittedBy: who },
          });
        }
      }
    }
  });
  return lines.map(({ line }) => results.get(line)!);
}
