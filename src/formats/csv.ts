// CSV BOMs as PLM/ERP tools export them (SPEC §5): a header row, then either an indented
// `level` column (1, 2, 3…, SAP-style ".1 ..2", or outline numbers 1.2.3) or `id`/`parent`
// columns. Headers match case-insensitively across the usual spellings; a UTF-8 byte-order
// mark, `;` or tab delimiters (with decimal commas after `;`) and quoted fields with
// newlines are fine. Rows are numbered as a spreadsheet shows them: the header is row 1.
// Parsing is csv-parse's; every error names the row and the column.
import { parse } from 'csv-parse/sync';
import { checkBomTree, type Bom, type BomItem } from '../domain/bom.js';
import { CATEGORIES, isCategory, type Category } from '../domain/categories.js';
import { normalizeCountry } from '../domain/countries.js';
import { originFromColumns } from '../domain/origin-fields.js';
import { Problem, type ProblemDetailItem } from '../problem.js';

type Field =
  | 'level' | 'id' | 'parent' | 'manufacturer' | 'partNumber' | 'name' | 'category' | 'quantity' | 'revision'
  | 'manufacturedIn' | 'assembledIn' | 'manufacturerDomicile' | 'ultimateParentDomicile';

/** Header spellings per field, best first; compared with everything but letters and digits removed. */
const SYNONYMS: Readonly<Record<Field, readonly string[]>> = {
  level: ['level', 'bomlevel', 'lvl', 'indent', 'indentlevel'],
  id: ['id', 'itemid', 'lineid', 'item', 'itemno', 'itemnumber', 'findnumber'],
  parent: ['parent', 'parentid', 'parentitem', 'parentitemid'],
  manufacturer: ['manufacturer', 'manufacturername', 'mfr', 'mfrname', 'mfg', 'mfgname', 'maker'],
  partNumber: ['manufacturerpartnumber', 'mfrpartnumber', 'mfgpartnumber', 'mpn', 'partnumber', 'pn', 'partno', 'partnum'],
  name: ['name', 'partname', 'description', 'desc', 'itemdescription', 'partdescription'],
  category: ['category', 'partcategory', 'type', 'parttype'],
  quantity: ['qty', 'quantity', 'qtyper', 'quantityper', 'qtyperassembly'],
  revision: ['revision', 'rev'],
  manufacturedIn: ['manufacturedin', 'countryofmanufacture', 'countryoforigin', 'coo', 'origin'],
  assembledIn: ['assembledin', 'countryofassembly'],
  manufacturerDomicile: ['manufacturerdomicile', 'mfrdomicile', 'manufacturercountry'],
  ultimateParentDomicile: ['ultimateparentdomicile', 'parentcompanydomicile'],
};

const headerKey = (h: string) => h.normalize('NFKC').toLowerCase().replace(/[^a-z0-9]/g, '');

export interface CsvImport {
  bom: Bom;
  ignoredColumns: string[];
}

class Errors {
  items: ProblemDetailItem[] = [];
  add(row: number, column: string | null, message: string): void {
    if (this.items.length < 100) {
      this.items.push({ path: column === null ? `row ${row}` : `row ${row}, column ${column}`, message: `row ${row}${column === null ? '' : `, column ${column}`}: ${message}` });
    }
  }
}

function detectDelimiter(text: string): string {
  // count candidates on the header line, outside quotes
  let inQuotes = false;
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  for (const ch of text) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) break;
    else if (!inQuotes && ch in counts) counts[ch]!++;
  }
  const best = Object.entries(counts).sort((a, b) => b[1] - a[1])[0]!;
  return best[1] === 0 ? ',' : best[0];
}

