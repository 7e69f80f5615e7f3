// Sorting the sha256 references of a report's evidence list: 100,000 of them at 100,000 nodes.
const HEX_PREFIX = 'sha256:'.length;
function hexDigit(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
}

/**
 * Sorts "sha256:<hex>" strings as the engine's own string sort would (by UTF-16 code
 * units): first into 4,096 buckets by their first three hex digits — hashes are spread
 * evenly, so a bucket holds a few dozen of 100,000 — then each bucket on its own. Any
 * other string sends the whole list to the engine's sort.
 */
export function sortHashes(list: string[]): void {
  const n = list.length;
  if (n < 4096) {
    list.sort();
    return;
  }
  const bucketOf = new Int32Array(n);
  const count = new Int32Array(4097);
  for (let i = 0; i < n; i++) {
    const s = list[i]!;
    const a = hexDigit(s.charCodeAt(HEX_PREFIX));
    const b = hexDigit(s.charCodeAt(HEX_PREFIX + 1));
    const c = hexDigit(s.charCodeAt(HEX_PREFIX + 2));
    if (s.length < HEX_PREFIX + 3 || !s.startsWith('sha256:') || a < 0 || b < 0 || c < 0) {
      list.sort();
      return;
    }
    const k = (a << 8) | (b << 4) | c;
    bucketOf[i] = k;
    count[k + 1]!++;
  }
  for (let k = 0; k < 4096; k++) count[k + 1]! += count[k]!;
  const start = count.slice();
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[start[bucketOf[i]!]!++] = list[i]!;
  for (let k = 0; k < 4096; k++) {
    const lo = count[k]!;
    const hi = count[k + 1]!;
    // insertion sort: a bucket is small
    for (let i = lo + 1; i < hi; i++) {
      const x = out[i]!;
      let j = i - 1;
      while (j >= lo && out[j]! > x) {
        out[j + 1] = out[j]!;
        j--;
      }
      out[j + 1] = x;
    }
  }
  for (let i = 0; i < n; i++) list[i] = out[i]!;
}
