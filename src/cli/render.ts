// A report as people read it in a terminal: the tree along canonical paths with failing
// parts marked, then the findings with their paths, then the verdict.
import type { ReportBody } from '../domain/report.js';
import type { TreeNode } from '../domain/walk.js';
import { out } from './io.js';

const FAIL = new Set(['DISALLOWED_ORIGIN', 'DISALLOWED_ENTITY', 'VALUE_SHARE_EXCEEDED']);

function mark(codes: readonly string[], judged: boolean): string {
  if (codes.some((c) => FAIL.has(c))) return out.red('✗');
  if (codes.length > 0) return out.yellow('!');
  return judged ? out.green('✓') : out.dim('·');
}

export function renderReport(r: Pick<ReportBody, 'verdict' | 'findings' | 'tree' | 'summary'> & { id?: string; policy?: { id: string; version: number } }): string {
  const lines: string[] = [];
  const root = r.tree.root;
  const byVia = new Map<string | null, TreeNode[]>();
  for (const n of r.tree.nodes) {
    const list = byVia.get(n.via) ?? [];
    list.push(n);
    byVia.set(n.via, list);
  }
  lines.push(`${mark(root.findings, true)} ${out.bold(root.partNumber ?? root.name)} ${root.name}${root.revision ? ` rev ${root.revision}` : ''}`);
  // iterative depth-first print along canonical parents (each node once)
  const stack: { node: TreeNode; prefix: string; last: boolean }[] = [];
  const push = (key: string | null, prefix: string) => {
    const kids = byVia.get(key) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i]!, prefix, last: i === kids.length - 1 });
  };
  push(null, '');
  while (stack.length > 0) {
    const { node, prefix, last } = stack.pop()!;
    const codes = node.findings.length > 0 ? ` ${node.findings.some((c) => FAIL.has(c)) ? out.red(node.findings.join(',')) : out.yellow(node.findings.join(','))}` : '';
    const qty = node.quantity !== null && node.quantity !== 1 ? ` ×${node.quantity}` : '';
    lines.push(`${prefix}${last ? '└─' : '├─'} ${mark(node.findings, node.judged)} ${node.manufacturer} ${out.bold(node.partNumber)}${qty} ${out.dim(`[${node.assurance}]`)}${codes}`);
    push(node.key, `${prefix}${last ? '   ' : '│  '}`);
  }
  if (r.findings.length > 0) {
    lines.push('', `Findings (${r.findings.length}):`);
    const sorted = [...r.findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'fail' ? -1 : 1));
    for (const f of sorted) {
      const path = f.path.map((s) => s.partNumber ?? s.name ?? '?').join(' › ');
      const what = f.field ? ` ${f.field}${f.value !== undefined ? `=${Array.isArray(f.value) ? f.value.join(',') : f.value}` : ''}` : '';
      lines.push(`  ${f.severity === 'fail' ? out.red('✗') : out.yellow('!')} ${f.code}${what}  ${path}`);
    }
  }
  const v = r.verdict === 'pass' ? out.green('PASS') : r.verdict === 'fail' ? out.red('FAIL') : out.yellow('INCOMPLETE');
  lines.push('', `Verdict: ${v}${r.policy ? ` (policy ${r.policy.id}@${r.policy.version})` : ''}${r.id ? `, report ${r.id}` : ''}; ${r.summary.nodes} parts, ${r.findings.length} findings`);
  return lines.join('\n');
}

export function verdictExit(verdict: string): number {
  return verdict === 'pass' ? 0 : verdict === 'fail' ? 1 : 2;
}
