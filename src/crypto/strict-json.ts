// JSON parsing for signed content: valid JSON with no duplicate member names. A parser that
// keeps the last value would let `"quantity":1,"quantity":1000` say different things to
// different readers, so a duplicate is refused outright. Members are compared after
// unescaping ("a" and "\u0061" are the same name).

export type StrictJsonResult =
  | { ok: true; value: unknown }
  | { ok: false; reason: 'syntax' | 'duplicate'; detail: string };

export function parseStrictJson(text: string): StrictJsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: 'syntax', detail: e instanceof Error ? e.message : 'invalid JSON' };
  }
  const dup = findDuplicateKey(text);
  if (dup !== null) return { ok: false, reason: 'duplicate', detail: `duplicate member "${dup}"` };
  return { ok: true, value };
}

/**
 * Scans text already known to be valid JSON and returns the first member name that occurs
 * twice in one object, or null. Linear; no recursion.
 */
export function findDuplicateKey(text: string): string | null {
  // One entry per open container: a Set of member names for objects, null for arrays.
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === 0x5c /* \ */) {
          escaped = true;
          j += 2;
          continue;
        }
        if (c === 0x22) break;
        j++;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const raw = text.slice(i + 1, j);
        const name = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : raw;
        if (top.has(name)) return name;
        top.add(name);
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (ch === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (ch === 0x5b /* [ */) {
      stack.push(null);
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
    } else if (ch === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] instanceof Set;
    }
    i++;
  }
  return null;
}
