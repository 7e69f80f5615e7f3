// The BOM as every importer produces it (SPEC §5): a root header and a flat list of items
// with parent links, checked to be a tree before anything is stored.
import type { Category } from './categories.js';
import type { Origin } from './declaration-schema.js';

export interface BomItem {
  id: string;
  parent: string | null;
  manufacturer: string;
  partNumber: string;
  name?: string | undefined;
  category?: Category | undefined;
  quantity: number;
  origin?: Origin | undefined;
}

export interface Bom {
  name: string;
  partNumber: string | null;
  revision: string | null;
  manufacturer: string | null;
  origin?: Origin | undefined;
  items: BomItem[];
}

export interface TreeProblem {
  /** index of the offending item in `items` */
  index: number;
  itemId: string;
  message: string;
}

/**
 * Checks that the items form a tree under the root: ids unique, every parent known, no
 * item its own parent, no parent cycle. Iterative, so a 100,000-deep chain is fine.
 */
export function checkBomTree(items: readonly BomItem[]): TreeProblem[] {
  const problems: TreeProblem[] = [];
  const indexById = new Map<string, number>();
  items.forEach((item, index) => {
    if (indexById.has(item.id)) problems.push({ index, itemId: item.id, message: `duplicate item id "${item.id}"` });
    else indexById.set(item.id, index);
  });
  items.forEach((item, index) => {
    if (item.parent === null) return;
    if (item.parent === item.id) problems.push({ index, itemId: item.id, message: `item "${item.id}" is its own parent` });
    else if (!indexById.has(item.parent)) problems.push({ index, itemId: item.id, message: `item "${item.id}" names unknown parent "${item.parent}"` });
  });
  if (problems.length > 0) return problems;

  // Cycle check: follow parent links with a three-state marking (0 new, 1 on the current
  // chain, 2 known to reach the root).
  const state = new Uint8Array(items.length);
  for (let start = 0; start < items.length; start++) {
    if (state[start] !== 0) continue;
    const chain: number[] = [];
    let cur: number | undefined = start;
    while (cur !== undefined && state[cur] === 0) {
      state[cur] = 1;
      chain.push(cur);
      const parent: string | null = items[cur]!.parent;
      cur = parent === null ? undefined : indexById.get(parent);
    }
    if (cur !== undefined && state[cur] === 1) {
      const item = items[cur]!;
      problems.push({ index: cur, itemId: item.id, message: `item "${item.id}" is part of a parent cycle` });
      return problems;
    }
    for (const i of chain) state[i] = 2;
  }
  return problems;
}
