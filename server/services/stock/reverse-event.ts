import { Db, Trx } from '../../db';
import { isUuid } from '../../domain/ids';
import { Decimal } from '../../domain/decimal';
import { AccountRole, StockPosting, STOCK_ROLES } from '../../domain/accounting';
import { eventSource } from '../queries';
import { Conflict, Invalid, NotFound } from '../../errors';
import { partsById, locationsById, Part, Location } from '../../repos/catalogue';
import * as ledger from '../../repos/ledger';
import { inTransaction } from '../transaction';
import { IdempotencyClaim, withIdempotency } from '../idempotency';
import { writeEvent, PostResult } from './post-event';
import { Actor, Leg, EventView } from './types';
import { getTenant } from '../../repos/tenants';


/**
 * Undo a whole event with a new one pointing at it: each movement is answered by its opposite,
 * at the value it carried. Nothing is updated or deleted.
 */
export async function reverseStockEvent(db: Db, actor: Actor, eventId: string, occurredOn: string, reason: string, idem?: IdempotencyClaim): Promise<PostResult> {
  return inTransaction(db, (trx) => withIdempotency(trx, actor.tenantId, idem, () => reverseInTransaction(trx, actor, eventId, occurredOn, reason)));
}

/** Their events carry job and dispatch figures a bare reversal would leave behind. */
const JOB_KINDS = ['job_consumption', 'job_completion', 'dispatch'];

/** Reverse inside the caller's transaction; goods-in holds an undo's journal for its open delivery. */
export async function reverseInTransaction(trx: Trx, actor: Actor, eventId: string, occurredOn: string, reason: string, goodsIn?: { deferToDelivery?: string }): Promise<EventView> {
  if (!isUuid(eventId)) throw new NotFound('Stock event', eventId);
  // Locking the original makes a concurrent second reversal wait, then see the first (a Conflict).
  const event = await trx('stock_events').where({ tenant_id: actor.tenantId, id: eventId }).forUpdate().first();
  if (!event) throw new NotFound('Stock event', eventId);
  if (event.kind === 'reversal') throw new Conflict('A reversal cannot itself be reversed; record the event again instead');
  if (!goodsIn) await assertNotGoodsIn(trx, actor.tenantId, eventId);
  if (JOB_KINDS.includes(event.kind)) throw new Conflict(`A job's ${event.kind.replace('_', ' ')} is corrected on its job card or dispatch, not reversed here`);
  const source = await eventSource(trx, actor.tenantId, eventId);
  if (source) throw new Conflict(`This event belongs to ${source.kind} ${source.number}: correct it there, not by reversing it here`);
  if (event.kind === 'revaluation') throw new Conflict('A bill price difference is corrected by the bill, not reversed here: record a credit note or a corrected bill');
  const already = await trx('stock_events').where({ tenant_id: actor.tenantId, reverses_event_id: eventId }).first('id');
  if (already) throw new Conflict(`This event was already reversed by event ${already.id}`);

  if (occurredOn < event.occurred_on) {
    throw Invalid.field('occurred_on', `A reversal cannot be dated before the event it reverses (${event.occurred_on}); use ${event.occurred_on} or later`);
  }
  const moves = await trx('stock_movements').where({ tenant_id: actor.tenantId, event_id: eventId }).orderBy('seq', 'desc');
  const parts = await partsById(trx, actor.tenantId, moves.map((m) => m.part_id));
  const locations = await locationsById(trx, actor.tenantId, moves.map((m) => m.location_id));
  const consumptions = await ledger.consumptionsOf(trx, actor.tenantId, moves.filter((m) => new Decimal(m.quantity).isNeg()).map((m) => m.id));
  const tenant = await getTenant(trx, actor.tenantId);
  const createdLayers = await trx('cost_layers').where({ tenant_id: actor.tenantId }).whereIn('source_movement_id', moves.map((m) => m.id)).orderBy('seq');
  const legs: Leg[] = moves.map((m, i) => {
    const qty = new Decimal(m.quantity);
    const base = { field: `movements.${i}`, part: parts.get(m.part_id)!, location: locations.get(m.location_id)!, lot: m.lot, serial: m.serial, qty: qty.abs(), reversesMovementId: m.id };
    if (qty.isNeg()) {
      const draws = consumptions.filter((c) => c.movementId === m.id).map((c) => ({ layerId: c.layerId, qty: c.qty, value: c.value }));
      return { ...base, dir: 'in', cost: { kind: 'restore', draws } };
    }
    const own = createdLayers.filter((l) => l.source_movement_id === m.id);
    const cost = tenant.valuationMethod === 'weighted_average' || own.length === 0
      ? { kind: 'value' as const, value: new Decimal(m.value) }
      : { kind: 'layers' as const, layerIds: own.map((l) => l.id as string) };
    return { ...base, dir: 'out', cost };
  });
  const restoredIds = consumptions.map((c) => c.layerId);
  const otherPostings = await otherPostingsUndone(trx, actor.tenantId, eventId, event.contra_role);
  const view = await writeEvent(
    trx,
    actor,
    { kind: 'reversal', occurredOn, reference: event.reference, reason, contra: event.contra_role as AccountRole, reversesEventId: eventId, deferToDelivery: goodsIn?.deferToDelivery, otherPostings },
    legs,
    async (w) => {
      if (tenant.valuationMethod === 'weighted_average') await assertAverageUntouched(trx, actor.tenantId, moves, parts, locations);
      w.addLayers(await ledger.layersByIds(trx, actor.tenantId, restoredIds));
    },
  );
  return view;
}

