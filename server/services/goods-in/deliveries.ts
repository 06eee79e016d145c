import crypto from 'node:crypto';
import { isUuid } from '../../domain/ids';
import { Db, Trx } from '../../db';
import { Decimal, ZERO } from '../../domain/decimal';
import { AccountRole, buildJournal, StockPosting } from '../../domain/accounting';
import { NotFound } from '../../errors';
import { today } from '../../clock';
import { firstOpenDay } from '../../domain/dates';
import { getTenant, getTenantWithMapping } from '../../repos/tenants';
import { assertOpenPeriod } from '../../domain/stock/rules';
import { assertBusinessDate } from '../stock/post-event';
import { insertJournal } from '../../repos/journals';
import { inTransaction } from '../transaction';
import { deliveryView } from '../purchasing/views';
import { DeliveryView } from '../purchasing/types';
import { Actor } from '../stock/types';
import { LockedPo } from './po-line';

export type OpenDelivery = { id: string; number: number; receivedOn: string; journalPer: 'line' | 'delivery' };

/**
 * The PO's open delivery for the day the goods arrived, begun by the first line verified (under
 * the PO lock, so there is one). A delivery is one day's arrival: one left open for another day
 * is finished (its held journal posted) and a delivery for this day begun, so each delivery, its
 * receipts and its journal carry the one business date.
 */
export async function openDelivery(trx: Trx, actor: Actor, po: LockedPo, arrived: { on?: string; deliveryNote?: string }): Promise<OpenDelivery> {
  const on = await arrivalDate(trx, actor.tenantId, arrived.on);
  const deliveryNote = arrived.deliveryNote;
  let row = await trx('deliveries').where({ tenant_id: actor.tenantId, po_id: po.id, status: 'open' }).first();
  if (row && row.received_on !== on) {
    await finishInTransaction(trx, actor, row.id);
    row = undefined;
  }
  if (!row) {
    const t = await trx('tenants').where({ id: actor.tenantId }).first('receipt_journal_per');
    [row] = await trx('deliveries')
      .insert({ tenant_id: actor.tenantId, po_id: po.id, received_on: on, delivery_note: deliveryNote ?? '', journal_per: t.receipt_journal_per, user_id: actor.userId ?? null })
      .returning('*');
  } else if (deliveryNote && !row.delivery_note) {
    await trx('deliveries').where({ tenant_id: actor.tenantId, id: row.id }).update({ delivery_note: deliveryNote });
  }
  return { id: row.id, number: Number(row.number), receivedOn: row.received_on, journalPer: row.journal_per };
}

/**
 * The day goods arrived: today unless given. A date in the future or inside the locked period is
 * refused by the stock rules every event obeys (checked here too, as a rejection writes no event).
 */
async function arrivalDate(trx: Trx, tenantId: string, given?: string): Promise<string> {
  const on = given ?? today();
  assertBusinessDate(on);
  assertOpenPeriod(on, (await getTenant(trx, tenantId)).lockDate);
  return on;
}

export async function finishDelivery(db: Db, actor: Actor, deliveryId: string): Promise<DeliveryView> {
  return inTransaction(db, async (trx) => {
    await finishInTransaction(trx, actor, deliveryId);
    return deliveryView(trx, actor.tenantId, deliveryId);
  });
}

/**
 * Close a delivery. Under a journal-per-delivery policy its held postings become one journal
 * (dated the delivery's day, or the first open day if the books have been locked since).
 * Finishing twice changes nothing.
 */
export async function finishInTransaction(trx: Trx, actor: Actor, deliveryId: string): Promise<void> {
  const dl = await lockDelivery(trx, actor.tenantId, deliveryId);
  if (dl.status === 'completed') return;
  let journalId: string | null = null;
  const held = await trx('deferred_postings').where({ tenant_id: actor.tenantId, delivery_id: deliveryId }).whereNull('journal_id')
    .groupBy('account_role').select('account_role', trx.raw('sum(amount)::text as amount'));
  const postings: StockPosting[] = held.map((h) => ({ role: h.account_role as AccountRole, amount: new Decimal(h.amount) })).filter((p) => !p.amount.isZero());
  if (postings.length) {
    const { tenant, mapping } = await getTenantWithMapping(trx, actor.tenantId);
    const stock = postings.filter((p) => p.role !== 'grni');
    const grni = postings.find((p) => p.role === 'grni')?.amount ?? ZERO;
    const draft = buildJournal(stock, 'grni', mapping, `Goods-in delivery ${dl.number} against ${dl.po_number} (${dl.supplier}) [Perpetua]`);
    // Held lines balance per event, so the contra is exactly what was held on GRNI.
    if (draft && !draft.lines.find((l) => l.role === 'grni')!.amount.eq(grni)) throw new Error(`Delivery ${dl.number}: held postings do not balance`);
    if (draft) {
      journalId = crypto.randomUUID();
      const date = firstOpenDay(dl.received_on, tenant.lockDate);
      await insertJournal(trx, actor.tenantId, { id: journalId, date, sourcePath: `/goods-in/deliveries/${deliveryId}`, draft });
      await trx('deferred_postings').where({ tenant_id: actor.tenantId, delivery_id: deliveryId }).whereNull('journal_id').update({ journal_id: journalId });
    }
  }
  await trx('deliveries').where({ tenant_id: actor.tenantId, id: deliveryId }).update({ status: 'completed', completed_at: trx.fn.now(), journal_id: journalId });
}

async function lockDelivery(trx: Trx, tenantId: string, deliveryId: string) {
  if (!isUuid(deliveryId)) throw new NotFound('Delivery', deliveryId);
  // Its PO first, as every verification and undo locks it: one in flight either lands in this
  // delivery before it is journalled or begins the next, never holding lines for a finished one.
  const owner = await trx('deliveries').where({ tenant_id: tenantId, id: deliveryId }).first('po_id');
  if (!owner) throw new NotFound('Delivery', deliveryId);
  await trx('purchase_orders').where({ tenant_id: tenantId, id: owner.po_id }).forUpdate().first('id');
  const dl = await trx('deliveries as d')
    .join('purchase_orders as o', (j) => j.on('o.id', 'd.po_id').andOn('o.tenant_id', 'd.tenant_id'))
    .join('suppliers as s', (j) => j.on('s.id', 'o.supplier_id').andOn('s.tenant_id', 'o.tenant_id'))
    .where({ 'd.tenant_id': tenantId, 'd.id': deliveryId })
    .forUpdate('d')
    .first('d.*', 'o.number as po_number', 's.name as supplier');
  if (!dl) throw new NotFound('Delivery', deliveryId);
  return dl;
}

