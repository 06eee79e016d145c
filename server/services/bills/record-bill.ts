import { Db, Trx } from '../../db';
import { Decimal, ZERO, sum, str, roundMoney, COST_DP } from '../../domain/decimal';
import { baseUnitCost, differenceDate } from '../../domain/purchasing';
import { isIsoDate, latestBusinessDate } from '../../domain/dates';
import { FieldProblem, Invalid, Conflict } from '../../errors';
import { today } from '../../clock';
import { partsAndLocations, partsById, locationsById, Part } from '../../repos/catalogue';
import { getTenantWithMapping, Tenant } from '../../repos/tenants';
import * as ledger from '../../repos/ledger';
import { inTransaction } from '../transaction';
import { IdempotencyClaim, withIdempotency } from '../idempotency';
import { writeEvent } from '../stock/post-event';
import { Actor, RevalueLeg } from '../stock/types';
import { supplierNamed } from '../purchasing/suppliers';
import { BillInput, BillLineInput } from '../purchasing/types';
import { priceDifference, billedStockDates, BilledChunk } from './price-difference';
import { billView, BillView } from './views';

type Chunk = BilledChunk & { billLineId: string };
type Flag = { code: 'coded_elsewhere' | 'billed_not_received'; message: string };
type Receipt = { id: string; eventId: string; quantity: Decimal; billed: Decimal; unitCost: Decimal; poLineId: string; factor: Decimal; poNumber: string };

/**
 * Store a supplier bill and match its lines to what goods-in received (by supplier, the PO number
 * in its reference, and part). Where the bill's price differs from the receipt's, the stock still
 * on hand is revalued and the rest goes to purchase price variance, in one journal against GRNI;
 * only the parts billed are touched, however long their history.
 */
export async function recordBill(db: Db, actor: Actor, input: BillInput, idem?: IdempotencyClaim) {
  return inTransaction(db, (trx) => withIdempotency(trx, actor.tenantId, idem, () => recordInTransaction(trx, actor, input)));
}

async function recordInTransaction(trx: Trx, actor: Actor, input: BillInput): Promise<BillView> {
  const { tenant, mapping } = await getTenantWithMapping(trx, actor.tenantId);
  const { parts } = await partsAndLocations(trx, actor.tenantId, input.lines.flatMap((l) => (l.part ? [l.part] : [])), []);
  const currency = (input.currency ?? tenant.baseCurrency).toUpperCase();
  const rate = currency === tenant.baseCurrency ? new Decimal(1) : input.currencyRate;
  checkBill(input, tenant, currency, rate, parts);
  const supplier = await supplierNamed(trx, actor.tenantId, input.supplier.trim(), currency);
  // The same invoice typed in another case is still the same invoice.
  const same = await trx('bills').where({ tenant_id: actor.tenantId, supplier_id: supplier.id }).whereRaw('lower(number) = lower(?)', [input.number]).first('number');
  if (same) throw new Conflict(`Bill ${same.number} from ${supplier.name} is already recorded`, 'number');
  const [bill] = await trx('bills')
    .insert({ tenant_id: actor.tenantId, supplier_id: supplier.id, number: input.number, reference: input.reference ?? '', bill_date: input.date, currency, currency_rate: str(rate!), amounts: input.amounts ?? 'exclusive', external_id: input.externalId ?? null })
    .onConflict(['tenant_id', 'supplier_id', 'number']).ignore()
    .returning('id');
  if (!bill) throw new Conflict(`Bill ${input.number} from ${supplier.name} is already recorded`, 'number');

  const billedParts = [...new Set(input.lines.flatMap((l) => (l.part ? [parts.get(l.part)!.id] : [])))];
  // Under the part locks, as any posting: the layers read below cannot change until commit.
  await ledger.lockParts(trx, actor.tenantId, billedParts);
  const chunks: Chunk[] = [];
  for (const [i, line] of input.lines.entries()) {
    const part = line.part ? parts.get(line.part)! : null;
    const receipts = part ? await unbilledReceipts(trx, actor.tenantId, supplier.id, part.id, input.reference) : [];
    const factor = receipts[0]?.factor ?? new Decimal(1);
    const unitCost = baseUnitCost({ unitPrice: line.unitPrice, taxRate: line.taxRate ?? ZERO, amounts: input.amounts ?? 'exclusive', unitsPerPurchaseUnit: factor, currencyRate: rate! });
    const matched = allocate(line.quantity.mul(factor), receipts);
    const flags = flagsFor(line, part, receipts.length > 0 || matched.length > 0, line.quantity.mul(factor).minus(sum(matched.map((m) => m.take))), mapping.grni.code);
    const [row] = await trx('bill_lines')
      .insert({
        tenant_id: actor.tenantId, bill_id: bill.id, line_no: i + 1, part_id: part?.id ?? null, description: line.description ?? part?.name ?? '',
        quantity: str(line.quantity), unit_price: str(line.unitPrice), tax_rate: str(line.taxRate ?? ZERO), account_code: line.accountCode ?? '',
        matched_qty: str(sum(matched.map((m) => m.take))), flag: flags.map((f) => f.code).join(',') || null, flag_message: flags.length ? JSON.stringify(flags.map((f) => f.message)) : null,
      })
      .returning('id');
    for (const m of matched) {
      chunks.push({ billLineId: row.id, receiptLineId: m.receipt.id, eventId: m.receipt.eventId, receivedQty: m.receipt.quantity, billedBefore: m.billedBefore, billedQty: m.take, receiptUnitCost: m.receipt.unitCost, billUnitCost: unitCost, field: `lines.${i}.unit_price` });
      await trx('receipt_lines').where({ tenant_id: actor.tenantId, id: m.receipt.id }).update({ billed_qty: trx.raw('billed_qty + ?::numeric', [str(m.take)]) });
      await trx('purchase_order_lines').where({ tenant_id: actor.tenantId, id: m.receipt.poLineId }).update({ billed_qty: trx.raw('billed_qty + ?::numeric', [str(m.take)]) });
    }
  }
  const eventId = await postDifferences(trx, actor, tenant, { ...input, supplier: supplier.name }, chunks);
  if (eventId) await trx('bills').where({ tenant_id: actor.tenantId, id: bill.id }).update({ event_id: eventId });
  return billView(trx, actor.tenantId, bill.id);
}

