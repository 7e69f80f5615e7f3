// Seeded random programmes for the walk: declarations with every kind of component
// (references, inline origins, repeated parts), supersession, expiry, revoked and unknown
// keys, aliases, awkward names, BOMs with their own origins, and policies with depth
// limits, entities and critical scope. Used to hold two evidence sources to one answer.
import { createHash } from 'node:crypto';
import { rng } from '../../bench/lib.js';
import type { Bom, BomItem } from '../../src/domain/bom.js';
import type { DeclarationPayload, Origin } from '../../src/domain/declaration-schema.js';
import type { HeldDeclaration } from '../../src/domain/evidence.js';
import { PRESETS, type Policy } from '../../src/domain/policy.js';
import type { RegistrySnapshot } from '../../src/domain/registry.js';

export interface Programme {
  bom: Bom;
  policy: Policy;
  now: string;
  registry: RegistrySnapshot;
  /** in the order they arrived */
  held: HeldDeclaration[];
}

const CATEGORIES = ['flight-controller', 'radio', 'mechanical', 'firmware', 'compute', 'network'] as const;
const COUNTRIES = ['PL', 'DE', 'TW', 'CN', 'HK', 'unknown', 'US'];
const MAKERS = ['Acme', 'acme ', 'ACME', 'Tern Radio', 'Chip|Co', 'Dragon 100%', 'Holy Stone', 'Holystone', 'Ünïcode "Ltd"', 'Lone \ud800 Maker'];
const SUPPLIERS = ['acme', 'tern', 'chipco', 'distrib'];

