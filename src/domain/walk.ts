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
//
// Layout: at 100,000 nodes the cost is allocation, not logic. So a node is a row of
// parallel arrays (no object, map or closure per node); a node is expanded once, so its
// out-edges are one contiguous range of the global edge arrays; and the tree is written
// straight into the report's buffer (writeTree) instead of being built as objects first.
import type { Bom, BomItem } from './bom.js';
import { CRITICAL_CATEGORIES, SOFTWARE_CATEGORIES, type Category } from './categories.js';
import type { DeclaredComponent, Origin } from './declaration-schema.js';
import {
  compareEvidence, invalidity, type DeclarationRecord, type EvidenceSource, type Invalidity,
} from './evidence.js';
import { JsonWriter } from './json-writer.js';
import { sortHashes } from './sort-hashes.js';
import {
  flattenOrigin, isKnown, originNames, unflattenOrigin, valueText,
  type FieldValue, type FlatOrigin, type OriginNames,
} from './origin-fields.js';
import { buildCanon, normalizeName, partKey, type ManufacturerCanon } from './part-key.js';
import {
  assuranceRank, POLICY_FIELDS, SOFTWARE_FIELDS, type Assurance, type Policy, type PolicyField,
} from './policy.js';
import type { KeyFacts, RegistrySnapshot, SupplierFacts } from './registry.js';
import { compareCodeUnits, sortIndicesByKey } from './sort-keys.js';
import { ScratchBuffer } from '../scratch-buffer.js';

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

/** A tree node as where-used records it: the key's halves, the canonical parent, the names shown. */
export interface WalkPart {
  key: string;
  mfrNorm: string;
  pnNorm: string;
  via: string | null;
  /** JSON text {manufacturer, partNumber, name, category}: the names the tree shows */
  shownJson: string;
}