/**
 * Received, not yet billed, from this supplier for this part, oldest first; narrowed to the PO
 * the bill names in its reference when it names one (Xero copies the PO number there).
 */
async function unbilledReceipts(trx: Trx, tenantId: string, supplierId: string, partId: string, reference?: string): Promise<Receipt[]> {
  const base = () => trx('receipt_lines as r')
    .join('purchase_order_lines as pl', (j) => j.on('pl.id', 'r.po_line_id').andOn('pl.tenant_id', 'r.tenant_id'))
    .join('purchase_orders as o', (j) => j.on('o.id', 'pl.po_id').andOn('o.tenant_id', 'pl.tenant_id'))
    .where({ 'r.tenant_id': tenantId, 'o.supplier_id': supplierId, 'pl.part_id': partId, 'r.outcome': 'accepted' })
    // Units sent back to the supplier before they were billed are not to be billed (supplier returns).
    .whereNull('r.undone_at').whereRaw('r.billed_qty + r.returned_unbilled_qty < r.quantity')
    .orderBy('r.seq').forUpdate('r')
    .select('r.id', 'r.event_id', trx.raw('(r.quantity - r.returned_unbilled_qty)::text as quantity'), 'r.billed_qty', 'r.unit_cost', 'r.po_line_id', 'pl.units_per_purchase_unit', 'o.number');
  let rows = reference ? await base().whereRaw('lower(o.number) = lower(?)', [reference.trim()]) : [];
  if (!rows.length) rows = await base();
  return rows.map((r) => ({ id: r.id, eventId: r.event_id, quantity: new Decimal(r.quantity), billed: new Decimal(r.billed_qty), unitCost: new Decimal(r.unit_cost), poLineId: r.po_line_id, factor: new Decimal(r.units_per_purchase_unit), poNumber: r.number }));
}

function allocate(qty: Decimal, receipts: Receipt[]): { receipt: Receipt; take: Decimal; billedBefore: Decimal }[] {
  let left = qty;
  const out: { receipt: Receipt; take: Decimal; billedBefore: Decimal }[] = [];
  for (const r of receipts) {
    if (!left.gt(0)) break;
    const take = Decimal.min(left, r.quantity.minus(r.billed));
    out.push({ receipt: r, take, billedBefore: r.billed });
    r.billed = r.billed.plus(take);
    left = left.minus(take);
  }
  return out;
}

