// Flattens a declaration/BOM origin object into the dotted policy fields of SPEC §6 and
// back, so that every source of origin (declaration, registry, parent attestation, BOM)
// can be compared field by field.
import type { Origin } from './declaration-schema.js';
import { POLICY_FIELDS, type PolicyField } from './policy.js';

export type FieldValue = string | string[];
export type FlatOrigin = Partial<Record<PolicyField, FieldValue>>;

export interface OriginNames {
  manufacturer?: string;
  ultimateParent?: string;
}

function known(v: string | undefined): string | undefined {
  return v === undefined || v === 'unknown' ? undefined : v;
}

/**
 * Known values only: absent and "unknown" are both left out. `dataHostedIn: []` is known; a
 * list that holds "unknown" keeps it, so that its other members are still checked against
 * the policy while the field as a whole counts as unknown (see isKnown).
 */
export function flattenOrigin(origin: Origin | undefined | null): FlatOrigin {
  const out: FlatOrigin = {};
  if (!origin) return out;
  const set = (f: PolicyField, v: string | undefined) => {
    const k = known(v);
    if (k !== undefined) out[f] = k;
  };
  set('manufacturedIn', origin.manufacturedIn);
  set('assembledIn', origin.assembledIn);
  const m = origin.manufacturer;
  if (m) {
    set('manufacturer.domicile', m.domicile);
    if (m.ultimateParent === 'self') set('manufacturer.ultimateParent.domicile', m.domicile);
    else if (m.ultimateParent) set('manufacturer.ultimateParent.domicile', m.ultimateParent.domicile);
  }
  const s = origin.software;
  if (s) {
    set('software.developerDomicile', s.developerDomicile);
    set('software.dataAdministeredFrom', s.dataAdministeredFrom);
    if (s.dataHostedIn !== undefined) {
      out['software.dataHostedIn'] = [...new Set(s.dataHostedIn)].sort();
    }
  }
  return out;
}

export function originNames(origin: Origin | undefined | null): OriginNames {
  const out: OriginNames = {};
  const m = origin?.manufacturer;
  if (!m) return out;
  if (m.name !== undefined) out.manufacturer = m.name;
  if (m.ultimateParent === 'self') {
    if (m.name !== undefined) out.ultimateParent = m.name;
  } else if (m.ultimateParent?.name !== undefined) out.ultimateParent = m.ultimateParent.name;
  return out;
}

/** A value that answers the field: not a list that admits unknown members. */
export function isKnown(v: FieldValue | undefined): v is FieldValue {
  return v !== undefined && !(Array.isArray(v) && v.includes('unknown'));
}

export function valueText(v: FieldValue): string {
  return Array.isArray(v) ? v.join(',') : v;
}

export function valuesOf(v: FieldValue | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Rebuilds a nested origin (as the report's tree shows it) from flat fields and names. */
export function unflattenOrigin(flat: FlatOrigin, names: OriginNames): Record<string, unknown> {
  const get = (f: PolicyField): FieldValue => flat[f] ?? 'unknown';
  const parentDomicile = get('manufacturer.ultimateParent.domicile');
  return {
    manufacturedIn: get('manufacturedIn'),
    assembledIn: get('assembledIn'),
    manufacturer: {
      name: names.manufacturer ?? null,
      domicile: get('manufacturer.domicile'),
      ultimateParent: { name: names.ultimateParent ?? null, domicile: parentDomicile },
    },
    software: {
      developerDomicile: get('software.developerDomicile'),
      dataHostedIn: flat['software.dataHostedIn'] ?? 'unknown',
      dataAdministeredFrom: get('software.dataAdministeredFrom'),
    },
  };
}

export { POLICY_FIELDS };

export interface TabularOrigin {
  manufacturedIn?: string | undefined;
  assembledIn?: string | undefined;
  manufacturerDomicile?: string | undefined;
  ultimateParentDomicile?: string | undefined;
}

/** The origin object from the flat country columns that CSV and CycloneDX properties carry. */
export function originFromColumns(c: TabularOrigin): Origin | undefined {
  const origin: Origin = {};
  if (c.manufacturedIn !== undefined) origin.manufacturedIn = c.manufacturedIn;
  if (c.assembledIn !== undefined) origin.assembledIn = c.assembledIn;
  if (c.manufacturerDomicile !== undefined || c.ultimateParentDomicile !== undefined) {
    origin.manufacturer = {
      ...(c.manufacturerDomicile !== undefined ? { domicile: c.manufacturerDomicile } : {}),
      ...(c.ultimateParentDomicile !== undefined ? { ultimateParent: { domicile: c.ultimateParentDomicile } } : {}),
    };
  }
  return Object.keys(origin).length > 0 ? origin : undefined;
}
