import { Db } from '../../db';
import { dec } from '../../domain/decimal';
import { postStockEvent } from '../stock/post-event';
import { Actor, LineInput, TransferLineInput } from '../stock/types';
import { BAY, MAIN } from './catalogue';
import { DemoPlan, addDays } from './plan';

/*
 * The demo's postings: opening stock, then a few receipts, an issue, a transfer and an adjustment
 * early in the month, so every page has something to show. They run in this order.
 */

type Ctx = { db: Db; actor: Actor; plan: DemoPlan; today: string };

export async function postDemoActivity(db: Db, actor: Actor, plan: DemoPlan, today: string): Promise<void> {
  const ctx: Ctx = { db, actor, plan, today };
  await postStockEvent(db, actor, { kind: 'opening_balance', occurredOn: plan.firstOfMonth, reference: 'Demo opening stock', lines: plan.opening });
  await postReceipts(ctx);
  await postDispatch(ctx);
  await postKitting(ctx);
  await postCycleCount(ctx);
}

/** Day n of the month, but never after `today`. */
function day(ctx: Ctx, n: number): string {
  const d = addDays(ctx.plan.firstOfMonth, n);
  return d < ctx.today ? d : ctx.today;
}

function openingLinesFor(ctx: Ctx, sku: string, location: string): LineInput[] {
  return ctx.plan.opening.filter((l) => l.part === sku && l.location === location);
}
const lotOf = (ctx: Ctx, sku: string, location = MAIN) => openingLinesFor(ctx, sku, location).at(-1)!.lot!;
const serialsOf = (ctx: Ctx, sku: string, location = MAIN) => openingLinesFor(ctx, sku, location).flatMap((l) => l.serials ?? []);

const line = (sku: string, location: string, qty: string, unitCost?: string, extra: Partial<LineInput> = {}): LineInput => ({
  part: sku, location, quantity: dec(qty), ...(unitCost ? { unitCost: dec(unitCost) } : {}), ...extra,
});
const move = (sku: string, qty: string, extra: Partial<TransferLineInput> = {}): TransferLineInput => ({ part: sku, from: MAIN, to: BAY, quantity: dec(qty), ...extra });

// Two deliveries at different prices, so FIFO layers differ.
async function postReceipts(ctx: Ctx): Promise<void> {
  const { db, actor, today } = ctx;
  await postStockEvent(db, actor, {
    kind: 'receipt', occurredOn: day(ctx, 2), reference: 'PO-10421 Trent Bearing Supplies',
    lines: [
      line('BRG-6205-2RS', MAIN, '50', '4.1200'),
      line('BRG-6206-2RS', MAIN, '20', '5.3750'),
      line('MTR-IE3-2.2-4P', MAIN, '2', '246.80', { serials: ctx.plan.receivedMotors }),
      line('PNT-RAL5010', MAIN, '20', '20.4500', { lot: `PB-${today.slice(2, 4)}${today.slice(5, 7)}-214` }),
    ],
  });
  await postStockEvent(db, actor, {
    kind: 'receipt', occurredOn: day(ctx, 5), reference: 'PO-10437 Solway Steel Stockholders',
    lines: [
      line('STL-S275-3', MAIN, '500', '1.2135'),
      line('BRG-6205-2RS', MAIN, '30', '3.9600'),
      line('SEAL-MS-35', MAIN, '6', '47.9000', { lot: `SB-${today.slice(2, 4)}${today.slice(5, 7)}-388` }),
    ],
  });
}

// A dispatch: one pump and spare bearings (60 bearings draw across the opening and first receipt layers).
async function postDispatch(ctx: Ctx): Promise<void> {
  await postStockEvent(ctx.db, ctx.actor, {
    kind: 'issue', expenseRole: 'cogs', occurredOn: day(ctx, 6), reference: 'DN-5012 Severn Water Services',
    lines: [
      line('CP-65-200-5.5', MAIN, '1', undefined, { serials: [serialsOf(ctx, 'CP-65-200-5.5')[0]] }),
      line('BRG-6205-2RS', MAIN, '60'),
    ],
  });
}

// Kitting a job in the assembly bay.
async function postKitting(ctx: Ctx): Promise<void> {
  await postStockEvent(ctx.db, ctx.actor, {
    kind: 'transfer', occurredOn: day(ctx, 7), reference: 'Kit for job JC-2031',
    lines: [
      move('MTR-IE3-2.2-4P', '1', { serials: [serialsOf(ctx, 'MTR-IE3-2.2-4P')[0]] }),
      move('BRG-6206-2RS', '8'),
      move('FST-HB-M10X30', '2'),
      move('PNT-RAL5010', '5', { lot: lotOf(ctx, 'PNT-RAL5010') }),
    ],
  });
}

// A cycle count.
async function postCycleCount(ctx: Ctx): Promise<void> {
  await postStockEvent(ctx.db, ctx.actor, {
    kind: 'adjustment', occurredOn: day(ctx, 8), reference: 'Cycle count CC-0007', reason: 'Cycle count variance',
    lines: [
      line('FST-HN-M8', MAIN, '-1'),
      line('SEAL-LIP-35-52', MAIN, '-2', undefined, { lot: lotOf(ctx, 'SEAL-LIP-35-52') }),
      line('STL-S275-3', MAIN, '3.5'),
    ],
  });
}
