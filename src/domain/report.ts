// The report body (SPEC §7): the walk's result framed with the BOM, the policy snapshot,
// the time and the audit-log checkpoint. Members in a fixed order, so that the same
// inputs give the same bytes.
import type { Policy } from './policy.js';
import type { JsonWriter } from './json-writer.js';
import type { WalkResult } from './walk.js';

export interface ReportBody {
  id: string;
  bom: { id: string; name: string; sha256: string };
  policy: Policy & { sha256: string };
  generatedAt: string;
  verdict: WalkResult['verdict'];
  summary: WalkResult['summary'];
  findings: WalkResult['findings'];
  tree: WalkResult['tree'];
  evidence: WalkResult['evidence'];
  log: { size: number; head: string };
}

/**
 * Writes every member but `log`, in the report's order, leaving the object open: `log`
 * comes last and is known only when the report is stored, so the service appends it
 * (see issueReport). The bytes are those of JSON.stringify on the body object.
 */
export function writeReportBody(w: JsonWriter, a: {
  id: string;
  generatedAt: string;
  bom: { id: string; name: string; sha256: string };
  policy: Policy;
  policySha256: string;
  result: WalkResult;
}): void {
  const p = a.policy;
  const head = JSON.stringify({
    id: a.id,
    bom: { id: a.bom.id, name: a.bom.name, sha256: a.bom.sha256 },
    policy: {
      id: p.id, version: p.version, name: p.name, disallowedCountries: p.disallowedCountries, fields: p.fields,
      disallowedEntities: p.disallowedEntities, scope: p.scope, minimumAssurance: p.minimumAssurance,
      maxDeclarationAgeDays: p.maxDeclarationAgeDays, maxDepth: p.maxDepth, sha256: a.policySha256,
    },
    generatedAt: a.generatedAt,
    verdict: a.result.verdict,
    summary: a.result.summary,
  });
  w.raw(head.slice(0, -1)).raw(',"findings":[');
  a.result.findings.forEach((f, i) => (i === 0 ? w : w.raw(',')).value(f));
  w.raw('],"tree":');
  a.result.writeTree(w);
  w.raw(',"evidence":').value(a.result.evidence);
}

/** The members that must come out byte-identical for the same inputs (SPEC §6). */
export const DETERMINISTIC_MEMBERS = ['bom', 'policy', 'verdict', 'summary', 'findings', 'tree', 'evidence'] as const;

/**
 * The deterministic members in which a re-run walk differs from a signed report (bom and
 * policy are the inputs the re-run was given, so they are not compared again).
 */
export function rerunDiffers(signed: ReportBody, result: WalkResult): string[] {
  const again: Record<string, unknown> = {
    verdict: result.verdict, summary: result.summary, findings: result.findings, tree: result.tree, evidence: result.evidence,
  };
  const before = signed as unknown as Record<string, unknown>;
  return DETERMINISTIC_MEMBERS.filter((m) => m !== 'bom' && m !== 'policy' && JSON.stringify(again[m]) !== JSON.stringify(before[m]));
}
