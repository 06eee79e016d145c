import { Trx } from '../../../db';
import { Decimal, ZERO, str } from '../../../domain/decimal';
import { baseUnitCost, toStockUnits } from '../../../domain/purchasing';
import { partsAndLocations, Part } from '../../../repos/catalogue';
import { finishInTransaction } from '../../../services/goods-in/deliveries';
import { supplierNamed } from '../../../services/purchasing/suppliers';
import { PoInput, PoLineInput } from '../../../services/purchasing/types';

type LocalLine = Record<string, any>;

/**
 * A PO changed in Xero, applied to ours (locked by the caller). Lines are matched by part, in
 * order. What goods-in has done is never undone: a line is not cut below what was received, a
 * line with goods received is not removed, and once anything was received the prices and
 * currency stay as received (receipts were valued at them; the bill settles any difference).
 * Each change refused is returned as a sentence for the PO's sync warning.
 */
export async function applyPoChanges(trx: Trx, tenantId: string, po: Record<string, any>, input: PoInput): Promise<string[]> {
  const problems: string[] = [];
  const lines: LocalLine[] = await trx('purchase_order_lines').where({ tenant_id: tenantId, po_id: po.id }).orderBy('line_no');
  const anyReceived = lines.some((l) => !new Decimal(l.received_qty).isZero() || !new Decimal(l.rejected_qty).isZero());
  const terms = await headerChanges(trx, tenantId, po, input, anyReceived, problems);
  const { parts } = await partsAndLocations(trx, tenantId, input.lines.map((l) => l.part), []);
  const unmatched = [...lines];
  let nextNo = Math.max(0, ...lines.map((l) => l.line_no)) + 1;
  for (const want of input.lines) {
    const part = parts.get(want.part)!;
    const i = unmatched.findIndex((l) => l.part_id === part.id);
    const [local] = i < 0 ? [undefined] : unmatched.splice(i, 1);
    const refused = refusal(part, want, local);
    if (refused) problems.push(refused);
    else if (!local) await trx('purchase_order_lines').insert({ tenant_id: tenantId, po_id: po.id, line_no: nextNo++, ...lineFigures(part, want, terms) });
    else await changeLine(trx, tenantId, local, part, want, terms, problems);
  }
  for (const gone of unmatched) await removeLine(trx, tenantId, gone, problems);
  await settleStatus(trx, tenantId, po);
  return problems;
}

type Terms = { amounts: PoInput['amounts']; rate: Decimal };

async function headerChanges(trx: Trx, tenantId: string, po: Record<string, any>, input: PoInput, anyReceived: boolean, problems: string[]): Promise<Terms> {
  const supplier = await supplierNamed(trx, tenantId, input.supplier);
  const current: Terms = { amounts: po.amounts, rate: new Decimal(po.currency_rate) };
  const wanted: Terms = { amounts: input.amounts ?? 'exclusive', rate: input.currencyRate ?? new Decimal(1) };
  const currency = (input.currency ?? po.currency).toUpperCase();
  const termsChanged = currency !== po.currency || !wanted.rate.eq(current.rate) || wanted.amounts !== current.amounts;
  if (termsChanged && anyReceived) problems.push(`its currency, rate or tax treatment changed in Xero after goods were received; ${po.number} keeps ${po.currency} at ${str(current.rate)}, ${current.amounts}`);
  const terms = termsChanged && !anyReceived ? wanted : current;
  await trx('purchase_orders').where({ tenant_id: tenantId, id: po.id }).update({
    supplier_id: supplier.id,
    expected_date: input.expectedDate ?? null,
    reference: input.reference ?? '',
    ...(input.orderDate ? { order_date: input.orderDate } : {}),
    ...(termsChanged && !anyReceived ? { currency, currency_rate: str(terms.rate), amounts: terms.amounts } : {}),
    updated_at: trx.fn.now(),
  });
  return terms;
}

function lineFigures(part: Part, l: PoLineInput, t: Terms, factor = new Decimal(1)) {
  const unitCost = baseUnitCost({ unitPrice: l.unitPrice, taxRate: l.taxRate ?? ZERO, amounts: t.amounts ?? 'exclusive', unitsPerPurchaseUnit: factor, currencyRate: t.rate });
  return {
    part_id: part.id, description: l.description ?? part.name, quantity: str(l.quantity), purchase_unit: part.unit, units_per_purchase_unit: str(factor),
    unit_price: str(l.unitPrice), tax_rate: str(l.taxRate ?? ZERO), account_code: l.accountCode ?? '', ordered_qty: str(toStockUnits(l.quantity, factor)), unit_cost: str(unitCost),
  };
}

