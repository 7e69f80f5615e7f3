// Verification as a service operation: load the BOM, the policy, the registry and the
// evidence, run the walk, and store the signed report with its audit entry (SPEC §6, §7).
import { appendAudit, auditHead, inTransaction } from '../db/audit.js';
import { getBom, getBomContent } from '../db/boms.js';
import { dbEvidence } from '../db/declarations.js';
import { getPolicy, type PolicyRow } from '../db/policies.js';
import { registrySnapshot } from '../db/registry.js';
import { insertReport, queueReportParts, reportParts } from '../db/reports.js';
import { buildReportBody, type ReportBody } from '../domain/report.js';
import { DEFAULT_POLICY_ID, parsePolicyRef } from '../domain/policy.js';
import { walk } from '../domain/walk.js';
import { Problem } from '../problem.js';
import { actorName, type Actor, type Deps } from './deps.js';

export const REPORT_TYP = 'nonred-report+jws';
/** bytes kept free after a serialised report for its `log` member (about 110 in practice) */
const LOG_ROOM = 512;

export function resolvePolicy(deps: Deps, ref: string | undefined): PolicyRow {
  const parsed = parsePolicyRef(ref ?? DEFAULT_POLICY_ID);
  if (!parsed) throw new Problem(422, 'validation.failed', `"${ref}" is not a policy reference (use an id such as non-red, or id@version)`, { errors: [{ path: '/query/policy', message: 'invalid policy reference' }] });
  const row = getPolicy(deps.store.sqlite, parsed.id, parsed.version);
  if (!row) throw new Problem(422, 'validation.failed', `policy ${ref} does not exist`, { errors: [{ path: '/query/policy', message: 'unknown policy' }] });
  return row;
}

/** The text as UTF-8 in a buffer with `room` spare bytes after it, so appending copies nothing. */
function utf8WithRoom(text: string, room: number): { room: Buffer; prefixLength: number } {
  const buf = Buffer.allocUnsafe(Buffer.byteLength(text, 'utf8') + room);
  return { room: buf, prefixLength: buf.write(text, 'utf8') };
}

export interface IssuedReport {
  id: string;
  verdict: ReportBody['verdict'];
  summary: ReportBody['summary'];
  /** the report JSON exactly as signed and stored, as UTF-8 */
  body: Buffer;
}

export async function issueReport(deps: Deps, bomId: string, policyRef: string | undefined, actor: Actor): Promise<IssuedReport> {
  const db = deps.store.sqlite;
  const bomRow = getBom(db, bomId);
  const content = bomRow ? getBomContent(db, bomId) : undefined;
  if (!bomRow || !content) throw new Problem(404, 'not_found', `no BOM ${bomId}`);
  const policyRow = resolvePolicy(deps, policyRef);
  const now = deps.clock().toISOString();
  const id = deps.ids('rpt');
  const { verdict, summary, parts, room, prefixLength } = (() => {
    const result = walk({
      bom: content.bom, policy: policyRow.policy, now, registry: registrySnapshot(db), evidence: dbEvidence(db),
    });
    // Everything but `log`, which is the last member: the walk's result is serialised
    // once and can be collected before signing, which holds the largest buffers.
    const withoutLog = JSON.stringify(buildReportBody({
      id, generatedAt: now, bom: { id: bomRow.id, name: bomRow.name, sha256: bomRow.sha256 },
      policy: policyRow.policy, policySha256: policyRow.sha256, result,
    }));
    return {
      verdict: result.verdict, summary: result.summary, parts: reportParts(result.tree.nodes),
      ...utf8WithRoom(withoutLog.slice(0, -1), LOG_ROOM),
    };
  })();

  // The report's `log` is the checkpoint just before its own entry. Signing is async and
  // the write transaction is not, so sign first and retry if another writer moved the head.
  for (let attempt = 0; attempt < 5; attempt++) {
    const head = auditHead(db);
    const tail = `,"log":${JSON.stringify({ size: head.size, head: head.head })}}`;
    if (Buffer.byteLength(tail, 'utf8') > LOG_ROOM) throw new Error('report log member longer than the room kept for it');
    const body = room.subarray(0, prefixLength + room.write(tail, prefixLength, 'utf8'));
    const sig = await deps.keys.signDetached(REPORT_TYP, body);
    const stored = inTransaction(db, () => {
      const nowHead = auditHead(db);
      if (nowHead.size !== head.size) return false;
      // Stored detached (RFC 7515 appendix F): the payload is the body stored beside it.
      insertReport(db, {
        id, bomId: bomRow.id, policyId: policyRow.policy.id, policyVersion: policyRow.policy.version,
        verdict, generatedAt: now, stale: false, createdAt: now,
      }, body, `${sig.protected}..${sig.signature}`);
      appendAudit(db, {
        at: now, actor: actorName(actor), action: 'report.issued', subject: id,
        // the signature identifies the signed body as well as its hash would, without hashing it again
        payload: { id, bom: bomRow.id, policy: `${policyRow.policy.id}@${policyRow.policy.version}`, verdict, signature: sig.signature },
      });
      return true;
    });
    if (stored) {
      queueReportParts(db, id, parts, (e) => deps.log.error('where-used rows of a report not written; they will be at the next start', { report: id, error: e instanceof Error ? e.message : String(e) }));
      return { id, verdict, summary, body };
    }
  }
  throw new Problem(503, 'service.busy', 'the audit log kept moving while the report was signed; try again');
}

/** The compact JWS of a stored report: the detached form with its body put back. */
export function attachPayload(detached: string, bodyText: string): string {
  const [h, , sig] = detached.split('.') as [string, string, string];
  return `${h}.${Buffer.from(bodyText, 'utf8').toString('base64url')}.${sig}`;
}
