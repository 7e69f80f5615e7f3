// The graph walk (SPEC §6): from a BOM, a policy, the clock's "now", the registry and an
// evidence source to the verdict, the findings and the flat tree of a report.
//
// Phases, each linear in nodes plus edges (sorting by key aside):
//   1. build   breadth-first from the root, one evidence query per frontier (not per node);
//              a part key is one node however many parents reach it; depth = BFS distance
//   2. cycles  iterative depth-first search in key order; back edges are cut (CYCLE)
//   3. paths   canonical path (shortest, ties by the keys along it), path counts and total
//              quantities over the remaining DAG
//   4. judge   every in-scope node against the policy
// Nothing here recurses on the JS stack, so a 10,000-deep chain is fine.
import type { Bom, BomItem } from './bom.js';
import { CRITICAL_CATEGORIES, SOFTWARE_CATEGORIES, type Category } from './categories.js';
import type { DeclaredComponent, Origin } from './declaration-schema.js';
import {
  compareEvidence, invalidity, type DeclarationRecord, type EvidenceSource, type Invalidity,
} from './evidence.js';
import {
  flattenOrigin, isKnown, originNames, unflattenOrigin, valueText,
  type FieldValue, type FlatOrigin, type OriginNames,
} from './origin-fields.js';
import { buildCanon, normalizeName, partKey, type ManufacturerCanon } from './part-key.js';
import {
  assuranceRank, POLICY_FIELDS, SOFTWARE_FIELDS, type Assurance, type Policy,
} from './policy.js';
import type { KeyFacts, RegistrySnapshot, SupplierFacts } from './registry.js';

export const FINDING_CODES = [
  'DISALLOWED_ORIGIN', 'DISALLOWED_ENTITY', 'MISSING_EVIDENCE', 'INSUFFICIENT_ASSURANCE',
  'UNKNOWN_ORIGIN', 'CONFLICTING_DECLARATIONS', 'EXPIRED_DECLARATION', 'REVOKED_KEY',
  'BROKEN_REFERENCE', 'PART_MISMATCH', 'CYCLE', 'DEPTH_LIMIT',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];
const FAIL_CODES: ReadonlySet<FindingCode> = new Set(['DISALLOWED_ORIGIN', 'DISALLOWED_ENTITY']);
const CODE_ORDER = new Map<string, number>(FINDING_CODES.map((c, i) => [c, i]));

export type Verdict = 'pass' | 'fail' | 'incomplete';
export type Severity = 'fail' | 'incomplete';
export type SourceKind = 'declaration' | 'registry' | 'attestation' | 'bom' | 'header';

export interface PathStep {
  manufacturer: string | null;
  partNumber: string | null;
  name: string | null;
}

export interface EvidenceRef {
  sha256: string;
  id: string;
  supplier: string;
  kid: string;
  assurance: Assurance;
}

export interface Conflict {
  /** an attestation by a parent's declaration is a "declaration" side with assurance attested-by-parent */
  source: 'declaration' | 'registry' | 'bom';
  assurance?: Assurance;
  sha256?: string;
  supplier?: string;
  item?: string;
  field: string;
  value: FieldValue;
}

export interface Finding {
  code: FindingCode;
  severity: Severity;
  message: string;
  /** the node's part key; null for the root */
  key: string | null;
  path: PathStep[];
  pathCount: number;
  field?: string;
  value?: FieldValue;
  source?: SourceKind;
  evidence?: EvidenceRef;
  conflicts?: Conflict[];
}

export interface TreeEdge {
  key: string;
  quantity: number;
}

export interface TreeNode {
  key: string;
  manufacturer: string;
  partNumber: string;
  name: string | null;
  category: Category | null;
  quantity: number | null;
  depth: number;
  /** the parent on the canonical path; null directly under the root */
  via: string | null;
  pathCount: number;
  judged: boolean;
  assurance: Assurance;
  origin: Record<string, unknown>;
  evidence: string | null;
  findings: FindingCode[];
  children: TreeEdge[];
}

export interface WalkTree {
  root: {
    name: string;
    partNumber: string | null;
    revision: string | null;
    manufacturer: string | null;
    origin: Record<string, unknown> | null;
    findings: FindingCode[];
    children: TreeEdge[];
  };
  nodes: TreeNode[];
}

export interface WalkSummary {
  nodes: number;
  judged: number;
  byAssurance: Record<Assurance, number>;
  byFinding: Partial<Record<FindingCode, number>>;
  findings: number;
}

export interface WalkResult {
  verdict: Verdict;
  summary: WalkSummary;
  findings: Finding[];
  tree: WalkTree;
  /** "sha256:<hex>" of every declaration the verdict rests on, sorted */
  evidence: string[];
}

export interface WalkInput {
  bom: Bom;
  policy: Policy;
  /** RFC 3339; the moment expiry is judged at */
  now: string;
  registry: RegistrySnapshot;
  evidence: EvidenceSource;
}

const PATH_COUNT_CAP = 1_000_000;
const ROOT = 0;

interface Mention {
  parent: number;
  comp: DeclaredComponent;
}

