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
  // Fast path: count member names in the text and in the parsed value; only when they
  // differ (a duplicate collapsed in parsing) is the exact scanner run to name it.
  const parsed = tally(value);
  if (nameTokens(text, parsed.stringColons) !== parsed.members) {
    const dup = findDuplicateKey(text);
    return { ok: false, reason: 'duplicate', detail: `duplicate member "${dup ?? '?'}"` };
  }
  return { ok: true, value };
}

// In valid JSON every ":" outside a string separates one member name from its value. So the
// member names written in the text are its colons less those inside its strings; and the
// strings' colons can be counted in the parsed value, which holds every string of the text
// unless a duplicate member was dropped (then the text has at least as many more, and the
// count comes out too high, never too low). One exception: a colon written as an escape
// (\u003a) is in the parsed string but not in the text, which could hide a dropped member.
// So a text with any \u escape is scanned character by character instead.
function nameTokens(text: string, stringColons: number): number {
  return text.includes('\\u') ? scanNameTokens(text) : colons(text) - stringColons;
}

function colons(s: string): number {
  let n = 0;
  for (let i = s.indexOf(':'); i !== -1; i = s.indexOf(':', i + 1)) n++;
  return n;
}

/** The parsed value's member names, and the colons inside its strings (names and values). */
function tally(value: unknown): { members: number; stringColons: number } {
  let members = 0;
  let stringColons = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') stringColons += colons(v);
    else if (typeof v !== 'object' || v === null) continue;
    else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else {
      for (const k in v) {
        members++;
        stringColons += colons(k);
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return { members, stringColons };
}

function scanNameTokens(text: string): number {
  let n = 0;
  let inString = false;
  for (let i = 0, len = text.length; i < len; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x3a /* : */) n++;
  }
  return n;
}

/**
 * Scans text already known to be valid JSON and returns the first member name that occurs
 * twice in one object, or null. Linear; no recursion.
 */
export function findDuplicateKey(text: string): string | null {
  // One entry per open container: the member names seen so far for objects (an array:
  // objects here are small, and a linear search beats hashing), null for arrays.
  const stack: (string[] | null)[] = [];
  let expectKey = false;
  let i = 0;
  const n = text.length;
  // the next backslash at or after i, kept up to date lazily: the scan stays linear
  let nextBackslash = text.indexOf('\\');
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      // jump to the closing quote: the first one not preceded by an odd run of backslashes
      let j = text.indexOf('"', i + 1);
      let escaped = false;
      while (j !== -1) {
        let k = j - 1;
        while (text.charCodeAt(k) === 0x5c) k--;
        if ((j - 1 - k) % 2 === 0) break;
        escaped = true;
        j = text.indexOf('"', j + 1);
      }
      if (j === -1) return null; // unreachable for valid JSON
      if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = text.indexOf('\\', i);
      if (nextBackslash !== -1 && nextBackslash < j) escaped = true;
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const name = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (top.includes(name)) return name;
        top.push(name);
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (ch === 0x7b /* { */) {
      stack.push([]);
      expectKey = true;
    } else if (ch === 0x5b /* [ */) {
      stack.push(null);
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
    } else if (ch === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] !== null && stack.length > 0;
    }
    i++;
  }
  return null;
}
