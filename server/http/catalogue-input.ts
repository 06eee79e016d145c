import { z } from 'zod';
import { code, optionalText, text } from './schemas';
import { parseQuantity } from '../domain/numbers';
import { PartInput, LocationInput } from '../services/catalogue';

const bool = z.preprocess((v) => (v === 'on' || v === 'true' || v === true ? true : v === undefined || v === '' || v === 'false' || v === false ? false : v), z.boolean());
const reorderPoint = z.preprocess((v) => (v === '' || v === null ? undefined : v), z.unknown().optional()).transform((v, ctx) => {
  if (v === undefined) return null;
  const p = parseQuantity(v);
  if (!p.ok) {
    ctx.addIssue({ code: 'custom', message: p.reason });
    return z.NEVER;
  }
  return p.value;
});

export const partSchema = z.object({
  sku: code('SKU').regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/, 'SKU may use letters, digits and . _ - /'),
  name: text().trim().min(1, 'name is required').max(200),
  description: optionalText(2000),
  unit: optionalText(20),
  fractional: bool.optional(),
  barcode: optionalText(64),
  source: z.enum(['bought', 'made', 'both']).optional(),
  tracking: z.enum(['none', 'lot', 'serial']).optional(),
  reorder_point: reorderPoint,
  default_location: optionalText(64),
}).strict();

export function toPartInput(body: unknown): PartInput {
  const b = partSchema.parse(body);
  return { sku: b.sku, name: b.name, description: b.description, unit: b.unit, fractional: b.fractional, barcode: b.barcode, source: b.source, tracking: b.tracking, reorderPoint: b.reorder_point, defaultLocation: b.default_location };
}

export const locationSchema = z.object({
  code: code('code').regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/, 'code may use letters, digits and . _ - /'),
  name: text().trim().min(1, 'name is required').max(200),
  warehouse: text().trim().min(1, 'warehouse is required').max(100),
  bin: optionalText(64),
}).strict();

export function toLocationInput(body: unknown): LocationInput {
  return locationSchema.parse(body);
}
