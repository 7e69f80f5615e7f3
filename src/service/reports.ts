// Verification as a service operation: load the BOM, the policy, the registry and the
// evidence, run the walk, and store the signed report with its audit entry (SPEC §6, §7).
import { appendAudit, auditHead, inTransaction } from '../db/audit.js';
import { getBom, getBomContent } from '../db/boms.js';
import { dbEvidence } from '../db/declarations.js';
import { getPolicy, type PolicyRow } from '../db/policies.js';
import { registrySnapshot } from '../db/registry.js';
import { insertReport, reportParts } from '../db/reports.js';
import { buildReportBody, type ReportBody } from '../domain/report.js';
import { DEFAULT_POLICY_ID, parsePolicyRef } from '../domain/policy.js';
import { walk } from '../domain/walk.js';
import { Problem } from '../problem.js';
import { actorName, type Actor, type Deps } from './deps.js';

export const REPORT_TYP = 'nonred-report+jws';

export function resolvePolicy(deps: Deps, ref: string | undefined): PolicyRow {
  const parsed = parsePolicyRef(ref ?? DEFAULT_POLICY_ID);
  if (!parsed) throw new Problem(422, 'validation.failed', `"${ref}" is not a policy reference (use an id such as non-red, or id@version)`, { errors: [{ path: '/query/policy', message: 'invalid policy reference' }] });
  const row = getPolicy(deps.store.sqlite, parsed.id, parsed.version);
  if (!row) throw new Problem(422, 'validation.failed', `policy ${ref} does not exist`, { errors: [{ path: '/query/policy', message: 'unknown policy' }] });
  return row;
}

export interface IssuedReport {
  id: string;
  verdict: ReportBody['verdict'];
  summary: ReportBody['summary'];
  /** the report JSON exactly as signed and stored */
  bodyText: string;
}

export async function issueReport(deps: Deps, bomId: string, policyRef: string | undefined, actor: Actor): Promise<IssuedReport> {
  const db = deps.store.sqlite;
  const bomRow = getBom(db, bomId);
  const content = bomRow ? getBomContent(db, bomId) : undefined;
  if (!bomRow || !content) throw new Problem(404, 'not_found', `no BOM ${bomId}`);
  const policyRow = resolvePolicy(deps, policyRef);
  const now = deps.clock().toISOString();
  const result = walk({
    bom: content.bom, policy: policyRow.policy, now, registry: registrySnapshot(db), evidence: dbEvidence(db),
  });
  const id = deps.ids('rpt');
  const parts = reportParts(result.tree.nodes);

  // The report's `log` is the checkpoint just before its own entry. Signing is async and
  // the write transaction is not, so sign first and retry if another writer moved the head.
  for (let attempt = 0; attempt < 5; attempt++) {
    const head = auditHead(db);
    const bodyText = JSON.stringify(buildReportBody({
      id, generatedAt: now, bom: { id: bomRow.id, name: bomRow.name, sha256: bomRow.sha256 },
      policy: policyRow.policy, policySha256: policyRow.sha256, result, log: head,
    }));
    // One UTF-8 copy serves both the signature and the database write.
    const bytes = Buffer.from(bodyText, 'utf8');
    const sig = await deps.keys.signDetached(REPORT_TYP, bytes);
    const stored = inTransaction(db, () => {
      const nowHead = auditHead(db);
      if (nowHead.size !== head.size) return false;
      // Stored detached (RFC 7515 appendix F): the payload is the body stored beside it.
      insertReport(db, {
        id, bomId: bomRow.id, policyId: policyRow.policy.id, policyVersion: policyRow.policy.version,
        verdict: result.verdict, generatedAt: now, stale: false, createdAt: now,
      }, bytes, `${sig.protected}..${sig.signature}`, parts);
      appendAudit(db, {
        at: now, actor: actorName(actor), action: 'report.issued', subject: id,
        // the signature identifies the signed body as well as its hash would, without hashing it again
        payload: { id, bom: bomRow.id, policy: `${policyRow.policy.id}@${policyRow.policy.version}`, verdict: result.verdict, signature: sig.signature },
      });
      return true;
    });
    if (stored) return { id, verdict: result.verdict, summary: result.summary, bodyText };
  }
  throw new Problem(503, 'service.busy', 'the audit log kept moving while the report was signed; try again');
}

/** The compact JWS of a stored report: the detached form with its body put back. */
export function attachPayload(detached: string, bodyText: string): string {
  const [h, , sig] = detached.split('.') as [string, string, string];
  return `${h}.${Buffer.from(bodyText, 'utf8').toString('base64url')}.${sig}`;
}
