// Picks the BOM importer by content type (SPEC §5) and checks the result is a tree.
import { checkBomTree, type Bom } from '../domain/bom.js';
import { Problem } from '../problem.js';
import { parseNativeBom } from './native-json.js';

export interface ImportedBom {
  bom: Bom;
  format: 'native' | 'csv' | 'cyclonedx';
  ignoredColumns?: string[];
}

export interface RootOverrides {
  name?: string | undefined;
  partNumber?: string | undefined;
  revision?: string | undefined;
}

export const BOM_MEDIA_TYPES = ['application/json'] as const;

function parseJson(bytes: Buffer): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Problem(400, 'bom.malformed', 'the BOM is not UTF-8 text');
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new Problem(400, 'bom.malformed', `the BOM is not valid JSON: ${e instanceof Error ? e.message : ''}`);
  }
}

export function importBom(mediaType: string, bytes: Buffer, overrides: RootOverrides = {}): ImportedBom {
  let imported: ImportedBom;
  if (mediaType === 'application/json') {
    const value = parseJson(bytes);
    if (typeof value === 'object' && value !== null && (value as { bomFormat?: unknown }).bomFormat === 'CycloneDX') {
      throw new Problem(415, 'request.unsupported_media_type', 'CycloneDX BOMs are not accepted by this version of nonred yet; upload the native nonred/bom/v1 JSON');
    }
    imported = { bom: parseNativeBom(value), format: 'native' };
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
