import { Db } from '../../../db';
import { Decimal } from '../../../domain/decimal';
import { baseUnitCost } from '../../../domain/purchasing';
import { DomainError } from '../../../errors';
import { today } from '../../../clock';
import { dispatchGoods } from '../../../services/dispatch/dispatch';
import { hashRequest } from '../../../services/idempotency';
import { DispatchInput } from '../../../services/jobs/types';
import { Actor } from '../../../services/stock/types';
import { ExternalDocument } from './documents';
import { explain, Result } from './outcomes';
import { APPROVED, AWAITING_APPROVAL, CANCELLED, isTextLine, XeroInvoice, XeroLine } from './xero-invoice';

export type DispatchMode = 'off' | 'auto';
type Plan = { input: DispatchInput; xeroLines: XeroLine[]; waiting: string[]; notes: string[] };

/**
 * A sales invoice from Xero. Approved, and naming parts held as finished goods, it dispatches
 * them (Dr Cost of goods sold, Cr Finished goods) when the organisation chose automatic dispatch
 * or a person pressed Dispatch; otherwise it is listed for a person. The dispatch's idempotency
 * key is the InvoiceID, so automatic and manual dispatch, retries and redeliveries ship once.
 */
export async function salesInvoiceOutcome(db: Db, actor: Actor, inv: XeroInvoice, existing: ExternalDocument | null, mode: DispatchMode, requested: boolean): Promise<Result> {
  if (existing?.outcome === 'dispatched' && existing.localId) return afterDispatch(inv, existing);
  if (AWAITING_APPROVAL.has(inv.status)) return { outcome: 'listed', message: `${inv.status} in Xero: can be dispatched once it is approved` };
  if (CANCELLED.has(inv.status)) return { outcome: 'skipped', message: `${inv.status} in Xero before anything was dispatched` };
  if (!APPROVED.has(inv.status)) return { outcome: 'skipped', message: `Xero status ${inv.status || 'missing'}: nothing to dispatch` };
  const plan = await dispatchPlan(db, actor.tenantId, inv);
  if (!plan.input.lines.length && !plan.waiting.length) return { outcome: 'skipped', message: ['No finished goods on this invoice: nothing to dispatch', ...plan.notes].join('; ') };
  if (plan.waiting.length) return { outcome: 'listed', message: [...plan.waiting, ...plan.notes].join('; ') };
  if (mode !== 'auto' && !requested) return { outcome: 'listed', message: ['Ready to dispatch: press Dispatch, or turn on automatic dispatch', ...plan.notes].join('; ') };
  try {
    const { body } = await dispatchGoods(db, actor, plan.input, { key: `xero-invoice:${inv.id}`, requestHash: hashRequest(['xero-invoice', inv.id]) });
    return { outcome: 'dispatched', localId: body!.id, message: [`Dispatched as ${body!.number}`, ...plan.notes].join('; ') };
  } catch (err) {
    if (err instanceof DomainError) return { outcome: 'failed', message: explain(err, plan.xeroLines) };
    throw err;
  }
}

async function dispatchPlan(db: Db, tenantId: string, inv: XeroInvoice): Promise<Plan> {
  const lines = inv.lines.filter((l) => !isTextLine(l) && l.itemCode);
  const parts = await db('parts').where({ tenant_id: tenantId }).whereIn('sku', [...new Set(lines.map((l) => l.itemCode!))]).select('sku', 'stock_role', 'tracking');
  const bySku = new Map(parts.map((p) => [p.sku as string, p]));
  const plan: Plan = { input: { customer: inv.contactName, reference: inv.number, occurredOn: inv.date ?? today(), lines: [] }, xeroLines: [], waiting: [], notes: [] };
  for (const l of lines) {
    const part = bySku.get(l.itemCode!);
    // Items that are not parts are services, freight and the like: nothing leaves stock for them.
    if (!part) { plan.notes.push(`line ${l.lineNo}: ${l.itemCode} is not a part here, not dispatched`); continue; }
    if (part.stock_role !== 'finished_goods') { plan.notes.push(`line ${l.lineNo}: ${l.itemCode} is not a finished good, not dispatched`); continue; }
    if (part.tracking === 'serial') { plan.waiting.push(`line ${l.lineNo}: ${l.itemCode} is serial-tracked: dispatch it from Dispatches with its serial numbers`); continue; }
    if (!l.quantity.gt(0)) { plan.waiting.push(`line ${l.lineNo}: quantity ${l.quantity.toFixed()} of ${l.itemCode} cannot be dispatched`); continue; }
    plan.xeroLines.push(l);
    plan.input.lines.push({ part: l.itemCode!, quantity: l.quantity, unitPrice: salePrice(inv, l) });
  }
  return plan;
}

/** Net of tax, in the base currency: what the job's margin is measured against. */
function salePrice(inv: XeroInvoice, l: XeroLine): Decimal {
  return baseUnitCost({ unitPrice: l.unitPrice, taxRate: l.taxRate, amounts: inv.amounts, unitsPerPurchaseUnit: new Decimal(1), currencyRate: inv.currencyRate?.gt(0) ? inv.currencyRate : new Decimal(1) });
}

function afterDispatch(inv: XeroInvoice, doc: ExternalDocument): Result {
  const base = { outcome: 'dispatched' as const, localId: doc.localId };
  if (CANCELLED.has(inv.status)) return { ...base, message: `${inv.status} in Xero after the goods were dispatched: the dispatch stays until a person reverses it` };
  return { ...base, message: doc.message };
}
