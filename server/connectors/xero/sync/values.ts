import { Decimal } from '../../../domain/decimal';

// Reading xero-node's model objects. The SDK turns every "/Date(ms+0000)/" string into a JS Date,
// even fields its types call strings (PurchaseOrder.date), and Xero's JSON numbers arrive as JS
// numbers: these helpers take either form and hand back our types.

/** A business date 'YYYY-MM-DD' from a Date, "/Date(ms+0000)/" or "2026-11-25T00:00:00". */
export function isoDate(v: unknown): string | null {
  const d = instant(v);
  return d ? d.toISOString().slice(0, 10) : null;
}

/** A moment (UpdatedDateUTC) from a Date or "/Date(ms+0000)/". */
export function instant(v: unknown): Date | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  if (typeof v !== 'string' || !v) return null;
  const ms = /^\/Date\((-?\d+)/.exec(v);
  const d = ms ? new Date(Number(ms[1])) : new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * A Xero amount or quantity as a Decimal. JSON.parse already made it a float; its shortest
 * decimal text (what Number#toString gives, 0.1 for 0.1) is what Xero sent, as Xero sends at
 * most 4 decimal places, so nothing is lost by reading that text.
 */
export function decimal(v: unknown): Decimal | null {
  if (typeof v === 'number' && Number.isFinite(v)) return new Decimal(String(v));
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return new Decimal(v.trim());
  return null;
}

/** The later of two cursors (undefined when neither is set). */
export function later(a: Date | undefined, b: Date | null | undefined): Date | undefined {
  if (!b) return a;
  return !a || b > a ? b : a;
}

/** An SDK enum value as its text (the SDK's enum types are numeric in TypeScript, strings at run time). */
export const text = (v: unknown): string => (v == null ? '' : String(v));
