import type { Invoice, LineItem } from 'xero-node';
import { Decimal, ZERO } from '../../../domain/decimal';
import { AmountsMode } from '../../../domain/purchasing';
import { AMOUNTS, taxRate, unitPrice } from '../sync/po-input';
import { decimal, instant, isoDate } from '../sync/values';

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

/**
 * Price and tax rate by the rules the PO pull reads a PO line with (sync/po-input.ts): UnitAmount
 * less any discount, not LineAmount over Quantity (Xero rounds LineAmount to 2 places), so a bill
 * compares with its PO without price differences that are only rounding.
 */
function toLine(l: LineItem, i: number, amounts: AmountsMode): XeroLine {
  const quantity = decimal(l.quantity) ?? ZERO;
  return {
    lineNo: i + 1,
    itemCode: l.itemCode?.trim() || null,
    description: l.description ?? '',
    quantity,
    unitPrice: unitPrice(l, quantity),
    taxRate: taxRate(l, amounts),
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
    date: isoDate(inv.date as unknown),
    currency: inv.currencyCode ? String(inv.currencyCode) : null,
    currencyRate: decimal(inv.currencyRate),
    amounts,
    updatedAt: instant(inv.updatedDateUTC as unknown),
    lines: (inv.lineItems ?? []).map((l, i) => toLine(l, i, amounts)),
  };
}

/** A description-only line (Xero allows them): nothing to record or dispatch. */
export const isTextLine = (l: XeroLine) => l.quantity.isZero() && l.unitPrice.isZero();

export const APPROVED = new Set(['AUTHORISED', 'PAID']);
export const AWAITING_APPROVAL = new Set(['DRAFT', 'SUBMITTED']);
export const CANCELLED = new Set(['VOIDED', 'DELETED']);
