import { z } from 'zod';
import { Decimal } from '../domain/decimal';
import { parseQuantity, parseUnitCost, parseColumnDecimal, PERCENT_COLUMN } from '../domain/numbers';
import { quantity, unitCost, isoDate, code, lot, serials, optionalText, uuid, text } from './schemas';
import { PoInput, ReceiveInput, RejectInput, BillInput } from '../services/purchasing/types';
import { SupplierReturnInput } from '../services/goods-in/supplier-return';

// Input schemas for purchasing and goods-in, shared by the JSON API and the pages' forms.
const decimal = (parse: (v: unknown) => ReturnType<typeof parseQuantity>) =>
  z.preprocess((v) => (v === '' || v === null ? undefined : v), z.unknown().optional()).transform((v, ctx) => {
    if (v === undefined) return undefined;
    const p = parse(v);
    if (!p.ok) {
      ctx.addIssue({ code: 'custom', message: p.reason });
      return z.NEVER;
    }
    return p.value;
  });
const optionalQuantity = decimal((v) => parseQuantity(v));
const optionalPercent = decimal((v) => parseColumnDecimal(v, PERCENT_COLUMN)); // what its numeric(9,4) column holds
const optionalRate = decimal(parseUnitCost);
const amounts = z.enum(['exclusive', 'inclusive', 'no_tax']).optional();
const currency = z.preprocess((v) => (v === '' ? undefined : v), text().trim().toUpperCase().regex(/^[A-Z]{3}$/, 'must be a three-letter currency code like EUR').optional());
const date = z.preprocess((v) => (v === '' || v === null ? undefined : v), isoDate.optional());

const poLine = z.object({
  part: code('part'),
  description: optionalText(200),
  quantity,
  purchase_unit: optionalText(32),
  units_per_purchase_unit: optionalQuantity,
  unit_price: unitCost,
  tax_rate: optionalPercent,
  account_code: optionalText(32),
}).strict();

export const purchaseOrderBody = z.object({
  number: optionalText(40),
  supplier: text().trim().min(1, 'supplier is required').max(200, 'supplier is too long (200 characters at most)'),
  order_date: date,
  expected_date: date,
  currency,
  currency_rate: optionalRate,
  amounts,
  location: optionalText(64),
  reference: optionalText(200),
  status: z.enum(['draft', 'open']).optional(),
  lines: z.array(poLine).min(1, 'give at least one line').max(2000),
}).strict();

export function parsePurchaseOrder(body: unknown): PoInput {
  const b = purchaseOrderBody.parse(body);
  return {
    number: b.number, supplier: b.supplier, orderDate: b.order_date, expectedDate: b.expected_date, currency: b.currency, currencyRate: b.currency_rate,
    amounts: b.amounts, location: b.location, reference: b.reference, status: b.status,
    lines: b.lines.map((l) => ({ part: l.part, description: l.description, quantity: l.quantity, purchaseUnit: l.purchase_unit, unitsPerPurchaseUnit: l.units_per_purchase_unit, unitPrice: l.unit_price, taxRate: l.tax_rate, accountCode: l.account_code })),
  };
}

const lineRef = { line: z.preprocess((v) => (v === '' ? undefined : v), uuid.optional()), part: optionalText(64) };

export const receiveBody = z.object({
  ...lineRef,
  quantity,
  lot,
  serials,
  delivery_note: optionalText(100),
  occurred_on: date,
  approve_over_receipt: z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean()).optional(),
  approval: z.object({ email: text().trim().max(200), password: text().max(200) }).strict().optional(),
}).strict();

export function parseReceive(body: unknown): ReceiveInput {
  const b = receiveBody.parse(body);
  return { line: b.line, part: b.part, quantity: b.quantity, lot: b.lot, serials: b.serials, deliveryNote: b.delivery_note, occurredOn: b.occurred_on, approveOverReceipt: b.approve_over_receipt, approval: b.approval };
}

export const rejectBody = z.object({ ...lineRef, quantity, reason: code('reason').max(200), delivery_note: optionalText(100), occurred_on: date }).strict();

export function parseReject(body: unknown): RejectInput {
  const b = rejectBody.parse(body);
  return { line: b.line, part: b.part, quantity: b.quantity, reason: b.reason, deliveryNote: b.delivery_note, occurredOn: b.occurred_on };
}

export const supplierReturnBody = z.object({
  receipt_line: uuid,
  quantity: z.preprocess((v) => (v === '' || v === null ? undefined : v), quantity.optional()),
  serials,
  reason: code('reason').max(200),
  occurred_on: date,
}).strict();

export function parseSupplierReturn(body: unknown): SupplierReturnInput {
  const b = supplierReturnBody.parse(body);
  return { receiptLine: b.receipt_line, quantity: b.quantity, serials: b.serials, reason: b.reason, occurredOn: b.occurred_on };
}

export const poStatusBody = z.object({ status: z.enum(['open', 'closed', 'cancelled', 'draft']) }).strict();

const billLine = z.object({
  part: optionalText(64),
  description: optionalText(200),
  quantity,
  unit_price: unitCost,
  tax_rate: optionalPercent,
  account_code: optionalText(32),
}).strict();

export const billBody = z.object({
  supplier: text().trim().min(1, 'supplier is required').max(200, 'supplier is too long (200 characters at most)'),
  number: code('number').max(60),
  reference: optionalText(100),
  date: isoDate,
  currency,
  currency_rate: optionalRate,
  amounts,
  lines: z.array(billLine).min(1, 'give at least one line').max(2000),
}).strict();

export function parseBill(body: unknown): BillInput {
  const b = billBody.parse(body);
  return {
    supplier: b.supplier, number: b.number, reference: b.reference, date: b.date, currency: b.currency, currencyRate: b.currency_rate, amounts: b.amounts,
    lines: b.lines.map((l) => ({ part: l.part, description: l.description, quantity: l.quantity, unitPrice: l.unit_price, taxRate: l.tax_rate as Decimal | undefined, accountCode: l.account_code })),
  };
}

export { lot };
