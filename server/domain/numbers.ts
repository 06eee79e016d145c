import { Decimal, QTY_DP, COST_DP } from './decimal';

// Parsing of user-entered numbers, shared by forms, JSON and CSV. Returns a reason, never throws,
// so each caller can name the field.
const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
export const MAX_QUANTITY = new Decimal('1e12');
export const MAX_UNIT_COST = new Decimal('1e12');

export type Parsed = { ok: true; value: Decimal } | { ok: false; reason: string };

/** A numeric(precision, scale) column: what an input stored there may hold, so no write is out of range. */
export type NumericColumn = { precision: number; scale: number };
/** Percentages (tax rates, attrition, tolerances) are numeric(9,4) columns. */
export const PERCENT_COLUMN: NumericColumn = { precision: 9, scale: 4 };

/** The largest value a column holds: numeric(9,4) holds up to 99999.9999. */
export function columnMax(c: NumericColumn): Decimal {
  return new Decimal(10).pow(c.precision - c.scale).minus(new Decimal(10).pow(-c.scale));
}

/** A number for a numeric(p,s) column: zero up to the column's largest value, at most `scale` places. */
export function parseColumnDecimal(raw: unknown, c: NumericColumn): Parsed {
  const p = parseDecimalText(raw);
  if (!p.ok) return p;
  const max = columnMax(c);
  if (p.value.isNeg() || p.value.gt(max)) return { ok: false, reason: `must be from 0 to ${max.toFixed()}` };
  if (p.value.decimalPlaces() > c.scale) return { ok: false, reason: `has too many decimal places (at most ${c.scale})` };
  return p;
}

export function parseDecimalText(raw: unknown): Parsed {
  if (raw === undefined || raw === null || raw === '') return { ok: false, reason: 'is required' };
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return { ok: false, reason: 'must be a number' };
    // A double keeps 15 significant digits exactly: its shortest text (0.1 -> "0.1") is then the
    // number the client wrote. Beyond that the client's digits may already be lost, so ask for a string.
    const text = String(raw);
    const digits = text.replace(/^-|e.*$|\./gi, '').replace(/^0+/, '').length;
    if (digits > 15) return { ok: false, reason: `has more significant digits than a JSON number keeps exactly; send it as a string ("${text}")` };
    return { ok: true, value: new Decimal(text) };
  }
  if (typeof raw !== 'string') return { ok: false, reason: 'must be a number' };
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'is required' };
  if (/^[+-]?[\d.]+e[+-]?\d+$/i.test(text)) return { ok: false, reason: `must be a plain decimal, not exponent notation (got "${text.slice(0, 40)}")` };
  if (!NUMBER_TEXT.test(text)) return { ok: false, reason: `must be a number (got "${text.slice(0, 40)}")` };
  return { ok: true, value: new Decimal(text) };
}

type Rule = { positive?: boolean; nonNegative?: boolean; nonZero?: boolean; dp: number; max: Decimal; whole?: boolean; unit?: string };

function check(raw: unknown, rule: Rule): Parsed {
  const p = parseDecimalText(raw);
  if (!p.ok) return p;
  const v = p.value;
  if (rule.positive && v.lte(0)) return { ok: false, reason: 'must be greater than zero' };
  if (rule.nonNegative && v.isNeg()) return { ok: false, reason: 'must not be negative' };
  if (rule.nonZero && v.isZero()) return { ok: false, reason: 'must not be zero' };
  if (v.abs().gt(rule.max)) return { ok: false, reason: `is too large (at most ${rule.max.toFixed()})` };
  if (v.decimalPlaces() > rule.dp) return { ok: false, reason: `has too many decimal places (at most ${rule.dp})` };
  if (rule.whole && !v.isInteger()) return { ok: false, reason: `must be a whole number of ${rule.unit ?? 'units'}` };
  return { ok: true, value: v };
}

export function parseQuantity(raw: unknown, opts: { signed?: boolean; whole?: boolean; unit?: string } = {}): Parsed {
  return check(raw, { positive: !opts.signed, nonZero: true, dp: QTY_DP, max: MAX_QUANTITY, whole: opts.whole, unit: opts.unit });
}

export function parseUnitCost(raw: unknown): Parsed {
  return check(raw, { nonNegative: true, dp: COST_DP, max: MAX_UNIT_COST });
}