export function randomProgramme(seed: number): Programme {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const nParts = 3 + Math.floor(r() * 40);
  const parts = Array.from({ length: nParts }, (_, i) => ({ m: pick(MAKERS), p: pick([`P-${i}`, ` p-${i} `, `X ${i % 5}`, `π-${i}\u2028`]) }));
  const origin = (): Origin | undefined => {
    if (r() < 0.2) return undefined;
    const o: Origin = {};
    if (r() < 0.8) o.manufacturedIn = pick(COUNTRIES);
    if (r() < 0.7) o.assembledIn = pick(COUNTRIES);
    if (r() < 0.7) {
      o.manufacturer = {};
      if (r() < 0.7) o.manufacturer.name = pick(['Maker A', 'Dragon Holdings', 'Acme']);
      if (r() < 0.8) o.manufacturer.domicile = pick(COUNTRIES);
      if (r() < 0.6) o.manufacturer.ultimateParent = r() < 0.5 ? 'self' : { name: pick(['Dragon Holdings', 'Parent X']), domicile: pick(COUNTRIES) };
    }
    if (r() < 0.5) o.software = { developerDomicile: pick(COUNTRIES), dataHostedIn: r() < 0.3 ? [] : [pick(COUNTRIES), pick(COUNTRIES)], dataAdministeredFrom: pick(COUNTRIES) };
    return o;
  };
  const held: HeldDeclaration[] = [];
  let count = 0;
  const nDecl = Math.floor(r() * nParts * 1.5);
  for (let d = 0; d < nDecl; d++) {
    const pt = pick(parts);
    const sup = pick(SUPPLIERS);
    const comps: NonNullable<DeclarationPayload['components']> = [];
    const nc = Math.floor(r() * 4);
    for (let k = 0; k < nc; k++) {
      const cp = pick(parts);
      const c: (typeof comps)[number] = { manufacturer: cp.m, partNumber: cp.p };
      if (r() < 0.7) c.quantity = pick([1, 2, 0.5, 3, 1e-7]);
      if (r() < 0.4) c.category = pick(CATEGORIES);
      if (r() < 0.3) c.name = `comp ${k} “q”`;
      const o = r() < 0.3 ? origin() : undefined;
      if (o) c.origin = o;
      if (r() < 0.15 && held.length > 0) c.declaration = pick(held).sha256;
      else if (r() < 0.05) c.declaration = `sha256:${'f'.repeat(64)}`;
      comps.push(c);
    }
    // (supplier, id) is unique, as intake holds it to be
    let id = r() < 0.1 && held.length ? `${pick(held).id}x` : `D-${d}`;
    while (held.some((h) => h.supplier === sup && h.id === id)) id += 'y';
    const payload: DeclarationPayload = {
      schema: 'nonred/declaration/v1', id, supplier: sup,
      issuedAt: pick(['2026-11-01T09:00:00Z', '2024-01-01T00:00:00Z', '2026-10-01T00:00:00.250Z']),
      part: { manufacturer: pt.m, partNumber: pt.p, name: `${pt.p} name`, category: pick(CATEGORIES) },
    };
    if (r() < 0.1) payload.expiresAt = pick(['2026-11-10T00:00:00Z', '2027-01-01T00:00:00Z']);
    if (r() < 0.15 && held.length) payload.supersedes = pick([...held.filter((h) => h.supplier === sup).map((h) => h.id), 'nothing']);
    const o = origin();
    if (o) payload.origin = o;
    if (comps.length) payload.components = comps;
    const sha256 = `sha256:${createHash('sha256').update(JSON.stringify(payload) + String(++count)).digest('hex')}`;
    held.push({
      sha256, supplier: sup, id: payload.id, kid: r() < 0.1 ? 'kid-ghost' : `kid-${sup}`,
      receivedAt: pick(['2026-11-01T10:00:00.000Z', '2026-11-15T00:00:00.000Z', '2026-11-19T00:00:00.000Z']), payload,
    });
  }
  const items: BomItem[] = [];
  const nItems = 1 + Math.floor(r() * 12);
  for (let i = 0; i < nItems; i++) {
    const pt = pick(parts);
    const it: BomItem = { id: `i${i}`, parent: i === 0 || r() < 0.4 ? null : `i${Math.floor(r() * i)}`, manufacturer: pt.m, partNumber: pt.p, quantity: pick([1, 2, 4]) };
    if (r() < 0.5) it.name = `item ${i}`;
    if (r() < 0.4) it.category = pick(CATEGORIES);
    const o = r() < 0.3 ? origin() : undefined;
    if (o) it.origin = o;
    items.push(it);
  }
  const bom: Bom = { name: 'B', partNumber: 'B-1', revision: 'A', manufacturer: r() < 0.3 ? 'Dragon Holdings' : null, items };
  const bo = r() < 0.3 ? origin() : undefined;
  if (bo) bom.origin = bo;
  const registry: RegistrySnapshot = {
    suppliers: [
      { id: 'acme', name: 'Acme', domicile: 'PL', ultimateParent: r() < 0.5 ? 'self' : null, manufacturerNames: ['Acme'] },
      { id: 'tern', name: 'Tern Radio', domicile: 'TW', ultimateParent: { name: 'Dragon Holdings', domicile: pick(['CN', 'TW']) }, manufacturerNames: ['Tern Radio', 'Holy Stone'] },
      { id: 'chipco', name: 'Chip Co', domicile: 'TW', ultimateParent: 'self', manufacturerNames: ['Chip|Co'] },
      { id: 'distrib', name: 'Distrib', domicile: 'DE', ultimateParent: null, manufacturerNames: [] },
    ],
    keys: SUPPLIERS.map((s) => ({
      kid: `kid-${s}`, supplier: s, status: r() < 0.15 ? 'revoked' as const : 'active' as const, reason: pick(['superseded', 'compromised'] as const),
      revokedAt: '2026-11-10T00:00:00Z', compromisedAt: pick([null, '2026-11-05T00:00:00Z']),
    })),
    aliases: r() < 0.5 ? [{ name: 'Holy Stone', aliases: ['Holystone'] }] : [],
  };
  const policy = structuredClone(pick(PRESETS));
  if (r() < 0.3) policy.maxDepth = 1 + Math.floor(r() * 3);
  if (r() < 0.3) policy.disallowedEntities = [{ name: 'Dragon Holdings', aliases: ['Parent X'] }];
  if (r() < 0.2) policy.scope = 'critical';
  return { bom, policy, now: '2026-11-20T12:00:00Z', registry, held };
}