function parseNumber(raw: string, decimalComma: boolean): number | null {
  let s = raw.trim().replace(/\s/g, '');
  if (decimalComma) s = s.replace(',', '.');
  if (!/^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

function parseCategory(raw: string): Category | null {
  const v = raw.trim().toLowerCase().replace(/[\s_]+/g, '-');
  return isCategory(v) ? v : null;
}

type Level = { kind: 'number'; depth: number } | { kind: 'outline'; depth: number; outline: string };

const OUTLINE_RE = /^\d+(\.\d+)+\.?$/;

/** In an outline-numbered file (1, 1.1, 1.1.2, 2…) a plain integer is a top-level outline. */
function parseLevel(raw: string, outlineFile: boolean): Level | null {
  const s = raw.trim();
  if (/^\d+$/.test(s)) return outlineFile ? { kind: 'outline', depth: 1, outline: String(Number(s)) } : { kind: 'number', depth: Number(s) };
  const sap = /^(\.+)(\d+)$/.exec(s); // SAP style: ".1", "..2", "...3"
  if (sap) return { kind: 'number', depth: Number(sap[2]) };
  if (OUTLINE_RE.test(s)) {
    const outline = s.replace(/\.$/, '');
    return { kind: 'outline', depth: outline.split('.').length, outline };
  }
  return null;
}

export function importCsv(bytes: Buffer): CsvImport {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Problem(400, 'bom.malformed', 'the CSV is not UTF-8 text (export it as "CSV UTF-8")');
  }
  text = text.replace(/^\uFEFF/, '');
  const delimiter = detectDelimiter(text);
  let records: string[][];
  try {
    records = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: false, trim: false }) as string[][];
  } catch (e) {
    const err = e as { code?: string; lines?: number; record?: number; message?: string };
    const row = err.record !== undefined ? err.record + 1 : err.lines;
    throw new Problem(400, 'bom.malformed', `the CSV cannot be read${row !== undefined ? ` at row ${row}` : ''}: ${err.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted field is never closed' : (err.message ?? 'syntax error').replace(/^Invalid Record Length: /, '')}`);
  }
  if (records.length === 0 || records[0]!.every((c) => c.trim() === '')) {
    throw new Problem(422, 'bom.invalid', 'the CSV has no header row', { errors: [{ path: 'row 1', message: 'row 1: the header row is empty' }] });
  }
  const header = records[0]!;
  const columnOf = new Map<Field, number>();
  const ignored: string[] = [];
  const byKey = header.map(headerKey);
  for (const field of Object.keys(SYNONYMS) as Field[]) {
    for (const syn of SYNONYMS[field]) {
      const idx = byKey.indexOf(syn);
      if (idx !== -1 && ![...columnOf.values()].includes(idx)) {
        columnOf.set(field, idx);
        break;
      }
    }
  }
  const used = new Set(columnOf.values());
  header.forEach((h, i) => {
    if (!used.has(i) && h.trim() !== '') ignored.push(h.trim());
  });
  const colName = (f: Field) => header[columnOf.get(f)!]!.trim();

  const missing: string[] = [];
  if (!columnOf.has('manufacturer')) missing.push('a manufacturer column (Manufacturer, Mfr, MFG)');
  if (!columnOf.has('partNumber')) missing.push('a part number column (Part Number, MPN, Manufacturer Part Number, P/N)');
  const structure = columnOf.has('level') ? 'level' : columnOf.has('id') && columnOf.has('parent') ? 'parent' : null;
  if (structure === null) missing.push('a level column, or id and parent columns');
  if (missing.length > 0) {
    throw new Problem(422, 'bom.invalid', `the CSV header lacks ${missing.join('; ')}`, {
      errors: missing.map((m) => ({ path: 'row 1', message: `row 1: missing ${m}` })),
    });
  }

  const errors = new Errors();
  const decimalComma = delimiter === ';';
  const items: BomItem[] = [];
  const seenIds = new Map<string, number>();
  // level structure: the stack of the latest item at each depth; outlines by their number
  const stack: string[] = [];
  const byOutline = new Map<string, string>();
  let levelKind: Level['kind'] | null = null;
  const levelIdx = columnOf.get('level');
  const outlineFile = levelIdx !== undefined && records.some((rec, i) => i > 0 && OUTLINE_RE.test((rec[levelIdx] ?? '').trim()));

  for (let r = 1; r < records.length; r++) {
    const row = r + 1;
    const cells = records[r]!;
    if (cells.every((c) => c.trim() === '')) continue;
    const cell = (f: Field): string | undefined => {
      const idx = columnOf.get(f);
      if (idx === undefined) return undefined;
      const v = cells[idx]?.trim();
      return v === undefined || v === '' ? undefined : v;
    };
    if (cells.length > header.length && cells.slice(header.length).some((c) => c.trim() !== '')) {
      errors.add(row, null, `has ${cells.length} cells but the header has ${header.length} columns`);
      continue;
    }
    const manufacturer = cell('manufacturer');
    const partNumber = cell('partNumber');
    if (manufacturer === undefined) errors.add(row, colName('manufacturer'), 'the manufacturer is empty');
    if (partNumber === undefined) errors.add(row, colName('partNumber'), 'the part number is empty');

    let quantity = 1;
    const q = cell('quantity');
    if (q !== undefined) {
      const n = parseNumber(q, decimalComma);
      if (n === null || n <= 0 || n > 1e9) errors.add(row, colName('quantity'), `"${q}" is not a positive quantity up to 1e9`);
      else quantity = n;
    }
    let category: Category | undefined;
    const c = cell('category');
    if (c !== undefined) {
      const parsed = parseCategory(c);
      if (parsed === null) errors.add(row, colName('category'), `"${c}" is not a category (one of ${CATEGORIES.join(', ')})`);
      else category = parsed;
    }
    const country = (f: Field): string | undefined => {
      const v = cell(f);
      if (v === undefined) return undefined;
      const res = normalizeCountry(v);
      if (!res.ok) {
        errors.add(row, colName(f), res.message);
        return undefined;
      }
      return res.code;
    };
    const origin = originFromColumns({
      manufacturedIn: country('manufacturedIn'), assembledIn: country('assembledIn'),
      manufacturerDomicile: country('manufacturerDomicile'), ultimateParentDomicile: country('ultimateParentDomicile'),
    });

    let id = cell('id') ?? `row-${row}`;
    let parent: string | null = null;
    if (structure === 'parent') {
      if (cell('id') === undefined) errors.add(row, colName('id'), 'the id is empty');
      parent = cell('parent') ?? null;
    } else {
      const raw = cell('level');
      const lvl = raw === undefined ? null : parseLevel(raw, outlineFile);
      if (raw === undefined || lvl === null || lvl.depth < 1) {
        errors.add(row, colName('level'), raw === undefined ? 'the level is empty' : `"${raw}" is not a level (1, 2, 3…; .1, ..2; or 1.2.3)`);
        continue;
      }
      if (levelKind !== null && lvl.kind !== levelKind) {
        errors.add(row, colName('level'), `"${raw}" mixes outline numbers with plain levels`);
        continue;
      }
      levelKind = lvl.kind;
      if (lvl.kind === 'outline') {
        if (cell('id') === undefined) id = lvl.outline;
        const parentOutline = lvl.outline.split('.').slice(0, -1).join('.');
        if (lvl.depth > 1) {
          const p = byOutline.get(parentOutline);
          if (p === undefined) {
            errors.add(row, colName('level'), `${lvl.outline} comes before its parent ${parentOutline}`);
            continue;
          }
          parent = p;
        }
        if (byOutline.has(lvl.outline)) {
          errors.add(row, colName('level'), `outline number ${lvl.outline} appears twice`);
          continue;
        }
        byOutline.set(lvl.outline, id);
      } else {
        if (lvl.depth > stack.length + 1) {
          errors.add(row, colName('level'), `level ${lvl.depth} follows level ${stack.length}: a level can go down by one at a time`);
          continue;
        }
        stack.length = lvl.depth - 1;
        parent = lvl.depth === 1 ? null : stack[lvl.depth - 2]!;
        stack.push(id);
      }
    }
    const prev = seenIds.get(id);
    if (prev !== undefined) {
      errors.add(row, columnOf.has('id') ? colName('id') : null, `item id "${id}" is already used on row ${prev}`);
      continue;
    }
    seenIds.set(id, row);
    if (manufacturer === undefined || partNumber === undefined) continue;
    const name = cell('name');
    items.push({
      id, parent, manufacturer, partNumber, quantity,
      ...(name !== undefined ? { name } : {}),
      ...(category !== undefined ? { category } : {}),
      ...(origin ? { origin } : {}),
    });
  }
  if (errors.items.length === 0) {
    // the tree rules of every BOM, with the offending row named
    for (const p of checkBomTree(items)) {
      const it = items[p.index]!;
      errors.add(seenIds.get(it.id)!, structure === 'parent' ? colName('parent') : null, p.message);
    }
  }
  if (errors.items.length > 0) {
    throw new Problem(422, 'bom.invalid', `the CSV BOM has ${errors.items.length === 100 ? '100 or more' : errors.items.length} error(s); the first: ${errors.items[0]!.message}`, { errors: errors.items });
  }
  return {
    bom: { name: 'Unnamed BOM', partNumber: null, revision: null, manufacturer: null, items },
    ignoredColumns: ignored,
  };
}
