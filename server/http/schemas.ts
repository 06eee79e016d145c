import { z } from 'zod';
import { parseQuantity, parseUnitCost, Parsed } from '../domain/numbers';
import { isIsoDate } from '../domain/dates';
import { unstorableTextReason } from '../domain/text';

/**
 * Every string an input schema takes starts here: text the database cannot store (a NUL, half a
 * surrogate pair) is refused at its field, before any other check of it runs.
 */
export const text = () => z.string().superRefine((s, ctx) => {
  const reason = unstorableTextReason(s);
  if (reason) ctx.addIssue({ code: 'custom', message: reason, continue: false });
});

// Shared zod pieces for JSON bodies and form posts. Numbers arrive as strings (forms, and the
// API's documented format) or JSON numbers; both become Decimals without passing through a float
// calculation.
function decimalField(parse: (raw: unknown) => Parsed) {
  return z.unknown().transform((v, ctx) => {
    const p = parse(v);
    if (!p.ok) {
      ctx.addIssue({ code: 'custom', message: p.reason });
      return z.NEVER;
    }
    return p.value;
  });
}

export const quantity = decimalField((v) => parseQuantity(v));
export const signedQuantity = decimalField((v) => parseQuantity(v, { signed: true }));
export const unitCost = decimalField(parseUnitCost);
export const optionalUnitCost = z.preprocess((v) => (v === '' || v === null ? undefined : v), unitCost.optional());

export const isoDate = text().refine(isIsoDate, 'must be a real date like 2026-11-25');
export const code = (what: string) => text().trim().min(1, `${what} is required`).max(64, `${what} is too long (64 characters at most)`);
export const optionalText = (max = 200) => z.preprocess((v) => (v === '' || v === null ? undefined : v), text().trim().max(max).optional());
export const lot = optionalText(64);
export const serials = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(/[\s,;]+/).filter(Boolean) : v === null ? undefined : v),
  z.array(text().trim().min(1).max(64)).max(10_000).optional(),
);
export const uuid = text().uuid('is not a valid id');

import { NotFound } from '../errors';
/** Ids in URLs: anything that is not a well-formed id simply does not exist (404, not 422). */
export function idParam(raw: string | string[] | undefined, what: string): string {
  const id = String(raw ?? '');
  if (!uuid.safeParse(id).success) throw new NotFound(what, id);
  return id;
}

/** ?as_at= on valuation queries: named in errors as as_at, never as "body". */
export const asAtQuery = z.object({ as_at: z.preprocess((v) => v || undefined, isoDate.optional()) });
