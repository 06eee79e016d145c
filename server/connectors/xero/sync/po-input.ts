import { Trx } from '../../../db';
import { Decimal, ZERO, COST_DP } from '../../../domain/decimal';
import { AmountsMode } from '../../../domain/purchasing';
import { insertPart } from '../../../services/catalogue';
import { PoInput, PoLineInput } from '../../../services/purchasing/types';
import { decimal, isoDate, text } from './values';

/** Xero's LineAmountTypes as ours (a document without one is tax-exclusive, Xero's default). */
export const AMOUNTS: Record<string, AmountsMode> = { Exclusive: 'exclusive', Inclusive: 'inclusive', NoTax: 'no_tax' };

/**
 * The figures of a Xero line item these rules read, as xero-node gives them (JSON numbers, or
 * absent): a PO's line and an invoice's or bill's line alike.
 */
export type XeroLineFigures = { unitAmount?: unknown; discountRate?: unknown; discountAmount?: unknown; taxAmount?: unknown; lineAmount?: unknown };

/** Xero's PO as our PoInput (header and the lines we can take in), and what was left out and why. */
export type MappedPo = { input: PoInput; left: string[] };

/**
 * Lines without an ItemCode (freight, a service, a free-text line) are left out: goods-in
 * receives parts, and an amount with no part has no stock to value. They are named in the
 * PO's sync warning so the bookkeeper knows Perpetua does not track them. A line whose ItemCode
 * has no part here gets one made from it, as the items pull does for bought items: the code
 * exists in Xero (Xero checks it), so it is a real bought item the items pull has not seen yet.
 */
export async function mapPurchaseOrder(trx: Trx, tenantId: string, po: any, supplier: string): Promise<MappedPo> {
  const amounts = AMOUNTS[text(po.lineAmountTypes)] ?? 'exclusive';
  const left: string[] = [];
  const lines: PoLineInput[] = [];
  for (const li of po.lineItems ?? []) {
    const code = text(li.itemCode).trim();
    if (!code) {
      left.push(`a line without an item code (${text(li.description).slice(0, 60) || 'no description'})`);
      continue;
    }
    await ensurePart(trx, tenantId, code, li);
    lines.push(lineInput(code, li, amounts));
  }
  const currencyRate = decimal(po.currencyRate);
  const input: PoInput = {
    number: poNumber(text(po.purchaseOrderNumber)),
    supplier,
    orderDate: isoDate(po.date) ?? undefined,
    expectedDate: isoDate(po.expectedArrivalDate) ?? isoDate(po.deliveryDate),
    currency: text(po.currencyCode) || undefined,
    currencyRate: currencyRate && currencyRate.gt(0) ? currencyRate : undefined,
    amounts,
    reference: text(po.reference).slice(0, 200),
    status: 'open',
    externalId: po.purchaseOrderID,
    lines,
  };
  return { input, left };
}

function lineInput(code: string, li: any, amounts: AmountsMode): PoLineInput {
  const quantity = decimal(li.quantity) ?? ZERO;
  return {
    part: code,
    description: text(li.description).slice(0, 500) || undefined,
    quantity,
    unitPrice: unitPrice(li, quantity),
    taxRate: taxRate(li, amounts),
    accountCode: text(li.accountCode) || undefined,
  };
}

/**
 * UnitAmount less any discount: what each unit really costs on this document. DiscountRate (a
 * percent) wins over DiscountAmount (off the whole line, so spread over its quantity); at
 * COST_DP places. Shared with the invoice and bill pulls.
 */
export function unitPrice(li: XeroLineFigures, quantity: Decimal): Decimal {
  const unit = decimal(li.unitAmount) ?? ZERO;
  const rate = decimal(li.discountRate);
  if (rate && !rate.isZero()) return unit.mul(new Decimal(100).minus(rate)).div(100).toDecimalPlaces(COST_DP);
  const off = decimal(li.discountAmount);
  if (off && !off.isZero() && quantity.gt(0)) return unit.minus(off.div(quantity)).toDecimalPlaces(COST_DP);
  return unit;
}

/**
 * The line's tax rate in percent, from its TaxAmount (the rate behind TaxType would cost a
 * /TaxRates call): TaxAmount over the line's amount before tax, which for tax-inclusive lines is
 * LineAmount less TaxAmount. Rounded to the 4 places the column holds. Shared with the invoice
 * and bill pulls.
 */
export function taxRate(li: XeroLineFigures, amounts: AmountsMode): Decimal {
  if (amounts === 'no_tax') return ZERO;
  const tax = decimal(li.taxAmount) ?? ZERO;
  const line = decimal(li.lineAmount) ?? ZERO;
  const base = amounts === 'inclusive' ? line.minus(tax) : line;
  if (tax.isZero() || !base.gt(0)) return ZERO;
  return tax.div(base).mul(100).toDecimalPlaces(4);
}

async function ensurePart(trx: Trx, tenantId: string, sku: string, li: any): Promise<void> {
  if (await trx('parts').where({ tenant_id: tenantId, sku }).first('id')) return;
  const name = text(li.item?.name) || text(li.description) || sku;
  await insertPart(trx, tenantId, { sku, name: name.slice(0, 200), description: text(li.description), unit: 'each', fractional: false, tracking: 'none', source: 'bought' });
}

/** Our PO numbers allow letters, digits and . / # - _ (scanned at goods-in); anything else becomes "-". */
export function poNumber(xeroNumber: string): string | undefined {
  const n = xeroNumber.trim().replace(/[^\w./#-]/g, '-').slice(0, 40);
  return n || undefined;
}
