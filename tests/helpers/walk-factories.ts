// Factories for hand-built walk inputs: declarations as intake would have held them,
// a registry, BOMs. Unique ids by counter; a test states only what it is about.
import { createHash } from 'node:crypto';
import type { Bom, BomItem } from '../../src/domain/bom.js';
import type { DeclarationPayload, Origin } from '../../src/domain/declaration-schema.js';
import { memoryEvidence, type HeldDeclaration } from '../../src/domain/memory-evidence.js';
import { PRESETS, type Policy } from '../../src/domain/policy.js';
import type { KeyFacts, RegistrySnapshot, SupplierFacts } from '../../src/domain/registry.js';
import { walk, type WalkResult } from '../../src/domain/walk.js';

export const NOW = '2026-11-20T12:00:00Z';
let counter = 0;

export function fullOrigin(country: string, extra: Partial<Origin> = {}): Origin {
  return {
    manufacturedIn: country,
    assembledIn: country,
    manufacturer: { name: `Maker ${country}`, domicile: country, ultimateParent: 'self' },
    software: { developerDomicile: country, dataHostedIn: [country], dataAdministeredFrom: country },
    ...extra,
  };
}

export function supplier(over: Partial<SupplierFacts> & { id: string }): SupplierFacts {
  return { name: over.id, domicile: 'PL', ultimateParent: 'self', manufacturerNames: [], ...over };
}

export function key(supplierId: string, over: Partial<KeyFacts> = {}): KeyFacts {
  return { kid: `kid-${supplierId}`, supplier: supplierId, status: 'active', reason: null, revokedAt: null, compromisedAt: null, ...over };
}

export const baseRegistry = (): RegistrySnapshot => ({
  suppliers: [
    supplier({ id: 'acme', name: 'Acme Avionics', domicile: 'PL', manufacturerNames: ['Acme Avionics'] }),
    supplier({ id: 'tern', name: 'Tern Radio', domicile: 'TW', manufacturerNames: ['Tern Radio'] }),
    supplier({ id: 'chipco', name: 'Chip Co', domicile: 'TW', manufacturerNames: ['Chip Co'] }),
    supplier({ id: 'distrib', name: 'Parts Distribution', domicile: 'DE', manufacturerNames: [] }),
  ],
  keys: [key('acme'), key('tern'), key('chipco'), key('distrib')],
  aliases: [],
});

export interface DeclOpts {
  supplier?: string;
  id?: string;
  kid?: string;
  manufacturer: string;
  partNumber: string;
  category?: DeclarationPayload['part']['category'];
  origin?: Origin;
  components?: DeclarationPayload['components'];
  issuedAt?: string;
  expiresAt?: string;
  supersedes?: string;
  receivedAt?: string;
}

export function decl(o: DeclOpts): HeldDeclaration {
  const supplierId = o.supplier ?? 'acme';
  const payload: DeclarationPayload = {
    schema: 'nonred/declaration/v1',
    id: o.id ?? `D-${++counter}`,
    supplier: supplierId,
    issuedAt: o.issuedAt ?? '2026-11-01T09:00:00Z',
    part: { manufacturer: o.manufacturer, partNumber: o.partNumber, name: `${o.partNumber} part`, category: o.category ?? 'flight-controller' },
    ...(o.expiresAt ? { expiresAt: o.expiresAt } : {}),
    ...(o.supersedes ? { supersedes: o.supersedes } : {}),
    ...(o.origin ? { origin: o.origin } : {}),
    ...(o.components ? { components: o.components } : {}),
  };
  const sha256 = `sha256:${createHash('sha256').update(JSON.stringify(payload) + String(++counter)).digest('hex')}`;
  return { sha256, supplier: supplierId, id: payload.id, kid: o.kid ?? `kid-${supplierId}`, receivedAt: o.receivedAt ?? '2026-11-01T10:00:00Z', payload };
}

export function item(id: string, parent: string | null, manufacturer: string, partNumber: string, over: Partial<BomItem> = {}): BomItem {
  return { id, parent, manufacturer, partNumber, name: `${partNumber} item`, quantity: 1, ...over };
}

export function bom(items: BomItem[], over: Partial<Bom> = {}): Bom {
  return { name: 'Quad X', partNumber: 'QX-1', revision: 'A', manufacturer: null, items, ...over };
}

export function policy(id = 'non-red', over: Partial<Policy> = {}): Policy {
  const p = PRESETS.find((x) => x.id === id)!;
  return { ...structuredClone(p), ...over };
}

export function run(b: Bom, held: HeldDeclaration[], opts: { policy?: Policy; registry?: RegistrySnapshot; now?: string } = {}): WalkResult {
  return walk({ bom: b, policy: opts.policy ?? policy(), now: opts.now ?? NOW, registry: opts.registry ?? baseRegistry(), evidence: memoryEvidence(held) });
}

export function codes(r: WalkResult, key?: string): string[] {
  return r.findings.filter((f) => key === undefined || f.key === key).map((f) => f.code);
}