/**
 * Under weighted average, stock issued after a receipt left at an average that included the
 * receipt's cost. Taking the receipt back out at its own cost would leave the remaining stock
 * mispriced, so that reversal is refused (checked under the part locks).
 */
async function assertAverageUntouched(trx: Trx, tenantId: string, moves: Record<string, any>[], parts: Map<string, Part>, locations: Map<string, Location>): Promise<void> {
  for (const m of moves.filter((x) => new Decimal(x.quantity).isPos())) {
    const later = await trx('stock_movements')
      .where({ tenant_id: tenantId, part_id: m.part_id, location_id: m.location_id })
      .where('seq', '>', m.seq).where('quantity', '<', 0).first('id');
    if (later) {
      const sku = parts.get(m.part_id)!.sku;
      throw new Conflict(`${sku} has been issued from ${locations.get(m.location_id)!.code} since, at an average cost that included this receipt; reversing it now would misprice the stock left. Post an adjustment instead`);
    }
  }
}

/**
 * The original journal's lines on accounts other than stock and its contra (a supplier return's
 * credit expected beside GRNI), answered by their opposites so the reversal mirrors it.
 */
async function otherPostingsUndone(trx: Trx, tenantId: string, eventId: string, contra: string): Promise<StockPosting[]> {
  const lines = await trx('journal_lines as l').join('journals as j', (x) => x.on('j.id', 'l.journal_id').andOn('j.tenant_id', 'l.tenant_id'))
    .where({ 'j.tenant_id': tenantId, 'j.event_id': eventId }).whereNot('l.account_role', contra).whereNotIn('l.account_role', STOCK_ROLES as string[])
    .select('l.account_role', 'l.amount');
  return lines.map((l) => ({ role: l.account_role as AccountRole, amount: new Decimal(l.amount).neg() }));
}

/**
 * A goods-in receipt is undone on its delivery, where the PO's received figures follow it; a
 * reversal here would leave the PO expecting goods it already has.
 */
async function assertNotGoodsIn(trx: Trx, tenantId: string, eventId: string): Promise<void> {
  const line = await trx('receipt_lines as r').join('deliveries as d', (j) => j.on('d.id', 'r.delivery_id').andOn('d.tenant_id', 'r.tenant_id'))
    .join('purchase_orders as o', (j) => j.on('o.id', 'd.po_id').andOn('o.tenant_id', 'd.tenant_id'))
    .where({ 'r.tenant_id': tenantId, 'r.event_id': eventId }).first('o.number', 'o.id');
  if (line) throw new Conflict(`This receipt was verified at goods-in against ${line.number}; undo it there (/goods-in/${line.id}) so the PO's figures follow`);
  const sent = await trx('supplier_returns').where({ tenant_id: tenantId, event_id: eventId }).first('id', 'number');
  if (sent) throw new Conflict(`This is supplier return ${sent.number}; undo it on the returns list (/goods-in/returns) so the receipt's and the PO's figures follow`);
}
