// A verified report in the forms other tools read (SPEC §9 ?format=): CycloneDX 1.6 JSON —
// the tree with resolved origin, assurance, evidence and finding codes as nonred:*
// properties — and the findings as CSV for spreadsheets, with cells that a spreadsheet
// would run as a formula neutralised.
import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { SOFTWARE_CATEGORIES, type Category } from '../domain/categories.js';
import type { ReportBody } from '../domain/report.js';

export { NONRED_VERSION } from '../version.js';
import { NONRED_VERSION } from '../version.js';

type Prop = { name: string; value: string };

function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  // RFC 9562 layout, version 8 (custom), variant 10
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

function originProps(origin: Record<string, unknown> | null): Prop[] {
  if (!origin) return [];
  const o = origin as {
    manufacturedIn?: string; assembledIn?: string;
    manufacturer?: { name?: string | null; domicile?: string; ultimateParent?: { name?: string | null; domicile?: string } };
    software?: { developerDomicile?: string; dataHostedIn?: string[] | string; dataAdministeredFrom?: string };
  };
  const props: [string, string | undefined | null][] = [
    ['nonred:manufacturedIn', o.manufacturedIn],
    ['nonred:assembledIn', o.assembledIn],
    ['nonred:manufacturerName', o.manufacturer?.name],
    ['nonred:manufacturerDomicile', o.manufacturer?.domicile],
    ['nonred:ultimateParentName', o.manufacturer?.ultimateParent?.name],
    ['nonred:ultimateParentDomicile', o.manufacturer?.ultimateParent?.domicile],
    ['nonred:developerDomicile', o.software?.developerDomicile],
    ['nonred:dataHostedIn', Array.isArray(o.software?.dataHostedIn) ? o.software!.dataHostedIn.join(',') : o.software?.dataHostedIn],
    ['nonred:dataAdministeredFrom', o.software?.dataAdministeredFrom],
  ];
  return props.filter((p): p is [string, string] => typeof p[1] === 'string').map(([name, value]) => ({ name, value }));
}

function componentType(category: Category | null): string {
  if (category === 'firmware') return 'firmware';
  if (category === 'operating-software') return 'operating-system';
  if (category !== null && SOFTWARE_CATEGORIES.has(category)) return 'application';
  return 'device';
}

const ROOT_REF = 'nonred:root';

export function reportToCycloneDx(report: ReportBody): Record<string, unknown> {
  const root = report.tree.root;
  const components = report.tree.nodes.map((n) => ({
    type: componentType(n.category),
    'bom-ref': n.key,
    ...(n.manufacturer ? { manufacturer: { name: n.manufacturer } } : {}),
    name: n.partNumber,
    ...(n.name ? { description: n.name } : {}),
    properties: [
      { name: 'nonred:partNumber', value: n.partNumber },
      ...(n.category ? [{ name: 'nonred:category', value: n.category }] : []),
      ...(n.quantity !== null ? [{ name: 'nonred:quantity', value: String(n.quantity) }] : []),
      { name: 'nonred:assurance', value: n.assurance },
      ...(n.evidence ? [{ name: 'nonred:evidence', value: n.evidence }] : []),
      ...n.findings.map((code) => ({ name: 'nonred:finding', value: code })),
      { name: 'nonred:judged', value: String(n.judged) },
      { name: 'nonred:depth', value: String(n.depth) },
      { name: 'nonred:pathCount', value: String(n.pathCount) },
      ...originProps(n.origin),
    ],
  }));
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${uuidFrom(report.id)}`,
    version: 1,
    metadata: {
      timestamp: report.generatedAt,
      tools: { components: [{ type: 'application', name: 'nonred', version: NONRED_VERSION }] },
      component: {
        type: 'device',
        'bom-ref': ROOT_REF,
        ...(root.manufacturer ? { manufacturer: { name: root.manufacturer } } : {}),
        name: root.partNumber ?? root.name,
        ...(root.revision ? { version: root.revision } : {}),
        description: root.name,
        properties: [
          ...(root.partNumber ? [{ name: 'nonred:partNumber', value: root.partNumber }] : []),
          ...root.findings.map((code) => ({ name: 'nonred:finding', value: code })),
          ...originProps(root.origin),
        ],
      },
      properties: [
        { name: 'nonred:reportId', value: report.id },
        { name: 'nonred:verdict', value: report.verdict },
        { name: 'nonred:policy', value: `${report.policy.id}@${report.policy.version}` },
        { name: 'nonred:policySha256', value: report.policy.sha256 },
        { name: 'nonred:bomId', value: report.bom.id },
        { name: 'nonred:bomSha256', value: report.bom.sha256 },
        ...report.evidence.map((sha) => ({ name: 'nonred:evidence', value: sha })),
      ],
    },
    components,
    dependencies: [
      { ref: ROOT_REF, dependsOn: root.children.map((c) => c.key) },
      ...report.tree.nodes.map((n) => ({ ref: n.key, dependsOn: n.children.map((c) => c.key) })),
    ],
  };
}

/** A cell a spreadsheet would evaluate (= + - @, tab, CR) is prefixed with an apostrophe. */
export function neutraliseCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export const FINDINGS_CSV_COLUMNS = [
  'code', 'severity', 'manufacturer', 'partNumber', 'name', 'key', 'field', 'value', 'path', 'pathCount',
  'source', 'evidenceSha256', 'evidenceId', 'supplier', 'kid', 'assurance', 'message',
] as const;

export function findingsToCsv(report: ReportBody): string {
  const rows = report.findings.map((f) => {
    const last = f.path[f.path.length - 1]!;
    const cells: Record<(typeof FINDINGS_CSV_COLUMNS)[number], string> = {
      code: f.code,
      severity: f.severity,
      manufacturer: last.manufacturer ?? '',
      partNumber: last.partNumber ?? '',
      name: last.name ?? '',
      key: f.key ?? '',
      field: f.field ?? '',
      value: f.value === undefined ? '' : Array.isArray(f.value) ? f.value.join(',') : f.value,
      path: f.path.map((s) => [s.manufacturer, s.partNumber].filter((x) => x).join(' ') || (s.name ?? '')).join(' > '),
      pathCount: String(f.pathCount),
      source: f.source ?? '',
      evidenceSha256: f.evidence?.sha256 ?? '',
      evidenceId: f.evidence?.id ?? '',
      supplier: f.evidence?.supplier ?? '',
      kid: f.evidence?.kid ?? '',
      assurance: f.evidence?.assurance ?? '',
      message: f.message,
    };
    return FINDINGS_CSV_COLUMNS.map((c) => neutraliseCell(cells[c]));
  });
  return stringify([[...FINDINGS_CSV_COLUMNS], ...rows], { quoted_match: /[",\n\r]/, record_delimiter: '\r\n' });
}
