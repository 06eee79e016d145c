import { Db, Trx } from '../../db';
import { isUuid } from '../../domain/ids';
import { Decimal, QTY_DP, roundMoney, str, sum } from '../../domain/decimal';
import { AccountRole, StockPosting } from '../../domain/accounting';
import { applyDraws, drawFromLayers, Draw } from '../../domain/costing';
import { splitReturn, creditExpected } from '../../domain/purchasing';
import { Conflict, Invalid, NotFound } from '../../errors';
import { today } from '../../clock';
import { getTenant, Tenant } from '../../repos/tenants';
import { partsById, locationsById } from '../../repos/catalogue';
import * as ledger from '../../repos/ledger';
import { inTransaction } from '../transaction';
import { IdempotencyClaim, withIdempotency } from '../idempotency';
import { writeEvent } from '../stock/post-event';
import { Actor, OutLeg } from '../stock/types';
import { supplierReturnView, SupplierReturnView } from './supplier-return-views';

export type SupplierReturnInput = { receiptLine: string; quantity?: Decimal; serials?: string[]; reason: string; occurredOn?: string };

/**
 * Received stock sent back to its supplier after goods-in, against the receipt line it came in
 * on. The units leave stock at the cost of the receipt's own layers (whatever FIFO or LIFO would
 * draw; under weighted average, at the average they joined). Units not yet billed leave GRNI
 * (Dr GRNI, Cr stock); units already billed are owed back (Dr Supplier credits expected, Cr
 * stock) until the supplier's credit note arrives.
 *
 * The PO line's received quantity goes down by what went back: the buyer returned it for credit,
 * so the line is outstanding again, and a PO that was received in full opens again so a
 * replacement can be received against it (close the PO if none is coming).
 */
export async function returnToSupplier(db: Db, actor: Actor, input: SupplierReturnInput, idem?: IdempotencyClaim) {
  return inTransaction(db, (trx) => withIdempotency(trx, actor.tenantId, idem, () => returnInTransaction(trx, actor, input)));
}

type ReceiptRow = Record<string, any>;

async function returnInTransaction(trx: Trx, actor: Actor, input: SupplierReturnInput): Promise<SupplierReturnView> {
  const r = await lockReceiptLine(trx, actor.tenantId, input.receiptLine);
  const { qty, serials } = quantityOf(r, input);
  if (!input.reason?.trim()) throw Invalid.field('reason', `Say why ${r.sku} goes back to ${r.supplier} (faulty, wrong part, surplus...)`);
  const on = input.occurredOn ?? today();
  if (on < r.received_on) throw Invalid.field('occurred_on', `A return cannot be dated before the goods arrived (${r.received_on}); use ${r.received_on} or later`);
  const split = splitReturn({ received: dec(r.quantity), billed: dec(r.billed_qty), returned: dec(r.returned_qty), returnedUnbilled: dec(r.returned_unbilled_qty) }, qty);
  if (!split.ok) {
    throw Invalid.field('quantity', `Only ${split.returnable.toFixed()} ${r.unit} of ${r.sku} from this receipt is left to return (${dec(r.quantity).toFixed()} received, ${dec(r.returned_qty).toFixed()} returned already)`);
  }
  const tenant = await getTenant(trx, actor.tenantId);
  const legs = await returnLegs(trx, actor.tenantId, tenant, r, qty, serials, split.unbilled);
  const sent = await valueSentBack(trx, actor.tenantId, tenant, r, legs);
  const value = sum(sent);
  // Under average cost the billed units are the legs costed by the method; otherwise a share.
  const credit = tenant.valuationMethod === 'weighted_average'
    ? roundMoney(sum(sent.filter((_, i) => legs[i].cost.kind === 'method')), tenant.minorUnits)
    : creditExpected(value, qty, split.billed, tenant.minorUnits);
  const contra: AccountRole = split.unbilled.isZero() ? 'supplier_credits' : 'grni';
  const otherPostings: StockPosting[] = contra === 'grni' && !credit.isZero() ? [{ role: 'supplier_credits', amount: credit }] : [];
  const event = await writeEvent(trx, actor, {
    kind: 'supplier_return', occurredOn: on, reference: r.po_number, reason: `to ${r.supplier}: ${input.reason.trim()}`, contra, reversesEventId: null, otherPostings,
  }, legs);
  const [row] = await trx('supplier_returns').insert({
    tenant_id: actor.tenantId, receipt_line_id: r.id, event_id: event.id, quantity: str(qty), unbilled_qty: str(split.unbilled), billed_qty: str(split.billed),
    serials: JSON.stringify(serials), value: str(value), credit_expected: event.journal?.lines.find((l) => l.role === 'supplier_credits')?.debit ?? '0', reason: input.reason.trim(), user_id: actor.userId ?? null, api_key_id: actor.apiKeyId ?? null,
  }).returning('id');
  await trx('receipt_lines').where({ tenant_id: actor.tenantId, id: r.id }).update({
    returned_qty: trx.raw('returned_qty + ?::numeric', [str(qty)]), returned_unbilled_qty: trx.raw('returned_unbilled_qty + ?::numeric', [str(split.unbilled)]),
  });
  await trx('purchase_order_lines').where({ tenant_id: actor.tenantId, id: r.po_line_id }).update({ received_qty: trx.raw('received_qty - ?::numeric', [str(qty)]) });
  if (r.po_status === 'received') await trx('purchase_orders').where({ tenant_id: actor.tenantId, id: r.po_id }).update({ status: 'open', updated_at: trx.fn.now() });
  return supplierReturnView(trx, actor.tenantId, row.id);
}

