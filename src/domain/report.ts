// The report body (SPEC §7): the walk's result framed with the BOM, the policy snapshot,
// the time and the audit-log checkpoint. Members in a fixed order, so that the same
// inputs give the same bytes.
import type { Policy } from './policy.js';
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
 * Every member but `log`, in the report's order. `log` comes last and is known only when
 * the report is stored, so the service appends it to this serialised (see issueReport).
 */
export function buildReportBody(a: {
  id: string;
  generatedAt: string;
  bom: { id: string; name: string; sha256: string };
  policy: Policy;
  policySha256: string;
  result: WalkResult;
}): Omit<ReportBody, 'log'> {
  const p = a.policy;
  return {
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
    findings: a.result.findings,
    tree: a.result.tree,
    evidence: a.result.evidence,
  };
}

/** The members that must come out byte-identical for the same inputs (SPEC §6). */
export const DETERMINISTIC_MEMBERS = ['bom', 'policy', 'verdict', 'summary', 'findings', 'tree', 'evidence'] as const;

/**
 * The deterministic members in which a re-run walk differs from a signed report (bom and
 * policy are the inputs the re-run was given, so they are not compared again).
 */
export function rerunDiffers(signed: ReportBody, result: WalkResult): string[] {
  const again: Record<string, unknown> = { ...signed, ...result };
  const before = signed as unknown as Record<string, unknown>;
  return DETERMINISTIC_MEMBERS.filter((m) => m !== 'bom' && m !== 'policy' && JSON.stringify(again[m]) !== JSON.stringify(before[m]));
}