export interface WalkResult {
  verdict: Verdict;
  summary: WalkSummary;
  findings: Finding[];
  /** "sha256:<hex>" of every declaration the verdict rests on, sorted */
  evidence: string[];
  /** Writes the report's `tree` (SPEC §7) as JSON: byte for byte what JSON.stringify(tree) gives. */
  writeTree(w: JsonWriter): void;
  /** The tree as objects, read back from what writeTree writes, so that the two never differ. */
  readonly tree: WalkTree;
  /** Every tree node in key order. */
  parts(): WalkPart[];
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
/**
 * writeTree's staging buffer, kept between reports (fresh memory costs more than the
 * copy saves), and a generous guess at a node's JSON (it grows when more is needed)
 */
const staging = new ScratchBuffer();
const STAGED_BYTES_PER_NODE = 1024;
const ROOT = 0;

interface Source {
  kind: SourceKind;
  flat: FlatOrigin;
  names: OriginNames;
  rec?: DeclarationRecord;
  assurance?: Assurance;
  supplier?: SupplierFacts;
  item?: string;
}

interface Excluded {
  rec: DeclarationRecord;
  why: Invalidity;
}

// Most nodes have no BOM item, one declaration and no excluded ones: their lists start as
// this one frozen empty array (a push onto it throws) and get their own array on first use.
const NONE: never[] = Object.freeze([]) as unknown as never[];
const NO_EDGES: ReadonlyMap<string, number> = new Map();
function append<T>(list: T[], x: T): T[] {
  if (list === NONE) return [x];
  list.push(x);
  return list;
}
function hasSha(list: readonly DeclarationRecord[], sha: string): boolean {
  for (const r of list) if (r.sha256 === sha) return true;
  return false;
}

const CAT_ANY = 1;
const CAT_CRITICAL = 2;
const CAT_SOFTWARE = 4;
function categoryBits(c: string | undefined): number {
  if (!c) return 0;
  return CAT_ANY | (CRITICAL_CATEGORIES.has(c as Category) ? CAT_CRITICAL : 0) | (SOFTWARE_CATEGORIES.has(c as Category) ? CAT_SOFTWARE : 0);
}

/** Same known value, compared as the report prints values (lists joined). */
function sameValue(a: FieldValue, b: FieldValue): boolean {
  return typeof a === 'string' && typeof b === 'string' ? a === b : valueText(a) === valueText(b);
}

function num(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

export function walk(input: WalkInput): WalkResult {
  const { bom, policy, registry, evidence } = input;
  const nowMs = Date.parse(input.now);
  const maxAge = policy.maxDeclarationAgeDays;
  const canon: ManufacturerCanon = buildCanon(registry.aliases);
  const keys = new Map<string, KeyFacts>(registry.keys.map((k) => [k.kid, k]));
  // canonical manufacturer name → suppliers registered as that manufacturer (sorted by id)
  const makers = new Map<string, SupplierFacts[]>();
  const makerIds = new Map<string, Set<string>>();
  for (const s of [...registry.suppliers].sort((a, b) => compareCodeUnits(a.id, b.id))) {
    for (const name of new Set(s.manufacturerNames.map((m) => canon.canonical(m)))) {
      const list = makers.get(name);
      if (list) list.push(s);
      else makers.set(name, [s]);
      let ids = makerIds.get(name);
      if (!ids) makerIds.set(name, (ids = new Set()));
      ids.add(s.id);
    }
  }
  const isDirect = (mfr: string, rec: DeclarationRecord) => makerIds.get(mfr)?.has(rec.supplier) === true;
  const byEvidenceOrder = (mfr: string) => (a: DeclarationRecord, b: DeclarationRecord) => compareEvidence(a, b, (r) => isDirect(mfr, r));

  // ---- BOM structure: per part key, the BOM edges to child keys --------------------------
  const items = bom.items;
  const itemMfr: string[] = [];
  const itemPn: string[] = [];
  const itemKey: string[] = [];
  for (const it of items) {
    const m = canon.canonical(it.manufacturer);
    const p = normalizeName(it.partNumber);
    itemMfr.push(m);
    itemPn.push(p);
    itemKey.push(partKey(m, p));
  }
  const childrenOfItem = new Map<string | null, number[]>();
  const itemsByKey = new Map<string, number[]>();
  // most nodes are not in the BOM: their part number says so without building a key
  const itemPns = new Set<string>(itemPn);
  for (let i = 0; i < items.length; i++) {
    const list = childrenOfItem.get(items[i]!.parent);
    if (list) list.push(i);
    else childrenOfItem.set(items[i]!.parent, [i]);
    const same = itemsByKey.get(itemKey[i]!);
    if (same) same.push(i);
    else itemsByKey.set(itemKey[i]!, [i]);
  }
  // Lines of one parent item with the same key add up (a part listed twice); between
  // several items of the same key, the first in document order speaks for the part.
  const bomEdgesOf = (parentItemIds: (string | null)[]): Map<string, number> => {
    const edges = new Map<string, number>();
    for (const pid of parentItemIds) {
      const local = new Map<string, number>();
      for (const ci of childrenOfItem.get(pid) ?? []) {
        const k = itemKey[ci]!;
        local.set(k, (local.get(k) ?? 0) + items[ci]!.quantity);
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
      const why = invalidity(cur, nowMs, maxAge, keys);
      if (why === null) return cur;
      if (why !== 'superseded') return null;
      cur = cur.successors
        .map((x) => loadedBySha.get(x.sha256))
        .filter((r): r is DeclarationRecord => r !== undefined)
        .sort((a, b) => compareEvidence(a, b, () => false))[0];
    }
    return null;
  };
  const keyOfRecord = (rec: DeclarationRecord) => partKey(canon.canonicalNormalized(rec.mfrNorm), rec.pnNorm);

  // ---- phase 1: build ------------------------------------------------------------------
  // Node rows. The numeric columns are typed arrays, grown by doubling: the garbage
  // collector neither scans nor copies them, and their numbers are never boxed.
  let nodeCap = 1024;
  const nKey: string[] = [''];
  const nMfr: string[] = [''];
  const nPn: string[] = [''];
  let nDepth = new Int32Array(nodeCap);
  /** the frontier a node is expanded in */
  let nRound = new Int32Array(nodeCap).fill(-1);
  const nItems: BomItem[][] = [NONE];
  const nValid: DeclarationRecord[][] = [NONE];
  const nExcluded: Excluded[][] = [NONE];
  const nChosen: (DeclarationRecord | null)[] = [null];
  let nCutByDepth = new Uint8Array(nodeCap);
  let outStart = new Int32Array(nodeCap);
  let outEnd = new Int32Array(nodeCap);
  // edges: node u's are eTo/eQty[outStart[u] .. outEnd[u])
  let edgeCap = 1024;
  let edges = 0;
  let eTo = new Int32Array(edgeCap);
  let eQty = new Float64Array(edgeCap);
  // mentions: the declared components naming a node, a list per node in arrival order. A
  // mention is component mIndex[m] of its parent's chosen declaration.
  let mentionCap = 1024;
  let mentions = 0;
  let mParent = new Int32Array(mentionCap);
  let mIndex = new Int32Array(mentionCap);
  let mNext = new Int32Array(mentionCap);
  let mHead = new Int32Array(nodeCap).fill(-1);
  let mTail = new Int32Array(nodeCap).fill(-1);
  const grownInt = (a: Int32Array, size: number, fill = 0) => {
    const b = new Int32Array(size);
    if (fill !== 0) b.fill(fill, a.length);
    b.set(a);
    return b;
  };
  const addEdge = (child: number, quantity: number) => {
    if (edges === edgeCap) {
      edgeCap *= 2;
      eTo = grownInt(eTo, edgeCap);
      const q = new Float64Array(edgeCap);
      q.set(eQty);
      eQty = q;
    }
    eTo[edges] = child;
    eQty[edges] = quantity;
    edges++;
  };
  // canonical manufacturer → normalised part number → node
  const index = new Map<string, Map<string, number>>();

  let round = 0;
  const ensure = (mfr: string, pn: string, depth: number, created: number[]): number => {
    let byPn = index.get(mfr);
    if (byPn === undefined) index.set(mfr, (byPn = new Map()));
    let idx = byPn.get(pn);
    if (idx === undefined) {
      idx = nKey.length;
      if (idx === nodeCap) {
        nodeCap *= 2;
        nDepth = grownInt(nDepth, nodeCap);
        nRound = grownInt(nRound, nodeCap, -1);
        const cut = new Uint8Array(nodeCap);
        cut.set(nCutByDepth);
        nCutByDepth = cut;
        outStart = grownInt(outStart, nodeCap);
        outEnd = grownInt(outEnd, nodeCap);
        mHead = grownInt(mHead, nodeCap, -1);
        mTail = grownInt(mTail, nodeCap, -1);
      }
      byPn.set(pn, idx);
      const key = partKey(mfr, pn);
      const its = itemPns.has(pn) ? itemsByKey.get(key) : undefined;
      nKey.push(key);
      nMfr.push(mfr);
      nPn.push(pn);
      nDepth[idx] = depth;
      nRound[idx] = round;
      nItems.push(its === undefined ? NONE : its.map((i) => items[i]!));
      nValid.push(NONE);
      nExcluded.push(NONE);
      nChosen.push(null);
      created.push(idx);
    }
    return idx;
  };
  const addMention = (child: number, parent: number, component: number) => {
    if (mentions === mentionCap) {
      mentionCap *= 2;
      mParent = grownInt(mParent, mentionCap);
      mIndex = grownInt(mIndex, mentionCap);
      mNext = grownInt(mNext, mentionCap);
    }
    const m = mentions++;
    mParent[m] = parent;
    mIndex[m] = component;
    mNext[m] = -1;
    if (mTail[child] === -1) mHead[child] = m;
    else mNext[mTail[child]!] = m;
    mTail[child] = m;
  };
  // what a mention says; the component itself is only read (and parsed) when needed
  const mentionComponent = (m: number): DeclaredComponent => nChosen[mParent[m]!]!.components[mIndex[m]!]!;
  const mentionCategory = (m: number) => nChosen[mParent[m]!]!.componentCategory(mIndex[m]!);
  const mentionReference = (m: number): string | undefined => {
    const rec = nChosen[mParent[m]!]!;
    return rec.componentsPlain ? undefined : rec.components[mIndex[m]!]!.declaration;
  };
  const mentionOrigin = (m: number): Origin | undefined => {
    const rec = nChosen[mParent[m]!]!;
    return rec.componentsPlain ? undefined : rec.components[mIndex[m]!]!.origin;
  };

  let frontier: number[] = [];
  for (const [k, q] of bomEdgesOf([null])) {
    const first = itemsByKey.get(k)![0]!;
    addEdge(ensure(itemMfr[first]!, itemPn[first]!, 1, frontier), q);
  }
  outEnd[ROOT] = edges;

  // a node's edge to a child, when it has many: child → edge position (reused)
  const edgeOfChild = new Map<number, number>();
  while (frontier.length > 0) {
    // (the frontier's order is deterministic: BOM order, then the chosen declarations'
    // component order; every result below is sorted by key anyway)
    const pns: string[] = [];
    const pnSeen = new Set<string>();
    for (const i of frontier) {
      const p = nPn[i]!;
      if (!pnSeen.has(p)) {
        pnSeen.add(p);
        pns.push(p);
      }
    }
    for (const rec of evidence.byPartNumbers(pns)) {
      const idx = index.get(canon.canonicalNormalized(rec.mfrNorm))?.get(rec.pnNorm);
      if (idx === undefined || nRound[idx] !== round) continue;
      if ((nValid[idx]!.length > 0 && hasSha(nValid[idx]!, rec.sha256)) || nExcluded[idx]!.some((e) => e.rec.sha256 === rec.sha256)) continue;
      const why = invalidity(rec, nowMs, maxAge, keys);
      if (why === null) nValid[idx] = append(nValid[idx]!, rec);
      else nExcluded[idx] = append(nExcluded[idx]!, { rec, why });
    }
    // A component's `declaration` reference names its evidence (SPEC §6.3): references
    // from the parents expanded so far (the shallower ones) decide; else the selection order.
    const refShas: string[] = [];
    for (const i of frontier) {
      for (let m = mHead[i]!; m !== -1; m = mNext[m]!) {
        const d = mentionReference(m);
        if (d !== undefined) refShas.push(d);
      }
    }
    if (refShas.length > 0) loadShas(refShas);

    round++;
    const next: number[] = [];
    for (const idx of frontier) {
      const mfr = nMfr[idx]!;
      let valid = nValid[idx]!;
      let referenced: DeclarationRecord[] = NONE;
      for (let m = mHead[idx]!; m !== -1; m = mNext[m]!) {
        const sha = mentionReference(m);
        if (sha === undefined) continue;
        const t = resolveRef(sha);
        if (t && keyOfRecord(t) === nKey[idx] && !hasSha(referenced, t.sha256)) referenced = append(referenced, t);
      }
      for (const t of referenced) if (!hasSha(valid, t.sha256)) valid = append(valid, t);
      if (valid.length > 1) valid.sort(byEvidenceOrder(mfr));
      if (nExcluded[idx]!.length > 1) nExcluded[idx]!.sort((a, b) => byEvidenceOrder(mfr)(a.rec, b.rec));
      if (referenced.length > 1) referenced.sort(byEvidenceOrder(mfr));
      const chosen = referenced[0] ?? valid[0] ?? null;
      if (chosen && (valid.length !== 1 || valid[0] !== chosen)) {
        valid = [chosen, ...valid.filter((v) => v !== chosen && v.sha256 !== chosen.sha256)];
      }
      nValid[idx] = valid;
      nChosen[idx] = chosen;

      const ofKey = nItems[idx]!;
      const bomEdges = ofKey.length === 0 ? NO_EDGES : bomEdgesOf(ofKey.map((it) => it.id));
      const comps = chosen === null ? 0 : chosen.componentCount;
      const start = edges;
      outStart[idx] = start;
      outEnd[idx] = start;
      if (nDepth[idx]! >= policy.maxDepth) {
        nCutByDepth[idx] = bomEdges.size > 0 || comps > 0 ? 1 : 0;
        continue;
      }
      const childDepth = nDepth[idx]! + 1;
      for (const [k, q] of bomEdges) {
        const first = itemsByKey.get(k)![0]!;
        addEdge(ensure(itemMfr[first]!, itemPn[first]!, childDepth, next), q);
      }
      // The BOM's quantity wins over the declared one for the same child; declared lines
      // for one child add up.
      const bomEnd = edges;
      if (comps > 0) {
        const rec = chosen!;
        const many = comps + bomEnd - start > 16;
        if (many) for (let e = start; e < bomEnd; e++) edgeOfChild.set(eTo[e]!, e);
        for (let j = 0; j < comps; j++) {
          const child = ensure(canon.canonicalNormalized(rec.componentMfr(j)), rec.componentPn(j), childDepth, next);
          const quantity = rec.componentQuantity(j);
          addMention(child, idx, j);
          let pos = -1;
          if (many) pos = edgeOfChild.get(child) ?? -1;
          else for (let e = start; e < edges; e++) if (eTo[e] === child) pos = e;
          if (pos === -1) {
            if (many) edgeOfChild.set(child, edges);
            addEdge(child, quantity);
          } else if (pos >= bomEnd) eQty[pos] = eQty[pos]! + quantity;
        }
        if (many) edgeOfChild.clear();
      }
      outEnd[idx] = edges;
    }
    frontier = next;
  }

  const n = nKey.length;
  // Every later ordering is by key: rank the keys once, then compare integers.
  const keyRank = new Int32Array(n);
  // keys are distinct and compare as JavaScript strings compare (UTF-16 code units, SPEC §6)
  const inKeyOrder = sortIndicesByKey(nKey, 1);
  for (let r = 0; r < inKeyOrder.length; r++) keyRank[inKeyOrder[r]!] = r + 1;
  // each node's edges in key order of their children
  for (let u = 0; u < n; u++) {
    const s = outStart[u]!;
    const len = outEnd[u]! - s;
    if (len < 2) continue;
    const pairs: [number, number][] = [];
    for (let e = s; e < s + len; e++) pairs.push([eTo[e]!, eQty[e]!]);
    pairs.sort((a, b) => keyRank[a[0]]! - keyRank[b[0]]!);
    for (let j = 0; j < len; j++) {
      eTo[s + j] = pairs[j]![0];
      eQty[s + j] = pairs[j]![1];
    }
  }

  // ---- phase 2: cycles -----------------------------------------------------------------
  const cut = new Uint8Array(edges);
  /** node → the children its cut edges pointed to, in the order found */
  const backEdgesOf = new Map<number, number[]>();
  const postorder = new Int32Array(n);
  let posts = 0;
  {
    const color = new Uint8Array(n);
    const stackNode = new Int32Array(n);
    const stackPos = new Int32Array(n);
    let sp = 1;
    stackNode[0] = ROOT;
    stackPos[0] = outStart[ROOT]!;
    color[ROOT] = 1;
    while (sp > 0) {
      const u = stackNode[sp - 1]!;
      const pos = stackPos[sp - 1]!;
      if (pos < outEnd[u]!) {
        stackPos[sp - 1] = pos + 1;
        const c = eTo[pos]!;
        if (color[c] === 0) {
          color[c] = 1;
          stackNode[sp] = c;
          stackPos[sp] = outStart[c]!;
          sp++;
        } else if (color[c] === 1) {
          cut[pos] = 1;
          const list = backEdgesOf.get(u);
          if (list) list.push(c);
          else backEdgesOf.set(u, [c]);
        }
      } else {
        color[u] = 2;
        postorder[posts++] = u;
        sp--;
      }
    }
  }
  const edgeCut = (parent: number, child: number) => backEdgesOf.get(parent)?.includes(child) === true;

  // ---- phase 3: canonical paths, path counts, quantities ---------------------------------
  // Breadth-first over the kept edges, each layer in canonical order (its parents' order,
  // then key): the first parent a node is reached from is its canonical one.
  const dist = new Int32Array(n).fill(-1);
  const bestParent = new Int32Array(n).fill(-1);
  {
    dist[ROOT] = 0;
    let layer = [ROOT];
    while (layer.length > 0) {
      const nextLayer: number[] = [];
      for (const u of layer) {
        for (let e = outStart[u]!; e < outEnd[u]!; e++) {
          if (cut[e] === 1) continue;
          const c = eTo[e]!;
          if (dist[c] === -1) {
            dist[c] = dist[u]! + 1;
            bestParent[c] = u;
            nextLayer.push(c);
          }
        }
      }
      layer = nextLayer;
    }
  }
  const pathCount = new Float64Array(n);
  const total = new Float64Array(n);
  pathCount[ROOT] = 1;
  total[ROOT] = 1;
  for (let t = posts - 1; t >= 0; t--) {
    const u = postorder[t]!;
    for (let e = outStart[u]!; e < outEnd[u]!; e++) {
      if (cut[e] === 1) continue;
      const c = eTo[e]!;
      pathCount[c] = Math.min(PATH_COUNT_CAP, pathCount[c]! + pathCount[u]!);
      total[c] = total[c]! + total[u]! * eQty[e]!;
    }
  }

  // ---- display fields --------------------------------------------------------------------
  // A node with evidence shows its declaration's part (kept as JSON text, which reports take
  // as it is); one without, its first BOM item, else the mention from the parent whose key
  // sorts first.
  interface Shown { manufacturer: string | null; partNumber: string | null; name: string | null; category: Category | null }
  const rootShown: Shown = { manufacturer: bom.manufacturer, partNumber: bom.partNumber, name: bom.name, category: null };
  const shownOther = new Map<number, Shown>();
  for (let idx = 1; idx < n; idx++) {
    if (nChosen[idx] !== null) continue;
    let mention = -1;
    let bestRank = Infinity;
    for (let m = mHead[idx]!; m !== -1; m = mNext[m]!) {
      if (keyRank[mParent[m]!]! < bestRank) {
        bestRank = keyRank[mParent[m]!]!;
        mention = m;
      }
    }
    const item = nItems[idx]![0];
    const comp = mention === -1 ? undefined : mentionComponent(mention);
    shownOther.set(idx, {
      manufacturer: item?.manufacturer ?? comp?.manufacturer ?? nMfr[idx]!,
      partNumber: item?.partNumber ?? comp?.partNumber ?? nPn[idx]!,
      name: item?.name ?? comp?.name ?? null,
      category: item?.category ?? comp?.category ?? null,
    });
  }
  const shown = (idx: number): Shown => (idx === ROOT ? rootShown : nChosen[idx]?.part ?? shownOther.get(idx)!);
  /** Writes the shown members (manufacturer, partNumber, name, category), without braces. */
  const writeShown = (w: JsonWriter, idx: number): void => {
    const rec = nChosen[idx];
    if (rec) {
      rec.writePartMembers(w);
      return;
    }
    const s = shown(idx);
    w.raw(JSON.stringify({ manufacturer: s.manufacturer, partNumber: s.partNumber, name: s.name, category: s.category }).slice(1, -1));
  };
  const pathOf = (idx: number): PathStep[] => {
    const steps: PathStep[] = [];
    for (let cur = idx; cur !== -1; cur = cur === ROOT ? -1 : bestParent[cur]!) {
      const s = shown(cur);
      steps.push({ manufacturer: s.manufacturer, partNumber: s.partNumber, name: s.name });
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
  /** the node each finding is about, by position in `findings` */
  const findingNode: number[] = [];
  const nodeCodes: FindingCode[][] = new Array<FindingCode[]>(n).fill(NONE);
  const used: string[] = [];
  const assuranceOf: Assurance[] = new Array<Assurance>(n).fill('none');
  const resolvedOrigin: (Record<string, unknown> | null)[] = new Array<Record<string, unknown> | null>(n).fill(null);
  const judged = new Uint8Array(n);

  const evidenceRef = (rec: DeclarationRecord, assurance: Assurance): EvidenceRef =>
    ({ sha256: rec.sha256, id: rec.id, supplier: rec.supplier, kid: rec.kid, assurance });
  const add = (idx: number, f: Omit<Finding, 'severity' | 'key' | 'path' | 'pathCount'>) => {
    findings.push({
      code: f.code,
      severity: FAIL_CODES.has(f.code) ? 'fail' : 'incomplete',
      message: f.message,
      key: idx === ROOT ? null : nKey[idx]!,
      path: pathOf(idx),
      pathCount: pathCount[idx]!,
      ...(f.field !== undefined ? { field: f.field } : {}),
      ...(f.value !== undefined ? { value: f.value } : {}),
      ...(f.source !== undefined ? { source: f.source } : {}),
      ...(f.evidence !== undefined ? { evidence: f.evidence } : {}),
      ...(f.conflicts !== undefined ? { conflicts: f.conflicts } : {}),
    });
    findingNode.push(idx);
    nodeCodes[idx] = append(nodeCodes[idx]!, f.code);
  };
  const label = (idx: number) => {
    const s = shown(idx);
    return idx === ROOT ? `the end product "${s.name}"` : `${s.manufacturer} ${s.partNumber}`;
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

  interface NamedSource { field: string; name: string; source: Source }
  // Disallowed countries and entities, from every source, whatever its assurance.
  const judgeRedFlags = (idx: number, sources: readonly Source[], extraName: () => NamedSource | null) => {
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
        if (typeof v === 'string') {
          if (disallowed.has(v)) flag(field, v, s);
        } else {
          for (const x of v) if (disallowed.has(x)) flag(field, x, s);
        }
      }
    }
    if (entities.size === 0) return; // no disallowed entities in this policy: no names to match
    seen ??= new Set<string>();
    const names: NamedSource[] = [];
    const extra = extraName();
    if (extra) names.push(extra);
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
  const EMPTY_FLAT = { flat: {} as FlatOrigin, names: {} as OriginNames };
  const flatCache = new Map<object, { flat: FlatOrigin; names: OriginNames }>();
  const flatOf = (origin: Origin | undefined): { flat: FlatOrigin; names: OriginNames } => {
    if (origin === undefined) return EMPTY_FLAT;
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
  // clean: the usual nodes (see the judge loop) found clean with this origin, a bit per
  // combination of categories (bits 0–2) and direct assurance (bit 3)
  type Resolved = { resolved: FlatOrigin; origin: Record<string, unknown>; clean: number };
  const resolvedCache = new Map<FlatOrigin, Map<string, Resolved>>();
  const resolveOrigin = (layer: readonly Source[], registrySources: readonly Source[], canonMfr: string): Resolved => {
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
    const out = { resolved, origin: unflattenOrigin(resolved, names), clean: 0 };
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
    judgeRedFlags(ROOT, [header], () => (bom.manufacturer !== null ? { field: 'manufacturer', name: bom.manufacturer, source: header } : null));
  }

  // BROKEN_REFERENCE / PART_MISMATCH: every `declaration` reference, late ones included
  {
    const refShas: string[] = [];
    for (let m = 0; m < mentions; m++) {
      const d = mentionReference(m);
      if (d !== undefined) refShas.push(d);
    }
    if (refShas.length > 0) loadShas(refShas);
  }

  // scratch lists, refilled for every node
  const layerOne: Source[] = [];
  const all: Source[] = [];
  // (nothing keeps a Source beyond its node: findings copy what they need)
  const oneDecl: Source = { kind: 'declaration', flat: {}, names: {} };
  const oneDeclList: Source[] = [oneDecl];
  for (let idx = 1; idx < n; idx++) {
    const mfr = nMfr[idx]!;
    const chosen = nChosen[idx]!;
    const valid = nValid[idx]!;
    const nodeItems = nItems[idx]!;
    // Attestations come only from edges that survived the cycle cut, in the parents' key order.
    let attesting: number[] = NONE;
    let cats = 0;
    // no mention carries an origin or a `declaration` reference
    let plainMentions = true;
    for (let m = mHead[idx]!; m !== -1; m = mNext[m]!) {
      cats |= categoryBits(mentionCategory(m) ?? undefined);
      if (!nChosen[mParent[m]!]!.componentsPlain) plainMentions = false;
      if (mentionOrigin(m) === undefined || edgeCut(mParent[m]!, idx)) continue;
      attesting = append(attesting, m);
    }
    if (attesting.length > 1) attesting.sort((a, b) => keyRank[mParent[a]!]! - keyRank[mParent[b]!]!);
    // Every category any source gives the part counts; none at all counts as critical.
    for (const it of nodeItems) cats |= categoryBits(it.category);
    for (const rec of valid) cats |= categoryBits(rec.category);
    const critical = (cats & CAT_ANY) === 0 || (cats & CAT_CRITICAL) !== 0;
    const software = (cats & CAT_SOFTWARE) !== 0;
    const inScope = policy.scope === 'all' || critical;
    judged[idx] = inScope ? 1 : 0;

    let declSources: Source[];
    if (valid.length === 1) {
      // the usual case: one declaration, its source object reused from node to node
      const o = flatOf(valid[0]!.origin);
      oneDecl.rec = valid[0]!;
      oneDecl.flat = o.flat;
      oneDecl.names = o.names;
      oneDecl.assurance = isDirect(mfr, valid[0]!) ? 'signed-direct' : 'signed-third-party';
      oneDeclList[0] = oneDecl;
      declSources = oneDeclList;
    } else {
      declSources = valid.length === 0 ? NONE : valid.map((rec) => {
        const o = flatOf(rec.origin);
        return { kind: 'declaration', rec, flat: o.flat, names: o.names, assurance: isDirect(mfr, rec) ? 'signed-direct' : 'signed-third-party' };
      });
    }
    const registrySources = registrySourcesOf(mfr);

    // The usual node: one valid declaration and nothing else of its own (no BOM item, no
    // excluded declaration, no attestation or reference from a parent, no cut edge). What
    // is found on it is then a function of that declaration's origin, the manufacturer's
    // registry facts, its assurance and its categories; a combination once judged clean is
    // clean again, and the checks are skipped.
    let cleanBit = 0;
    let simple: Resolved | null = null;
    if (declSources === oneDeclList && plainMentions && nodeItems.length === 0 && nExcluded[idx]!.length === 0
      && nCutByDepth[idx] === 0 && !backEdgesOf.has(idx)) {
      simple = resolveOrigin(oneDeclList, registrySources, mfr);
      cleanBit = 1 << (cats | (oneDecl.assurance === 'signed-direct' ? 8 : 0));
      if ((simple.clean & cleanBit) !== 0) {
        assuranceOf[idx] = oneDecl.assurance!;
        resolvedOrigin[idx] = simple.origin;
        used.push(oneDecl.rec!.sha256);
        continue;
      }
    }
    const findingsBefore = findings.length;

    const attestSources: Source[] = attesting.length === 0 ? NONE : attesting.map((m) => {
      const o = flatOf(mentionOrigin(m));
      return { kind: 'attestation', rec: nChosen[mParent[m]!]!, flat: o.flat, names: o.names, assurance: 'attested-by-parent' };
    });
    let bomSources: Source[] = NONE;
    let hasBomOrigin = false;
    for (const it of nodeItems) {
      if (it.origin === undefined) continue;
      const flat = flattenOrigin(it.origin);
      if (Object.keys(flat).length > 0) hasBomOrigin = true;
      bomSources = append(bomSources, { kind: 'bom', item: it.id, flat, names: originNames(it.origin), assurance: 'unsigned' });
    }

    const assurance: Assurance = declSources.length > 0
      ? declSources[0]!.assurance!
      : attestSources.length > 0 ? 'attested-by-parent' : hasBomOrigin ? 'unsigned' : 'none';
    assuranceOf[idx] = assurance;

    // The origin the node is judged "known" on: its own evidence, else its parents'
    // attestations, else (only when that is all there is) the BOM; registry facts fill
    // the two manufacturer domicile fields. A BOM value never makes a field known on a
    // node that has signed evidence: unsigned claims prove bad, never good.
    let layer: readonly Source[];
    if (declSources.length > 0) {
      layerOne[0] = declSources[0]!;
      layer = layerOne;
    } else layer = attestSources.length > 0 ? attestSources : assurance === 'unsigned' ? bomSources : NONE;
    const { resolved, origin } = resolveOrigin(layer, registrySources, mfr);
    resolvedOrigin[idx] = origin;

    if (!inScope) {
      if (chosen) used.push(chosen.sha256);
      if (simple !== null) simple.clean |= cleanBit;
      continue;
    }
    for (const rec of valid) used.push(rec.sha256);

    all.length = 0;
    for (const s of declSources) all.push(s);
    for (const s of registrySources) all.push(s);
    for (const s of attestSources) all.push(s);
    for (const s of bomSources) all.push(s);
    const layerFirst = layer[0];
    judgeRedFlags(idx, all, () => ({ field: 'manufacturer', name: shown(idx).manufacturer!, source: layerFirst ?? registrySources[0] ?? { kind: 'bom', flat: {}, names: {}, item: nodeItems[0]?.id ?? '' } }));

    // Conflicts: any policy field on which two sources state different known values.
    if (all.length >= 2) {
      for (const field of policyFields) {
        let first: FieldValue | undefined;
        let differs = false;
        for (const s of all) {
          const v = s.flat[field];
          if (!isKnown(v)) continue;
          if (first === undefined) first = v;
          else if (!sameValue(v, first)) {
            differs = true;
            break;
          }
        }
        if (!differs) continue;
        const sides: Conflict[] = [];
        const distinct = new Set<string>();
        for (const s of all) {
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
    }

    // Expired or revoked declarations, reported only where they would have been the evidence.
    const excluded = nExcluded[idx]!;
    if (excluded.length > 0) {
      const direct = (r: DeclarationRecord) => isDirect(mfr, r);
      for (const why of ['expired', 'revoked'] as const) {
        const lost = excluded.find((e) => e.why === why && (!chosen || compareEvidence(e.rec, chosen, direct) < 0));
        if (!lost) continue;
        const ev = evidenceRef(lost.rec, direct(lost.rec) ? 'signed-direct' : 'signed-third-party');
        add(idx, why === 'expired'
          ? { code: 'EXPIRED_DECLARATION', message: `${label(idx)}: declaration ${lost.rec.id} of ${lost.rec.supplier} has expired`, evidence: ev }
          : { code: 'REVOKED_KEY', message: `${label(idx)}: declaration ${lost.rec.id} of ${lost.rec.supplier} was signed with key ${lost.rec.kid}, revoked since before its receipt`, evidence: ev });
      }
    }

    for (let m = mHead[idx]!; m !== -1; m = mNext[m]!) {
      const sha = mentionReference(m);
      if (sha === undefined) continue;
      const target = resolveRef(sha);
      const parentRec = nChosen[mParent[m]!]!;
      const ev = evidenceRef(parentRec, 'attested-by-parent');
      if (!target) {
        add(idx, { code: 'BROKEN_REFERENCE', message: `${label(idx)}: declaration ${parentRec.id} of ${parentRec.supplier} refers to ${sha}, which is not held or no longer valid`, value: sha, evidence: ev });
      } else if (keyOfRecord(target) !== nKey[idx]) {
        add(idx, { code: 'PART_MISMATCH', message: `${label(idx)}: declaration ${parentRec.id} of ${parentRec.supplier} refers to ${sha}, a declaration for ${target.part.manufacturer} ${target.part.partNumber}`, value: sha, evidence: ev });
      }
    }

    const minimum = critical ? policy.minimumAssurance.critical : policy.minimumAssurance.other;
    if (assuranceRank(assurance) < assuranceRank(minimum)) {
      if (declSources.length === 0) {
        add(idx, { code: 'MISSING_EVIDENCE', message: `${label(idx)}: no valid declaration; assurance ${assurance} is below the required ${minimum}`, value: assurance });
      } else {
        add(idx, { code: 'INSUFFICIENT_ASSURANCE', message: `${label(idx)}: evidence is ${assurance}, below the required ${minimum}`, value: assurance, evidence: evidenceRef(chosen!, assurance) });
      }
    }

    let unknown: PolicyField[] | null = null;
    for (const f of policyFields) {
      if ((software || !SOFTWARE_FIELDS.has(f)) && !isKnown(resolved[f])) (unknown ??= []).push(f);
    }
    if (unknown !== null) {
      const ev = chosen ? evidenceRef(chosen, assurance) : undefined;
      add(idx, { code: 'UNKNOWN_ORIGIN', message: `${label(idx)}: origin unknown for ${unknown.join(', ')}`, field: unknown.join(','), value: unknown, ...(ev ? { evidence: ev } : {}) });
    }

    for (const c of backEdgesOf.get(idx) ?? NONE) {
      add(idx, { code: 'CYCLE', message: `${label(idx)}: its components lead back to ${label(c)}; the edge is cut`, value: nKey[c]! });
    }
    if (nCutByDepth[idx] === 1) {
      add(idx, { code: 'DEPTH_LIMIT', message: `${label(idx)}: at depth ${nDepth[idx]}, the policy's maxDepth of ${policy.maxDepth}; its components were not walked`, value: String(nDepth[idx]) });
    }
    if (simple !== null && findings.length === findingsBefore) simple.clean |= cleanBit;
  }

  // ---- assemble --------------------------------------------------------------------------
  // findings by node (root first, then key), code, field, value and evidence; ties keep the
  // order they were found in
  const order = findings.map((_, i) => i);
  order.sort((ia, ib) => {
    const a = findings[ia]!;
    const b = findings[ib]!;
    return keyRank[findingNode[ia]!]! - keyRank[findingNode[ib]!]!
      || CODE_ORDER.get(a.code)! - CODE_ORDER.get(b.code)!
      || compareCodeUnits(a.field ?? '', b.field ?? '')
      || compareCodeUnits(a.value === undefined ? '' : valueText(a.value), b.value === undefined ? '' : valueText(b.value))
      || compareCodeUnits(a.evidence?.sha256 ?? '', b.evidence?.sha256 ?? '');
  });
  const sortedFindings = order.map((i) => findings[i]!);

  const codesOf = (idx: number): FindingCode[] => {
    const codes = nodeCodes[idx]!;
    if (codes.length === 0) return NONE;
    return [...new Set(codes)].sort((a, b) => CODE_ORDER.get(a)! - CODE_ORDER.get(b)!);
  };
  const byAssurance = { 'signed-direct': 0, 'signed-third-party': 0, 'attested-by-parent': 0, unsigned: 0, none: 0 } as Record<Assurance, number>;
  for (let idx = 1; idx < n; idx++) byAssurance[assuranceOf[idx]!]++;
  // nodes (the root included) that carry each code, as SPEC §7 counts them
  const byFinding: Partial<Record<FindingCode, number>> = {};
  for (const codes of nodeCodes) {
    if (codes.length === 0) continue;
    for (const code of new Set(codes)) byFinding[code] = (byFinding[code] ?? 0) + 1;
  }
  const sortedByFinding: Partial<Record<FindingCode, number>> = {};
  for (const code of FINDING_CODES) if (byFinding[code] !== undefined) sortedByFinding[code] = byFinding[code];

  const verdict: Verdict = sortedFindings.some((f) => f.severity === 'fail') ? 'fail' : sortedFindings.length > 0 ? 'incomplete' : 'pass';
  let judgedCount = 0;
  for (let idx = 1; idx < n; idx++) judgedCount += judged[idx]!;
  sortHashes(used);

  const writeTree = (w: JsonWriter): void => {
    const quotedKey: string[] = nKey.map((k) => JSON.stringify(k));
    const originJson = new Map<object, string>();
    const edgesJson = (u: number): string => {
      let out = '';
      for (let e = outStart[u]!; e < outEnd[u]!; e++) {
        if (cut[e] === 1) continue;
        out += `${out === '' ? '' : ','}{"key":${quotedKey[eTo[e]!]},"quantity":${num(eQty[e]!)}}`;
      }
      return out;
    };
    const rootHead = JSON.stringify({
      name: bom.name,
      partNumber: bom.partNumber,
      revision: bom.revision,
      manufacturer: bom.manufacturer,
      origin: bom.origin ? unflattenOrigin(flattenOrigin(bom.origin), originNames(bom.origin)) : null,
      findings: codesOf(ROOT),
    });
    w.raw('{"root":').raw(rootHead.slice(0, -1)).raw(`,"children":[${edgesJson(ROOT)}]},"nodes":[`);
    // The nodes go out in key order, but each is written in node order into a staging
    // buffer first, then copied out in key order. The records, keys and origins a node
    // reads were made in node order and lie in memory about that way: met in key order
    // they are met at random, and waiting for memory was most of the time (at 100,000
    // nodes about 400 ms in key order, 230 ms in node order, and 30 ms for the copy).
    const staged = new JsonWriter(staging.take(n * STAGED_BYTES_PER_NODE), (size) => staging.allocate(size));
    const stagedAt = new Float64Array(n + 1);
    for (let idx = 1; idx < n; idx++) {
      stagedAt[idx] = staged.length;
      const o = resolvedOrigin[idx]!;
      let oj = originJson.get(o);
      if (oj === undefined) originJson.set(o, (oj = JSON.stringify(o)));
      const codes = codesOf(idx);
      const chosen = nChosen[idx];
      const best = bestParent[idx]!;
      // (each with the comma before it; the first in key order is copied without)
      staged.raw(`,{"key":${quotedKey[idx]},`);
      writeShown(staged, idx); // manufacturer, partNumber, name, category
      staged.raw(`,"quantity":${num(total[idx]!)},"depth":${dist[idx]},"via":${best === ROOT || best === -1 ? 'null' : quotedKey[best]},`
        + `"pathCount":${num(pathCount[idx]!)},"judged":${judged[idx] === 1},"assurance":"${assuranceOf[idx]}","origin":${oj},`
        + `"evidence":${chosen ? `"${chosen.sha256}"` : 'null'},"findings":${codes.length === 0 ? '[]' : JSON.stringify(codes)},`
        + `"children":[${edgesJson(idx)}]}`);
    }
    stagedAt[n] = staged.length;
    const bytes = staged.bytes();
    for (let r = 0; r < inKeyOrder.length; r++) {
      const idx = inKeyOrder[r]!;
      w.rawBytes(bytes, stagedAt[idx]! + (r === 0 ? 1 : 0), stagedAt[idx + 1]!);
    }
    staging.give(staged.buffer);
    w.raw(']}');
  };
  let tree: WalkTree | undefined;

  return {
    verdict,
    summary: { nodes: n - 1, judged: judgedCount, byAssurance, byFinding: sortedByFinding, findings: sortedFindings.length },
    findings: sortedFindings,
    evidence: used,
    writeTree,
    get tree(): WalkTree {
      if (tree === undefined) {
        const w = new JsonWriter();
        writeTree(w);
        tree = JSON.parse(w.text()) as WalkTree;
      }
      return tree;
    },
    parts: () => inKeyOrder.map((idx) => {
      const best = bestParent[idx]!;
      const rec = nChosen[idx];
      let shownJson: string;
      if (rec) shownJson = rec.partJson;
      else {
        const s = shown(idx);
        shownJson = JSON.stringify({ manufacturer: s.manufacturer, partNumber: s.partNumber, name: s.name, category: s.category });
      }
      return { key: nKey[idx]!, mfrNorm: nMfr[idx]!, pnNorm: nPn[idx]!, via: best === ROOT || best === -1 ? null : nKey[best]!, shownJson };
    }),
  };
}

export type { Origin };
