import { z } from 'zod';
import { Decimal } from '../domain/decimal';
import { parseDecimalText } from '../domain/numbers';
import { code, optionalText, quantity, text } from './schemas';
import { BomLineInput } from '../services/boms/types';

// Input schemas for bills of materials, shared by the JSON API and the BOM page's form. Ranges
// beyond the number's shape (attrition below 1000 %, at most 4 places) are the service's to check,
// so the API, the form and the CSV import say the same thing.
const blank = (v: unknown) => v === '' || v === null;

/** Attrition in percent: zero or more (blank: 0). */
const attrition = z.preprocess((v) => (blank(v) ? undefined : v), z.unknown().optional()).transform((v, ctx): Decimal | undefined => {
  if (v === undefined) return undefined;
  const p = parseDecimalText(v);
  if (!p.ok || p.value.isNeg()) {
    ctx.addIssue({ code: 'custom', message: p.ok ? 'must not be negative' : p.reason });
    return z.NEVER;
  }
  return p.value;
});

const STEP = 'must be a whole number from 1 to 999, or left blank';
/** The job step that consumes the line: a form sends "20", JSON 20; blank or null is none. */
const step = z.preprocess(
  (v) => (blank(v) ? null : typeof v === 'string' && /^\s*\d{1,6}\s*$/.test(v) ? Number(v) : v),
  z.number({ error: STEP }).int(STEP).min(1, STEP).max(999, STEP).nullable().optional(),
);

/** A checkbox sends "on" when ticked and nothing otherwise; JSON sends a boolean. */
const flag = z.preprocess((v) => (v === 'on' || v === 'true' || v === 'yes' ? true : v === '' || v === 'false' || v === 'no' ? false : v), z.boolean({ error: 'must be true or false' }).optional());

export const bomLineBody = z.object({
  component: code('component'),
  qty_per: quantity,
  attrition_pct: attrition,
  step,
  optional: flag,
  note: optionalText(2000),
}).strict();

export const bomBody = z.object({ lines: z.array(bomLineBody).max(2000, 'a BOM has at most 2000 lines') }).strict();

export function parseBomLine(body: unknown): BomLineInput {
  return toLine(bomLineBody.parse(body));
}

export function parseBom(body: unknown): BomLineInput[] {
  return bomBody.parse(body).lines.map(toLine);
}

function toLine(l: z.infer<typeof bomLineBody>): BomLineInput {
  return { component: l.component, qtyPer: l.qty_per, attritionPct: l.attrition_pct, step: l.step ?? null, optional: l.optional ?? false, note: l.note ?? '' };
}

/** ?quantity= of the tree: how many of the assembly to build (default 1). */
export const treeQuery = z.object({ quantity: z.preprocess((v) => (v === undefined || v === '' ? '1' : v), quantity) });

/** The import's body as JSON: {"csv": "..."} (text/csv is read as it is). */
export const importJsonBody = z.object({ csv: text().min(1, 'give the CSV text') }).strict();