const dec = (v: string) => new Decimal(v);

/** The PO first, then the receipt line: the order goods-in and its undo lock them in, so none deadlock. */
export async function lockReceiptLine(trx: Trx, tenantId: string, id: string): Promise<ReceiptRow> {
  if (!isUuid(id)) throw new NotFound('Receipt line', id, 'receipt_line');
  const owner = await trx('receipt_lines as r').join('purchase_order_lines as pl', (j) => j.on('pl.id', 'r.po_line_id').andOn('pl.tenant_id', 'r.tenant_id'))
    .where({ 'r.tenant_id': tenantId, 'r.id': id }).first('pl.po_id');
  if (!owner) throw new NotFound('Receipt line', id, 'receipt_line');
  await trx('purchase_orders').where({ tenant_id: tenantId, id: owner.po_id }).forUpdate().first('id');
  const r = await trx('receipt_lines as r')
    .join('deliveries as d', (j) => j.on('d.id', 'r.delivery_id').andOn('d.tenant_id', 'r.tenant_id'))
    .join('purchase_order_lines as pl', (j) => j.on('pl.id', 'r.po_line_id').andOn('pl.tenant_id', 'r.tenant_id'))
    .join('purchase_orders as o', (j) => j.on('o.id', 'pl.po_id').andOn('o.tenant_id', 'pl.tenant_id'))
    .join('suppliers as s', (j) => j.on('s.id', 'o.supplier_id').andOn('s.tenant_id', 'o.tenant_id'))
    .join('parts as p', (j) => j.on('p.id', 'pl.part_id').andOn('p.tenant_id', 'pl.tenant_id'))
    .where({ 'r.tenant_id': tenantId, 'r.id': id }).forUpdate('r')
    .first('r.*', 'd.number as delivery_number', 'd.received_on', 'pl.po_id', 'pl.part_id', 'o.number as po_number', 'o.status as po_status', 's.name as supplier', 'p.sku', 'p.unit', 'p.tracking', 'p.fractional');
  if (r.outcome !== 'accepted') throw new Conflict(`This line was rejected at goods-in: it never entered stock; mark it returned on the returns list instead`, 'receipt_line');
  if (r.undone_at) throw new Conflict('This receipt line was undone: nothing of it is in stock to return', 'receipt_line');
  return r;
}

/** Serial-tracked parts go back by serial (the quantity is their count); others by quantity. */
function quantityOf(r: ReceiptRow, input: SupplierReturnInput): { qty: Decimal; serials: string[] } {
  const serials = input.serials ?? [];
  if (r.tracking !== 'serial') {
    if (serials.length) throw Invalid.field('serials', `${r.sku} is not serial-tracked; leave serials empty`);
    if (!input.quantity || !input.quantity.gt(0)) throw Invalid.field('quantity', `Quantity of ${r.sku} to return must be greater than zero`);
    if (input.quantity.decimalPlaces() > QTY_DP) throw Invalid.field('quantity', `Quantity of ${r.sku} has too many decimal places (at most ${QTY_DP})`);
    if (!r.fractional && !input.quantity.isInteger()) throw Invalid.field('quantity', `${r.sku} is counted in whole ${r.unit}; ${input.quantity.toFixed()} is not a whole number`);
    return { qty: input.quantity, serials };
  }
  if (!serials.length) throw Invalid.field('serials', `${r.sku} is serial-tracked: give the serial of each unit going back`);
  const received: string[] = typeof r.serials === 'string' ? JSON.parse(r.serials) : r.serials;
  const stranger = serials.find((s) => !received.includes(s));
  if (stranger) throw Invalid.field('serials', `Serial ${stranger} of ${r.sku} did not arrive on this receipt line`);
  const dup = serials.find((s, i) => serials.indexOf(s) !== i);
  if (dup) throw Invalid.field('serials', `Serial ${dup} is listed twice`);
  if (input.quantity && !input.quantity.eq(serials.length)) throw Invalid.field('quantity', `${serials.length} serials given for a quantity of ${input.quantity.toFixed()}`);
  return { qty: new Decimal(serials.length), serials };
}

/**
 * One outbound leg (one per serial), drawing on the receipt's own layers. Under weighted average
 * there are no own layers: unbilled units leave at the receipt's unit cost, the value GRNI was
 * credited with (as undoing the receipt would take them), so the average of what stays is as if
 * they never came; units already billed leave at the average, which the bill has revalued.
 */
