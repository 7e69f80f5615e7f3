// Ordering a walk's nodes by part key: 100,000 keys at 100,000 nodes, most sharing a long
// prefix ("maker 19|p-…"). A comparison sort compares each pair from the first character
// again; a three-way radix quicksort (Bentley & Sedgewick) reads each character position
// once per partition instead, and took about half the time on the benchmark's keys.

/** Strings as JavaScript compares them (by UTF-16 code units, a prefix first), for sort(). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** below this many, a range is finished by insertion sort */
const SMALL = 16;
/** partitioning levels allowed before a range goes to the comparison sort: twice a balanced split's, and some */
const defaultLevels = (n: number) => 2 * Math.ceil(Math.log2(n + 1)) + 8;

/**
 * The indices `from … keys.length - 1`, ordered by `keys[i]` as JavaScript compares strings
 * (by UTF-16 code units, a prefix first). Keys must be distinct. A range that partitions
 * badly (more levels than a balanced split would need, which a crafted BOM could force) is
 * handed to the engine's comparison sort, so the worst case stays n log n. `maxLevels` is
 * that limit (tests lower it to reach the fallback).
 */
export function sortIndicesByKey(keys: readonly string[], from: number, maxLevels = defaultLevels(keys.length - from)): number[] {
  const n = keys.length - from;
  if (n <= 0) return [];
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = from + i;
  // the code unit at position d, or -1 past the end (a prefix sorts first)
  const at = (i: number, d: number): number => {
    const k = keys[i]!;
    return d < k.length ? k.charCodeAt(d) : -1;
  };
  // ranges still to sort: lo, hi (inclusive), the character position they agree up to,
  // and the partitioning levels spent on them
  const stack: number[] = [0, n - 1, 0, 0];
  while (stack.length > 0) {
    const levels = stack.pop()!;
    const d = stack.pop()!;
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (hi <= lo) continue;
    if (hi - lo < SMALL) {
      for (let i = lo + 1; i <= hi; i++) {
        const v = a[i]!;
        const kv = keys[v]!;
        let j = i - 1;
        while (j >= lo && keys[a[j]!]! > kv) {
          a[j + 1] = a[j]!;
          j--;
        }
        a[j + 1] = v;
      }
      continue;
    }
    if (levels > maxLevels) {
      const part = Array.from(a.subarray(lo, hi + 1)).sort((x, y) => (keys[x]! < keys[y]! ? -1 : 1));
      a.set(part, lo);
      continue;
    }
    // pivot: the median of the first, middle and last code units at position d
    const m = (lo + hi) >>> 1;
    const x = at(a[lo]!, d);
    const y = at(a[m]!, d);
    const z = at(a[hi]!, d);
    const pivotAt = (x < y) === (y < z) ? m : (y < x) === (x < z) ? lo : hi;
    const t0 = a[lo]!;
    a[lo] = a[pivotAt]!;
    a[pivotAt] = t0;
    const v = at(a[lo]!, d);
    let lt = lo;
    let gt = hi;
    let i = lo + 1;
    while (i <= gt) {
      const c = at(a[i]!, d);
      if (c < v) {
        const t = a[lt]!;
        a[lt++] = a[i]!;
        a[i++] = t;
      } else if (c > v) {
        const t = a[gt]!;
        a[gt--] = a[i]!;
        a[i] = t;
      } else i++;
    }
    stack.push(lo, lt - 1, d, levels + 1, gt + 1, hi, d, levels + 1);
    // the middle range agrees one character further (keys are distinct, so a range of
    // keys that all ended here holds one key)
    if (v >= 0) stack.push(lt, gt, d + 1, levels);
  }
  return Array.from(a);
}
