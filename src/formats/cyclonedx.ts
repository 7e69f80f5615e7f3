// CycloneDX JSON 1.4–1.6 hardware BOMs (SPEC §5). The document is first validated against
// the official CycloneDX JSON schema of its specVersion (through @cyclonedx/cyclonedx-library
// and ajv), then mapped: metadata.component is the root; nested components and the
// dependencies graph both give structure, united; names come from manufacturer (1.6),
// supplier or the legacy author; nonred:* properties carry our fields. Errors name the JSON path.
import * as CDX from '@cyclonedx/cyclonedx-library';
import { checkBomTree, type Bom, type BomItem } from '../domain/bom.js';
import { CATEGORIES, isCategory, type Category } from '../domain/categories.js';
import { normalizeCountry } from '../domain/countries.js';
import type { Origin } from '../domain/declaration-schema.js';
import { originFromColumns } from '../domain/origin-fields.js';
import { Problem, type ProblemDetailItem } from '../problem.js';

const VERSIONS: Readonly<Record<string, CDX.Spec.Version>> = {
  '1.4': CDX.Spec.Version.v1dot4,
  '1.5': CDX.Spec.Version.v1dot5,
  '1.6': CDX.Spec.Version.v1dot6,
};

const validators = new Map<string, CDX.Validation.JsonValidator | CDX.Validation.JsonStrictValidator>();

/** Validates JSON text against the official schema of a CycloneDX version; null when valid. */
export async function cycloneDxSchemaErrors(text: string, specVersion: string, strict = false): Promise<ProblemDetailItem[] | null> {
  const version = VERSIONS[specVersion];
  if (version === undefined) return [{ path: '/specVersion', message: `specVersion ${specVersion} is not supported (1.4, 1.5 or 1.6)` }];
  const key = `${specVersion}:${strict}`;
  let v = validators.get(key);
  if (!v) validators.set(key, (v = strict ? new CDX.Validation.JsonStrictValidator(version) : new CDX.Validation.JsonValidator(version)));
  const errors = await v.validate(text);
  if (errors === null) return null;
  const list = Array.isArray(errors) ? errors : [errors];
  return list.slice(0, 50).map((e: { instancePath?: string; message?: string; params?: unknown }) => ({
    path: e.instancePath === undefined || e.instancePath === '' ? '/' : e.instancePath,
    message: `${e.message ?? 'invalid'}${e.params && typeof e.params === 'object' && Object.keys(e.params).length > 0 ? ` (${JSON.stringify(e.params)})` : ''}`,
  }));
}

interface Org { name?: string }
interface Property { name: string; value?: string }
interface Component {
  'bom-ref'?: string;
  type?: string;
  name?: string;
  description?: string;
  version?: string;
  manufacturer?: Org;
  supplier?: Org;
  author?: string;
  properties?: Property[];
  components?: Component[];
}
interface Document {
  bomFormat: 'CycloneDX';
  specVersion: string;
  metadata?: { component?: Component; manufacturer?: Org; manufacture?: Org; supplier?: Org };
  components?: Component[];
  dependencies?: { ref: string; dependsOn?: string[] }[];
}

export interface CycloneDxImport {
  bom: Bom;
  /** distinct components (bom-refs), not the root */
  nodes: number;
}

class Errors {
  items: ProblemDetailItem[] = [];
  add(path: string, message: string): void {
    if (this.items.length < 100) this.items.push({ path, message: `${path}: ${message}` });
  }
}

function prop(c: Component, name: string): { value: string; index: number } | undefined {
  const i = c.properties?.findIndex((p) => p.name === name) ?? -1;
  if (i < 0) return undefined;
  const v = c.properties![i]!.value?.trim();
  return v === undefined || v === '' ? undefined : { value: v, index: i };
}

function manufacturerOf(c: Component): string | undefined {
  const n = c.manufacturer?.name?.trim() || c.supplier?.name?.trim() || c.author?.trim();
  return n === '' ? undefined : n;
}

function originOf(c: Component, path: string, errors: Errors): Origin | undefined {
  const country = (name: string): string | undefined => {
    const p = prop(c, name);
    if (!p) return undefined;
    const r = normalizeCountry(p.value);
    if (!r.ok) {
      errors.add(`${path}/properties/${p.index}/value`, `${name}: ${r.message}`);
      return undefined;
    }
    return r.code;
  };
  return originFromColumns({
    manufacturedIn: country('nonred:manufacturedIn'), assembledIn: country('nonred:assembledIn'),
    manufacturerDomicile: country('nonred:manufacturerDomicile'), ultimateParentDomicile: country('nonred:ultimateParentDomicile'),
  });
}