async function returnLegs(
  trx: Trx, tenantId: string, tenant: Tenant, r: ReceiptRow, qty: Decimal, serials: string[], unbilled: Decimal,
): Promise<OutLeg[]> {
  const moves = await trx('stock_movements').where({ tenant_id: tenantId, event_id: r.event_id }).where('quantity', '>', 0).select('id', 'location_id', 'serial');
  const layers = await trx('cost_layers').where({ tenant_id: tenantId }).whereIn('source_movement_id', moves.map((m) => m.id)).select('id', 'source_movement_id');
  const part = (await partsById(trx, tenantId, [r.part_id])).get(r.part_id)!;
  const location = (await locationsById(trx, tenantId, [moves[0].location_id])).get(moves[0].location_id)!;
  const own = (movementIds: string[]) => layers.filter((l) => movementIds.includes(l.source_movement_id)).map((l) => l.id as string);
  const base = { dir: 'out' as const, part, location, lot: r.lot as string };
  if (tenant.valuationMethod === 'weighted_average') {
    const atReceiptCost = (n: Decimal): OutLeg['cost'] => ({ kind: 'value', value: n.mul(r.unit_cost) });
    if (!serials.length) {
      const billed = qty.minus(unbilled);
      return [
        ...(unbilled.gt(0) ? [{ ...base, field: 'quantity', serial: null, qty: unbilled, cost: atReceiptCost(unbilled) }] : []),
        ...(billed.gt(0) ? [{ ...base, field: 'quantity', serial: null, qty: billed, cost: { kind: 'method' as const } }] : []),
      ];
    }
    const one = new Decimal(1);
    return serials.map((s, i) => ({ ...base, field: `serials.${i}`, serial: s, qty: one, cost: unbilled.gt(i) ? atReceiptCost(one) : { kind: 'method' as const } }));
  }
  const mine = (ids: string[]) => ({ kind: 'layers' as const, layerIds: ids });
  if (!serials.length) return [{ ...base, field: 'quantity', serial: null, qty, cost: mine(own(moves.map((m) => m.id))) }];
  return serials.map((s, i) => ({ ...base, field: `serials.${i}`, serial: s, qty: new Decimal(1), cost: mine(own(moves.filter((m) => m.serial === s).map((m) => m.id))) }));
}

/**
 * The value the legs take out, worked out before they are written (the journal's credit-note
 * share needs it), from the same layers under the part's lock, drawn the same way the stock
 * write path will draw them. Refused when that stock is no longer here.
 */
async function valueSentBack(trx: Trx, tenantId: string, tenant: Tenant, r: ReceiptRow, legs: OutLeg[]): Promise<Decimal[]> {
  await ledger.lockParts(trx, tenantId, [r.part_id]);
  const leg0 = legs[0];
  const ids = legs.flatMap((l) => (l.cost.kind === 'layers' ? l.cost.layerIds : []));
  const layers = tenant.valuationMethod === 'weighted_average'
    ? (await trx('cost_layers').where({ tenant_id: tenantId, part_id: r.part_id, location_id: leg0.location.id, lot: leg0.lot }).where('remaining_qty', '>', 0).pluck('id')).map(String)
    : ids;
  let rows = await ledger.layersByIds(trx, tenantId, layers);
  const values: Decimal[] = [];
  for (const leg of legs) {
    const pool = rows.filter((l) => l.remainingQty.gt(0) && (leg.cost.kind !== 'layers' || leg.cost.layerIds.includes(l.id)));
    const left = sum(pool.map((l) => l.remainingQty));
    const drawn: Draw[] | null = leg.cost.kind === 'value'
      ? (pool[0] && left.gte(leg.qty) && pool[0].remainingValue.gte(leg.cost.value) ? [{ layerId: pool[0].id, qty: leg.qty, value: leg.cost.value }] : null)
      : ((d) => (d.ok ? d.draws : null))(drawFromLayers(tenant.valuationMethod === 'weighted_average' ? 'weighted_average' : 'fifo', pool, leg.qty));
    if (!drawn) throw notHere(r, leg, legs, left);
    values.push(sum(drawn.map((d) => d.value)));
    rows = applyDraws(rows, drawn) as typeof rows;
  }
  return values;
}

function notHere(r: ReceiptRow, leg: OutLeg, legs: OutLeg[], left: Decimal): Conflict {
  const what = leg.serial ? `Serial ${leg.serial} of ${r.sku}` : `${legs.length === 1 ? leg.qty.toFixed() : ''} ${r.unit} of ${r.sku}`.trim();
  return new Conflict(
    `${what} from delivery ${r.delivery_number} (${r.po_number}) is no longer in stock at ${leg.location.code}: only ${left.toFixed()} of it is left there (the rest has been used, sold or moved). Return at most that, or record the return where the goods are now`,
    leg.field,
  );
}
