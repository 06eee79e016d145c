import type { Invoice, LineItem } from 'xero-node';
import { COST_DP, Decimal, ZERO } from '../../../domain/decimal';
import { AmountsMode } from '../../../domain/purchasing';

// A Xero invoice or bill as Perpetua reads it. xero-node hands back JSON numbers (floats) and,
// for `Date`, a Date object although its type says string: both are turned into decimals and
// ISO dates here, at the boundary, and nothing past this file sees a float.

export type XeroLine = {
  /** 1-based, as the line appears in Xero: messages name it. */
  lineNo: number;
  itemCode: string | null;
  description: string;
  quantity: Decimal;
  /** Per unit, as the document states it (after any line discount). */
  unitPrice: Decimal;
  /** Percent, worked out from the line's TaxAmount: Xero sends the tax type, not the rate. */
  taxRate: Decimal;
  accountCode: string;
};

export type XeroInvoice = {
  id: string;
  type: string; // ACCPAY (a bill) or ACCREC (a sales invoice)
  status: string; // DRAFT, SUBMITTED, AUTHORISED, PAID, VOIDED, DELETED
  number: string;
  reference: string;
  contactId: string | null;
  contactName: string;
  date: string | null;
  currency: string | null;
  currencyRate: Decimal | null;
  amounts: AmountsMode;
  updatedAt: Date | null;
  lines: XeroLine[];
};

const AMOUNTS: Record<string, AmountsMode> = { Exclusive: 'exclusive', Inclusive: 'inclusive', NoTax: 'no_tax' };

export function dec(n: unknown): Decimal {
  if (n === undefined || n === null || n === '') return ZERO;
  return new Decimal(String(n));
}

/** 'YYYY-MM-DD' from a Date, a "/Date(ms+0000)/" string or an ISO string. */
export function isoDay(v: unknown): string | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString().slice(0, 10);
  if (typeof v !== 'string' || !v) return null;
  const ms = /^\/Date\((-?\d+)/.exec(v);
  if (ms) return new Date(Number(ms[1])).toISOString().slice(0, 10);
  return /^\d{4}-\d\d-\d\d/.test(v) ? v.slice(0, 10) : null;
}

function timestamp(v: unknown): Date | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  const day = typeof v === 'string' ? /^\/Date\((-?\d+)/.exec(v) : null;
  return day ? new Date(Number(day[1])) : null;
}

export function taxRateOf(amounts: AmountsMode, lineAmount: Decimal, taxAmount: Decimal): Decimal {
  if (amounts === 'no_tax' || taxAmount.isZero()) return ZERO;
  const net = amounts === 'inclusive' ? lineAmount.minus(taxAmount) : lineAmount;
  return net.isZero() ? ZERO : taxAmount.div(net).mul(100).toDecimalPlaces(4);
}

function toLine(l: LineItem, i: number, amounts: AmountsMode): XeroLine {
  const quantity = dec(l.quantity);
  const lineAmount = dec(l.lineAmount);
  // A discounted line's real price is its amount over its quantity, not the list UnitAmount.
  const discounted = !dec(l.discountRate).isZero() || !dec(l.discountAmount).isZero();
  const unitPrice = discounted && !quantity.isZero() ? lineAmount.div(quantity).toDecimalPlaces(COST_DP) : dec(l.unitAmount);
  return {
    lineNo: i + 1,
    itemCode: l.itemCode?.trim() || null,
    description: l.description ?? '',
    quantity,
    unitPrice,
    taxRate: taxRateOf(amounts, lineAmount, dec(l.taxAmount)),
    accountCode: l.accountCode ?? '',
  };
}

export function fromXero(inv: Invoice): XeroInvoice {
  const amounts = AMOUNTS[String(inv.lineAmountTypes ?? 'Exclusive')] ?? 'exclusive';
  return {
    id: String(inv.invoiceID ?? ''),
    type: String(inv.type ?? ''),
    status: String(inv.status ?? ''),
    number: (inv.invoiceNumber ?? '').trim(),
    reference: (inv.reference ?? '').trim(),
    contactId: inv.contact?.contactID ?? null,
    contactName: (inv.contact?.name ?? '').trim(),
    date: isoDay(inv.date as unknown),
    currency: inv.currencyCode ? String(inv.currencyCode) : null,
    currencyRate: inv.currencyRate === undefined || inv.currencyRate === null ? null : dec(inv.currencyRate),
    amounts,
    updatedAt: timestamp(inv.updatedDateUTC as unknown),
    lines: (inv.lineItems ?? []).map((l, i) => toLine(l, i, amounts)),
  };
}

/** A description-only line (Xero allows them): nothing to record or dispatch. */
export const isTextLine = (l: XeroLine) => l.quantity.isZero() && l.unitPrice.isZero();

export const APPROVED = new Set(['AUTHORISED', 'PAID']);
export const AWAITING_APPROVAL = new Set(['DRAFT', 'SUBMITTED']);
export const CANCELLED = new Set(['VOIDED', 'DELETED']);