export async function importCycloneDx(text: string, value: unknown): Promise<CycloneDxImport> {
  const doc = value as Document;
  const schemaErrors = await cycloneDxSchemaErrors(text, String(doc.specVersion));
  if (schemaErrors) {
    throw new Problem(422, 'bom.invalid', `the CycloneDX document does not validate against the official ${doc.specVersion} schema: ${schemaErrors[0]!.path} ${schemaErrors[0]!.message}`, { errors: schemaErrors });
  }
  const errors = new Errors();
  const rootC = doc.metadata?.component;
  if (!rootC) {
    throw new Problem(422, 'bom.invalid', 'the CycloneDX document has no metadata.component: it names the end product, the root of the BOM', { errors: [{ path: '/metadata/component', message: 'required by nonred: the root of the BOM' }] });
  }
  const rootRef = rootC['bom-ref'] ?? '\u0000root';

  // every component, nested ones included, with its JSON path and containing component
  interface Entry { ref: string; c: Component; path: string; nestedIn: string | null }
  const entries: Entry[] = [];
  const byRef = new Map<string, Entry>();
  const visit = (list: Component[] | undefined, base: string, nestedIn: string | null) => {
    const queue: { list: Component[] | undefined; base: string; nestedIn: string | null }[] = [{ list, base, nestedIn }];
    while (queue.length > 0) {
      const { list: l, base: b, nestedIn: n } = queue.shift()!;
      (l ?? []).forEach((c, i) => {
        const path = `${b}/${i}`;
        const ref = c['bom-ref'] ?? path; // a component without bom-ref is named by its JSON path
        if (byRef.has(ref) || ref === rootRef) {
          errors.add(`${path}/bom-ref`, `bom-ref "${ref}" is used twice`);
          return;
        }
        const e = { ref, c, path, nestedIn: n };
        entries.push(e);
        byRef.set(ref, e);
        if (c.components) queue.push({ list: c.components, base: `${path}/components`, nestedIn: ref });
      });
    }
  };
  visit(rootC.components, '/metadata/component/components', rootRef);
  visit(doc.components, '/components', null);

  // structure: nesting and dependencies, united
  const parents = new Map<string, string[]>();
  const addParent = (child: string, parent: string) => {
    const list = parents.get(child) ?? [];
    if (!list.includes(parent)) list.push(parent);
    parents.set(child, list);
  };
  for (const e of entries) if (e.nestedIn !== null) addParent(e.ref, e.nestedIn);
  (doc.dependencies ?? []).forEach((d, i) => {
    if (d.ref !== rootRef && !byRef.has(d.ref)) {
      errors.add(`/dependencies/${i}/ref`, `"${d.ref}" is not the bom-ref of any component`);
      return;
    }
    (d.dependsOn ?? []).forEach((target, j) => {
      if (target === rootRef) errors.add(`/dependencies/${i}/dependsOn/${j}`, 'a component cannot depend on the root: that is a cycle');
      else if (!byRef.has(target)) errors.add(`/dependencies/${i}/dependsOn/${j}`, `"${target}" is not the bom-ref of any component`);
      else addParent(target, d.ref);
    });
  });

  const items: BomItem[] = [];
  const itemPath = new Map<string, string>();
  const firstItem = new Map<string, string>();
  for (const e of entries) firstItem.set(e.ref, e.ref);
  for (const e of entries) {
    const c = e.c;
    const manufacturer = manufacturerOf(c);
    if (manufacturer === undefined) errors.add(e.path, 'names no manufacturer (manufacturer.name, supplier.name or author)');
    const pn = prop(c, 'nonred:partNumber')?.value ?? c.name?.trim();
    if (pn === undefined || pn === '') errors.add(`${e.path}/name`, 'names no part number (nonred:partNumber or name)');
    let category: Category | undefined;
    const cat = prop(c, 'nonred:category');
    if (cat) {
      const v = cat.value.toLowerCase();
      if (isCategory(v)) category = v;
      else errors.add(`${e.path}/properties/${cat.index}/value`, `"${cat.value}" is not a category (one of ${CATEGORIES.join(', ')})`);
    }
    let quantity = 1;
    const q = prop(c, 'nonred:quantity') ?? prop(c, 'cdx:device:quantity');
    if (q) {
      const n = Number(q.value);
      if (!/^\d+(\.\d+)?$/.test(q.value) || !(n > 0) || n > 1e9) errors.add(`${e.path}/properties/${q.index}/value`, `"${q.value}" is not a positive quantity up to 1e9`);
      else quantity = n;
    }
    const origin = originOf(c, e.path, errors);
    if (manufacturer === undefined || pn === undefined || pn === '') continue;
    const name = c.description?.trim() || c.name?.trim();
    const ps = parents.get(e.ref) ?? [rootRef];
    ps.forEach((p, k) => {
      const id = k === 0 ? e.ref : `${e.ref} (under ${p})`;
      items.push({
        id, parent: p === rootRef ? null : firstItem.get(p)!, manufacturer, partNumber: pn, quantity,
        ...(name ? { name } : {}),
        ...(category ? { category } : {}),
        ...(origin ? { origin } : {}),
      });
      itemPath.set(id, e.path);
    });
  }
  if (errors.items.length === 0) {
    for (const p of checkBomTree(items)) {
      errors.add(itemPath.get(p.itemId) ?? '/', p.message);
    }
  }
  if (errors.items.length > 0) {
    throw new Problem(422, 'bom.invalid', `the CycloneDX BOM has ${errors.items.length} error(s); the first: ${errors.items[0]!.message}`, { errors: errors.items });
  }
  const rootOrigin = originOf(rootC, '/metadata/component', errors);
  const rootManufacturer = manufacturerOf(rootC) ?? doc.metadata?.manufacturer?.name ?? doc.metadata?.manufacture?.name ?? null;
  return {
    bom: {
      name: rootC.description?.trim() || rootC.name?.trim() || 'Unnamed BOM',
      partNumber: prop(rootC, 'nonred:partNumber')?.value ?? rootC.name?.trim() ?? null,
      revision: rootC.version?.trim() || null,
      manufacturer: rootManufacturer,
      ...(rootOrigin ? { origin: rootOrigin } : {}),
      items,
    },
    nodes: entries.length,
  };
}
