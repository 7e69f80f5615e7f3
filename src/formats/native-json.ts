// The native BOM format (SPEC §5): {"schema":"nonred/bom/v1", name, partNumber, revision,
// items:[{id, parent, manufacturer, partNumber, name, category, quantity, origin}]}.
import { z } from 'zod';
import type { Bom } from '../domain/bom.js';
import { normalizeCountry } from '../domain/countries.js';
import { category, originSchemaWith, quantity } from '../domain/declaration-schema.js';
import { Problem, zodErrors } from '../problem.js';

const text = (max: number) => z.string().trim().min(1).max(max);

// Countries in a BOM are written by people: names are normalised ("Taiwan, Province of
// China" → TW), an ambiguous or unknown one is an error naming the value (SPEC §2).
const humanCountry = z.string().transform((v, ctx) => {
  const r = normalizeCountry(v);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.message });
    return z.NEVER;
  }
  return r.code;
});
const originSchema = originSchemaWith(humanCountry);

export const nativeBomSchema = z.strictObject({
  schema: z.literal('nonred/bom/v1'),
  name: text(300),
  partNumber: text(200).nullish(),
  revision: text(100).nullish(),
  manufacturer: text(300).nullish(),
  origin: originSchema.optional(),
  items: z.array(z.strictObject({
    id: text(200),
    parent: text(200).nullish(),
    manufacturer: text(300),
    partNumber: text(200),
    name: text(500).nullish(),
    category: category.nullish(),
    quantity: quantity.optional(),
    origin: originSchema.optional(),
  })).max(1_000_000),
});

export function parseNativeBom(value: unknown): Bom {
  const r = nativeBomSchema.safeParse(value);
  if (!r.success) {
    throw new Problem(422, 'bom.invalid', 'the BOM does not match nonred/bom/v1', { errors: zodErrors(r.error.issues) });
  }
  const b = r.data;
  return {
    name: b.name,
    partNumber: b.partNumber ?? null,
    revision: b.revision ?? null,
    manufacturer: b.manufacturer ?? null,
    ...(b.origin ? { origin: b.origin } : {}),
    items: b.items.map((it) => ({
      id: it.id,
      parent: it.parent ?? null,
      manufacturer: it.manufacturer,
      partNumber: it.partNumber,
      ...(it.name ? { name: it.name } : {}),
      ...(it.category ? { category: it.category } : {}),
      quantity: it.quantity ?? 1,
      ...(it.origin ? { origin: it.origin } : {}),
    })),
  };
}