interface WNode {
  key: string;
  canonMfr: string;
  normPn: string;
  depth: number;
  items: BomItem[];
  mentions: Mention[];
  valid: DeclarationRecord[];
  excluded: { rec: DeclarationRecord; why: Invalidity }[];
  chosen: DeclarationRecord | null;
  out: Map<number, number>;
  cutByDepth: boolean;
  backEdges: number[];
  refs: { parent: number; sha: string }[];
}

interface Source {
  kind: Exclude<SourceKind, 'header'> | 'header';
  flat: FlatOrigin;
  names: OriginNames;
  rec?: DeclarationRecord;
  assurance?: Assurance;
  supplier?: SupplierFacts;
  item?: string;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Most nodes have no BOM item, one declaration, one parent and no references: their lists
// start as this one frozen empty array (a push onto it throws) and are made on first use.
const NONE: never[] = Object.freeze([]) as unknown as never[];
const NO_EDGES: ReadonlyMap<string, number> = new Map();
function append<T>(list: T[], x: T): T[] {
  if (list === NONE) return [x];
  list.push(x);
  return list;
}

function newNode(key: string, canonMfr: string, normPn: string, depth: number): WNode {
  return {
    key, canonMfr, normPn, depth, items: NONE, mentions: NONE, valid: NONE, excluded: NONE, chosen: null,
    out: new Map(), cutByDepth: false, backEdges: NONE, refs: NONE,
  };
}

export function walk(input: WalkInput): WalkResult {
  const { bom, policy, registry, evidence } = input;
  const nowMs = Date.parse(input.now);
  const canon: ManufacturerCanon = buildCanon(registry.aliases);
  const keys = new Map<string, KeyFacts>(registry.keys.map((k) => [k.kid, k]));
  // canonical manufacturer name → suppliers registered as that manufacturer (sorted by id)
  const makers = new Map<string, SupplierFacts[]>();
  for (const s of [...registry.suppliers].sort((a, b) => cmpStr(a.id, b.id))) {
    for (const name of new Set(s.manufacturerNames.map((n) => canon.canonical(n)))) {
      const list = makers.get(name);
      if (list) list.push(s);
      else makers.set(name, [s]);
    }
  }
  const isDirectFor = (node: WNode) => (rec: DeclarationRecord) =>
    (makers.get(node.canonMfr) ?? []).some((s) => s.id === rec.supplier);

  // ---- BOM structure: per part key, the BOM edges to child keys --------------------------
  const itemKey = bom.items.map((it) => partKey(canon.canonical(it.manufacturer), normalizeName(it.partNumber)));
  const childrenOfItem = new Map<string | null, number[]>();
  bom.items.forEach((it, i) => {
    const list = childrenOfItem.get(it.parent);
    if (list) list.push(i);
    else childrenOfItem.set(it.parent, [i]);
  });
  const itemsByKey = new Map<string, number[]>();
  itemKey.forEach((k, i) => {
    const list = itemsByKey.get(k);
    if (list) list.push(i);
    else itemsByKey.set(k, [i]);
  });
  // Lines of one parent item with the same key add up (a part listed twice); between
  // several items of the same key, the first in document order speaks for the part.
  const bomEdgesOf = (parentItemIds: (string | null)[]): Map<string, number> => {
    const edges = new Map<string, number>();
    for (const pid of parentItemIds) {
      const local = new Map<string, number>();
      for (const ci of childrenOfItem.get(pid) ?? []) {
        const k = itemKey[ci]!;
        local.set(k, (local.get(k) ?? 0) + bom.items[ci]!.quantity);
      }
      for (const [k, q] of local) if (!edges.has(k)) edges.set(k, q);
    }
    return edges;
  };

  // ---- `declaration` references: loaded by sha256 in batches, supersession followed -------
  const loadedBySha = new Map<string, DeclarationRecord>();
  const attempted = new Set<string>();
  const loadShas = (shas: readonly string[]) => {
    let batch = [...new Set(shas)].filter((s) => !attempted.has(s)).sort();
    while (batch.length > 0) {
      for (const sha of batch) attempted.add(sha);
      const next = new Set<string>();
      for (const [sha, rec] of evidence.bySha256(batch)) {
        loadedBySha.set(sha, rec);
        for (const succ of rec.successors) if (!attempted.has(succ.sha256)) next.add(succ.sha256);
      }
      batch = [...next].sort();
    }
  };
  /** The declaration a reference stands for: itself if valid, else its newest valid successor. */
  const resolveRef = (sha: string): DeclarationRecord | null => {
    const visited = new Set<string>();
    let cur = loadedBySha.get(sha);
    while (cur && !visited.has(cur.sha256)) {
      visited.add(cur.sha256);
      const why = invalidity(cur, nowMs, policy.maxDeclarationAgeDays, keys);
      if (why === null) return cur;
      if (why !== 'superseded') return null;
      cur = cur.successors
        .map((x) => loadedBySha.get(x.sha256))
        .filter((r): r is DeclarationRecord => r !== undefined)
        .sort((a, b) => compareEvidence(a, b, () => false))[0];
    }
    return null;
  };
  const keyOfRecord = (rec: DeclarationRecord) => partKey(canon.canonical(rec.payload.part.manufacturer), normalizeName(rec.payload.part.partNumber));

  // ---- phase 1: build ------------------------------------------------------------------
  const nodes: WNode[] = [newNode('', '', '', 0)];
  const index = new Map<string, number>();
  const ensure = (key: string, canonMfr: string, normPn: string, depth: number, created: number[]): number => {
    let idx = index.get(key);
    if (idx === undefined) {
      idx = nodes.length;
      nodes.push(newNode(key, canonMfr, normPn, depth));
      index.set(key, idx);
      for (const i of itemsByKey.get(key) ?? []) nodes[idx]!.items = append(nodes[idx]!.items, bom.items[i]!);
      created.push(idx);
    }
    return idx;
  };
  const itemKeyParts = (i: number) => {
    const it = bom.items[i]!;
    return { canonMfr: canon.canonical(it.manufacturer), normPn: normalizeName(it.partNumber) };
  };

  let frontier: number[] = [];
  for (const [k, q] of bomEdgesOf([null])) {
    const first = itemsByKey.get(k)![0]!;
    const { canonMfr, normPn } = itemKeyParts(first);
    const idx = ensure(k, canonMfr, normPn, 1, frontier);
    nodes[ROOT]!.out.set(idx, q);
  }

  while (frontier.length > 0) {
    // (the frontier's order is already deterministic: BOM order, then the chosen
    // declarations' component order; every result below is sorted by key anyway)
    const inFrontier = new Set(frontier);
    const pns = [...new Set(frontier.map((i) => nodes[i]!.normPn))];
    const seen = new Set<string>();
    for (const rec of evidence.byPartNumbers(pns)) {
      if (seen.has(rec.sha256)) continue;
      seen.add(rec.sha256);
      const k = partKey(canon.canonical(rec.payload.part.manufacturer), normalizeName(rec.payload.part.partNumber));
      const idx = index.get(k);
      if (idx === undefined || !inFrontier.has(idx)) continue;
      const node = nodes[idx]!;
      const why = invalidity(rec, nowMs, policy.maxDeclarationAgeDays, keys);
      if (why === null) node.valid = append(node.valid, rec);
      else node.excluded = append(node.excluded, { rec, why });
    }
    // A component's `declaration` reference names its evidence (SPEC §6.3): references
    // from the parents expanded so far (the shallower ones) decide; else the selection order.
    loadShas(frontier.flatMap((i) => nodes[i]!.refs.map((r) => r.sha)));
    const next: number[] = [];
    for (const idx of frontier) {
      const node = nodes[idx]!;
      const isDirect = isDirectFor(node);
      const referenced: DeclarationRecord[] = [];
      for (const r of node.refs) {
        const t = resolveRef(r.sha);
        if (t && keyOfRecord(t) === node.key && !referenced.some((x) => x.sha256 === t.sha256)) referenced.push(t);
      }
      for (const t of referenced) if (!node.valid.some((v) => v.sha256 === t.sha256)) node.valid = append(node.valid, t);
      node.valid.sort((a, b) => compareEvidence(a, b, isDirect));
      node.excluded.sort((a, b) => compareEvidence(a.rec, b.rec, isDirect));
      referenced.sort((a, b) => compareEvidence(a, b, isDirect));
      node.chosen = referenced[0] ?? node.valid[0] ?? null;
      if (node.chosen && (node.valid.length !== 1 || node.valid[0] !== node.chosen)) {
        node.valid = [node.chosen, ...node.valid.filter((v) => v !== node.chosen && v.sha256 !== node.chosen!.sha256)];
      }

      const ofKey = itemsByKey.get(node.key);
      const bomEdges = ofKey === undefined ? NO_EDGES : bomEdgesOf(ofKey.map((i) => bom.items[i]!.id));
      const comps = node.chosen?.payload.components ?? [];
      if (node.depth >= policy.maxDepth) {
        node.cutByDepth = bomEdges.size > 0 || comps.length > 0;
        continue;
      }
      for (const [k, q] of bomEdges) {
        const first = itemsByKey.get(k)![0]!;
        const { canonMfr, normPn } = itemKeyParts(first);
        node.out.set(ensure(k, canonMfr, normPn, node.depth + 1, next), q);
      }
      // The BOM's quantity wins over the declared one for the same child; declared lines
      // for one child add up.
      const fromBom = bomEdges.size === 0 ? null : new Set(node.out.keys());
      const declared = fromBom === null ? node.out : new Map<number, number>();
      for (const comp of comps) {
        const canonMfr = canon.canonical(comp.manufacturer);
        const normPn = normalizeName(comp.partNumber);
        const child = ensure(partKey(canonMfr, normPn), canonMfr, normPn, node.depth + 1, next);
        nodes[child]!.mentions = append(nodes[child]!.mentions, { parent: idx, comp });
        if (comp.declaration !== undefined) nodes[child]!.refs = append(nodes[child]!.refs, { parent: idx, sha: comp.declaration });
        if (fromBom === null || !fromBom.has(child)) declared.set(child, (declared.get(child) ?? 0) + (comp.quantity ?? 1));
      }
      if (declared !== node.out) for (const [child, q] of declared) node.out.set(child, q);
    }
    frontier = next;
  }

  const n = nodes.length;
  // Every later ordering is by key: rank the keys once, then compare integers.
  const keyRank = new Int32Array(n);
  {
    // the engine's own string sort orders by UTF-16 code units, as `<` does (SPEC §6)
    const keys = nodes.map((node) => node.key).slice(1).sort();
    keys.forEach((k, r) => (keyRank[index.get(k)!] = r + 1));
  }
  const byRank = (a: number, b: number) => keyRank[a]! - keyRank[b]!;
  const sortedChildren: number[][] = nodes.map((node) => [...node.out.keys()].sort(byRank));

  // ---- phase 2: cycles -----------------------------------------------------------------
  const color = new Uint8Array(n);
  const postorder: number[] = [];
  {
    const stackNode: number[] = [ROOT];
    const stackPos: number[] = [0];
    color[ROOT] = 1;
    while (stackNode.length > 0) {
      const top = stackNode.length - 1;
      const u = stackNode[top]!;
      const kids = sortedChildren[u]!;
      const pos = stackPos[top]!;
      if (pos < kids.length) {
        stackPos[top] = pos + 1;
        const c = kids[pos]!;
        if (color[c] === 0) {
          color[c] = 1;
          stackNode.push(c);
          stackPos.push(0);
        } else if (color[c] === 1) {
          nodes[u]!.backEdges = append(nodes[u]!.backEdges, c);
        }
      } else {
        color[u] = 2;
        postorder.push(u);
        stackNode.pop();
        stackPos.pop();
      }
    }
  }
  for (const node of nodes) for (const c of node.backEdges) node.out.delete(c);
  const kept: number[][] = sortedChildren.map((kids, u) => kids.filter((c) => nodes[u]!.out.has(c)));
  const topo = postorder.reverse();

  // ---- phase 3: canonical paths, path counts, quantities ---------------------------------
  const parents: number[][] = Array.from({ length: n }, () => []);
  for (let u = 0; u < n; u++) for (const c of kept[u]!) parents[c]!.push(u);
  const dist = new Int32Array(n).fill(-1);
  const bestParent = new Int32Array(n).fill(-1);
  const rank = new Float64Array(n);
  {
    dist[ROOT] = 0;
    rank[ROOT] = 0;
    let layer = [ROOT];
    let nextRank = 1;
    while (layer.length > 0) {
      const nextLayer: number[] = [];
      for (const u of layer) {
        for (const c of kept[u]!) {
          if (dist[c] === -1) {
            dist[c] = dist[u]! + 1;
            nextLayer.push(c);
          }
        }
      }
      for (const c of nextLayer) {
        let best = -1;
        for (const p of parents[c]!) {
          if (dist[p] === dist[c]! - 1 && (best === -1 || rank[p]! < rank[best]!)) best = p;
        }
        bestParent[c] = best;
      }
      nextLayer.sort((a, b) => rank[bestParent[a]!]! - rank[bestParent[b]!]! || keyRank[a]! - keyRank[b]!);
      for (const c of nextLayer) rank[c] = nextRank++;
      layer = nextLayer;
    }
  }
  const pathCount = new Float64Array(n);
  const total = new Float64Array(n);
  pathCount[ROOT] = 1;
  total[ROOT] = 1;
  for (const u of topo) {
    for (const c of kept[u]!) {
      pathCount[c] = Math.min(PATH_COUNT_CAP, pathCount[c]! + pathCount[u]!);
      total[c] = total[c]! + total[u]! * nodes[u]!.out.get(c)!;
    }
  }

  // ---- display fields --------------------------------------------------------------------
  const firstMention = (node: WNode): Mention | undefined => {
    let best: Mention | undefined;
    for (const m of node.mentions) {
      if (!best || cmpStr(nodes[m.parent]!.key, nodes[best.parent]!.key) < 0) best = m;
    }
    return best;
  };
  const display = nodes.map((node, idx) => {
    if (idx === ROOT) return { manufacturer: bom.manufacturer, partNumber: bom.partNumber, name: bom.name, category: null };
    const part = node.chosen?.payload.part;
    const item = node.items[0];
    const mention = firstMention(node);
    return {
      manufacturer: part?.manufacturer ?? item?.manufacturer ?? mention?.comp.manufacturer ?? node.canonMfr,
      partNumber: part?.partNumber ?? item?.partNumber ?? mention?.comp.partNumber ?? node.normPn,
      name: part?.name ?? item?.name ?? mention?.comp.name ?? null,
      category: (part?.category ?? item?.category ?? mention?.comp.category ?? null) as Category | null,
    };
  });
  const pathOf = (idx: number): PathStep[] => {
    const steps: PathStep[] = [];
    for (let cur = idx; cur !== -1; cur = cur === ROOT ? -1 : bestParent[cur]!) {
      const d = display[cur]!;
      steps.push({ manufacturer: d.manufacturer, partNumber: d.partNumber, name: d.name });
    }
    return steps.reverse();
  };

  // ---- phase 4: judge ------------------------------------------------------------------
  const disallowed = new Set(policy.disallowedCountries);
  const policyFields = policy.fields;
  const entities = new Map<string, string>();
  for (const e of policy.disallowedEntities) {
    for (const name of [e.name, ...e.aliases]) entities.set(canon.canonical(name), e.name);
  }
  const findings: Finding[] = [];
  const nodeFindings: FindingCode[][] = nodes.map(() => []);
  const used = new Set<string>();
  const assuranceOf: Assurance[] = nodes.map(() => 'none');
  const resolvedOrigin: (Record<string, unknown> | null)[] = nodes.map(() => null);
  const judged = new Uint8Array(n);

  const evidenceRef = (rec: DeclarationRecord, assurance: Assurance): EvidenceRef =>
    ({ sha256: rec.sha256, id: rec.id, supplier: rec.supplier, kid: rec.kid, assurance });
  const add = (idx: number, f: Omit<Finding, 'severity' | 'key' | 'path' | 'pathCount'>) => {
    findings.push({
      code: f.code,
      severity: FAIL_CODES.has(f.code) ? 'fail' : 'incomplete',
      message: f.message,
      key: idx === ROOT ? null : nodes[idx]!.key,
      path: pathOf(idx),
      pathCount: pathCount[idx]!,
      ...(f.field !== undefined ? { field: f.field } : {}),
      ...(f.value !== undefined ? { value: f.value } : {}),
      ...(f.source !== undefined ? { source: f.source } : {}),
      ...(f.evidence !== undefined ? { evidence: f.evidence } : {}),
      ...(f.conflicts !== undefined ? { conflicts: f.conflicts } : {}),
    });
    nodeFindings[idx]!.push(f.code);
  };
  const label = (idx: number) => {
    const d = display[idx]!;
    return idx === ROOT ? `the end product "${d.name}"` : `${d.manufacturer} ${d.partNumber}`;
  };
  const describeSource = (s: Source): string => {
    switch (s.kind) {
      case 'declaration': return `declaration ${s.rec!.id} signed by ${s.rec!.supplier}`;
      case 'attestation': return `the parent's declaration ${s.rec!.id} signed by ${s.rec!.supplier}`;
      case 'registry': return `the registry entry of supplier ${s.supplier!.id}`;
      case 'bom': return `the BOM (unsigned, item ${s.item})`;
      case 'header': return 'the BOM header (unsigned)';
    }
  };
  const sourceEvidence = (s: Source): EvidenceRef | undefined =>
    s.rec ? evidenceRef(s.rec, s.assurance!) : undefined;

  // Disallowed countries and entities, from every source, whatever its assurance.
  const judgeRedFlags = (idx: number, sources: Source[], extraNames: { field: string; name: string; source: Source }[]) => {
    let seen: Set<string> | undefined;
    const flag = (field: string, v: string, s: Source) => {
      if (!disallowed.has(v)) return;
      seen ??= new Set<string>();
      if (seen.has(`${field}\u0000${v}`)) return;
      seen.add(`${field}\u0000${v}`);
      const ev = sourceEvidence(s);
      add(idx, {
        code: 'DISALLOWED_ORIGIN',
        message: `${label(idx)}: ${field} is ${v}, disallowed by policy ${policy.id}@${policy.version} (per ${describeSource(s)})`,
        field, value: v, source: s.kind, ...(ev ? { evidence: ev } : {}),
      });
    };
    for (const field of policyFields) {
      for (const s of sources) {
        const v = s.flat[field];
        if (v === undefined) continue;
        if (typeof v === 'string') flag(field, v, s);
        else for (const x of v) flag(field, x, s);
      }
    }
    if (entities.size === 0) return; // no disallowed entities in this policy: no names to match
    seen ??= new Set<string>();
    const names: { field: string; name: string; source: Source }[] = [...extraNames];
    for (const s of sources) {
      if (s.names.manufacturer !== undefined) names.push({ field: 'manufacturer.name', name: s.names.manufacturer, source: s });
      if (s.names.ultimateParent !== undefined) names.push({ field: 'manufacturer.ultimateParent.name', name: s.names.ultimateParent, source: s });
    }
    for (const { field, name, source } of names) {
      const entity = entities.get(canon.canonical(name));
      if (entity === undefined || seen.has(`entity\u0000${entity}`)) continue;
      seen.add(`entity\u0000${entity}`);
      const ev = sourceEvidence(source);
      add(idx, {
        code: 'DISALLOWED_ENTITY',
        message: `${label(idx)}: ${field} "${name}" matches disallowed entity "${entity}" of policy ${policy.id}@${policy.version} (per ${describeSource(source)})`,
        field, value: name, source: source.kind, ...(ev ? { evidence: ev } : {}),
      });
    }
  };

  // Origins are shared between declarations with the same text (see dbEvidence), and most
  // nodes resolve from one declaration plus their manufacturer's registry facts: so the
  // flattened form, the registry sources and the resolved origin are each built once.
  const flatCache = new WeakMap<object, { flat: FlatOrigin; names: OriginNames }>();
  const flatOf = (origin: Origin | undefined): { flat: FlatOrigin; names: OriginNames } => {
    if (origin === undefined) return { flat: {}, names: {} };
    let o = flatCache.get(origin);
    if (o === undefined) {
      o = { flat: flattenOrigin(origin), names: originNames(origin) };
      flatCache.set(origin, o);
    }
    return o;
  };
  const registryCache = new Map<string, Source[]>();
  const registrySourcesOf = (canonMfr: string): Source[] => {
    let list = registryCache.get(canonMfr);
    if (list === undefined) {
      list = (makers.get(canonMfr) ?? []).map((s) => {
        const flat: FlatOrigin = { 'manufacturer.domicile': s.domicile };
        const up = s.ultimateParent;
        const upDomicile = up === 'self' ? s.domicile : up?.domicile;
        if (upDomicile !== undefined && upDomicile !== 'unknown') flat['manufacturer.ultimateParent.domicile'] = upDomicile;
        const names: OriginNames = { manufacturer: s.name };
        if (up === 'self') names.ultimateParent = s.name;
        else if (up?.name !== undefined) names.ultimateParent = up.name;
        return { kind: 'registry', supplier: s, flat, names };
      });
      registryCache.set(canonMfr, list);
    }
    return list;
  };
  type Resolved = { resolved: FlatOrigin; origin: Record<string, unknown> };
  const resolvedCache = new WeakMap<FlatOrigin, Map<string, Resolved>>();
  const resolveOrigin = (layer: Source[], registrySources: Source[], canonMfr: string): Resolved => {
    const cacheable = layer.length === 1;
    const byMaker = cacheable ? resolvedCache.get(layer[0]!.flat) : undefined;
    const hit = byMaker?.get(canonMfr);
    if (hit !== undefined) return hit;
    const resolved: FlatOrigin = {};
    const all = [...layer, ...registrySources];
    for (const field of POLICY_FIELDS) {
      for (const s of all) {
        const v = s.flat[field];
        if (v !== undefined) {
          resolved[field] = v;
          break;
        }
      }
    }
    const names: OriginNames = {};
    for (const s of all) {
      if (names.manufacturer === undefined && s.names.manufacturer !== undefined) names.manufacturer = s.names.manufacturer;
      if (names.ultimateParent === undefined && s.names.ultimateParent !== undefined) names.ultimateParent = s.names.ultimateParent;
    }
    const out = { resolved, origin: unflattenOrigin(resolved, names) };
    if (cacheable) {
      if (byMaker) byMaker.set(canonMfr, out);
      else resolvedCache.set(layer[0]!.flat, new Map([[canonMfr, out]]));
    }
    return out;
  };

  // Root: judged only on what its header says.
  {
    judged[ROOT] = 1;
    const header: Source = { kind: 'header', flat: flattenOrigin(bom.origin), names: originNames(bom.origin) };
    const extra = bom.manufacturer !== null ? [{ field: 'manufacturer', name: bom.manufacturer, source: header }] : [];
    judgeRedFlags(ROOT, [header], extra);
  }

  // BROKEN_REFERENCE / PART_MISMATCH: every `declaration` reference, late ones included
  loadShas(nodes.flatMap((node) => node.refs.map((r) => r.sha)));

  for (let idx = 1; idx < n; idx++) {
    const node = nodes[idx]!;
    const isDirect = isDirectFor(node);
    // Attestations come only from edges that survived the cycle cut.
    const attesting = node.mentions.filter((m) => m.comp.origin !== undefined && nodes[m.parent]!.out.has(idx) && nodes[m.parent]!.chosen !== null)
      .sort((a, b) => cmpStr(nodes[a.parent]!.key, nodes[b.parent]!.key));
    // Every category any source gives the part counts; none at all counts as critical.
    let anyCategory = false;
    let critical = false;
    let software = false;
    const category = (c: string | undefined) => {
      if (!c) return;
      anyCategory = true;
      if (CRITICAL_CATEGORIES.has(c as Category)) critical = true;
      if (SOFTWARE_CATEGORIES.has(c as Category)) software = true;
    };
    for (const it of node.items) category(it.category);
    for (const rec of node.valid) category(rec.payload.part.category);
    for (const m of node.mentions) category(m.comp.category);
    if (!anyCategory) critical = true;
    const inScope = policy.scope === 'all' || critical;
    judged[idx] = inScope ? 1 : 0;

    const declSources: Source[] = node.valid.map((rec) => {
      const o = flatOf(rec.payload.origin);
      return { kind: 'declaration', rec, flat: o.flat, names: o.names, assurance: isDirect(rec) ? 'signed-direct' : 'signed-third-party' };
    });
    const registrySources = registrySourcesOf(node.canonMfr);
    const attestSources: Source[] = attesting.map((m) => {
      const o = flatOf(m.comp.origin);
      return { kind: 'attestation', rec: nodes[m.parent]!.chosen!, flat: o.flat, names: o.names, assurance: 'attested-by-parent' };
    });
    const bomSources: Source[] = node.items.filter((it) => it.origin !== undefined).map((it) => ({
      kind: 'bom', item: it.id, flat: flattenOrigin(it.origin), names: originNames(it.origin), assurance: 'unsigned',
    }));
    const hasBomOrigin = bomSources.some((s) => Object.keys(s.flat).length > 0);

    const assurance: Assurance = declSources.length > 0
      ? declSources[0]!.assurance!
      : attestSources.length > 0 ? 'attested-by-parent' : hasBomOrigin ? 'unsigned' : 'none';
    assuranceOf[idx] = assurance;

    // The origin the node is judged "known" on: its own evidence, else its parents'
    // attestations, else (only when that is all there is) the BOM; registry facts fill
    // the two manufacturer domicile fields. A BOM value never makes a field known on a
    // node that has signed evidence: unsigned claims prove bad, never good.
    const layer: Source[] = declSources.length > 0 ? [declSources[0]!]
      : attestSources.length > 0 ? attestSources : assurance === 'unsigned' ? bomSources : [];
    const { resolved, origin } = resolveOrigin(layer, registrySources, node.canonMfr);
    resolvedOrigin[idx] = origin;

    if (node.chosen) used.add(node.chosen.sha256);
    if (!inScope) continue;
    for (const rec of node.valid) used.add(rec.sha256);
    for (const s of attestSources) used.add(s.rec!.sha256);

    const allSources = [...declSources, ...registrySources, ...attestSources, ...bomSources];
    judgeRedFlags(idx, allSources, [{ field: 'manufacturer', name: display[idx]!.manufacturer!, source: layer[0] ?? registrySources[0] ?? { kind: 'bom', flat: {}, names: {}, item: node.items[0]?.id ?? '' } }]);

    // Conflicts: any policy field on which two sources state different known values.
    for (const field of allSources.length < 2 ? [] : policyFields) {
      let first: string | undefined;
      let differs = false;
      for (const s of allSources) {
        const v = s.flat[field];
        if (!isKnown(v)) continue;
        const t = valueText(v);
        if (first === undefined) first = t;
        else if (t !== first) {
          differs = true;
          break;
        }
      }
      if (!differs) continue;
      const sides: Conflict[] = [];
      const distinct = new Set<string>();
      for (const s of allSources) {
        const v = s.flat[field];
        if (!isKnown(v)) continue;
        distinct.add(valueText(v));
        const side: Conflict = { source: s.kind === 'attestation' ? 'declaration' : s.kind as Conflict['source'], field, value: v };
        if (s.assurance !== undefined && s.kind !== 'bom') side.assurance = s.assurance;
        if (s.rec) {
          side.sha256 = s.rec.sha256;
          side.supplier = s.rec.supplier;
        } else if (s.supplier) side.supplier = s.supplier.id;
        if (s.item !== undefined) side.item = s.item;
        sides.push(side);
      }
      add(idx, {
        code: 'CONFLICTING_DECLARATIONS',
        message: `${label(idx)}: sources disagree on ${field} (${[...distinct].sort().join(' / ')})`,
        field, conflicts: sides,
      });
    }

    // Expired or revoked declarations, reported only where they would have been the evidence.
    for (const why of ['expired', 'revoked'] as const) {
      const lost = node.excluded.find((e) => e.why === why && (!node.chosen || compareEvidence(e.rec, node.chosen, isDirect) < 0));
      if (!lost) continue;
      const ev = evidenceRef(lost.rec, isDirect(lost.rec) ? 'signed-direct' : 'signed-third-party');
      add(idx, why === 'expired'
        ? { code: 'EXPIRED_DECLARATION', message: `${label(idx)}: declaration ${lost.rec.id} of ${lost.rec.supplier} has expired`, evidence: ev }
        : { code: 'REVOKED_KEY', message: `${label(idx)}: declaration ${lost.rec.id} of ${lost.rec.supplier} was signed with key ${lost.rec.kid}, revoked since before its receipt`, evidence: ev });
    }

    for (const r of node.refs) {
      const target = resolveRef(r.sha);
      const parentRec = nodes[r.parent]!.chosen!;
      const ev = evidenceRef(parentRec, 'attested-by-parent');
      if (!target) {
        add(idx, { code: 'BROKEN_REFERENCE', message: `${label(idx)}: declaration ${parentRec.id} of ${parentRec.supplier} refers to ${r.sha}, which is not held or no longer valid`, value: r.sha, evidence: ev });
      } else if (keyOfRecord(target) !== node.key) {
        add(idx, { code: 'PART_MISMATCH', message: `${label(idx)}: declaration ${parentRec.id} of ${parentRec.supplier} refers to ${r.sha}, a declaration for ${target.payload.part.manufacturer} ${target.payload.part.partNumber}`, value: r.sha, evidence: ev });
      }
    }

    const minimum = critical ? policy.minimumAssurance.critical : policy.minimumAssurance.other;
    if (assuranceRank(assurance) < assuranceRank(minimum)) {
      if (declSources.length === 0) {
        add(idx, { code: 'MISSING_EVIDENCE', message: `${label(idx)}: no valid declaration; assurance ${assurance} is below the required ${minimum}`, value: assurance });
      } else {
        add(idx, { code: 'INSUFFICIENT_ASSURANCE', message: `${label(idx)}: evidence is ${assurance}, below the required ${minimum}`, value: assurance, evidence: evidenceRef(node.chosen!, assurance) });
      }
    }

    const unknown = policyFields.filter((f) => (software || !SOFTWARE_FIELDS.has(f)) && !isKnown(resolved[f]));
    if (unknown.length > 0) {
      const ev = node.chosen ? evidenceRef(node.chosen, assurance) : undefined;
      add(idx, { code: 'UNKNOWN_ORIGIN', message: `${label(idx)}: origin unknown for ${unknown.join(', ')}`, field: unknown.join(','), value: unknown, ...(ev ? { evidence: ev } : {}) });
    }

    for (const c of node.backEdges) {
      add(idx, { code: 'CYCLE', message: `${label(idx)}: its components lead back to ${label(c)}; the edge is cut`, value: nodes[c]!.key });
    }
    if (node.cutByDepth) {
      add(idx, { code: 'DEPTH_LIMIT', message: `${label(idx)}: at depth ${node.depth}, the policy's maxDepth of ${policy.maxDepth}; its components were not walked`, value: String(node.depth) });
    }
  }

  // ---- assemble --------------------------------------------------------------------------
  const rankOfKey = (key: string | null) => (key === null ? 0 : keyRank[index.get(key)!]!);
  findings.sort((a, b) =>
    rankOfKey(a.key) - rankOfKey(b.key)
    || CODE_ORDER.get(a.code)! - CODE_ORDER.get(b.code)!
    || cmpStr(a.field ?? '', b.field ?? '')
    || cmpStr(a.value === undefined ? '' : valueText(a.value), b.value === undefined ? '' : valueText(b.value))
    || cmpStr(a.evidence?.sha256 ?? '', b.evidence?.sha256 ?? ''));

  const codesOf = (idx: number) => [...new Set(nodeFindings[idx])].sort((a, b) => CODE_ORDER.get(a)! - CODE_ORDER.get(b)!);
  const edgesOf = (u: number): TreeEdge[] => kept[u]!.map((c) => ({ key: nodes[c]!.key, quantity: nodes[u]!.out.get(c)! }));
  const treeNodes: TreeNode[] = [];
  const inKeyOrder = [...Array(n).keys()].sort(byRank);
  for (const idx of inKeyOrder) {
    if (idx === ROOT) continue;
    const node = nodes[idx]!;
    const d = display[idx]!;
    treeNodes.push({
      key: node.key,
      manufacturer: d.manufacturer!,
      partNumber: d.partNumber!,
      name: d.name,
      category: d.category,
      quantity: Number.isFinite(total[idx]!) ? total[idx]! : null,
      depth: dist[idx]!,
      via: bestParent[idx] === ROOT ? null : nodes[bestParent[idx]!]!.key,
      pathCount: pathCount[idx]!,
      judged: judged[idx] === 1,
      assurance: assuranceOf[idx]!,
      origin: resolvedOrigin[idx]!,
      evidence: node.chosen?.sha256 ?? null,
      findings: codesOf(idx),
      children: edgesOf(idx),
    });
  }

  const byAssurance = { 'signed-direct': 0, 'signed-third-party': 0, 'attested-by-parent': 0, unsigned: 0, none: 0 } as Record<Assurance, number>;
  for (let idx = 1; idx < n; idx++) byAssurance[assuranceOf[idx]!]++;
  // nodes (the root included) that carry each code, as SPEC §7 counts them
  const byFinding: Partial<Record<FindingCode, number>> = {};
  for (const codes of nodeFindings) for (const code of new Set(codes)) byFinding[code] = (byFinding[code] ?? 0) + 1;
  const sortedByFinding: Partial<Record<FindingCode, number>> = {};
  for (const code of FINDING_CODES) if (byFinding[code] !== undefined) sortedByFinding[code] = byFinding[code];

  const verdict: Verdict = findings.some((f) => f.severity === 'fail') ? 'fail' : findings.length > 0 ? 'incomplete' : 'pass';
  let judgedCount = 0;
  for (let idx = 1; idx < n; idx++) judgedCount += judged[idx]!;
  return {
    verdict,
    summary: { nodes: n - 1, judged: judgedCount, byAssurance, byFinding: sortedByFinding, findings: findings.length },
    findings,
    tree: {
      root: {
        name: bom.name,
        partNumber: bom.partNumber,
        revision: bom.revision,
        manufacturer: bom.manufacturer,
        origin: bom.origin ? unflattenOrigin(flattenOrigin(bom.origin), originNames(bom.origin)) : null,
        findings: codesOf(ROOT),
        children: edgesOf(ROOT),
      },
      nodes: treeNodes,
    },
    evidence: [...used].sort(),
  };
}

export type { Origin };
