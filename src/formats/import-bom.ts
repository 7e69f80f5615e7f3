// Picks the BOM importer by content type (SPEC §5) — text/csv → CSV;
// application/vnd.cyclonedx+json → CycloneDX; application/json → CycloneDX when the body
// says "bomFormat": "CycloneDX", native otherwise — and checks the result is a tree.
import { checkBomTree, type Bom } from '../domain/bom.js';
import { Problem } from '../problem.js';
import { importCsv } from './csv.js';
import { importCycloneDx } from './cyclonedx.js';
import { parseNativeBom } from './native-json.js';

export interface ImportedBom {
  bom: Bom;
  format: 'native' | 'csv' | 'cyclonedx';
  /** distinct items (bom-refs in CycloneDX), not the root */
  nodes: number;
  ignoredColumns?: string[];
}

export interface RootOverrides {
  name?: string | undefined;
  partNumber?: string | undefined;
  revision?: string | undefined;
}

export const BOM_MEDIA_TYPES = ['application/json', 'text/csv', 'application/vnd.cyclonedx+json'] as const;

function jsonText(bytes: Buffer): { text: string; value: unknown } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new Problem(400, 'bom.malformed', 'the BOM is not UTF-8 text');
  }
  try {
    return { text, value: JSON.parse(text) };
  } catch (e) {
    throw new Problem(400, 'bom.malformed', `the BOM is not valid JSON: ${e instanceof Error ? e.message : ''}`);
  }
}

const isCycloneDx = (v: unknown) => typeof v === 'object' && v !== null && (v as { bomFormat?: unknown }).bomFormat === 'CycloneDX';

export async function importBom(mediaType: string, bytes: Buffer, overrides: RootOverrides = {}): Promise<ImportedBom> {
  let imported: ImportedBom;
  if (mediaType === 'text/csv') {
    const csv = importCsv(bytes);
    imported = { bom: csv.bom, format: 'csv', nodes: csv.bom.items.length, ignoredColumns: csv.ignoredColumns };
  } else if (mediaType === 'application/vnd.cyclonedx+json' || mediaType === 'application/json') {
    const { text, value } = jsonText(bytes);
    if (isCycloneDx(value)) {
      const cdx = await importCycloneDx(text, value);
      imported = { bom: cdx.bom, format: 'cyclonedx', nodes: cdx.nodes };
    } else if (mediaType === 'application/vnd.cyclonedx+json') {
      throw new Problem(422, 'bom.invalid', 'a CycloneDX document has "bomFormat": "CycloneDX"', { errors: [{ path: '/bomFormat', message: 'must be "CycloneDX"' }] });
    } else {
      const bom = parseNativeBom(value);
      imported = { bom, format: 'native', nodes: bom.items.length };
    }
  } else {
    throw new Problem(415, 'request.unsupported_media_type', `BOMs are accepted as ${BOM_MEDIA_TYPES.join(', ')}`);
  }
  const bom = imported.bom;
  if (overrides.name !== undefined) bom.name = overrides.name;
  if (overrides.partNumber !== undefined) bom.partNumber = overrides.partNumber;
  if (overrides.revision !== undefined) bom.revision = overrides.revision;
  const problems = checkBomTree(bom.items);
  if (problems.length > 0) {
    throw new Problem(422, 'bom.invalid', `the BOM is not a tree: ${problems[0]!.message}`, {
      errors: problems.map((p) => ({ path: `/items/${p.index}`, message: p.message })),
    });
  }
  return imported;
}

export { mediaTypeForFile } from './media-type.js';
