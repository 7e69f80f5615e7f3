// Origin policies (SPEC §6): what counts as disallowed, which origin fields are judged,
// how strong the evidence must be. Presets ship as version 1 of each id.
import { z } from 'zod';
import { countryCode } from './declaration-schema.js';
import { COUNTRY_GROUPS, expandCountryGroups } from './countries.js';

export const ASSURANCE_LEVELS = [
  'signed-direct', 'signed-third-party', 'attested-by-parent', 'unsigned', 'none',
] as const;
export type Assurance = (typeof ASSURANCE_LEVELS)[number];

/** Higher is stronger. */
export function assuranceRank(a: Assurance): number {
  return ASSURANCE_LEVELS.length - 1 - ASSURANCE_LEVELS.indexOf(a);
}

export const POLICY_FIELDS = [
  'manufacturedIn', 'assembledIn', 'manufacturer.domicile',
  'manufacturer.ultimateParent.domicile', 'software.developerDomicile',
  'software.dataHostedIn', 'software.dataAdministeredFrom',
] as const;
export type PolicyField = (typeof POLICY_FIELDS)[number];

export const SOFTWARE_FIELDS: ReadonlySet<PolicyField> = new Set<PolicyField>([
  'software.developerDomicile', 'software.dataHostedIn', 'software.dataAdministeredFrom',
]);

export const POLICY_ID_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

const countryOrGroup = z.union([
  countryCode.refine((c) => c !== 'unknown', { message: 'unknown is not a country' }),
  z.enum(Object.keys(COUNTRY_GROUPS) as [string, ...string[]]),
]);

/** A policy as written by an admin (PUT body): no id, no version — the server assigns them. */
export const policyInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  disallowedCountries: z.array(countryOrGroup).min(1).max(300),
  fields: z.array(z.enum(POLICY_FIELDS)).min(1),
  disallowedEntities: z
    .array(z.strictObject({ name: z.string().trim().min(1).max(300), aliases: z.array(z.string().trim().min(1).max(300)).max(100).default([]) }))
    .max(1000)
    .default([]),
  scope: z.enum(['all', 'critical']),
  minimumAssurance: z.strictObject({
    critical: z.enum(ASSURANCE_LEVELS),
    other: z.enum(ASSURANCE_LEVELS),
  }),
  maxDeclarationAgeDays: z.number().int().min(1).max(36_500),
  maxDepth: z.number().int().min(1).max(256),
});
export type PolicyInput = z.input<typeof policyInputSchema>;

export interface Policy {
  id: string;
  version: number;
  name: string;
  disallowedCountries: string[];
  fields: PolicyField[];
  disallowedEntities: { name: string; aliases: string[] }[];
  scope: 'all' | 'critical';
  minimumAssurance: { critical: Assurance; other: Assurance };
  maxDeclarationAgeDays: number;
  maxDepth: number;
}

/** Turns validated input into the stored form: groups expanded, lists sorted and deduplicated. */
export function materializePolicy(id: string, version: number, input: z.output<typeof policyInputSchema>): Policy {
  const fields = POLICY_FIELDS.filter((f) => input.fields.includes(f));
  return {
    id,
    version,
    name: input.name,
    disallowedCountries: expandCountryGroups(input.disallowedCountries),
    fields,
    disallowedEntities: input.disallowedEntities.map((e) => ({ name: e.name, aliases: [...e.aliases] })),
    scope: input.scope,
    minimumAssurance: { ...input.minimumAssurance },
    maxDeclarationAgeDays: input.maxDeclarationAgeDays,
    maxDepth: input.maxDepth,
  };
}

const SHARED = {
  disallowedEntities: [],
  minimumAssurance: { critical: 'signed-direct', other: 'attested-by-parent' },
  maxDeclarationAgeDays: 730,
  maxDepth: 32,
} as const;

export const PRESETS: readonly Policy[] = [
  {
    id: 'non-red', version: 1, name: 'Non-Red (PRC incl. HK and MO)',
    disallowedCountries: ['CN', 'HK', 'MO'],
    fields: [...POLICY_FIELDS],
    scope: 'all',
    ...SHARED, disallowedEntities: [], minimumAssurance: { ...SHARED.minimumAssurance },
  },
  {
    id: 'ndaa-848', version: 1, name: 'US FY2020 NDAA §848 (PRC, critical components)',
    disallowedCountries: ['CN'],
    fields: ['manufacturedIn', 'manufacturer.domicile', 'software.developerDomicile',
      'software.dataHostedIn', 'software.dataAdministeredFrom'],
    scope: 'critical',
    ...SHARED, disallowedEntities: [], minimumAssurance: { ...SHARED.minimumAssurance },
  },
  {
    id: 'adversary-extended', version: 1, name: 'Foreign adversaries, extended (CN, HK, MO, RU, IR, KP, CU, VE)',
    disallowedCountries: ['CN', 'CU', 'HK', 'IR', 'KP', 'MO', 'RU', 'VE'],
    fields: [...POLICY_FIELDS],
    scope: 'all',
    ...SHARED, disallowedEntities: [], minimumAssurance: { ...SHARED.minimumAssurance },
  },
];

export const DEFAULT_POLICY_ID = 'non-red';

/** Parses "non-red" or "non-red@2". */
export function parsePolicyRef(ref: string): { id: string; version: number | null } | null {
  const m = /^([a-z0-9][a-z0-9-]{0,62})(?:@([1-9][0-9]{0,8}))?$/.exec(ref);
  if (!m) return null;
  return { id: m[1]!, version: m[2] === undefined ? null : Number(m[2]) };
}