function flagsFor(line: BillLineInput, part: Part | null, received: boolean, unmatched: Decimal, grniCode: string): Flag[] {
  const flags: Flag[] = [];
  if (part && received && line.accountCode && line.accountCode !== grniCode) {
    flags.push({ code: 'coded_elsewhere', message: `Coded to ${line.accountCode}, but ${part.sku} was received into stock against GRNI (${grniCode}): code it to ${grniCode}, or the goods are counted twice` });
  }
  if (part && unmatched.gt(0)) {
    flags.push({ code: 'billed_not_received', message: `${unmatched.toFixed()} × ${part.sku} billed but not received against a purchase order from this supplier` });
  }
  return flags;
}

/** One revaluation event for the whole bill: revalue legs on stock, variance on PPV, contra GRNI. */
async function postDifferences(trx: Trx, actor: Actor, tenant: Tenant, input: BillInput, chunks: Chunk[]): Promise<string | null> {
  const partIds = [...new Set((await trx('stock_movements').where({ tenant_id: actor.tenantId }).whereIn('event_id', chunks.map((c) => c.eventId)).pluck('part_id')) as string[])];
  const parts = await partsById(trx, actor.tenantId, partIds);
  const locationIds = await trx('stock_movements').where({ tenant_id: actor.tenantId }).whereIn('event_id', chunks.map((c) => c.eventId)).pluck('location_id');
  const locations = await locationsById(trx, actor.tenantId, locationIds);
  const seen = new Map();
  const legs: RevalueLeg[] = [];
  let variance = ZERO;
  for (const c of chunks) {
    const outcome = await priceDifference(trx, actor.tenantId, tenant.valuationMethod, c, parts, locations, seen);
    legs.push(...outcome.legs);
    variance = variance.plus(outcome.variance);
    await trx('bill_matches').insert({ tenant_id: actor.tenantId, bill_line_id: c.billLineId, receipt_line_id: c.receiptLineId, quantity: str(c.billedQty), receipt_unit_cost: str(c.receiptUnitCost), bill_unit_cost: str(c.billUnitCost), revalued: str(outcome.revalued), variance: str(outcome.variance) });
  }
  const ppv = roundMoney(variance, tenant.minorUnits);
  if (!legs.length && ppv.isZero()) return null;
  // A difference belongs to the period the bill arrives in (its date, or the first open day), and
  // never to a day before the stock it revalues was there.
  const since = await billedStockDates(trx, actor.tenantId, chunks.map((c) => c.eventId), legs.map((l) => l.layerId));
  const date = differenceDate(input.date, since, tenant.lockDate);
  const view = await writeEvent(trx, actor, { kind: 'revaluation', occurredOn: date, reference: input.number, reason: `bill from ${input.supplier.trim()}`, contra: 'grni', reversesEventId: null, otherPostings: ppv.isZero() ? [] : [{ role: 'ppv', amount: ppv }] }, legs);
  return view.id;
}

function checkBill(input: BillInput, tenant: Tenant, currency: string, rate: Decimal | undefined, parts: Map<string, Part>): void {
  const problems: FieldProblem[] = [];
  if (!isIsoDate(input.date)) problems.push({ field: 'date', message: `${input.date} is not a date like 2026-11-25` });
  else if (input.date > latestBusinessDate(today())) problems.push({ field: 'date', message: `${input.date} is in the future; a bill is recorded once it has arrived` });
  if (!/^[A-Z]{3}$/.test(currency)) problems.push({ field: 'currency', message: `${currency} is not a three-letter currency code` });
  else if (!rate) problems.push({ field: 'currency_rate', message: `A bill in ${currency} needs its rate: ${currency} per 1 ${tenant.baseCurrency}` });
  else if (!rate.gt(0)) problems.push({ field: 'currency_rate', message: 'Currency rate must be greater than zero' });
  input.lines.forEach((l, i) => {
    if (l.part && !parts.get(l.part)) problems.push({ field: `lines.${i}.part`, message: `Unknown part ${l.part}` });
    if (!l.quantity.gt(0)) problems.push({ field: `lines.${i}.quantity`, message: `Quantity must be greater than zero (got ${l.quantity.toFixed()})` });
    if (l.unitPrice.isNeg()) problems.push({ field: `lines.${i}.unit_price`, message: 'Unit price must not be negative' });
    else if (l.unitPrice.decimalPlaces() > COST_DP) problems.push({ field: `lines.${i}.unit_price`, message: `Unit price has too many decimal places (at most ${COST_DP})` });
  });
  if (!input.lines.length) problems.push({ field: 'lines', message: 'Give at least one line' });
  if (problems.length) throw new Invalid(problems);
}