async function changeLine(trx: Trx, tenantId: string, local: LocalLine, part: Part, want: PoLineInput, t: Terms, problems: string[]): Promise<void> {
  const factor = new Decimal(local.units_per_purchase_unit);
  const received = new Decimal(local.received_qty);
  const touched = !received.isZero() || !new Decimal(local.rejected_qty).isZero();
  const figures = lineFigures(part, want, t, factor);
  const priceChanged = figures.unit_price !== str(new Decimal(local.unit_price)) || figures.tax_rate !== str(new Decimal(local.tax_rate));
  if (touched && priceChanged) problems.push(`${part.sku}: the price changed in Xero after goods were received; the line keeps ${str(new Decimal(local.unit_price))} (the bill will settle the difference)`);
  const keep = touched ? { unit_price: local.unit_price, tax_rate: local.tax_rate, unit_cost: local.unit_cost } : {};
  await trx('purchase_order_lines').where({ tenant_id: tenantId, id: local.id })
    .update({ ...figures, purchase_unit: local.purchase_unit, ...keep });
}

/** Why Xero's line cannot be applied as it stands (the line, if any, is left as it was), or null. */
function refusal(part: Part, want: PoLineInput, local?: LocalLine): string | null {
  const factor = new Decimal(local?.units_per_purchase_unit ?? 1);
  const ordered = toStockUnits(want.quantity, factor);
  const keeps = local ? `the line keeps ${str(new Decimal(local.quantity))}` : 'the line was not added';
  if (!want.quantity.gt(0) || (!part.fractional && !ordered.isInteger())) return `${part.sku}: Xero's quantity ${want.quantity.toFixed()} cannot be taken in (${part.sku} is counted in whole ${part.unit}); ${keeps}`;
  if (want.unitPrice.isNeg()) return `${part.sku}: Xero's price ${want.unitPrice.toFixed()} is negative; ${keeps}`;
  const received = new Decimal(local?.received_qty ?? 0);
  if (ordered.lt(received)) return `${part.sku}: Xero now orders ${ordered.toFixed()} but ${received.toFixed()} ${part.unit} were already received; the line keeps ${str(new Decimal(local!.ordered_qty))}`;
  return null;
}

async function removeLine(trx: Trx, tenantId: string, local: LocalLine, problems: string[]): Promise<void> {
  const touched = !new Decimal(local.received_qty).isZero() || !new Decimal(local.rejected_qty).isZero()
    || !!(await trx('receipt_lines').where({ tenant_id: tenantId, po_line_id: local.id }).first('id'));
  if (!touched) {
    await trx('purchase_order_lines').where({ tenant_id: tenantId, id: local.id }).delete();
    return;
  }
  // The line stays (its receipts point at it), cut to what was delivered: goods-in counts
  // ordered − received as outstanding, so units rejected and sent back are still owed as
  // replacements, and nothing beyond them is expected. Never cut below what was received (an
  // over-receipt), nor raised (replacements already in), nor to zero (no line orders nothing).
  const received = new Decimal(local.received_qty);
  const rejected = new Decimal(local.rejected_qty);
  const ordered = new Decimal(local.ordered_qty);
  const cut = Decimal.max(received, Decimal.min(ordered, received.plus(rejected)));
  if (cut.gt(0) && !cut.eq(ordered)) await trx('purchase_order_lines').where({ tenant_id: tenantId, id: local.id }).update({ ordered_qty: str(cut) });
  const owed = (cut.gt(0) ? cut : ordered).minus(received);
  const expecting = !owed.gt(0) ? 'expecting nothing more' : cut.gt(0) ? `expecting only ${owed.toFixed()} to replace what was rejected` : `still expecting ${owed.toFixed()}`;
  problems.push(`line ${local.line_no} was removed in Xero but goods were already received or rejected against it; it stays, ${expecting}`);
}

/** Outstanding again after a quantity went up: back to goods-in; nothing outstanding: received. */
async function settleStatus(trx: Trx, tenantId: string, po: Record<string, any>): Promise<void> {
  const open = await trx('purchase_order_lines').where({ tenant_id: tenantId, po_id: po.id }).whereRaw('received_qty < ordered_qty').first('id');
  const next = open ? 'open' : 'received';
  if (next === po.status) return;
  await trx('purchase_orders').where({ tenant_id: tenantId, id: po.id }).update({ status: next, updated_at: trx.fn.now() });
  const delivery = await trx('deliveries').where({ tenant_id: tenantId, po_id: po.id, status: 'open' }).first('id');
  // Leaving goods-in finishes the delivery being unpacked, so a journal held for it is posted.
  if (next === 'received' && delivery) await finishInTransaction(trx, { tenantId, role: 'admin' }, delivery.id);
}
